"""One runtime service: its store, tokens, executor and API, under one data directory."""

from __future__ import annotations

import os
from pathlib import Path

from runtime_kit.files import write_atomically
from runtime_kit.service.auth import ADMIN, Tokens
from runtime_kit.service.executor import Executor
from runtime_kit.service.store import Store
from runtime_kit.service.streams import StreamHub

ADMIN_TOKEN_FILE = "admin-token"
DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024


class Service:
    """Args:
    data_dir: where everything lives (created if missing).
    workers: jobs that run at once (each in its own warm process).
    admin_token: the admin's token; default ``RUNTIME_KIT_ADMIN_TOKEN``, else the one in
        ``<data_dir>/admin-token``, else a new one written there (mode 0600).
    sandbox: a command prefix for job processes (see ``sandbox.bwrap_command``).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        workers: int = 2,
        admin_token: str | None = None,
        memory_mib: int = 4096,
        max_execution_time: int = 3 * 3600,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        sandbox: list[str] | None = None,
    ) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(data_dir, 0o700)
        self.data_dir = data_dir
        self.max_body_bytes = max_body_bytes
        self.store = Store(data_dir)
        self.tokens = Tokens(self.store)
        self.hub = StreamHub()
        self.executor = Executor(
            self.store,
            workers=workers,
            memory_mib=memory_mib,
            max_execution_time=max_execution_time,
            sandbox=sandbox,
            on_message=self.hub.publish,
        )
        self.admin_token = self._bootstrap_admin(admin_token)

    def _bootstrap_admin(self, token: str | None) -> str:
        token = token or os.environ.get("RUNTIME_KIT_ADMIN_TOKEN") or None
        path = self.data_dir / ADMIN_TOKEN_FILE
        if token is None and path.is_file():
            token = path.read_text().strip() or None
        if token is None:
            _, token = self.tokens.create("admin", ADMIN)
            write_atomically(path, f"{token}\n".encode(), mode=0o600)
            return token
        self.tokens.ensure(token, "admin", ADMIN)
        return token

    def start(self) -> None:
        self.executor.start()

    def stop(self) -> None:
        self.executor.stop()
        self.store.close()

    def app(self):
        from runtime_kit.service.app import create_app

        return create_app(self)
