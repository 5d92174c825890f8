"""One runtime service: its store, tokens, scheduler, executor and API, under one data
directory."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime_kit.errors import ConfigurationError
from runtime_kit.files import write_atomically
from runtime_kit.sandbox.isolation import Isolation
from runtime_kit.sandbox.limits import JobLimits
from runtime_kit.service.connections import ConnectionLimits
from runtime_kit.service.core.admission import Admission
from runtime_kit.service.core.auth import ADMIN, Tokens
from runtime_kit.service.core.backends import ServiceBackends
from runtime_kit.service.core.environments import EnvironmentSettings, ProgramEnvironments
from runtime_kit.service.core.events import EventLog, SilentLog
from runtime_kit.service.core.instances import Instances
from runtime_kit.service.core.internal_programs import register_internal_programs
from runtime_kit.service.core.quotas import Quotas
from runtime_kit.service.core.retention import DiskUsage, Retention, RetentionWorker
from runtime_kit.service.core.scheduler import Scheduler
from runtime_kit.service.core.store import RUNNING, Store
from runtime_kit.service.core.streams import StreamHub
from runtime_kit.service.executors import EXECUTORS
from runtime_kit.service.http.metrics import ServiceMetrics
from runtime_kit.service.http.rates import RequestLimiter
from runtime_kit.service.lock import DataDirLock
from runtime_kit.service.secrets import ADMIN_TOKEN_VARIABLE, check_admin_token, take_admin_token

if TYPE_CHECKING:
    from runtime_kit.backends.ibm_quantum.broker import HardwareBroker
    from runtime_kit.backends.ibm_quantum.credentials import Credentials

ADMIN_TOKEN_FILE = "admin-token"
DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024


class Service:
    """Args:
    data_dir: where everything lives (created if missing, mode 0700).
    workers: jobs that run at once (each in its own warm, confined process).
    admin_token: the admin's token; default ``RUNTIME_KIT_ADMIN_TOKEN`` (read once and
        removed from this process's environment), else the one in ``<data_dir>/admin-token``,
        else a new one written there (mode 0600).  One from the variable or the file must be
        strong (``secrets.check_admin_token``).
    sandbox: ``auto`` (bubblewrap, or refuse to start), ``bwrap``, ``prefer`` (bubblewrap
        when it can run, else none) or ``none`` (jobs are plain processes: not isolated).
    limits: the caps of each job.
    executor: a name in ``runtime_kit.service.executors.EXECUTORS``.
    retention: how long finished jobs, interim results and logs are kept (default: ever).
    log: where request and job lines go (default: nowhere).
    builtin_programs: offer the built-in programs (``runtime_kit.service.core.builtins``), or
        remove those an earlier start added.
    quotas: what each token may use (``Quotas``; admins are not held to them).
    allow_uncapped_jobs: start even where caps cannot hold for a job as a whole
        (``Isolation``'s ``allow_uncapped``).
    backend_providers: providers of backends to offer before the simulators and the
        device snapshots (``runtime_kit.backends``).
    prepare_backends: backends each warm worker prepares before its job (a device
        snapshot's target and noise code), so that jobs on them start sooner.
    ibm_quantum_credentials: the account of the ``ibm-quantum`` provider (needed when it
        is among ``backend_providers``); they stay in this process.
    environments: the settings of program environments (default: on, built under
        ``<data_dir>/environments``).

    Raises:
        DataDirInUseError: another service runs on ``data_dir``.
        ConfigurationError: a backend provider that cannot be loaded, or a backend to
            prepare that it does not offer.
        SandboxError: jobs cannot be isolated as ``sandbox`` asks.
        SchemaTooNewError: ``data_dir`` was written by a newer runtime-kit.
        ServiceStartError: the admin token of the environment or the file is too weak.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        workers: int = 2,
        admin_token: str | None = None,
        limits: JobLimits | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        sandbox: str = "auto",
        executor: str = "local",
        executor_settings: dict[str, Any] | None = None,
        retention: Retention | None = None,
        log: EventLog | None = None,
        builtin_programs: bool = True,
        quotas: Quotas | None = None,
        allow_uncapped_jobs: bool = False,
        backend_providers: tuple[str, ...] = (),
        prepare_backends: tuple[str, ...] = (),
        ibm_quantum_credentials: Credentials | None = None,
        environments: EnvironmentSettings | None = None,
    ) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(data_dir, 0o700)
        self.data_dir = data_dir
        self.max_body_bytes = max_body_bytes
        self.limits = (limits or JobLimits()).shared_by(workers)
        self.log = log or SilentLog()
        self.quotas = (quotas or Quotas()).for_workers(workers)
        self.limiter = RequestLimiter(self.quotas)
        token = admin_token
        if token is None:
            from_environment = take_admin_token()
            if from_environment is not None:
                token = check_admin_token(from_environment, ADMIN_TOKEN_VARIABLE)
        self.backends = ServiceBackends(backend_providers, memory_mib=self.limits.memory_mib)
        self.broker = self._open_hardware(backend_providers, ibm_quantum_credentials, executor)
        self.backends.load()  # a provider that cannot be loaded stops the start here
        prepared = self.backends.to_prepare(prepare_backends)
        self.prepared_backends = [spec.name for spec in prepared]
        self.lock = DataDirLock(data_dir)
        try:
            self.store = Store(data_dir)
            self.builtin_programs = _seed_builtins(self.store, builtin_programs)
            register_internal_programs(self.store)
            self.metrics = ServiceMetrics(self)
            self.store.on_commit = self.metrics.commit_time.observe
            self.tokens = Tokens(self.store)
            self.instances = Instances(self.store)
            self.admission = Admission(self.store, self.quotas, self.tokens.role_of)
            self.hub = StreamHub()
            self.tokens.on_revoke.append(self.hub.revoke)
            self.isolation = Isolation(
                sandbox, data_dir=data_dir, limits=self.limits, allow_uncapped=allow_uncapped_jobs
            )
            self._unisolated_warning = _unisolated_warning(self.isolation)
            self.environments = ProgramEnvironments(
                environments or EnvironmentSettings(),
                data_dir=data_dir,
                sandboxed=self.isolation.isolated,
                executor=executor,
            )
            self.executor = EXECUTORS[executor](
                data_dir=data_dir,
                isolation=self.isolation,
                workers=workers,
                prepare=prepared,
                **({"broker": self.broker} if self.broker is not None else {}),
                **({"keep_environment": self.environments.using} if executor == "local" else {}),
                **(executor_settings or {}),
            )
            self.scheduler = Scheduler(
                self.store,
                self.executor,
                self.limits,
                on_message=self.hub.publish,
                on_log=self.hub.publish_log,
                on_state=self._job_state,
                sandboxed=self.isolation.isolated,
                running_limit=self.admission.running_limit,
                room=self.admission.room,
                room_message=self.admission.stored_quota_message(),
                backends=self.backends,
                environments=self.environments,
            )
            self.retention = RetentionWorker(
                self.store, retention or Retention(), self._retained, self._retention_failed
            )
            self.disk = DiskUsage(data_dir)
            self.admin_token = self._bootstrap_admin(token)
            #: what ``serve`` bounds connections with (None: not served by ``serve``)
            self.connections: ConnectionLimits | None = None
        except BaseException:
            self.lock.release()
            raise

    def _open_hardware(
        self, providers: tuple[str, ...], credentials: Credentials | None, executor: str
    ) -> HardwareBroker | None:
        """The broker of the ``ibm-quantum`` provider, with its account open (when chosen)."""
        if "ibm-quantum" not in providers:
            return None
        if credentials is None:
            raise ConfigurationError(
                "--backend-provider ibm-quantum needs IBM Quantum credentials: "
                "--ibm-quantum-credentials FILE, or RUNTIME_KIT_IBM_QUANTUM_TOKEN "
                "(docs/hardware.md)"
            )
        if executor != "local":
            raise ConfigurationError(
                "--backend-provider ibm-quantum needs --executor local: its broker, which holds "
                "the account, serves jobs from this process"
            )
        from runtime_kit.backends.ibm_quantum.provider import open_ibm_quantum

        return open_ibm_quantum(
            credentials,
            on_job=lambda job_id, ibm_job_id, device: self.store.add_external_job(
                job_id, "ibm-quantum", ibm_job_id, device
            ),
            on_note=lambda job_id, text: self.log.emit("ibm_quantum", job=job_id, note=text),
        )

    def _job_state(self, job_id: str, status: str, details: dict[str, Any]) -> None:
        self.log.job(job_id, status, **details)
        if status == RUNNING and self._unisolated_warning:
            self.log.emit("warning", job=job_id, message=self._unisolated_warning)
        self.hub.publish_status(job_id)
        if "duration_s" in details:
            self.metrics.job_duration.labels(status).observe(details["duration_s"])

    def _retained(self, removed: dict[str, int]) -> None:
        if any(removed.values()):
            self.log.emit("retention", **removed)

    def _retention_failed(self, error: Exception) -> None:
        self.log.emit("retention_failed", error=str(error))

    def _bootstrap_admin(self, token: str | None) -> str:
        path = self.data_dir / ADMIN_TOKEN_FILE
        if token is None and path.is_file():
            token = path.read_text().strip() or None
            if token is not None:
                check_admin_token(token, str(path))
        if token is None:
            _, token = self.tokens.create("admin", ADMIN)
            write_atomically(path, f"{token}\n".encode(), mode=0o600)
            return token
        self.tokens.ensure(token, "admin", ADMIN)
        return token

    def start(self) -> None:
        self.scheduler.start()
        self.retention.start()

    def stop(self, shutdown_timeout_s: float = 0.0) -> None:
        """Close every stream (1001), give running jobs ``shutdown_timeout_s`` to end, kill
        what is left (FAILED, saying why), and release everything."""
        self.hub.close_all()
        self.retention.stop()
        self.scheduler.stop(shutdown_timeout_s)
        self.isolation.close()
        self.store.close()
        self.lock.release()

    def health(self) -> dict[str, Any]:
        from runtime_kit import __version__

        described = self.executor.describe()
        return {
            "status": "ok",
            "version": __version__,
            "schema_version": self.store.schema_version,
            "disk_bytes": self.disk.bytes(),
            "backend_providers": list(self.backends.provider_names),
            "prepared_backends": self.prepared_backends,
            **described,
            "connections": None if self.connections is None else asdict(self.connections),
            "quotas": self.quotas.describe(),
            "environments": self.environments.describe(),
            "warning": _warning(described),
        }

    def is_admin_caller(self, key: str) -> bool:
        """Whether a caller (``rates.caller_key``) sends an admin's token."""
        return key.startswith("token:") and key[6:] in self.tokens.admin_hashes

    def app(self) -> Any:
        """The FastAPI app serving this service: the routes see its core through
        ``http.api.Api``, never this object."""
        from runtime_kit.service import ui
        from runtime_kit.service.http.api import Api
        from runtime_kit.service.http.app import create_app

        api = Api(
            store=self.store,
            tokens=self.tokens,
            instances=self.instances,
            scheduler=self.scheduler,
            admission=self.admission,
            hub=self.hub,
            backends=self.backends,
            environments=self.environments,
            limiter=self.limiter,
            limits=self.limits,
            max_body_bytes=self.max_body_bytes,
            stall_s=self._request_stall_s,
        )
        return create_app(
            api,
            pages=ui.router,
            describe_health=self.health,
            service_metrics=self.metrics,
            log=self.log,
            exempt=self.is_admin_caller,
        )

    def _request_stall_s(self) -> float:
        """Seconds a request body may stop arriving: ``serve``'s header timeout."""
        from runtime_kit.service.http.bodies import STALL_S

        return STALL_S if self.connections is None else self.connections.header_timeout_s


def _unisolated_warning(isolation: Isolation) -> str | None:
    """What every job start says when jobs run unisolated by fallback (``prefer`` where
    bubblewrap cannot run) or as root."""
    if isolation.isolated or not (isolation.fallback_reason or isolation.is_root):
        return None
    why = isolation.fallback_reason or "--sandbox none"
    user = "root" if isolation.is_root else "the service's user"
    return f"job runs NOT isolated, as {user}, seeing everything the service sees ({why})"


def _warning(described: dict[str, Any]) -> str | None:
    """What ``/health`` warns of: jobs not isolated, caps not per job."""
    warnings = []
    if not described.get("isolated"):
        warnings.append("jobs are not isolated")
    if described.get("uncapped"):
        warnings.append("caps not per job: " + ", ".join(described["uncapped"]))
    return "; ".join(warnings) or None


def _seed_builtins(store: Store, offered: bool) -> list[str]:
    """The ids of the built-in programs offered (none when left out)."""
    from runtime_kit.service.core.builtins import register_builtins, remove_builtins

    if offered:
        return register_builtins(store)
    remove_builtins(store)
    return []
