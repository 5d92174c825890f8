"""``runtime-kit update``: bring a project up to the current version of its template.

As cruft and copier do: the template's version the project was made from and its current
version are both rendered with the project's recorded answers, and what changed between the
two is merged into the project three ways, file by file (``merge3``), so that no edit of the
user's is lost:

===========================================  ============================================
the file...                                  becomes
===========================================  ============================================
unchanged by the template                    yours, untouched
changed by the template, untouched by you    the template's new version
changed by both, on different lines          both changes
changed by both, on the same lines           a conflict: ``<<<<<<<`` markers, exit 1
new in the template                          added (merged with yours if you have one)
dropped by the template                      removed if untouched, else kept: a conflict
===========================================  ============================================

A conflict is left for the user to resolve; the record moves to the new version either way,
so the next update starts from there.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime_kit.errors import InputValueError
from runtime_kit.scaffold import RECORD_FILE

_SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".git"}


@dataclass(frozen=True)
class TemplateRecord:
    """What ``.runtime-kit-template.json`` says: the template, its version, the answers."""

    template: str
    version: int
    answers: dict[str, Any]


@dataclass
class UpdateReport:
    """What an update did (or, with ``check``, would do), by file path relative to the project."""

    template: str
    from_version: int
    to_version: int
    updated: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    #: Conflicts of an earlier update still in the project: "path:first-last" per block.
    unresolved: list[str] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.to_version != self.from_version

    def to_json(self) -> dict[str, Any]:
        return {"available": self.available, **self.__dict__}


def read_record(project: Path) -> TemplateRecord:
    """The project's template record.

    Raises:
        InputValueError: no record, or one that cannot be read.
    """
    path = project / RECORD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputValueError(
            f"{project} has no {RECORD_FILE}: only projects made by `runtime-kit new` from a "
            "bundled template can be updated",
            name="path",
        ) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputValueError(f"{path}: cannot read the template record ({exc})") from exc
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("template"), str)
        or not isinstance(data.get("version"), int)
        or not isinstance(data.get("answers"), dict)
    ):
        raise InputValueError(f"{path}: expected {{template, version, answers}}", name="path")
    return TemplateRecord(data["template"], data["version"], data["answers"])


def update_project(path: str | Path = ".", *, check: bool = False) -> UpdateReport:
    """Merge the template's changes since the project's version into the project at ``path``.

    Args:
        check: only find out whether an update is available; write nothing.

    Returns:
        The ``UpdateReport``; ``conflicts`` lists the files left with conflict markers (or
        kept against the template's removal).  Nothing is merged while the conflicts of an
        earlier update remain (``unresolved``).

    Raises:
        InputValueError: ``path`` is not a project with a template record.
        TemplateVersionError: the recorded template or version is not bundled here.
        TemplateError: a version fails to render with the recorded answers.
    """
    from runtime_kit import template_versions

    project = Path(path)
    record = read_record(project)
    target = template_versions.current_version(record.template)
    report = UpdateReport(record.template, record.version, target)
    report.unresolved = unresolved_conflicts(project)
    if check or not report.available or report.unresolved:
        return report
    with tempfile.TemporaryDirectory(prefix="runtime-kit-update-") as scratch:
        old, _ = _render(record, record.version, Path(scratch, "old"))
        new, answers = _render(record, target, Path(scratch, "new"))
        for relative in sorted(_files(old) | _files(new)):
            _apply(relative, old / relative, new / relative, project / relative, report)
    from runtime_kit.scaffold import write_record

    write_record(project, record.template, target, answers)
    return report


def unresolved_conflicts(project: Path) -> list[str]:
    """Merge conflict blocks left in the project's files, as "path:first-last"."""
    from runtime_kit.conflict_markers import conflicts_in

    found = []
    for relative in sorted(_files(project)):
        try:
            text = (project / relative).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # binary: update keeps yours whole, never writes markers into it
        found += [f"{relative}:{c.first_line}-{c.last_line}" for c in conflicts_in(text)]
    return found


def _render(record: TemplateRecord, version: int, output_dir: Path) -> tuple[Path, dict[str, Any]]:
    from runtime_kit import template_versions
    from runtime_kit.scaffold import render

    source = template_versions.template_source(record.template, version)
    return render(str(source), dict(record.answers), output_dir=output_dir, label=record.template)


def _files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not _SKIPPED_PARTS.intersection(path.parts)
    }


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _apply(
    relative: str, old_path: Path, new_path: Path, mine_path: Path, report: UpdateReport
) -> None:
    """Merge one file's template change (``old`` -> ``new``) into the project's copy."""
    if relative == RECORD_FILE:
        return
    old, new, mine = _read(old_path), _read(new_path), _read(mine_path)
    if new in (old, mine):
        return  # the template did not change it, or you made the same change
    if new is None:  # dropped by the template
        if mine == old:
            mine_path.unlink()
            report.removed.append(relative)
        elif mine is not None:
            report.conflicts.append(relative)  # you changed it: kept
        return
    if mine == old or (mine is None and old is None):  # untouched by you, or new to you
        mine_path.parent.mkdir(parents=True, exist_ok=True)
        mine_path.write_bytes(new)
        (report.added if old is None else report.updated).append(relative)
        return
    if mine is None:  # you deleted it, the template changed it: stays deleted
        report.conflicts.append(relative)
        return
    merged, conflicted = _merge(old or b"", mine, new)
    mine_path.write_bytes(merged)
    (report.conflicts if conflicted else report.merged).append(relative)


def _merge(base: bytes, mine: bytes, theirs: bytes) -> tuple[bytes, bool]:
    """Three-way merge of text files; a binary file in conflict keeps yours."""
    import merge3

    try:
        lines = [text.decode("utf-8").splitlines(keepends=True) for text in (base, mine, theirs)]
    except UnicodeDecodeError:
        return mine, True
    merger = merge3.Merge3(lines[0], lines[1], lines[2])
    merged = "".join(merger.merge_lines(name_a="yours", name_b="template"))
    conflicted = any(group[0] == "conflict" for group in merger.merge_groups())
    return merged.encode("utf-8"), conflicted
