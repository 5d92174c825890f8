"""A program package's wheel made importable without pip."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from runtime_kit.harness.wheels import extract_wheel


def test_packages_and_importable_data_are_extracted_and_nothing_else(tmp_path: Path) -> None:
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo/__init__.py", "VALUE = 'from the wheel'\n")
        archive.writestr("demo/data/angles.json", "[0, 1]")
        archive.writestr("demo-1.0.dist-info/METADATA", "Name: demo\nVersion: 1.0\n")
        archive.writestr("demo-1.0.data/purelib/extra.py", "EXTRA = 1\n")
        archive.writestr("demo-1.0.data/platlib/native_part.py", "NATIVE = 2\n")
        archive.writestr("demo-1.0.data/scripts/demo-tool", "#!/bin/sh\n")
        archive.writestr("demo-1.0.data/data/share/readme.txt", "not importable\n")
        archive.writestr("../escape.py", "outside\n")
        archive.writestr("/absolute.py", "outside\n")
    target = tmp_path / "site"
    extract_wheel(wheel, target)
    files = sorted(str(path.relative_to(target)) for path in target.rglob("*") if path.is_file())
    assert files == [
        "demo-1.0.dist-info/METADATA",
        "demo/__init__.py",
        "demo/data/angles.json",
        "extra.py",
        "native_part.py",
    ]
    assert not (tmp_path / "escape.py").exists()
    imported = subprocess.run(
        [sys.executable, "-c", "import demo, extra, native_part; print(demo.VALUE)"],
        cwd=target, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert imported.stdout.strip() == "from the wheel"
