# The two quickstart commands: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean sandbox-tools browser-tools

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (set PYTHON=...)"; exit 3; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,ray]"
	touch $(STAMP)

# The main job end to end, on the per-user local service (started on first use; stop it
# with `.venv/bin/runtime-kit service stop`): new -> validate -> run -> publish -> submit.
DEMO := .cache/demo
demo: $(STAMP)
	$(BIN)/runtime-kit --version
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN)/runtime-kit new "Demo hello" -o $(DEMO) --no-input
	$(BIN)/runtime-kit validate $(DEMO)/demo-hello
	$(BIN)/runtime-kit run $(DEMO)/demo-hello --seed 1
	$(BIN)/runtime-kit publish $(DEMO)/demo-hello --yes
	$(BIN)/runtime-kit jobs submit demo-hello --follow --param iterations=2 --param seed=7
	$(BIN)/runtime-kit service status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# `serve --sandbox bwrap` is tested where bubblewrap can be installed (root + apt).
sandbox-tools:
	@command -v bwrap >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && { apt-get install -y -qq bubblewrap >/dev/null 2>&1 \
	       || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq bubblewrap >/dev/null 2>&1; }; }; } \
	  || echo "note: bubblewrap is not installed; the sandbox test will be skipped"

# The web view's browser tests drive Debian's chromium (Playwright cannot download one here).
browser-tools:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && { apt-get install -y -qq chromium >/dev/null 2>&1 \
	       || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }; }; } \
	  || echo "note: chromium is not installed; the browser tests will be skipped"

test: lint sandbox-tools browser-tools
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/codec.py
	$(BIN)/python benchmarks/primitives.py
	$(BIN)/python benchmarks/validate.py
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/service.py
	$(BIN)/python benchmarks/executors.py
	$(BIN)/python benchmarks/ui.py

clean:
	rm -rf $(VENV) .venv-legacy .venv-legacy.lock .venv-ibm-runtime .venv-ibm-runtime.lock .venv-ibm-runtime-0.9 .venv-ibm-runtime-0.9.lock .pytest_cache .ruff_cache .hypothesis
