"""Running a ``Service`` behind uvicorn until SIGINT/SIGTERM."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from runtime_kit.errors import ConfigurationError


class ServiceStartError(ConfigurationError):
    """The service cannot start: the port is taken, the data directory unusable, no bwrap."""


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("runtime-kit", appauthor=False)) / "service"


def serve(
    data_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    workers: int = 2,
    sandbox: str = "none",
    max_execution_time: int = 3 * 3600,
    memory_mib: int = 4096,
    announce: Callable[[str], None] = print,
) -> int:
    import uvicorn

    from runtime_kit.service.sandbox import bwrap_command
    from runtime_kit.service.service import ADMIN_TOKEN_FILE, Service

    listener = _bind(host, port)
    try:
        service = Service(
            data_dir,
            workers=workers,
            memory_mib=memory_mib,
            max_execution_time=max_execution_time,
            sandbox=bwrap_command() if sandbox == "bwrap" else None,
        )
    except OSError as exc:
        listener.close()
        raise ServiceStartError(f"data directory {data_dir}: {exc.strerror or exc}") from exc
    service.start()
    bound_port = listener.getsockname()[1]
    token_file = data_dir / ADMIN_TOKEN_FILE
    token_source = str(token_file) if token_file.exists() else "RUNTIME_KIT_ADMIN_TOKEN"
    isolation = ", bwrap sandbox" if sandbox == "bwrap" else ""
    announce(
        f"runtime-kit service on http://{host}:{bound_port} (data {data_dir}, "
        f"{workers} workers{isolation}); admin token: {token_source}"
    )
    config = uvicorn.Config(
        service.app(), log_level="warning", lifespan="off", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[listener])
    finally:
        service.stop()
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
