"""A job's logs as they are written: the websocket ``/stream/jobs/{id}/logs?since=N``.

The service sends each new chunk of log text as a text message, from character ``since`` of
the log on (characters, as the service counts them), and closes with 1000 once the job has
ended.  A dropped connection resumes at the character after the last chunk received, so no
text is lost or repeated; after ``MAX_RECONNECTS`` failed attempts in a row, ``ServiceError``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from runtime_kit.client.http import ServiceHttp
from runtime_kit.errors import ServiceError

MAX_RECONNECTS = 8


def follow_logs(http: ServiceHttp, job_id: str, since: int = 0) -> Iterator[str]:
    """Each chunk of ``job_id``'s log text from character ``since`` on, until the job ends.

    Raises:
        ServiceError: the stream could not be (re)connected ``MAX_RECONNECTS`` times in a
            row, or the service refused it (e.g. no such job).
    """
    from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

    offset = since
    failures = 0
    while True:
        path = f"/stream/jobs/{job_id}/logs?since={offset}"
        url = f"{http.websocket_url}{path}"
        try:
            with http.websocket(path) as socket:
                for message in socket:
                    text = message if isinstance(message, str) else message.decode()
                    offset += len(text)
                    failures = 0
                    yield text
            return  # closed normally: the job has ended
        except InvalidStatus as refused:
            status = refused.response.status_code
            raise ServiceError(
                f"the log stream of job {job_id} was refused: HTTP {status}",
                status=status,
                url=url,
            ) from refused
        except ConnectionClosed as closed:
            if closed.rcvd is not None and closed.rcvd.code == 1000:
                return
            error: Exception = closed
        except (OSError, WebSocketException) as exc:
            error = exc
        failures += 1
        if failures > MAX_RECONNECTS:
            raise ServiceError(
                f"the log stream of job {job_id} was lost after {MAX_RECONNECTS} reconnects "
                f"({error})",
                url=url,
            ) from error
        time.sleep(min(8.0, 0.5 * 2 ** (failures - 1)))
