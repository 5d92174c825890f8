"""``publish``: validate, bundle, then create the program or update this owner's one."""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime_kit.errors import ProgramRejectedError

if TYPE_CHECKING:
    from runtime_kit.bundle.builder import Bundle
    from runtime_kit.client.program import RuntimeProgram
    from runtime_kit.client.service import RuntimeService

SPEC_KEYS = ("backend_requirements", "parameters", "return_values", "interim_results")


def publish(
    path: Path,
    *,
    public: bool | None = None,
    dry_run: bool = False,
    confirm: Callable[[str], bool] | None = None,
    service: RuntimeService | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Publish the program at ``path``; returns what was done:
    ``{"action": created|updated|new version|unchanged|dry run, "program_id", ...}``; a dry
    run also says what it ``would`` do (create, new version, updated, unchanged).

    Raises:
        ProgramRejectedError: validate finds errors, or the update was not confirmed.
    """
    from runtime_kit.bundle import build_bundle
    from runtime_kit.client.service import RuntimeService
    from runtime_kit.validation import require_valid

    bundle = build_bundle(path, metadata=require_valid(path).metadata, progress=progress)
    service = service or RuntimeService()
    existing = service.own_program(bundle.name)
    outcome: dict[str, Any] = {
        "name": bundle.name,
        "version": bundle.version,
        "digest": bundle.digest,
        "kind": bundle.kind,
        "program_id": existing.program_id if existing else None,
        "manifest": bundle.manifest,
        "left_out": list(bundle.left_out),
        "metadata_diff": _metadata_diff(existing, bundle.metadata),
    }
    if existing is None:
        if dry_run:
            return {**outcome, "action": "dry run", "would": "create"}
        _uploading(progress, bundle, service)
        metadata = {**bundle.metadata, "is_public": bool(public)}
        program_id = service.upload_program(
            metadata=metadata, bundle=bundle, version=bundle.version
        )
        return {**outcome, "action": "created", "program_id": program_id}
    new_version = bundle.version not in existing.versions
    new_data = new_version or _published_digest(existing) != bundle.digest
    changed_fields = metadata_changes(existing, bundle.metadata)
    action = (
        "new version" if new_version else "updated" if new_data or changed_fields else "unchanged"
    )
    if dry_run:
        return {**outcome, "action": "dry run", "would": action}
    if new_data or changed_fields:
        if confirm is not None and not confirm(
            f"update {existing.program_id} to version {bundle.version}?"
        ):
            raise ProgramRejectedError("not published: the update was not confirmed")
        if new_data:
            _uploading(progress, bundle, service)
        service.catalog.update(
            existing.program_id,
            data=bundle.upload_data() if new_data else None,
            fields=changed_fields,
            version=bundle.version if new_version else None,
        )
    if public is not None and public != existing.is_public:
        service.set_program_visibility(existing.program_id, public)
    return {**outcome, "action": action}


def _uploading(
    progress: Callable[[str], None] | None, bundle: Bundle, service: RuntimeService
) -> None:
    if progress is not None:
        progress(f"uploading {bundle.kind} of {len(bundle.data)} bytes to {service.url} ...")


def metadata_changes(existing: RuntimeProgram, metadata: dict[str, Any]) -> dict[str, Any]:
    """The service fields (description, cost, spec) in which the local ``metadata`` differs
    from the published program ``existing``."""
    spec = metadata.get("spec") or {}
    local = {
        "description": metadata.get("description", ""),
        "cost": metadata.get("max_execution_time"),
        "spec": {key: spec.get(key) or {} for key in SPEC_KEYS},
    }
    published = {
        "description": existing.description,
        "cost": existing.max_execution_time,
        "spec": {
            "backend_requirements": existing.backend_requirements,
            "parameters": existing.spec_parameters,
            "return_values": existing.return_values,
            "interim_results": existing.interim_results,
        },
    }
    return {
        key: value for key, value in local.items() if value is not None and value != published[key]
    }


def _published_digest(program: RuntimeProgram) -> str:
    return hashlib.sha256(program.data_bytes()).hexdigest()


def _metadata_diff(existing: RuntimeProgram | None, metadata: dict[str, Any]) -> list[str]:
    """The metadata as a unified diff from the published program's (from nothing for a
    program not published yet); a spec part left out and one published empty are the same."""
    fields = ("name", "description", "spec", "version", "max_execution_time")
    new = {k: _comparable(k, metadata.get(k)) for k in fields if k in metadata}
    old_text: list[str] = []
    if existing is not None:
        published = {
            k: v
            for k, v in existing.to_dict().items()
            if k in ("name", "description", "spec", "version", "is_public")
        }
        published["max_execution_time"] = existing.max_execution_time
        old = {k: _comparable(k, published.get(k)) for k in new}
        old_text = json.dumps(old, indent=2, sort_keys=True).splitlines()
    new_text = json.dumps(new, indent=2, sort_keys=True).splitlines()
    return list(difflib.unified_diff(old_text, new_text, "published", "local", lineterm=""))


def _comparable(field: str, value: Any) -> Any:
    if field != "spec" or not isinstance(value, dict):
        return value
    return {key: value.get(key) or {} for key in SPEC_KEYS}
