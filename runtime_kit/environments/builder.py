"""``EnvironmentBuilder``: a program's declared environment, resolved, then built once.

1. **Resolve** the requirements with ``uv pip compile`` on the interpreter the declaration
   names: the pinned set, keyed with the interpreter's version (``Resolution``).  A
   declaration's resolution is remembered, so later jobs of the program neither ask the index
   again nor pay for it: an environment stays what it was at its first job.
2. **Build** under the key's lock (concurrent first jobs build once): ``uv venv`` and
   ``uv pip sync`` into a fresh directory, renamed into the cache when complete.
3. **Reuse**: every later job finds it built.  The cache is trimmed to the operator's size.

Overlays: a declaration that names no Python other than runtime-kit's own and resolves under
runtime-kit's installed packages as constraints (it adds packages and changes none, and brings
no ``qiskit-terra`` beside qiskit) gets an *overlay*: only the packages it adds, installed
into a directory the job adds to runtime-kit's own ``sys.path``.  Its jobs run in runtime-kit's
own harness, with its Qiskit, simulators and legacy paths (IBM's images were Qiskit plus what a
program added: ``cvxopt`` for quantum-kernel-alignment).  Any other declaration gets a whole
environment of its own, run by the standard-library runner of ``runtime_kit.jobside``.

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
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from runtime_kit.environments.cache import INFO_FILE, EnvironmentCache, directory_bytes
from runtime_kit.environments.declaration import EnvironmentSpec
from runtime_kit.environments.installed import installed_fingerprint, installed_pins
from runtime_kit.environments.interpreters import Interpreter, find_interpreter
from runtime_kit.environments.repacked import refused_releases, repack
from runtime_kit.environments.uv import CommandRunner, Commands, resolver_message, run_plainly
from runtime_kit.errors import ProgramEnvironmentError

SHARED = "shared"
REQUIREMENTS_NAME = ".runtime-kit-requirements.txt"
#: Old source distributions repacked as uv reads them (``repacked``), shared by every domain.
REPACKED = "repacked"
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
    #: only the packages added to runtime-kit's own environment (see the module's docstring)
    overlay: bool = False


class Environment(NamedTuple):
    """A built environment: its cache ``key``, its directory, its interpreter and the
    installation that interpreter comes from (which a sandbox must show too); ``overlay``:
    ``path`` holds only packages added to runtime-kit's own environment (a directory for
    ``sys.path``), run by runtime-kit's own interpreter and harness."""

    key: str
    path: Path
    python_version: str
    base_prefix: str
    overlay: bool = False

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
        if remembered is not None and remembered.get("base") in (None, installed_fingerprint()):
            return self._environment(remembered["key"])  # (an overlay: on the same base)
        resolution = self.resolve(spec, domain=domain, log=log)
        with self.cache.building(resolution.key) as target:
            if target is None:
                log(f"environment {resolution.key[:12]} was built by another job: reused")
            else:
                self._build(resolution, target, log)
        remembered = {"key": resolution.key}
        if resolution.overlay:
            remembered["base"] = installed_fingerprint()
        self.cache.remember_resolution(declaration, remembered)
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
        if interpreter.path == Path(sys.executable):
            overlay = self._overlay(spec, interpreter, facts, domain=domain, log=log)
            if overlay is not None:
                return overlay
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

    def _overlay(
        self,
        spec: EnvironmentSpec,
        interpreter: Interpreter,
        facts: InterpreterFacts,
        *,
        domain: str,
        log: Log,
    ) -> Resolution | None:
        """The overlay of ``spec`` on runtime-kit's environment, if it can have one."""
        from packaging.utils import canonicalize_name

        base = installed_pins()
        wheels_only = True
        pinned = self._compile(
            spec, interpreter, domain=SHARED, no_build=True, log=log, constraints=base
        )
        if pinned is None:
            wheels_only = False
            pinned = self._compile(
                spec, interpreter, domain=domain, no_build=False, log=log, constraints=base,
                quiet=True,
            )  # fmt: skip
        if pinned is None:
            return None
        installed = {pin.split("==")[0] for pin in base}
        added = [pin for pin in pinned if canonicalize_name(pin.split("==")[0]) not in installed]
        if any(canonicalize_name(pin.split("==")[0]) == "qiskit-terra" for pin in added):
            return None  # a second Qiskit beside qiskit: an environment of its own
        key_domain = SHARED if wheels_only else domain
        material = {"python": facts.version, "machine": facts.machine, "overlay": added,
                    "base": installed_fingerprint()}  # fmt: skip
        if not wheels_only:
            material["domain"] = domain
        key = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
        log(f"{len(added)} package(s) to add to runtime-kit's own environment: {', '.join(added)}")
        return Resolution(
            key, tuple(added), interpreter, facts, wheels_only, key_domain, overlay=True
        )

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
        constraints: list[str] | None = None,
        quiet: bool = False,
    ) -> list[str] | None:
        """The pinned requirements; None when ``no_build`` and a build would be needed, or
        (``quiet``) when they do not resolve; ``constraints``: pins they must keep."""
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
            if constraints is not None:
                (work / "constraints.txt").write_text("\n".join(constraints) + "\n")
                arguments += ["--constraint", str(work / "constraints.txt")]
            quiet = quiet or no_build
            shown = log if not quiet else (lambda line: None)
            for attempt in ("first", "with repacked releases"):
                status, lines = self._commands(domain).run(
                    [*arguments, *self._find_links()],
                    writable=[work],
                    readable=[*_installation(interpreter), *self._repacked_readable()],
                    on_line=shown,
                )
                if status == 0 or no_build or attempt != "first":
                    break
                if not self._repack(refused_releases(lines), log):
                    break
            if status != 0:
                if quiet:
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
        pinned = target / REQUIREMENTS_NAME
        if resolution.overlay:
            pinned.write_text("\n".join(resolution.pinned) + "\n")
            arguments = ["pip", "install", "-r", str(pinned), "--target", str(target),
                         "--python", str(resolution.interpreter.path), "--no-deps"]  # fmt: skip
        else:
            status, lines = commands.run(
                ["venv", str(target), "--python", str(resolution.interpreter.path), "--quiet"],
                writable=[target],
                readable=readable,
                on_line=log,
            )
            if status != 0:
                raise ProgramEnvironmentError(f"uv venv failed: {resolver_message(lines)}")
            pinned.write_text("\n".join(resolution.pinned) + "\n")
            arguments = ["pip", "sync", str(pinned), "--python", str(target / "bin" / "python")]
        arguments.append("--compile-bytecode")  # read-only once built: compiled now, once
        if resolution.wheels_only:
            arguments.append("--no-build")
        arguments += self._find_links()
        readable = [*readable, *self._repacked_readable()]
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
            "overlay": resolution.overlay,
        }
        (target / INFO_FILE).write_text(json.dumps(info, indent=2))
        log(f"built environment {resolution.key[:12]} ({size // (1024 * 1024)} MiB)")

    def _repack(self, releases: list[tuple[str, str]], log: Log) -> bool:
        """Repack the releases uv refused for their old file names (see ``repacked``);
        whether there were any."""
        for name, version in releases:
            path = repack(name, version, self.policy.index_url, self.cache.root / REPACKED)
            log(f"{name} {version} is published only in a format uv no longer reads: repacked "
                f"as {path.name} (its files unchanged)")  # fmt: skip
        return bool(releases)

    def _find_links(self) -> list[str]:
        directory = self.cache.root / REPACKED
        return ["--find-links", str(directory)] if any(directory.glob("*.tar.gz")) else []

    def _repacked_readable(self) -> list[Path]:
        directory = self.cache.root / REPACKED
        return [directory] if directory.is_dir() else []

    def _environment(self, key: str) -> Environment:
        info = self.cache.info(key)
        return Environment(
            key,
            self.cache.path(key),
            info["python"],
            info["base_prefix"],
            bool(info.get("overlay", False)),
        )

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
