"""docs/coming-from-ibmq.md's runtime-kit examples run as written (those that need no
built-in program; the others run where the built-ins are served)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from runtime_kit.client.service import RuntimeService
from tests.conftest import ROOT

DOC = ROOT / "docs" / "coming-from-ibmq.md"
HELLO = ROOT / "examples" / "hello"


def runtime_kit_example(number: int) -> str:
    """The code block of example ``number`` in the page's runtime-kit SDK half."""
    half = DOC.read_text().split("## With runtime-kit's SDK")[1]
    section = half.split(f"### {number}. ")[1].split("\n### ")[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    return block


def test_example_4_upload_with_a_version_then_delete(
    service: RuntimeService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_vqe.py").write_text((HELLO / "program.py").read_text())
    metadata = {**json.loads((HELLO / "metadata.json").read_text()), "name": "my-vqe"}
    (tmp_path / "my_vqe_metadata.json").write_text(json.dumps({**metadata, "version": "1.0"}))
    monkeypatch.chdir(tmp_path)
    seen: dict[str, object] = {}

    class Recording(RuntimeService):
        def delete_program(self, program_id: str) -> None:
            seen["version"] = self.program(program_id, refresh=True).version
            super().delete_program(program_id)

    code = runtime_kit_example(4)
    recording = Recording(service.url, service._http.token)
    code = code.replace("service = RuntimeService()", "service = recording")  # this service
    namespace: dict[str, object] = {"recording": recording}
    try:
        exec(compile(code, str(DOC), "exec"), namespace)  # the documented lines, as written
    finally:
        recording.close()
    assert seen["version"] == "1.2"  # version= overrides the metadata's
    assert namespace["program_id"] not in [p.program_id for p in service.programs(refresh=True)]
