"""Running a ``Service`` behind uvicorn until SIGINT/SIGTERM."""

from __future__ import annotations

import socket
from collections.abc import Callable

from runtime_kit.errors import ConfigurationError
from runtime_kit.service.settings import ServiceSettings


class ServiceStartError(ConfigurationError):
    """The service cannot start: the port is taken, the data directory unusable, no bwrap."""


def serve(settings: ServiceSettings, *, announce: Callable[[str], None] = print) -> int:
    import uvicorn

    from runtime_kit.service.service import ADMIN_TOKEN_FILE, Service

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
        )
    except OSError as exc:
        listener.close()
        where = settings.data_dir
        raise ServiceStartError(f"data directory {where}: {exc.strerror or exc}") from exc
    except BaseException:
        listener.close()
        raise
    service.start()
    bound_port = listener.getsockname()[1]
    token_file = settings.data_dir / ADMIN_TOKEN_FILE
    token_source = str(token_file) if token_file.exists() else "RUNTIME_KIT_ADMIN_TOKEN"
    health = service.health()
    announce(
        f"runtime-kit service on http://{settings.host}:{bound_port} (data "
        f"{settings.data_dir}, {settings.workers} workers); admin token: {token_source}"
    )
    announce("jobs: " + "; ".join(health["mechanisms"]))
    if not health["isolated"]:
        announce(
            "warning: jobs are NOT isolated (--sandbox none): every program runs with this "
            "service's user and sees its files; serve only programs you trust"
        )
    config = uvicorn.Config(
        service.app(), log_level="warning", lifespan="off", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[listener])
    finally:
        service.stop(settings.shutdown_timeout_s)
        listener.close()
    return 0


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
