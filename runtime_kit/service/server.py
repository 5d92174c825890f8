"""Running a ``Service`` behind uvicorn until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn

from runtime_kit.errors import ServiceStartError
from runtime_kit.service import connections as conn
from runtime_kit.service.core.events import EventLog
from runtime_kit.service.service import Service
from runtime_kit.service.settings import ServiceSettings


def serve(settings: ServiceSettings, *, announce: Callable[[str], None] = print) -> int:
    from runtime_kit.service.service import ADMIN_TOKEN_FILE

    tls = tls_options(settings)
    open_files = conn.raise_open_files()
    limits = dataclasses.replace(
        settings.connections,
        max_connections=conn.connection_cap(settings.connections.max_connections, open_files),
    )
    credentials = _ibm_quantum_credentials(settings)
    listener = _bind(settings.host, settings.port)
    try:
        service = Service(
            settings.data_dir,
            workers=settings.workers,
            limits=settings.limits,
            max_body_bytes=settings.max_body_bytes,
            sandbox=settings.sandbox,
            executor=settings.executor,
            executor_settings=settings.executor_settings,
            retention=settings.retention,
            log=EventLog(settings.log_format),
            builtin_programs=settings.builtin_programs,
            quotas=settings.quotas,
            allow_uncapped_jobs=settings.allow_uncapped_jobs,
            backend_providers=settings.backend_providers,
            prepare_backends=settings.prepare_backends,
            ibm_quantum_credentials=credentials,
            environments=settings.environment_settings,
        )
    except OSError as exc:
        listener.close()
        where = settings.data_dir
        raise ServiceStartError(f"data directory {where}: {exc.strerror or exc}") from exc
    except BaseException:
        listener.close()
        raise
    try:
        service.start()  # an executor may fail here (a Ray cluster out of reach, say)
    except BaseException:
        service.stop()
        listener.close()
        raise
    bound_port = listener.getsockname()[1]
    url = f"{settings.scheme}://{settings.host}:{bound_port}"
    service.lock.describe(pid=os.getpid(), url=url)
    token_file = settings.data_dir / ADMIN_TOKEN_FILE
    token_source = str(token_file) if token_file.exists() else "RUNTIME_KIT_ADMIN_TOKEN"
    service.connections = limits
    health = service.health()
    announce(
        f"runtime-kit service on {url} (data {settings.data_dir}, {settings.workers} "
        f"workers); admin token: {token_source}"
    )
    announce("jobs: " + "; ".join(health["mechanisms"]))
    announce("built-in programs: " + (", ".join(service.builtin_programs) or "left out"))
    announce(
        f"connections: at most {limits.max_connections} at once (open files {open_files}); "
        f"request headers within {limits.header_timeout_s:g} s, idle ones closed after "
        f"{limits.keep_alive_s:g} s"
    )
    announce("caps: " + "; ".join(health["caps"].values()))
    if health["uncapped"]:
        announce(
            "warning: caps NOT per job (" + ", ".join(health["uncapped"]) + "): a job's "
            "processes together may use more than the caps say (--allow-uncapped-jobs)"
        )
    _announce_backends(service, announce)
    if not health["isolated"]:
        announce(
            "warning: jobs are NOT isolated (--sandbox none): every program runs with this "
            "service's user and sees its files; serve only programs you trust"
        )
    report = conn.ThrottledReport(service.log.emit)
    config = uvicorn.Config(
        service.app(),
        http=conn.guarded_protocol(limits, report),
        timeout_keep_alive=limits.keep_alive_s,  # type: ignore[arg-type]
        log_level="warning",
        access_log=False,  # the service logs each request itself (--log-format)
        lifespan="off",
        ws="websockets-sansio",
        timeout_graceful_shutdown=10,
        **tls,
    )
    server = _Server(config, service, conn.loop_exception_handler(report))
    try:
        server.run(sockets=[listener])
    finally:
        service.log.emit("stopping", shutdown_timeout_s=settings.shutdown_timeout_s)
        service.stop(settings.shutdown_timeout_s)
        listener.close()
        service.log.emit("stopped")
    return 0


def _ibm_quantum_credentials(settings: ServiceSettings) -> Any:
    """The IBM Quantum credentials, when the ``ibm-quantum`` provider is chosen (read, and
    taken out of the environment, before anything else starts)."""
    if "ibm-quantum" not in settings.backend_providers:
        return None
    from runtime_kit.backends.ibm_quantum.credentials import load_credentials

    return load_credentials(settings.ibm_quantum_credentials)


def _announce_backends(service: Service, announce: Callable[[str], None]) -> None:
    announce("backend providers: " + ", ".join(service.backends.provider_names))
    if service.broker is not None:
        devices = service.broker.account.device_names
        shown = ", ".join(devices[:8]) + (f", ... ({len(devices)} in all)" if devices[8:] else "")
        announce(f"IBM Quantum ({service.broker.account.channel}): {shown or 'no devices'}")
    if service.prepared_backends:
        announce("prepared in each worker: " + ", ".join(service.prepared_backends))


def tls_options(settings: ServiceSettings) -> dict[str, Any]:
    """uvicorn's TLS options (none without a certificate), the files checked first.

    Raises:
        ServiceStartError: the certificate or key cannot be read or do not match.
    """
    if settings.tls_cert is None or settings.tls_key is None:
        return {}
    import ssl

    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
            settings.tls_cert, settings.tls_key
        )
    except (OSError, ssl.SSLError) as exc:
        files = f"{settings.tls_cert}, {settings.tls_key}"
        raise ServiceStartError(f"TLS certificate and key ({files}) unusable: {exc}") from exc
    return {"ssl_certfile": str(settings.tls_cert), "ssl_keyfile": str(settings.tls_key)}


class _Server(uvicorn.Server):
    """uvicorn, stopping as the service wants on SIGTERM/SIGINT: no new connections, every
    websocket closed with 1001 (going away), then uvicorn's own shutdown; running jobs get
    their ``--shutdown-timeout`` afterwards (``Service.stop``)."""

    def __init__(
        self,
        config: uvicorn.Config,
        service: Service,
        on_loop_error: Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None],
    ) -> None:
        super().__init__(config)
        self.service = service
        self.on_loop_error = on_loop_error

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        asyncio.get_running_loop().set_exception_handler(self.on_loop_error)
        await super().startup(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        # uvicorn raises the signal again once it has stopped, which would end the process
        # before the service lets its jobs end; the service stops itself and exits 0.
        self._captured_signals.clear()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        self.service.hub.close_all()
        await asyncio.sleep(0.2)  # let each stream send its close frame
        await super().shutdown(sockets)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say they are
    # TCP, and without it every response waits ~40 ms for a delayed ACK (Nagle).
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise ServiceStartError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    listener.listen(128)
    listener.set_inheritable(True)
    return listener
