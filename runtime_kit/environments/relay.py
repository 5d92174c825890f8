"""Inside an environment's build sandbox, before uv: ``python -I -S -c SOURCE SOCKET -- UV...``.

The sandbox has a network namespace of its own: nothing but its loopback.  This listens on
that loopback, carries each connection to the index proxy's unix socket (shown to the
sandbox; see ``index_proxy``), and runs the command with ``HTTP(S)_PROXY`` naming it, so uv
(and whatever build code it runs) reaches the package index and nothing else.  Standard
library only, Python 3.8 and later; run by its source (``-c``), so nothing of runtime-kit
needs to be shown to the sandbox but this interpreter.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import threading

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                   "all_proxy")  # fmt: skip


def main(argv: list[str]) -> int:
    socket_path, separator, command = argv[0], argv[1], argv[2:]
    if separator != "--" or not command:
        sys.stderr.write("usage: relay SOCKET -- COMMAND...\n")
        return 2
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    threading.Thread(target=_accept, args=(listener, socket_path), daemon=True).start()
    proxy = f"http://127.0.0.1:{listener.getsockname()[1]}"
    env = {k: v for k, v in os.environ.items() if k.upper() != "NO_PROXY"}
    env.update({name: proxy for name in PROXY_VARIABLES})
    return subprocess.call(command, env=env)


def _accept(listener: socket.socket, socket_path: str) -> None:
    while True:
        client, _ = listener.accept()
        threading.Thread(target=_carry, args=(client, socket_path), daemon=True).start()


def _carry(client: socket.socket, socket_path: str) -> None:
    with client:
        try:
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(socket_path)
        except OSError:
            return
        with upstream:
            _pipe(client, upstream)


def _pipe(first: socket.socket, second: socket.socket) -> None:
    """Both ways until both sides have finished (an end passed on as a half-close)."""
    peers = {first: second, second: first}
    open_ends = [first, second]
    while open_ends:
        ready, _, _ = select.select(open_ends, [], [], 600)
        if not ready:
            return
        for source in ready:
            try:
                data = source.recv(65536)
                if data:
                    peers[source].sendall(data)
                    continue
                peers[source].shutdown(socket.SHUT_WR)
            except OSError:
                return
            open_ends.remove(source)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
