"""Hostile program data: each refused with a 4xx, nothing written outside the data dir."""

from __future__ import annotations

import base64
import io
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from runtime_kit.service.service import Service
from tests.service.conftest import Api, program_body

PROGRAM = b"from helper import value\n\ndef main(backend, user_messenger):\n    return value()\n"


def zipped(entries: list[tuple[zipfile.ZipInfo | str, bytes]], level: int = 8) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return base64.b64encode(buffer.getvalue()).decode()


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def encrypted_entry() -> str:
    """A bundle whose second entry is marked encrypted (its data is not: the mark is what
    unpacking trips on).  ``zipfile`` cannot write one: the flag is set in the bytes."""
    raw = bytearray(base64.b64decode(zipped([("program.py", PROGRAM), ("helper.py", b"x")])))
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        second = raw.find(signature, raw.find(signature) + 1)
        raw[second + flag_at] |= 0x1
    return base64.b64encode(bytes(raw)).decode()


def many_entries(count: int) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("program.py", PROGRAM)
        for index in range(count):
            archive.writestr(f"d/{index}", b"")
    return base64.b64encode(buffer.getvalue()).decode()


#: Each case: what builds its program data (on use: some take a second to build), the
#: status and a part of the message.
HOSTILE: dict[str, tuple[Callable[[], str], int, str]] = {
    "bad base64": (lambda: "@@not base64@@", 400, "not valid base64"),
    "truncated zip": (
        lambda: base64.b64encode(b"PK\x03\x04garbage").decode(),
        400,
        "not a valid zip",
    ),
    "parent path": (
        lambda: zipped([("program.py", PROGRAM), ("../evil.py", b"x")]),
        400,
        "leaves the bundle",
    ),
    "absolute path": (
        lambda: zipped([("program.py", PROGRAM), ("/etc/evil", b"x")]),
        400,
        "absolute path",
    ),
    "symlink": (
        lambda: zipped([("program.py", PROGRAM), (symlink("link"), b"/etc/passwd")]),
        400,
        "not a plain file",
    ),
    "encrypted entry": (encrypted_entry, 400, "is encrypted"),
    "zip bomb": (
        lambda: zipped([("program.py", PROGRAM), ("bomb.bin", bytes(200 * 1024 * 1024))], level=9),
        413,
        "limit",
    ),
    "100 000 entries": (lambda: many_entries(100_000), 413, "entries"),
    "binary, not source": (
        lambda: base64.b64encode(b"\x00\xff\xfe").decode(),
        400,
        "neither a zip bundle",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_program_data_is_refused(
    case: str, admin: Api, service: Service, tmp_path: Path
) -> None:
    make_data, status, message = HOSTILE[case]
    data = make_data()
    admin.client.app.state.api.max_body_bytes = 512 * 1024 * 1024  # type: ignore[attr-defined]
    before = _files(tmp_path)
    response = admin.post("/programs", {**program_body("hostile"), "data": data})
    assert response.status_code == status, response.text
    assert message in response.json()["error"]["message"]
    assert admin.get("/programs").json()["count"] == 0
    written = _files(tmp_path) - before
    assert all(path.is_relative_to(service.data_dir) for path in written), written


def test_a_multi_file_bundle_runs(admin: Api) -> None:
    data = zipped(
        [("program.py", PROGRAM), ("helper.py", b"def value():\n    return 42\n"), ("data/", b"")]
    )
    response = admin.post("/programs", {**program_body("bundle"), "data": data, "spec": {}})
    assert response.status_code == 200, response.text
    program_id = response.json()["id"]
    job_id = admin.post("/jobs", {"program_id": program_id}).json()["id"]
    assert admin.wait_final(job_id)["status"] == "COMPLETED"
    assert admin.get(f"/jobs/{job_id}/results").text == "42"
    assert admin.get(f"/programs/{program_id}").json()["data_kind"] == "zip"


def _files(root: Path) -> set[Path]:
    outside = {Path("/tmp") / name for name in ("evil.py",)}
    return {path for path in root.rglob("*")} | {path for path in outside if path.exists()}
