"""Counting a zip's entries from its end records, without building the list."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from runtime_kit.errors import BundleError
from runtime_kit.service.core.bundles import MAX_ENTRIES, check_zip
from runtime_kit.service.core.zip_count import count_entries
from tests.service.zip_crafting import crafted_zip


def count(data: bytes, limit: int = MAX_ENTRIES) -> int:
    return count_entries(io.BytesIO(data), limit)


def test_a_zip_written_by_zipfile_is_counted() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(12):
            archive.writestr(f"f{number}", b"x" * number)
        archive.comment = b"a comment"
    assert count(buffer.getvalue()) == 12
    assert count(b"junk before the zip " + buffer.getvalue()) == 12


def test_the_crafted_zips_are_zips() -> None:
    for data in (crafted_zip(3), crafted_zip(70_000)):
        assert len(zipfile.ZipFile(io.BytesIO(data)).infolist()) == count(data, 10**6)


def test_half_a_million_entries_are_refused_from_the_end_record() -> None:
    data = crafted_zip(560_866, name_bytes=40)
    assert len(data) > 40 * 1024 * 1024
    started = time.process_time()
    with pytest.raises(BundleError) as refused:
        check_zip(data)
    assert time.process_time() - started < 1
    assert refused.value.status == 413
    assert str(refused.value) == f"bundle has 560866 entries (limit {MAX_ENTRIES})"


def test_an_end_record_that_lies_is_caught_by_the_walk() -> None:
    with pytest.raises(BundleError) as refused:
        count(crafted_zip(MAX_ENTRIES + 500, declared=3))
    assert refused.value.status == 413
    assert str(refused.value) == f"bundle has more than {MAX_ENTRIES} entries (limit {MAX_ENTRIES})"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not a zip at all", "no end of central directory"),
        (crafted_zip(2)[:-30], "no end of central directory"),
        (crafted_zip(5)[:60] + crafted_zip(5)[-22:], "central directory"),
    ],
)
def test_broken_end_records_are_bad_zips(data: bytes, message: str) -> None:
    with pytest.raises(BundleError) as refused:
        count(data)
    assert refused.value.status == 400
    assert message in str(refused.value)
