"""``validate``: every check of a program directory, collected before anything fails."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from runtime_kit.checks.environment import environment_of, inline_block_findings
from runtime_kit.checks.imports import check_imports
from runtime_kit.checks.inputs import check_inputs
from runtime_kit.checks.source import (
    DeclaredParameters,
    check_main,
    find_main,
    main_inputs,
    parse_program,
)
from runtime_kit.environments.declaration import EnvironmentSpec
from runtime_kit.errors import (
    MetadataSyntaxError,
    MigrationError,
    ProgramEnvironmentError,
    ProgramRejectedError,
)
from runtime_kit.findings import Finding, Severity, syntax_finding
from runtime_kit.metadata.checks import as_v2, check_metadata, metadata_version
from runtime_kit.metadata.document import MetadataDocument, load_document, read_text
from runtime_kit.parallel import forked_map
from runtime_kit.project import (
    METADATA_NAMES,
    PROGRAM_NAMES,
    ProgramLayout,
    listing,
    local_modules,
    locate,
)


class Inspection(NamedTuple):
    """What ``validate`` found, and what it read on the way (for callers that go on to run
    or publish the program without reading it again)."""

    findings: list[Finding]
    layout: ProgramLayout
    #: The metadata in the v2 form (None when it cannot be read).
    metadata: dict[str, Any] | None
    #: main() takes **kwargs (True when there is no main to say otherwise).
    main_takes_kwargs: bool
    #: The inputs main() names (its parameters after backend and user_messenger).
    main_parameters: frozenset[str] = frozenset()
    #: The environment the program declares (empty when it declares none).
    environment: EnvironmentSpec = EnvironmentSpec()


def validate(
    path: str | Path,
    *,
    program: str | Path | None = None,
    metadata: str | Path | None = None,
    resolve: bool = False,
) -> list[Finding]:
    """Check the program at ``path`` (its directory, or a file in it).

    Never imports or runs the program.  Returns every finding, sorted by file and line;
    an empty list means the program is ready to publish.  ``resolve``: also resolve the
    requirements it declares against the package index (uv; needs the network).
    """
    from runtime_kit.functions.project import is_function_project

    if program is None and metadata is None and is_function_project(Path(path)):
        return _validate_function(Path(path), resolve=resolve)
    found = inspect(path, program=program, metadata=metadata)
    if not resolve or not found.environment.needs_own_environment():
        return found.findings
    from runtime_kit.checks.environment import resolution_findings

    extra = resolution_findings(found.layout.directory, found.environment)
    return sorted(set(found.findings + extra))


def _validate_function(path: Path, *, resolve: bool) -> list[Finding]:
    """``validate`` of a Qiskit Function project (``function.json``)."""
    from runtime_kit.functions.checks import inspect_function

    found = inspect_function(path)
    if not resolve or found.project is None or not found.environment.needs_own_environment():
        return found.findings
    from runtime_kit.checks.environment import resolution_findings

    extra = resolution_findings(found.project.working_dir, found.environment)
    return sorted(set(found.findings + extra))


def inspect(
    path: str | Path, *, program: str | Path | None = None, metadata: str | Path | None = None
) -> Inspection:
    """``validate``, keeping the layout, the v2 metadata and what main() takes."""
    layout, findings = locate(Path(path), program=_opt(program), metadata=_opt(metadata))
    doc = None
    if layout.metadata is not None:
        try:
            doc = load_document(layout.metadata)
        except MetadataSyntaxError as exc:
            findings += syntax_finding(exc)
        else:
            findings += check_metadata(doc)
    declared = _declared(doc)
    environment, environment_findings = environment_of(layout.directory)
    findings += environment_findings
    own_environment = environment.needs_own_environment()
    takes_kwargs, named = True, frozenset[str]()
    if layout.program is not None:
        findings += inline_block_findings(layout.program)
        beside = layout.local_modules
        if layout.program.parent != layout.directory:
            beside = local_modules(*listing(layout.program.parent))
        program_findings, takes_kwargs, named = _check_program(
            layout.program, declared, beside, imports=not own_environment
        )
        findings += program_findings
    v2 = _v2(doc)
    parameters = _spec_part(v2, "parameters")
    for inputs in layout.inputs:
        findings += check_inputs(
            inputs,
            parameters,
            main_takes_any=takes_kwargs,
            v1_typed=_v1_typed_parameters(doc),
            decoded_elsewhere=own_environment,
        )
    return Inspection(sorted(set(findings)), layout, v2, takes_kwargs, named, environment)


def require_valid(path: str | Path, *, allowed: tuple[str, ...] = ()) -> Inspection:
    """``inspect`` the program, refusing it if there is any error whose code does not start
    with one of ``allowed`` (e.g. ``("RK5",)``: example inputs do not matter for a run).

    Raises:
        ProgramRejectedError: listing each error, as ``validate`` prints it.
        ProgramEnvironmentError: there is no interpreter of the Python the program names
            (one line).
    """
    found = inspect(path)
    errors = [
        f for f in found.findings if f.severity is Severity.ERROR and not f.code.startswith(allowed)
    ]
    no_python = [f for f in errors if f.code == "RK604"]
    if no_python:  # said in one line, before anything is built
        raise ProgramEnvironmentError(f"{no_python[0].path}: {no_python[0].message}")
    if errors or found.metadata is None or found.layout.program is None:
        listed = "\n".join(str(f) for f in errors)
        raise ProgramRejectedError(f"the program has errors (runtime-kit validate):\n{listed}")
    return found


def validate_all(
    paths: Sequence[str | Path],
    *,
    program: str | Path | None = None,
    metadata: str | Path | None = None,
    jobs: int | None = None,
    resolve: bool = False,
) -> list[Finding]:
    """``validate`` each of ``paths`` (each once), spread over ``jobs`` processes
    (default: the available CPUs, when there are enough programs to gain from it)."""
    unique = list(dict.fromkeys(Path(p) for p in paths))
    if len(unique) > 1:
        _warm_up()  # once, before any fork: workers inherit it instead of each paying
    check = functools.partial(validate, program=program, metadata=metadata, resolve=resolve)
    return [finding for found in forked_map(check, unique, jobs=jobs) for finding in found]


def _warm_up() -> None:
    """Import jsonschema-rs and build the validators every program needs."""
    from runtime_kit.metadata.schema_validators import (
        DEFAULT_DIALECT_URI,
        metadata_validator,
        metaschema_validator,
    )

    metadata_validator(1)
    metadata_validator(2)
    metaschema_validator(DEFAULT_DIALECT_URI)


#: Files that make a folder a project: a program's, or a function's ``function.json``.
PROJECT_FILES = (*PROGRAM_NAMES, *METADATA_NAMES, "function.json")


def program_directories(files: Iterable[str | Path], *, root: Path) -> list[Path]:
    """The program directories that ``files`` belong to, each once, in order.

    A file belongs to the nearest directory at or above it (up to ``root``) that holds a
    program or metadata file; files outside any program are skipped.  Directories under
    ``root`` are returned relative to it, so findings print as the files were named.
    """
    found: dict[Path, None] = {}
    root = root.resolve()
    for file in files:
        directory = Path(file).resolve()
        directory = directory if directory.is_dir() else directory.parent
        while True:
            if any((directory / name).is_file() for name in PROJECT_FILES):
                inside = directory == root or root in directory.parents
                found[directory.relative_to(root) if inside else directory] = None
                break
            if directory in (root, directory.parent) or root not in directory.parents:
                break
            directory = directory.parent
    return list(found)


def _check_program(
    path: Path, declared: DeclaredParameters | None, beside: frozenset[str], *, imports: bool
) -> tuple[list[Finding], bool, frozenset[str]]:
    """The findings of the program file, whether main() takes **kwargs, and the inputs
    it names; ``imports``: check them here (not for a program with an environment of its
    own, where they are the environment's)."""
    try:
        source = read_text(path)
    except MetadataSyntaxError as exc:
        return syntax_finding(exc), True, frozenset()
    tree, findings = parse_program(path, source)
    if tree is None:
        return findings, True, frozenset()
    findings += check_main(path, tree, declared)
    if imports:
        findings += check_imports(path, tree, beside)
    main = find_main(tree)
    if main is None:
        return findings, True, frozenset()
    return findings, main.args.kwarg is not None, frozenset(main_inputs(main))


def _declared(doc: MetadataDocument | None) -> DeclaredParameters | None:
    if doc is None or not isinstance(doc.data, dict):
        return None
    if metadata_version(doc.data) == 1:
        items = doc.data.get("parameters")
        if not isinstance(items, list):
            return None
        named = [
            (i, p)
            for i, p in enumerate(items)
            if isinstance(p, dict) and isinstance(p.get("name"), str)
        ]
        index = {p["name"]: i for i, p in named}
        return DeclaredParameters(
            names=tuple(index),
            required=frozenset(p["name"] for _, p in named if p.get("required") is True),
            position_of=lambda name: doc.position(("parameters", index[name])),
            path=str(doc.path),
        )
    schema = _spec_part(_v2(doc), "parameters")
    if not isinstance(schema, dict):
        return None
    properties = schema.get("properties")
    required = schema.get("required")
    return DeclaredParameters(
        names=tuple(properties) if isinstance(properties, dict) else (),
        required=_required_names(required),
        position_of=lambda name: doc.position(("spec", "parameters", "properties", name)),
        path=str(doc.path),
    )


def _required_names(required: Any) -> frozenset[str] | None:
    if required is None:
        return frozenset()
    if isinstance(required, list) and all(isinstance(name, str) for name in required):
        return frozenset(required)
    return None  # malformed: the schema check reports it


def _v1_typed_parameters(doc: MetadataDocument | None) -> Any:
    """The parameters of v1 metadata with their v1 types as JSON Schema types (None for v2
    metadata, or v1 that cannot be migrated)."""
    if doc is None or not isinstance(doc.data, dict) or metadata_version(doc.data) != 1:
        return None
    from runtime_kit.metadata.migrate import migrate_metadata

    try:
        return _spec_part(migrate_metadata(doc.data)[0], "parameters")
    except MigrationError:
        return None


def _v2(doc: MetadataDocument | None) -> dict[str, Any] | None:
    if doc is None or not isinstance(doc.data, dict):
        return None
    try:
        return as_v2(doc.data)
    except MigrationError:
        return None


def _spec_part(metadata: dict[str, Any] | None, key: str) -> Any:
    spec = metadata.get("spec") if metadata is not None else None
    return spec.get(key) if isinstance(spec, dict) else None


def _opt(path: str | Path | None) -> Path | None:
    return Path(path) if path is not None else None
