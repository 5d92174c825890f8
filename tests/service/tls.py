"""A throwaway CA (trustme) and a certificate for 127.0.0.1, as files for ``serve``."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import trustme


class TlsFiles(NamedTuple):
    ca: Path  # the CA's certificate: what clients trust
    cert: Path  # the server's certificate chain (--tls-cert)
    key: Path  # its private key (--tls-key)

    def serve_args(self) -> tuple[str, ...]:
        return ("--tls-cert", str(self.cert), "--tls-key", str(self.key))


def throwaway_tls(directory: Path, *hosts: str) -> TlsFiles:
    """A new CA and a certificate it signed for 127.0.0.1 and localhost (or ``hosts``), in
    ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    authority = trustme.CA()
    issued = authority.issue_cert(*(hosts or ("127.0.0.1", "localhost")))
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    authority.cert_pem.write_to_path(str(files.ca))
    for index, pem in enumerate(issued.cert_chain_pems):
        pem.write_to_path(str(files.cert), append=index > 0)
    issued.private_key_pem.write_to_path(str(files.key))
    return files
