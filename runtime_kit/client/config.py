"""Where the client finds its service: flags > ``RUNTIME_KIT_URL``/``RUNTIME_KIT_TOKEN`` >
the user config written by ``runtime-kit login`` > the per-user local service.  And which CA
it trusts for an https service: flag > ``RUNTIME_KIT_CA_FILE`` > the CA stored by ``login``
for that service > the default CAs (``SSL_CERT_FILE`` names another bundle)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

from runtime_kit.client.retries import RetryPolicy
from runtime_kit.errors import ConfigurationError

if TYPE_CHECKING:
    import httpx

    from runtime_kit.client.http import ServiceHttp


def config_file() -> Path:
    override = os.environ.get("RUNTIME_KIT_CONFIG")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("runtime-kit", appauthor=False)) / "config.json"


def load_login() -> dict[str, str]:
    path = config_file()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"{path}: unreadable user config ({exc})") from exc
    stored = ("url", "token", "ca_file")
    return {k: v for k, v in data.items() if k in stored and isinstance(v, str)}


def save_login(url: str, token: str, ca_file: Path | None = None) -> Path:
    """Store the service, token and the CA to trust for it (mode 0600); returns the file."""
    path = config_file()
    from runtime_kit.files import write_atomically

    path.parent.mkdir(parents=True, exist_ok=True)
    fields = {"url": url.rstrip("/"), "token": token}
    if ca_file is not None:
        fields["ca_file"] = str(ca_file.resolve())
    login = json.dumps(fields)
    write_atomically(path, login.encode(), mode=0o600)
    return path


def resolve(url: str | None = None, token: str | None = None) -> tuple[str, str, str]:
    """(url, token, where they came from); starts the local service when nothing is set.

    A stored token is only ever sent to the service it was stored for: a URL given by flag
    or ``RUNTIME_KIT_URL`` with no token is an error unless it is the stored service's.
    """
    url = url or os.environ.get("RUNTIME_KIT_URL") or None
    token = token or os.environ.get("RUNTIME_KIT_TOKEN") or None
    source = "flags or environment"
    if url is None or token is None:
        login = load_login()
        stored_url = login.get("url")
        if url is not None and token is None and stored_url is not None:
            if _same_service(url, stored_url):
                return url, login["token"], f"user config {config_file()}"
            raise ConfigurationError(
                f"RUNTIME_KIT_URL is {url}, but the stored token is for {stored_url}: set "
                "RUNTIME_KIT_TOKEN for that service (a stored token is never sent elsewhere)"
            )
        url, token = url or stored_url, token or login.get("token")
        source = f"user config {config_file()}"
    if url is None and token is None:
        from runtime_kit.client.local import ensure_running

        url, token = ensure_running()
        return url, token, "local service"
    if url is None or token is None:
        missing = "RUNTIME_KIT_URL" if url is None else "RUNTIME_KIT_TOKEN"
        raise ConfigurationError(f"{missing} is not set: set it or run `runtime-kit login`")
    return url, token, source


def connect(
    url: str | None = None,
    token: str | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    ca_file: Path | None = None,
    timeout_s: float | None = None,
    retries: int | None = None,
) -> tuple[ServiceHttp, str]:
    """A client of the service ``resolve`` finds, trusting ``resolve_ca_file``'s CA, with
    ``resolve_http``'s timeout and retries; and where the URL and token came from."""
    from runtime_kit.client.http import ServiceHttp

    url, token, source = resolve(url, token)
    timeout, retry = resolve_http(timeout_s, retries)
    http = ServiceHttp(
        url,
        token,
        transport=transport,
        ca_file=resolve_ca_file(url, ca_file),
        timeout_s=timeout,
        retry=retry,
    )
    return http, source


def _same_service(first: str, second: str) -> bool:
    return first.rstrip("/").lower() == second.rstrip("/").lower()


def resolve_ca_file(url: str, ca_file: Path | None = None) -> Path | None:
    """The CA file to trust for ``url``: ``ca_file``, else ``RUNTIME_KIT_CA_FILE``, else the
    one stored with ``url`` by ``runtime-kit login``; None: the default CAs."""
    if ca_file is not None:
        return ca_file
    variable = os.environ.get("RUNTIME_KIT_CA_FILE")
    if variable:
        return Path(variable)
    login = load_login()
    stored = login.get("ca_file")
    if stored and login.get("url") and _same_service(url, login["url"]):
        return Path(stored)
    return None


def resolve_http(
    timeout_s: float | None = None, retries: int | None = None
) -> tuple[float, RetryPolicy]:
    """(seconds each request may take, the retry policy): the arguments, else
    ``RUNTIME_KIT_TIMEOUT_S`` and ``RUNTIME_KIT_RETRIES`` (tries after the first), else the
    defaults (60 s, 3 retries)."""
    from runtime_kit.client.http import TIMEOUT_S

    if timeout_s is None:
        timeout_s = _number("RUNTIME_KIT_TIMEOUT_S", TIMEOUT_S, float)
    if retries is None:
        retries = int(_number("RUNTIME_KIT_RETRIES", RetryPolicy().attempts - 1, int))
    if not (math.isfinite(timeout_s) and timeout_s > 0):
        raise ConfigurationError(f"timeout must be a number of seconds > 0, got {timeout_s}")
    if retries < 0:
        raise ConfigurationError(f"retries must be >= 0, got {retries}")
    return timeout_s, RetryPolicy(attempts=retries + 1)


def _number(variable: str, default: float, kind: type[float] | type[int]) -> float:
    text = os.environ.get(variable)
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError as exc:
        raise ConfigurationError(f"{variable}={text!r}: not a number") from exc
    if not math.isfinite(value) or value < 0 or (kind is float and value == 0):
        expected = "> 0 seconds" if kind is float else "a whole number >= 0"
        raise ConfigurationError(f"{variable}={text!r}: expected {expected}")
    return value
