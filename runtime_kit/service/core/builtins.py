"""The built-in programs every service offers: each folder of ``runtime_kit/builtin_programs``.

A built-in is public, owned by the service (``BUILTIN_OWNER``, which no token is), and its
id is its folder name (``hello-world``, ``circuit-runner``, ...).  Its version is runtime-kit's:
at start, a service adds the version of the runtime-kit it runs as the program's latest,
unless that version is already stored, so an upgrade brings the new programs while older
versions stay runnable by version.  Only admins change or delete them (the ordinary
program routes: admins may change any program).  ``--no-builtin-programs`` leaves them out:
the service then removes the built-ins an earlier start had added.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runtime_kit.service.core.blobs import StagedData
from runtime_kit.service.core.store import Store, add_version, now

BUILTINS_DIR = Path(__file__).resolve().parents[2] / "builtin_programs"
#: The owner of the built-ins: the service itself.
BUILTIN_OWNER = "runtime-kit"


def builtin_projects() -> list[Path]:
    """The built-in program folders, by name."""
    return sorted(p for p in BUILTINS_DIR.iterdir() if (p / "metadata.json").is_file())


def register_builtins(store: Store) -> list[str]:
    """Add the built-ins at runtime-kit's version (those that lack it); their ids."""
    from runtime_kit import __version__

    return [_register(store, project, __version__) for project in builtin_projects()]


def remove_builtins(store: Store) -> list[str]:
    """Delete every built-in program an earlier start added; their ids."""
    rows = store.query("SELECT id FROM programs WHERE owner = ?", BUILTIN_OWNER)
    with store.transaction() as db:
        for row in rows:
            db.execute("DELETE FROM program_versions WHERE program_id = ?", (row["id"],))
            db.execute("DELETE FROM programs WHERE id = ?", (row["id"],))
    store.remove_unused_blobs()
    return [row["id"] for row in rows]


def _register(
    store: Store,
    project: Path,
    version: str,
    *,
    owner: str = BUILTIN_OWNER,
    public: bool = True,
) -> str:
    """Add ``project`` at ``version`` as the program of its folder's name, ``owner``'s."""
    from runtime_kit.bundle import build_bundle

    program_id = project.name
    bundle = build_bundle(project)
    metadata = bundle.metadata
    spec = json.dumps(metadata.get("spec") or {})
    with store.new_blob(bundle.data) as digest, store.transaction() as db:
        if db.execute(
            "SELECT 1 FROM program_versions WHERE program_id = ? AND version = ?",
            (program_id, version),
        ).fetchone():
            return program_id
        if db.execute("SELECT 1 FROM programs WHERE id = ?", (program_id,)).fetchone():
            _make_latest(db, program_id, version, metadata)
        else:
            _insert(db, program_id, version, metadata, owner=owner, public=public)
        data = StagedData(digest, bundle.kind, len(bundle.data))
        add_version(db, program_id, version, data, spec, metadata["max_execution_time"])
    return program_id


def _insert(
    db: Any, program_id: str, version: str, metadata: dict[str, Any], *, owner: str, public: bool
) -> None:
    stamp = now()
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM programs").fetchone()[0]
    db.execute(
        "INSERT INTO programs (id, owner, name, description, is_public, creation_date, "
        "update_date, seq, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (program_id, owner, metadata["name"], metadata["description"], int(public), stamp,
         stamp, seq, version),
    )  # fmt: skip


def _make_latest(db: Any, program_id: str, version: str, metadata: dict[str, Any]) -> None:
    db.execute(
        "UPDATE programs SET version = ?, description = ?, update_date = ? WHERE id = ?",
        (version, metadata["description"], now(), program_id),
    )
