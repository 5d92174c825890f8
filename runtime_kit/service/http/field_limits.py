"""How much of each text the service stores and answers: every stored string has a byte
limit, and a list answers a page that stays small.

Three programs with 30 MiB descriptions had made every ``GET /programs`` (and
``/ui/programs``) 94 MB.  Now a program's description is at most ``MAX_DESCRIPTION_BYTES``,
its metadata document (``spec``, as stored) ``MAX_SPEC_BYTES``, a job's labels
``MAX_LABEL_BYTES`` each (UTF-8); a list page holds its ``limit`` items or fewer, as many as
fit in ``PAGE_BYTES`` (at least one: clients page on by the items they got, and the legacy
ones do too), and the web view's list shows the start of each description.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from runtime_kit.service.http.api_errors import ApiError

MAX_DESCRIPTION_BYTES = 16 * 1024
MAX_SPEC_BYTES = 256 * 1024
MAX_LABEL_BYTES = 256
#: What a list page holds at most, measured on the stored texts it answers.
PAGE_BYTES = 1024 * 1024
#: Characters of a description the web view's program list shows.
LISTED_DESCRIPTION_CHARS = 300

Item = TypeVar("Item")


def utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())


def check_size(text: str, what: str, limit: int) -> str:
    """``text``, if its UTF-8 takes at most ``limit`` bytes.

    Raises:
        ApiError: 413 naming ``what`` and the limit.
    """
    size = utf8_size(text)
    if size > limit:
        raise ApiError(413, f"{what} is {size} bytes (UTF-8); at most {limit}")
    return text


def page_within(items: Iterable[Item], size_of: Callable[[Item], int]) -> list[Item]:
    """The first ``items`` whose sizes add up to at most ``PAGE_BYTES`` (at least one)."""
    page: list[Item] = []
    total = 0
    for item in items:
        total += size_of(item)
        if page and total > PAGE_BYTES:
            break
        page.append(item)
    return page
