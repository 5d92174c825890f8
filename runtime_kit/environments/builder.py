"""``EnvironmentBuilder``: a program's declared environment, resolved, then built once.

1. **Resolve** the requirements with ``uv pip compile`` on the interpreter the declaration
   names: the pinned set, keyed with the interpreter's version (``Resolution``).  A
   declaration's resolution is remembered, so later jobs of the program neither ask the index
   again nor pay for it: an environment stays what it was at its first job.
2. **Build** under the key's lock (concurrent first jobs build once): ``uv venv`` and
   ``uv pip sync`` into a fresh directory, renamed into the cache when complete.
3. **Reuse**: every later job finds it built.  The cache is trimmed to the operator's size.

Trust: installing wheels runs no package code, but building a source distribution (an sdist's
``setup.py``) does.  So a set is first resolved and installed with ``--no-build``: when that
works it needs no package's code, and its environment and uv's download cache are shared by
everyone (domain ``shared``).  A set that needs a build is resolved and built in the domain of
who asked (the program's owner): its own uv cache and its own keys, so code run while building
can reach no one else's environment.  On the service every uv command runs in a sandbox of its
own (``build_sandbox``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from runtime_kit.environments.cache import INFO_FILE, EnvironmentCache, directory_bytes
from runtime_kit.environments.declaration import EnvironmentSpec
from runtime_kit.environments.interpreters import Interpreter, find_interpreter
from runtime_kit.environments.uv import CommandRunner, Commands, resolver_message, run_plainly
from runtime_kit.errors import ProgramEnvironmentError

SHARED = "shared"
REQUIREMENTS_NAME = ".runtime-kit-requirements.txt"
Log = Callable[[str], None]


class InterpreterFacts(NamedTuple):
    version: str
    base_prefix: str
    machine: str


class Resolution(NamedTuple):
    key: str
    pinned: tuple[str, ...]
    interpreter: Interpreter
    facts: InterpreterFacts
    wheels_only: bool
    domain: str


class Environment(NamedTuple):
    """A built environment: its cache ``key``, its directory, its interpreter and the
    installation that interpreter comes from (which a sandbox must show too)."""

    key: str
    path: Path
    python_version: str
    base_prefix: str

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"


@dataclass(frozen=True)
class BuildPolicy:
    """The operator's say: the package index, the packages a program may require (None:
    any), and how long one uv command may take."""

    index_url: str | None = None
    allowed: frozenset[str] | None = None
    timeout_s: float = 900.0

    def refusal(self, spec: EnvironmentSpec) -> str | None:
        """Why ``spec`` asks for a package the operator does not allow, if it does."""
        if self.allowed is None:
            return None
        from packaging.requirements import Requirement
        from packaging.utils import canonicalize_name

        names = [canonicalize_name(Requirement(text).name) for text in spec.requirements]
        refused = sorted({name for name in names if name not in self.allowed})
        if not refused:
            return None
        return (
            f"requirements not on this service's allow-list of packages: {', '.join(refused)} "
            "(ask its operator)"
        )


class EnvironmentBuilder:
    def __init__(
        self,
        cache: EnvironmentCache,
        *,
        policy: BuildPolicy | None = None,
        runner: CommandRunner = run_plainly,
    ) -> None:
        self.cache = cache
        self.policy = policy or BuildPolicy()
        self.runner = runner

    def prepare(self, spec: EnvironmentSpec, *, domain: str, log: Log) -> Environment:
        """The environment of ``spec``, built if it is not yet (its progress to ``log``).

        Raises:
            ProgramEnvironmentError: not allowed, no interpreter, or the resolution or the
                build failed (with the resolver's message).
        """
        refusal = self.policy.refusal(spec)
        if refusal is not None:
            raise ProgramEnvironmentError(refusal)
        declaration = self._declaration_key(spec, domain)
        remembered = self.cache.resolution(declaration)
        if remembered is not None:
            return self._environment(remembered["key"])
        resolution = self.resolve(spec, domain=domain, log=log)
        with self.cache.building(resolution.key) as target:
            if target is None:
                log(f"environment {resolution.key[:12]} was built by another job: reused")
            else:
                self._build(resolution, target, log)
        self.cache.remember_resolution(declaration, {"key": resolution.key})
        removed = self.cache.evict(keep=resolution.key)
        if removed:
            log(f"removed {len(removed)} environment(s) used least recently (cache size)")
        return self._environment(resolution.key)

    def resolve(self, spec: EnvironmentSpec, *, domain: str, log: Log) -> Resolution:
        """The pinned set of ``spec`` on its interpreter (see the module's docstring).

        Raises:
            ProgramEnvironmentError: no interpreter, or it does not resolve.
        """
        interpreter = find_interpreter(spec.python)
        facts = interpreter_facts(interpreter)
        log(
            f"resolving {len(spec.requirements)} requirement(s) for Python {facts.version}: "
            + ", ".join(spec.requirements)
        )
        pinned = self._compile(spec, interpreter, domain=SHARED, no_build=True, log=log)
        wheels_only = pinned is not None
        if pinned is None:
            log("a requirement needs a build (no wheel): resolving in the owner's own domain")
            pinned = self._compile(spec, interpreter, domain=domain, no_build=False, log=log)
            assert pinned is not None  # _compile raises when a full resolution fails
        key_domain = SHARED if wheels_only else domain
        material = {"python": facts.version, "machine": facts.machine, "pinned": pinned}
        if not wheels_only:
            material["domain"] = domain
        key = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
        return Resolution(key, tuple(pinned), interpreter, facts, wheels_only, key_domain)

    # --- helpers -------------------------------------------------------------------------

    def _commands(self, domain: str) -> Commands:
        return Commands(
            self.cache.uv_cache(_safe(domain)),
            self.policy.index_url,
            self.runner,
            self.policy.timeout_s,
        )

    def _compile(
        self,
        spec: EnvironmentSpec,
        interpreter: Interpreter,
        *,
        domain: str,
        no_build: bool,
        log: Log,
    ) -> list[str] | None:
        """The pinned requirements; None when ``no_build`` and a build would be needed."""
        work = self.cache.root / "building" / f"resolve-{secrets.token_hex(8)}"
        work.mkdir()
        try:
            (work / "requirements.in").write_text("\n".join(spec.requirements) + "\n")
            arguments = [
                "pip", "compile", str(work / "requirements.in"), "-o", str(work / "pinned.txt"),
                "--python", str(interpreter.path), "--no-header", "--no-annotate", "--quiet",
            ]  # fmt: skip
            if no_build:
                arguments.append("--no-build")
            shown = log if not no_build else (lambda line: None)
            status, lines = self._commands(domain).run(
                arguments,
                writable=[work],
                readable=_installation(interpreter),
                on_line=shown,
            )
            if status != 0:
                if no_build:
                    return None
                raise ProgramEnvironmentError(
                    f"the requirements do not resolve: {resolver_message(lines)}"
                )
            text = (work / "pinned.txt").read_text()
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return sorted(line.strip() for line in text.splitlines() if line.strip())

    def _build(self, resolution: Resolution, target: Path, log: Log) -> None:
        facts = resolution.facts
        log(
            f"building environment {resolution.key[:12]} (Python {facts.version}, "
            f"{len(resolution.pinned)} packages) ..."
        )
        commands = self._commands(resolution.domain)
        readable = _installation(resolution.interpreter)
        target.mkdir()
        status, lines = commands.run(
            ["venv", str(target), "--python", str(resolution.interpreter.path), "--quiet"],
            writable=[target],
            readable=readable,
            on_line=log,
        )
        if status != 0:
            raise ProgramEnvironmentError(f"uv venv failed: {resolver_message(lines)}")
        pinned = target / REQUIREMENTS_NAME
        pinned.write_text("\n".join(resolution.pinned) + "\n")
        arguments = ["pip", "sync", str(pinned), "--python", str(target / "bin" / "python")]
        arguments.append("--compile-bytecode")  # read-only once built: compiled now, once
        if resolution.wheels_only:
            arguments.append("--no-build")
        status, lines = commands.run(arguments, writable=[target], readable=readable, on_line=log)
        if status != 0:
            raise ProgramEnvironmentError(
                f"building the environment failed: {resolver_message(lines)}"
            )
        size = directory_bytes(target)
        info = {
            "key": resolution.key,
            "python": facts.version,
            "base_prefix": facts.base_prefix,
            "pinned": list(resolution.pinned),
            "domain": resolution.domain,
            "bytes": size,
        }
        (target / INFO_FILE).write_text(json.dumps(info, indent=2))
        log(f"built environment {resolution.key[:12]} ({size // (1024 * 1024)} MiB)")

    def _environment(self, key: str) -> Environment:
        info = self.cache.info(key)
        return Environment(key, self.cache.path(key), info["python"], info["base_prefix"])

    def _declaration_key(self, spec: EnvironmentSpec, domain: str) -> str:
        material = {
            "requirements": list(spec.requirements),
            "python": spec.python,
            "index": self.policy.index_url,
            "domain": domain,
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def resolve(spec: EnvironmentSpec) -> Resolution:
    """``validate --resolve``: resolve ``spec`` against the package index, in a throwaway
    cache of the local environments directory (nothing is built).

    Raises:
        ProgramEnvironmentError: no interpreter, or the requirements do not resolve.
    """
    from runtime_kit.environments.local import local_cache

    builder = EnvironmentBuilder(local_cache())
    return builder.resolve(spec, domain="local", log=lambda line: None)


def interpreter_facts(interpreter: Interpreter) -> InterpreterFacts:
    script = (
        "import json, platform, sys; print(json.dumps([platform.python_version(), "
        "sys.base_prefix, platform.machine()]))"
    )
    try:
        done = subprocess.run(
            [str(interpreter.path), "-I", "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        version, base_prefix, machine = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise ProgramEnvironmentError(f"cannot run {interpreter.path}: {exc}") from exc
    return InterpreterFacts(version, base_prefix, machine)


def _installation(interpreter: Interpreter) -> list[Path]:
    """The directories of the interpreter's installation (bin/, lib/): where its path is, and
    where it really is (a virtual environment's python links to its base installation)."""
    return list(
        dict.fromkeys([interpreter.path.parent.parent, interpreter.path.resolve().parent.parent])
    )


def _safe(domain: str) -> str:
    """A domain as a directory name."""
    if domain.replace("-", "").replace("_", "").isalnum():
        return domain
    return hashlib.sha256(domain.encode()).hexdigest()[:16]
