"""The corpus: every broken program yields exactly its expected findings; good ones none."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runtime_kit import validate
from runtime_kit.findings import CODES

CORPUS = Path(__file__).resolve().parent / "corpus"
BAD = sorted(p for p in (CORPUS / "bad").iterdir() if p.is_dir())
GOOD = sorted(p for p in (CORPUS / "good").iterdir() if p.is_dir())


def expected(case: Path) -> list[str]:
    lines = (case / "expected.txt").read_text().splitlines()
    return sorted(line for line in lines if line and not line.startswith("#"))


def found(case: Path) -> list[str]:
    return sorted(
        f"{os.path.relpath(f.path, case)}:{f.line}:{f.col}: {f.code}" for f in validate(case)
    )


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_broken_program_yields_its_finding(case: Path) -> None:
    assert found(case) == expected(case)


@pytest.mark.parametrize("case", GOOD, ids=[p.name for p in GOOD])
def test_good_program_yields_nothing(case: Path) -> None:
    assert validate(case) == []


def test_corpus_covers_every_code() -> None:
    assert len(BAD) >= 40
    covered = {line.rsplit(" ", 1)[-1] for case in BAD for line in expected(case)}
    # --resolve only: tests/environments; a function project's: tests/functions
    functions = {code for code in CODES if code.startswith("RK7")}
    assert covered == set(CODES) - {"RK605"} - functions


def test_examples_are_clean() -> None:
    for example in (CORPUS.parents[2] / "examples").iterdir():
        if example.is_dir():
            assert validate(example) == [], example


def test_docs_list_every_code_with_its_severity() -> None:
    docs = (CORPUS.parents[2] / "docs" / "validate.md").read_text()
    for code, (severity, summary) in CODES.items():
        assert f"| `{code}` | {severity.value} | {summary} |" in docs, code
