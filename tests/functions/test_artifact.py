"""An uploaded working directory (tar) becomes a zip bundle only when every entry is a plain
file or folder inside it, within the bundle limits."""

from __future__ import annotations

import io
import tarfile
import zipfile

import pytest

from runtime_kit.errors import BundleError
from runtime_kit.functions import artifact
from runtime_kit.functions.artifact import function_bundle, read_artifact
from runtime_kit.service.core.bundles import check_zip
from tests.functions.conftest import tar_of


def _link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def test_files_and_folders_are_taken() -> None:
    folder = tarfile.TarInfo("pkg")
    folder.type = tarfile.DIRTYPE
    raw = tar_of({"main.py": "print(1)", "pkg/util.py": b"x = 1"}, extra=[folder])
    assert read_artifact(raw) == {"main.py": b"print(1)", "pkg/util.py": b"x = 1"}


def test_a_compressed_tar_is_read_too() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("main.py")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"1"))
    assert read_artifact(buffer.getvalue()) == {"main.py": b"1"}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (tarfile.TarInfo("../escape.py"), "leaves the working directory"),
        (tarfile.TarInfo("a/../../escape.py"), "leaves the working directory"),
        (tarfile.TarInfo("/etc/passwd"), "absolute path"),
        (tarfile.TarInfo("a\\b.py"), "leaves the working directory"),
        (_link("link.py", "/etc/passwd", tarfile.SYMTYPE), "is a link"),
        (_link("hard.py", "main.py", tarfile.LNKTYPE), "is a link"),
        (_link("dev", "", tarfile.CHRTYPE), "not a plain file"),
        (_link("fifo", "", tarfile.FIFOTYPE), "not a plain file"),
    ],
)
def test_unsafe_entries_refuse_the_whole_artifact(entry: tarfile.TarInfo, message: str) -> None:
    raw = tar_of({"main.py": "1"}, extra=[entry])
    with pytest.raises(BundleError, match=message) as caught:
        read_artifact(raw)
    assert caught.value.status == 400


def test_limits_refuse_with_413(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(artifact, "MAX_ENTRIES", 2)
    with pytest.raises(BundleError, match="more than 2 entries") as caught:
        read_artifact(tar_of({"a": "1", "b": "2", "c": "3"}))
    assert caught.value.status == 413
    monkeypatch.setattr(artifact, "MAX_ENTRIES", 100)
    monkeypatch.setattr(artifact, "MAX_TOTAL_BYTES", 5)
    with pytest.raises(BundleError, match="more than the limit") as caught:
        read_artifact(tar_of({"a": "123", "b": "456"}))
    assert caught.value.status == 413


@pytest.mark.parametrize("raw", [b"", b"not a tar at all", b"PK\x03\x04zip"])
def test_what_is_not_a_tar_is_said(raw: bytes) -> None:
    with pytest.raises(BundleError, match=r"not a (valid )?tar archive"):
        read_artifact(raw)


def test_a_truncated_tar_is_said() -> None:
    raw = tar_of({"main.py": "x" * 4000})
    with pytest.raises(BundleError, match="tar archive"):
        read_artifact(raw[:700])


def test_the_bundle_is_reproducible_and_passes_the_bundle_checks() -> None:
    files = {"main.py": b"print(1)", "data/zeros.bin": bytes(1 << 20)}
    first = function_bundle(files, ["numpy>=1"])
    assert first == function_bundle(dict(reversed(list(files.items()))), ["numpy>=1"])
    check_zip(first)  # the megabyte of zeros is stored, not taken for a zip bomb
    with zipfile.ZipFile(io.BytesIO(first)) as bundle:
        assert bundle.read("requirements.txt") == b"numpy>=1\n"
        assert sorted(bundle.namelist()) == ["data/zeros.bin", "main.py", "requirements.txt"]


def test_dependencies_and_a_different_requirements_file_are_refused() -> None:
    files = {"main.py": b"1", "requirements.txt": b"scipy\n"}
    with pytest.raises(BundleError, match="declare the requirements in one place"):
        function_bundle(files, ["numpy"])
    assert function_bundle(files, []) == function_bundle(files, [])  # the file alone is kept
    function_bundle({"main.py": b"1", "requirements.txt": b"numpy\n"}, ["numpy"])  # the same
