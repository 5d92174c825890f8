# The two quickstart commands: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The package alone (what `make demo` runs), then the development extras (`make test`).
BASE := $(VENV)/.installed-base
STAMP := $(VENV)/.installed
# uv installs in parallel: the package with no cache took 13.5 s here, pip 51 s.
# ibm-platform-services (mthree -> qiskit-ibm-runtime) as a wheel: uv would otherwise pick
# an sdist of it that does not build.
UV := $(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode \
	--only-binary ibm-platform-services

.PHONY: demo test check lint typecheck bench clean sandbox-tools browser-tools lower-bounds

# Compiled modules are kept (__pycache__, ignored by git) even where the environment says
# not to write them: each pytest worker would otherwise rewrite every test module again
# (~4 s of CPU a worker), and each generated project's tests too.
unexport PYTHONDONTWRITEBYTECODE

$(BASE): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (set PYTHON=...)"; exit 3; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(UV) -e .
	touch $(BASE)

$(STAMP): $(BASE)
	$(UV) -e ".[dev,ray]"
	touch $(STAMP)

# The main job end to end, on the per-user local service (started on first use; stop it
# with `.venv/bin/runtime-kit service stop`): new -> validate -> run -> publish -> submit.
DEMO := .cache/demo
demo: $(BASE)
	$(BIN)/runtime-kit --version
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN)/runtime-kit new "Demo hello" -o $(DEMO) --no-input
	$(BIN)/runtime-kit validate $(DEMO)/demo-hello
	$(BIN)/runtime-kit run $(DEMO)/demo-hello --seed 1
	$(BIN)/runtime-kit publish $(DEMO)/demo-hello --yes
	$(BIN)/runtime-kit jobs submit demo-hello --follow --param iterations=2
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

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite under coverage (branches; the CLI, `serve`, harness subprocesses and xdist's
# workers included), in parallel (tests/parallel.py: the tests that share a module's fixture
# together, the Ray tests on one worker, the others wherever a worker is free), then the 15 slowest tests and the report: it fails below the floor in
# pyproject.toml ([tool.coverage.report]).  Most of a test's time is spent waiting for the
# processes it started, so more workers than cores pay: TEST_WORKERS=1 runs it serially.
TEST_WORKERS ?= 4
PARALLEL = -n $(TEST_WORKERS) --dist loadgroup
test: lint typecheck sandbox-tools browser-tools
	$(BIN)/python -m coverage erase
	$(BIN)/python -m coverage run -m pytest $(PARALLEL) --durations=15
	$(BIN)/python -m coverage combine --quiet
	$(BIN)/python -m coverage report

# The inner loop: lint, types and the tests that need no service, browser, Ray or side venv
# (tests/needs.py), without coverage.
check: lint typecheck
	$(BIN)/python -m pytest -q $(PARALLEL) --quick

# The dependencies at the lowest versions pyproject.toml declares (constraints made from it),
# in a virtual environment of their own (made by uv), with the part of the suite that uses
# each of them, in parallel as `make test` runs it.  Run by .ci/run after `make test`.  Three
# deprecation warnings come from the libraries themselves at those versions (starlette's
# TestClient on today's anyio and httpx, and starlette 0.40 importing python-multipart by its
# old name), not from runtime-kit; the slow-reader test depends on how much the websocket
# client buffers.
LOWER := .venv-minimums
LOWER_TESTS := tests/serialization tests/program tests/harness/test_run.py tests/validate \
	tests/scaffold/test_new.py tests/service/test_routes.py tests/service/test_server.py \
	tests/service/test_edge.py tests/service/test_operations.py tests/service/test_hostile_jobs.py \
	tests/client/test_sdk.py tests/client/test_commands.py tests/builtins tests/algorithms \
	tests/service/ui/test_pages.py tests/functions/test_gateway.py \
	tests/backends/test_device_backend.py
lower-bounds: sandbox-tools $(BASE)
	rm -rf $(LOWER)
	$(BIN)/uv venv --quiet --python $(PYTHON) $(LOWER)
	$(PYTHON) tests/lower_bounds/constraints.py > $(LOWER)/constraints.txt
	$(BIN)/uv pip install --python $(LOWER)/bin/python --quiet --compile-bytecode -e . \
	  -c $(LOWER)/constraints.txt "pytest>=8,<9.2" "pytest-timeout>=2.3" "pytest-xdist>=3.6" \
	  "hypothesis>=6.100"
	$(LOWER)/bin/python -m pytest -q -p no:cacheprovider $(PARALLEL) \
	  -W "ignore:The anyio.abc.BlockingPortal alias is deprecated:DeprecationWarning" \
	  -W "ignore:The 'app' shortcut is now deprecated:DeprecationWarning" \
	  -W "ignore:Please use \`import python_multipart\` instead.:PendingDeprecationWarning" \
	  --deselect tests/service/test_edge.py::test_slow_reader_is_closed_1013_after_the_data_it_had \
	  $(LOWER_TESTS)

bench: $(STAMP)
	$(BIN)/python benchmarks/codec.py
	$(BIN)/python benchmarks/primitives.py
	$(BIN)/python benchmarks/validate.py
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/service.py
	$(BIN)/python benchmarks/store.py
	$(BIN)/python benchmarks/executors.py
	$(BIN)/python benchmarks/ui.py
	$(BIN)/python benchmarks/devices.py

clean:
	rm -rf $(VENV) $(LOWER) .venv-legacy .venv-legacy.lock .venv-legacy-apps .venv-legacy-apps.lock .venv-ibm-runtime .venv-ibm-runtime.lock .venv-ibm-runtime-0.9 .venv-ibm-runtime-0.9.lock .venv-legacy-py310 .venv-legacy-py310.lock .venv-serverless .venv-serverless.lock .pytest_cache .ruff_cache .hypothesis
