"""The settings of ``runtime-kit serve``, read once into one frozen ``ServiceSettings``.

Each setting has a flag, an environment variable ``RUNTIME_KIT_SERVE_<NAME>`` and a key in
the TOML file of ``--config``; precedence: flag > environment > file > default.  ``SETTINGS``
is the one table they are all made from (and docs/serve.md lists it; a test keeps them in
step).  A value that cannot be used is a ``SettingsError`` naming where it came from.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from runtime_kit.errors import ConfigurationError
from runtime_kit.sandbox.limits import JobLimits
from runtime_kit.service.connections import ConnectionLimits
from runtime_kit.service.core.environments import EnvironmentSettings
from runtime_kit.service.core.quotas import Quotas
from runtime_kit.service.core.retention import Retention

ENV_PREFIX = "RUNTIME_KIT_SERVE_"
#: The longest retention a --keep-* takes (a hundred years; more is "keep").
MAX_DAYS = 36_500


class SettingsError(ConfigurationError):
    """A setting with a value that cannot be used; says which and where it came from."""


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("runtime-kit", appauthor=False)) / "service"


@dataclass(frozen=True)
class ServiceSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = field(default_factory=default_data_dir)
    workers: int = 2
    sandbox: str = "auto"
    executor: str = "local"
    job_start: str = "auto"
    warm_environments: int = 2
    shutdown_timeout_s: float = 30.0
    log_format: str = "plain"
    max_body_mib: int = 64
    ray_address: str | None = None
    ray_num_cpus: float = 1.0
    ray_memory_mib: int | None = None
    ray_namespace: str = "runtime-kit"
    keep_jobs_days: float | None = None
    keep_interim_days: float | None = None
    keep_logs_days: float | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    builtin_programs: bool = True
    allow_uncapped_jobs: bool = False
    backend_providers: tuple[str, ...] = ()
    prepare_backends: tuple[str, ...] = ()
    ibm_quantum_credentials: Path | None = None
    environments: str = "on"
    environments_dir: Path | None = None
    environments_max_mib: int = 20 * 1024
    environments_index_url: str | None = None
    environments_index_hosts: tuple[str, ...] = ()
    environments_allow: frozenset[str] | None = None
    environments_build_timeout_s: float = 1800.0
    environments_build_memory_mib: int = 4096
    environments_build_disk_mib: int = 8192
    limits: JobLimits = field(default_factory=JobLimits)
    connections: ConnectionLimits = field(default_factory=ConnectionLimits)
    quotas: Quotas = field(default_factory=Quotas)

    def __post_init__(self) -> None:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise SettingsError("tls_cert and tls_key go together: give both or neither")

    @property
    def retention(self) -> Retention:
        return Retention(self.keep_jobs_days, self.keep_interim_days, self.keep_logs_days)

    @property
    def max_body_bytes(self) -> int:
        return self.max_body_mib * 1024 * 1024

    @property
    def executor_settings(self) -> dict[str, Any]:
        """The executor's own settings (keyword arguments of its ``EXECUTORS`` factory)."""
        if self.executor != "ray":
            return {"job_start": self.job_start, "warm_environments": self.warm_environments}
        return {
            "address": self.ray_address,
            "namespace": self.ray_namespace,
            "num_cpus": self.ray_num_cpus,
            "memory_mib": self.ray_memory_mib or self.limits.memory_mib,
        }

    @property
    def environment_settings(self) -> EnvironmentSettings:
        """The settings of program environments (``runtime_kit.service.core.environments``)."""
        return EnvironmentSettings(
            enabled=self.environments == "on",
            directory=self.environments_dir,
            max_mib=self.environments_max_mib,
            index_url=self.environments_index_url,
            index_hosts=self.environments_index_hosts,
            allowed=self.environments_allow,
            build_timeout_s=self.environments_build_timeout_s,
            build_memory_mib=self.environments_build_memory_mib,
            build_disk_mib=self.environments_build_disk_mib,
        )

    @property
    def scheme(self) -> str:
        """``https`` with a TLS certificate, else ``http`` (and ``wss``/``ws`` alike)."""
        return "http" if self.tls_cert is None else "https"


@dataclass(frozen=True)
class Setting:
    """One setting: ``name`` (a ServiceSettings or JobLimits field, the TOML key), its flag,
    how to read a value from text, and the help line."""

    name: str
    flag: str
    parse: Callable[[str], Any]
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    #: a flag that takes no value and sets this (``--no-builtin-programs``: False)
    const: Any = None

    @property
    def variable(self) -> str:
        return ENV_PREFIX + self.name.upper()


def _integer_in(text: str, low: int, high: int | None, what: str) -> int:
    """``text`` as an integer from ``low`` to ``high`` (None: no upper bound), else a
    ValueError saying what was expected (``int``'s own message names no setting)."""
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"invalid integer {text!r}: expected {what}") from None
    if value < low or (high is not None and value > high):
        raise ValueError(f"expected {what}, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    return _integer_in(text, 1, None, "an integer >= 1")


def _non_negative_int(text: str) -> int:
    return _integer_in(text, 0, None, "an integer >= 0")


def _port(text: str) -> int:
    return _integer_in(text, 0, 65535, "a port 0-65535")


def _positive_float(text: str) -> float:
    value = float(text)
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"expected a positive number, got {text!r}")
    return value


def _days(text: str) -> float:
    value = _positive_float(text)
    if value > MAX_DAYS:
        raise ValueError(f"expected at most {MAX_DAYS} days, got {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"expected a number >= 0, got {text!r}")
    return value


def _executor(text: str) -> str:
    from runtime_kit.service.executors import EXECUTORS, RAY_INSTALL_HINT

    if text == "ray" and "ray" not in EXECUTORS:
        raise ValueError(f"the ray executor needs Ray: {RAY_INSTALL_HINT}")
    return _choice(*EXECUTOR_NAMES)(text)


def _ray_address(text: str) -> str:
    host, _, port = text.rpartition(":")
    valid_port = port.isascii() and port.isdigit() and 0 < int(port) <= 65535
    if text != "auto" and not (host and valid_port):
        raise ValueError(f"expected HOST:PORT or auto, got {text!r}")
    return text


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError(f"expected true or false, got {text!r}")
    return value in ("true", "1", "yes")


def _provider_names(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(","))
    for name in names:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
            raise ValueError(f"expected provider names separated by commas, got {text!r}")
    return names


def _backend_names(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(","))
    if not all(names) or any(len(name) > 256 for name in names):
        raise ValueError(f"expected backend names separated by commas, got {text!r}")
    return names


def _index_url(text: str) -> str:
    if not text.startswith(("https://", "http://", "file://")):
        raise ValueError(f"expected an http(s):// or file:// URL of a package index, got {text!r}")
    return text


def _host_names(text: str) -> tuple[str, ...]:
    hosts = [part for part in text.replace(",", " ").split() if part]
    if not hosts:
        raise ValueError("expected host names (host or host:port) separated by commas or spaces")
    for host in hosts:
        name, _, port = host.rpartition(":") if ":" in host else (host, "", "443")
        if not name or "/" in name or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"expected host or host:port, got {host!r}")
    return tuple(hosts)


def _package_names(text: str) -> frozenset[str]:
    from packaging.utils import InvalidName, canonicalize_name

    names = [part for part in text.replace(",", " ").split() if part]
    if not names:
        raise ValueError("expected package names separated by commas or spaces")
    try:
        return frozenset(canonicalize_name(name, validate=True) for name in names)
    except InvalidName as exc:
        raise ValueError(str(exc)) from exc


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {text!r}")
        return text

    return parse


SANDBOXES = ("auto", "bwrap", "prefer", "none")
EXECUTOR_NAMES = ("local", "ray")
JOB_STARTS = ("auto", "fork", "exec")
RAY_SETTINGS = ("ray_address", "ray_num_cpus", "ray_memory_mib", "ray_namespace")
SETTINGS: tuple[Setting, ...] = (
    Setting("host", "--host", str, "address to listen on (default 127.0.0.1)", "HOST"),
    Setting("port", "--port", _port, "port (default 8080; 0: any free one)", "PORT"),
    Setting("data_dir", "--data-dir", Path, "state directory (default: user data dir)", "DIR"),
    Setting("workers", "--workers", _positive_int, "jobs that run at once (default 2)", "N"),
    Setting(
        "sandbox",
        "--sandbox",
        _choice(*SANDBOXES),
        "isolate jobs: auto (default: bubblewrap, or refuse to start), bwrap, prefer "
        "(bubblewrap if it can run, else none), none (jobs not isolated)",
        choices=SANDBOXES,
    ),
    Setting(
        "executor",
        "--executor",
        _executor,
        "where jobs run: local (default: worker processes here) or ray (a Ray cluster; "
        "pip install runtime-kit[ray])",
        choices=EXECUTOR_NAMES,
    ),
    Setting(
        "job_start",
        "--job-start",
        _choice(*JOB_STARTS),
        "how a job's process starts (local executor): auto (default: fork where it can be "
        "set up, else exec), fork (from a warm template that has imported qiskit and Aer: "
        "tens of ms; root and user namespaces), exec (a fresh process per job)",
        choices=JOB_STARTS,
    ),
    Setting(
        "warm_environments",
        "--warm-environments",
        _non_negative_int,
        "program environments that keep a warm worker each, and on the fork path a template "
        "that forks their jobs (local executor): the last N whose jobs ran, so that their next "
        "job does not pay its imports (default 2; 0: none)",
        "N",
    ),
    Setting(
        "ray_address",
        "--ray-address",
        _ray_address,
        "the Ray cluster, as `ray start --address` takes it (default: RAY_ADDRESS)",
        "HOST:PORT|auto",
    ),
    Setting(
        "ray_num_cpus",
        "--ray-num-cpus",
        _positive_float,
        "Ray CPUs each running job holds (default 1)",
        "N",
    ),
    Setting(
        "ray_memory_mib",
        "--ray-memory-mib",
        _positive_int,
        "Ray memory each running job holds (default: --memory)",
        "MIB",
    ),
    Setting(
        "ray_namespace",
        "--ray-namespace",
        str,
        "Ray namespace of the service's actors (default runtime-kit)",
        "NAME",
    ),
    Setting(
        "shutdown_timeout_s",
        "--shutdown-timeout",
        _non_negative_float,
        "seconds running jobs get to end on SIGTERM/SIGINT before they are killed (default 30)",
        "S",
    ),
    Setting(
        "log_format",
        "--log-format",
        _choice("plain", "json"),
        "access and job log lines: plain (default) or json",
        choices=("plain", "json"),
    ),
    Setting("max_body_mib", "--max-body-mib", _positive_int, "largest request (default 64)", "MIB"),
    # Connections (ConnectionLimits).
    Setting(
        "max_connections",
        "--max-connections",
        _positive_int,
        "connections open at once, HTTP and websockets; more are answered 503 (default 1000, "
        "fewer when the open-files limit leaves less room)",
        "N",
    ),
    Setting(
        "header_timeout_s",
        "--header-timeout",
        _positive_float,
        "seconds a client has to send a whole request header (default 10)",
        "S",
    ),
    Setting(
        "keep_alive_s",
        "--keep-alive",
        _positive_float,
        "seconds an idle kept-alive connection stays open (default 5)",
        "S",
    ),
    Setting(
        "keep_jobs_days",
        "--keep-jobs",
        _days,
        "delete finished jobs this many days old (default: keep them)",
        "DAYS",
    ),
    Setting(
        "keep_interim_days",
        "--keep-interim",
        _days,
        "delete interim results of jobs finished this many days ago (default: keep)",
        "DAYS",
    ),
    Setting(
        "keep_logs_days",
        "--keep-logs",
        _days,
        "delete logs of jobs finished this many days ago (default: keep)",
        "DAYS",
    ),
    Setting(
        "tls_cert",
        "--tls-cert",
        Path,
        "serve https and wss on the port with this PEM certificate (chain); needs --tls-key",
        "FILE",
    ),
    Setting("tls_key", "--tls-key", Path, "the PEM private key of --tls-cert", "FILE"),
    Setting(
        "builtin_programs",
        "--no-builtin-programs",
        _boolean,
        "leave out the built-in programs (hello-world, circuit-runner, sampler, estimator and "
        "IBM's sample-program, vqe, qaoa and quantum-kernel-alignment; environment and file: "
        "false)",
        const=False,
    ),
    Setting(
        "allow_uncapped_jobs",
        "--allow-uncapped-jobs",
        _boolean,
        "start even where a job's memory and processes cannot be capped for the job as a "
        "whole (not root and no delegated cgroup: rlimits cap each process only); "
        "environment and file: true",
        const=True,
    ),
    # What each token may use (Quotas); admins are not held to them.
    Setting(
        "requests_per_s",
        "--requests-per-s",
        _positive_float,
        "requests a token may make per second, in bursts of twice as many (default 50)",
        "N",
    ),
    Setting(
        "requests_at_once",
        "--requests-at-once",
        _positive_int,
        "requests of one token the service works on at once (default 8)",
        "N",
    ),
    Setting(
        "streams_per_token",
        "--streams-per-token",
        _positive_int,
        "websocket streams one token may hold open (default 32)",
        "N",
    ),
    Setting(
        "expensive_per_min",
        "--expensive-per-min",
        _positive_float,
        "expensive requests (backend documents, program data, interim results, logs, "
        "uploads) a token may make per minute, one at a time (default 120)",
        "N",
    ),
    Setting(
        "max_jobs",
        "--max-jobs",
        _positive_int,
        "jobs of one token queued or running (default 100; more: 429)",
        "N",
    ),
    Setting(
        "max_running",
        "--max-running",
        _positive_int,
        "jobs of one token running at once (default: --workers minus 1, at least 1)",
        "N",
    ),
    Setting(
        "max_stored_mib",
        "--max-stored-mib",
        _positive_int,
        "what one token stores: programs, params, interim results, logs, results "
        "(default 1024; more: 413)",
        "MIB",
    ),
    Setting(
        "backend_providers",
        "--backend-provider",
        _provider_names,
        "also offer the backends of these providers, asked first: ibm-quantum, or a plug-in "
        "(entry point group runtime_kit.backend_providers); comma-separated",
        "NAME[,NAME]",
    ),
    Setting(
        "prepare_backends",
        "--prepare-backends",
        _backend_names,
        "backends every warm worker prepares before its job (a device snapshot's target and "
        "noise code, ~0.2-0.5 s of CPU a worker), beside those of the last jobs; "
        "comma-separated",
        "NAME[,NAME]",
    ),
    Setting(
        "ibm_quantum_credentials",
        "--ibm-quantum-credentials",
        Path,
        "the IBM Quantum account of --backend-provider ibm-quantum: a TOML (or .json) file "
        "of token, instance, channel, url (default: RUNTIME_KIT_IBM_QUANTUM_TOKEN, ..._INSTANCE, "
        "..._CHANNEL, ..._URL)",
        "FILE",
    ),
    # Program environments (docs/environments.md).
    Setting(
        "environments",
        "--environments",
        _choice("on", "off"),
        "build and run programs' own environments (requirements.txt): on (default) or off "
        "(programs with requirements are refused at upload)",
        choices=("on", "off"),
    ),
    Setting(
        "environments_dir",
        "--environments-dir",
        Path,
        "where built environments and their downloads are kept (default: DATA_DIR/environments)",
        "DIR",
    ),
    Setting(
        "environments_max_mib",
        "--environments-max-mib",
        _positive_int,
        "size of the built environments; the least recently used go beyond it (default 20480)",
        "MIB",
    ),
    Setting(
        "environments_index_url",
        "--environments-index-url",
        _index_url,
        "the package index environments are built from (default: PyPI)",
        "URL",
    ),
    Setting(
        "environments_index_hosts",
        "--environments-index-hosts",
        _host_names,
        "more hosts a build may reach, comma-separated host[:port]: where the index keeps its "
        "files (a build reaches only the index; PyPI's file host is known)",
        "HOSTS",
    ),
    Setting(
        "environments_allow",
        "--environments-allow",
        _package_names,
        "the only packages a program may require, comma-separated (default: any)",
        "NAMES",
    ),
    Setting(
        "environments_build_timeout_s",
        "--environments-build-timeout",
        _positive_float,
        "seconds one step of an environment's build may take (default 1800)",
        "S",
    ),
    Setting(
        "environments_build_memory_mib",
        "--environments-build-memory",
        _positive_int,
        "address space of an environment's build (default 4096)",
        "MIB",
    ),
    Setting(
        "environments_build_disk_mib",
        "--environments-build-disk",
        _positive_int,
        "what an environment's build may write (default 8192)",
        "MIB",
    ),
    # Caps of each job (JobLimits).
    Setting(
        "max_execution_time_s",
        "--max-execution-time",
        _positive_int,
        "cap on any job's wall clock (default 10800)",
        "S",
    ),
    Setting(
        "memory_mib",
        "--memory",
        _positive_int,
        "memory per job, all its processes together where cgroups allow (default 4096)",
        "MIB",
    ),
    Setting(
        "max_tasks",
        "--max-tasks",
        _positive_int,
        "processes and threads per job (default 256)",
        "N",
    ),
    Setting(
        "disk_mib",
        "--disk",
        _positive_int,
        "the job's directory, and /tmp: each at most this (default 1024)",
        "MIB",
    ),
    Setting(
        "file_mib", "--file-size", _positive_int, "largest file a job writes (default 512)", "MIB"
    ),
    Setting(
        "threads",
        "--job-threads",
        _positive_int,
        "threads a job's numeric libraries use: OpenMP (Aer), OpenBLAS, Rayon "
        "(default: the cores divided by --workers)",
        "N",
    ),
    Setting(
        "open_files", "--open-files", _positive_int, "open files per process (default 1024)", "N"
    ),
    Setting(
        "cpu_time_s",
        "--cpu-time",
        _positive_int,
        "CPU seconds per job (default: the wall clock cap times the cores)",
        "S",
    ),
    Setting(
        "interim_results",
        "--max-interim-results",
        _positive_int,
        "interim results per job (default 10000)",
        "N",
    ),
    Setting(
        "interim_mib",
        "--max-interim-mib",
        _positive_int,
        "interim results per job, in all (default 64)",
        "MIB",
    ),
    Setting(
        "message_mib",
        "--max-message-mib",
        _positive_int,
        "largest interim result or result (default 16)",
        "MIB",
    ),
    Setting("log_mib", "--max-log-mib", _positive_int, "logs kept per job (default 8)", "MIB"),
)
#: Settings kept in a group of their own (a frozen dataclass field of ServiceSettings).
GROUPS: dict[str, type[Any]] = {
    "limits": JobLimits,
    "connections": ConnectionLimits,
    "quotas": Quotas,
}
SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}


def load_settings(
    flags: Mapping[str, Any],
    *,
    environ: Mapping[str, str] | None = None,
    config: Path | None = None,
) -> ServiceSettings:
    """Settings from ``flags`` (name -> value, None when not given), the environment and
    the TOML file ``config``.

    Raises:
        SettingsError: a value from the environment or the file cannot be used, the file
            cannot be read, or it has a key that is not a setting.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    if config is not None:
        values.update(_from_file(config))
    for setting in SETTINGS:
        text = environ.get(setting.variable)
        if text is not None and text != "":
            values[setting.name] = _parsed(setting, text, f"environment {setting.variable}")
    values.update({name: value for name, value in flags.items() if value is not None})
    _check_executor(values, environ)
    groups = {
        group: kind(**{f.name: values.pop(f.name) for f in fields(kind) if f.name in values})
        for group, kind in GROUPS.items()
    }
    return ServiceSettings(**values, **groups)


def _check_executor(values: dict[str, Any], environ: Mapping[str, str]) -> None:
    """Ray settings only with the ray executor, which needs a cluster address (Ray's own
    ``RAY_ADDRESS`` when none is given)."""
    if values.get("executor", "local") != "ray":
        given = [name for name in RAY_SETTINGS if name in values]
        if given:
            raise SettingsError(f"{given[0]} is a setting of the ray executor: add --executor ray")
        return
    for name in ("job_start", "warm_environments"):
        if name in values:
            raise SettingsError(f"{name} is a setting of the local executor (--executor local)")
    if "ray_address" not in values:
        address = environ.get("RAY_ADDRESS")
        if not address:
            raise SettingsError(
                "--executor ray: no Ray cluster given (--ray-address HOST:PORT|auto, or "
                "RAY_ADDRESS)"
            )
        values["ray_address"] = _parsed(SETTINGS_BY_NAME["ray_address"], address, "RAY_ADDRESS")


def _from_file(path: Path) -> dict[str, Any]:
    try:
        document = tomllib.loads(path.read_text())
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the settings file ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from exc
    known = {setting.name: setting for setting in SETTINGS}
    values: dict[str, Any] = {}
    for key, value in document.items():
        if key not in known:
            raise SettingsError(f"{path}: unknown setting {key!r} (see runtime-kit serve --help)")
        text = value if isinstance(value, str) else str(value)
        boolean = known[key].parse is _boolean
        if isinstance(value, dict | list) or (isinstance(value, bool) and not boolean):
            raise SettingsError(f"{path}: {key} = {value!r}: expected a number or a string")
        values[key] = _parsed(known[key], text, f"{path}: {key}")
    return values


def _parsed(setting: Setting, text: str, where: str) -> Any:
    try:
        return setting.parse(text)
    except ValueError as exc:
        raise SettingsError(f"{where}: {exc}") from exc
