"""Function projects made in ``tmp_path``, tars of working directories, and the service
fixtures of ``tests/service`` (in-process and real)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

from tests.service.conftest import admin, as_role, client, real_server, service  # noqa: F401

SCHEMA = {
    "type": "object",
    "properties": {"shots": {"type": "integer", "minimum": 1}, "label": {"type": "string"}},
    "required": ["shots"],
    "additionalProperties": False,
}

ENTRYPOINT = """\
from qiskit_serverless import get_arguments, save_result, update_status, get_logger

arguments = get_arguments()
get_logger().info("shots %s", arguments["shots"])
update_status("MAPPING")
save_result({"shots": arguments["shots"], "label": arguments.get("label")})
"""


def make_function(
    root: Path,
    entrypoint: str = ENTRYPOINT,
    *,
    schema: Any = SCHEMA,
    arguments: dict[str, Any] | None = None,
    **fields: Any,
) -> Path:
    """A function project at ``root``: ``src/main.py`` and the files ``function.json`` names."""
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "src" / "main.py").write_text(entrypoint)
    (root / "arguments.schema.json").write_text(json.dumps(schema))
    (root / "arguments").mkdir(exist_ok=True)
    (root / "arguments" / "example.json").write_text(json.dumps(arguments or {"shots": 10}))
    document = {
        "title": "probe",
        "entrypoint": "main.py",
        "working_dir": "src",
        "arguments_schema": "arguments.schema.json",
        **fields,
    }
    (root / "function.json").write_text(json.dumps(document, indent=2))
    return root


def tar_of(files: dict[str, bytes | str], *, extra: list[tarfile.TarInfo] | None = None) -> bytes:
    """A tar of ``files`` (as ServerlessClient.upload makes one), with ``extra`` entries."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for info in extra or []:
            archive.addfile(info)
    return buffer.getvalue()
