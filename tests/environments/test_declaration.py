"""What a program declares about its environment, read and checked without building."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime_kit.environments.declaration import EnvironmentSpec, read_directory, read_inline
from runtime_kit.environments.interpreters import find_interpreter
from runtime_kit.errors import ProgramEnvironmentError

NAMES = {"requirements": "requirements.txt", "pyproject": "pyproject.toml",
         "python_version": ".python-version"}  # fmt: skip


def declared(tmp_path: Path, **files: str) -> tuple[EnvironmentSpec, list[str]]:
    for name, text in files.items():
        (tmp_path / NAMES[name]).write_text(text)
    spec, findings = read_directory(tmp_path)
    return spec, [f"{Path(f.path).name}:{f.line}:{f.col}: {f.code}" for f in findings]


def test_requirements_and_pyproject_add_up(tmp_path: Path) -> None:
    spec, findings = declared(
        tmp_path,
        requirements="qiskit-terra==0.23.*  # the Qiskit of 2023\n\nnumpy<2\n"
        "qiskit-aer \\\n  ==0.12.*\n",
        pyproject='[project]\nname = "p"\ndependencies = ["cvxopt>=1.3", "numpy<2"]\n'
        'requires-python = ">=3.9,<3.11"\n',
    )
    assert findings == []
    assert spec.requirements == (
        "qiskit-terra==0.23.*",
        "numpy<2",
        "qiskit-aer==0.12.*",
        "cvxopt>=1.3",
    )
    assert spec.python == ">=3.9,<3.11"
    assert spec.files == ("requirements.txt", "pyproject.toml")


def test_each_bad_line_is_a_finding_with_its_place(tmp_path: Path) -> None:
    _, findings = declared(
        tmp_path,
        requirements="numpy<2\n-r other.txt\n  qiskit-terra=0.23\nx @ https://h/x.whl\n"
        "--index-url https://elsewhere/simple\n",
    )
    assert findings == [
        "requirements.txt:2:1: RK602",
        "requirements.txt:3:15: RK601",
        "requirements.txt:4:1: RK602",
        "requirements.txt:5:1: RK602",
    ]


def test_python_version_file_and_its_conflict_with_requires_python(tmp_path: Path) -> None:
    spec, findings = declared(tmp_path, python_version="3.8\n")
    assert spec.python == "==3.8.*" and findings == []
    spec, findings = declared(
        tmp_path,
        pyproject='[project]\nname = "p"\nrequires-python = ">=3.9"\n',
    )
    assert findings == [".python-version:1:1: RK603"]
    (tmp_path / ".python-version").write_text("pypy3.9\n")
    assert declared(tmp_path)[1] == [".python-version:1:1: RK603"]


def test_malformed_pyproject(tmp_path: Path) -> None:
    _, findings = declared(
        tmp_path,
        pyproject='[project]\nname = "p"\ndependencies = ["numpy<2", "==1"]\n'
        'requires-python = "three"\n',
    )
    assert findings == ["pyproject.toml:3:29: RK603", "pyproject.toml:4:1: RK603"]
    assert declared(tmp_path, pyproject="[project\n")[1] == ["pyproject.toml:1:9: RK603"]


def test_what_runtime_kit_already_has_needs_no_environment_of_its_own() -> None:
    assert not EnvironmentSpec(("qiskit>=1.4.2", "numpy>=2")).needs_own_environment()
    assert EnvironmentSpec(("qiskit-terra==0.23.*",)).needs_own_environment()
    assert EnvironmentSpec((), "==3.8.*").needs_own_environment()
    assert not EnvironmentSpec(('numpy<2; python_version < "3.0"',)).needs_own_environment()


def test_interpreters_of_the_host() -> None:
    found = find_interpreter("==3.8.*")
    assert found.version.startswith("3.8.") and found.path.is_file()
    with pytest.raises(ProgramEnvironmentError, match=r"^no Python ==3\.99\.\* on this host"):
        find_interpreter("==3.99.*")
    with pytest.raises(ProgramEnvironmentError, match="older than program environments support"):
        find_interpreter("==3.7.*")


INLINE = '''"""A single-file program (the legacy clients upload one file)."""
# /// script
# requires-python = ">=3.8,<3.9"
# dependencies = [
#   "qiskit-terra==0.23.*",  # the Qiskit it was written for
#   "numpy<1.24",
# ]
# ///

def main(backend, user_messenger):
    return "done"
'''


def test_a_single_file_declares_its_environment_inline() -> None:
    """PEP 723's ``# /// script`` block: TOML in comments, dependencies and requires-python."""
    spec, findings = read_inline(INLINE, "program.py")
    assert findings == []
    assert spec.requirements == ("qiskit-terra==0.23.*", "numpy<1.24")
    assert spec.python == ">=3.8,<3.9" and spec.files == ("# /// script",)
    assert spec.needs_own_environment()
    # another kind of block, or none, declares nothing
    assert read_inline(INLINE.replace("/// script", "/// notes"), "program.py") == (
        EnvironmentSpec(),
        [],
    )
    assert read_inline("def main(backend, user_messenger):\n    pass\n", "p.py")[0] == (
        EnvironmentSpec()
    )


def test_a_bad_inline_block_is_a_finding_at_its_place_in_the_source() -> None:
    def found(source: str) -> list[str]:
        _, findings = read_inline(source, "program.py")
        return [f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}" for f in findings]

    (bad_requirement,) = found(INLINE.replace('"numpy<1.24"', '"numpy<<1"'))
    assert bad_requirement.startswith("program.py:6:6: RK603 not a requirement: Expected ")
    assert found(INLINE.replace('">=3.8,<3.9"', '"three"')) == [
        "program.py:3:3: RK603 requires-python 'three' is not a version specifier (>=3.8,<3.9)"
    ]
    assert found(INLINE.replace("# dependencies = [", "# dependencies = 3 [")) == [
        "program.py:4:20: RK603 not TOML: Expected newline or end of document after a statement "
        "(at line 4, column 20)"
    ]
    assert found(INLINE.replace('"numpy<1.24"', '"x @ https://h/x.whl"')) == [
        "program.py:6:6: RK602 x: a dependency comes from the package index, not a URL"
    ]
    assert found(INLINE + INLINE) == [
        "program.py:13:1: RK603 a second # /// script block: a program declares its "
        "environment once"
    ]


def test_the_service_reads_a_sources_block_as_its_declaration(tmp_path: Path) -> None:
    """``declared_environment`` of uploaded source (its bytes, or its staged file)."""
    from runtime_kit.service.core.environments import declared_environment

    spec = declared_environment(INLINE.encode(), "source")
    assert spec.requirements == ("qiskit-terra==0.23.*", "numpy<1.24")
    staged = tmp_path / "staged"
    staged.write_bytes(INLINE.encode())
    assert declared_environment(staged, "source") == spec
    assert declared_environment(b"def main(backend, user_messenger): pass\n", "source") == (
        EnvironmentSpec()
    )
    with pytest.raises(ProgramEnvironmentError, match=r"^program\.py:3:3: requires-python "):
        declared_environment(INLINE.replace('">=3.8,<3.9"', '"3.8"').encode(), "source")


def test_a_source_is_searched_for_its_block_a_chunk_at_a_time(tmp_path: Path) -> None:
    """A block found across a chunk's edge; a source without one is never read whole."""
    from runtime_kit.service.core.environments import _mentions

    marker = b"# /// script"
    for start in range(1, len(marker)):
        staged = tmp_path / f"source-{start}.py"
        staged.write_bytes(b"x" * (16 - start) + marker + b"\n")
        assert _mentions(staged, marker, chunk=16)
    staged.write_bytes(b"# /// scrip\n" * 10)
    assert not _mentions(staged, marker, chunk=16)
    assert _mentions(marker, marker) and not _mentions(b"# ///", marker)
