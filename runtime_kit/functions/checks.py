"""``validate`` of a Qiskit Function project: ``function.json``, its entrypoint (syntax,
imports, the arguments it reads against the schema, a result saved), its arguments schema,
its example arguments and its dependencies.  Never imports or runs the function."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any, NamedTuple

from runtime_kit.environments.declaration import EnvironmentSpec
from runtime_kit.findings import Finding
from runtime_kit.functions.project import FunctionProject, read_function


class FunctionInspection(NamedTuple):
    findings: list[Finding]
    project: FunctionProject | None
    environment: EnvironmentSpec


def inspect_function(path: Path) -> FunctionInspection:
    """Every finding about the function project at ``path``, sorted."""
    from runtime_kit.checks.environment import environment_of

    project, findings = read_function(path)
    if project is None:
        return FunctionInspection(sorted(set(findings)), None, EnvironmentSpec())
    declared, declared_findings = environment_of(project.working_dir)
    findings += declared_findings
    environment = function_environment(project, declared)
    findings += _schema_findings(project)
    if project.script.is_file():
        findings += _script_findings(project, imports=not environment.needs_own_environment())
    for example in sorted((project.directory / "arguments").glob("*.json")):
        findings += argument_findings(example, project.arguments_schema)
    return FunctionInspection(sorted(set(findings)), project, environment)


def function_environment(project: FunctionProject, declared: EnvironmentSpec) -> EnvironmentSpec:
    """The function's environment: its ``dependencies`` and what its working dir declares."""
    requirements = tuple(dict.fromkeys(project.dependencies + declared.requirements))
    return EnvironmentSpec(requirements, declared.python, declared.files)


def _schema_findings(project: FunctionProject) -> list[Finding]:
    from runtime_kit.errors import SchemaDefinitionError
    from runtime_kit.metadata.schema_validators import compile_schema

    schema = project.arguments_schema
    if schema is None:
        return []
    try:
        compile_schema(schema)
    except SchemaDefinitionError as exc:
        return [Finding.of(project.schema_path or project.directory, (1, 1), "RK201", str(exc))]
    if isinstance(schema, dict) and schema.get("type", "object") != "object":
        where = project.schema_path or project.directory
        return [Finding.of(where, (1, 1), "RK204", "the arguments schema must describe an object")]
    return []


def _script_findings(project: FunctionProject, *, imports: bool) -> list[Finding]:
    from runtime_kit.checks.imports import check_imports
    from runtime_kit.checks.source import parse_program
    from runtime_kit.project import listing, local_modules

    script = project.script
    try:
        source = script.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Finding.of(script, (0, 0), "RK001", f"cannot read the entrypoint: {exc}")]
    tree, findings = parse_program(script, source)
    if tree is None:
        return findings
    if imports:
        beside = local_modules(*listing(script.parent)) | local_modules(
            *listing(project.working_dir)
        )
        findings += check_imports(script, tree, beside)
    reads = ArgumentReads.of(tree)
    findings += _undeclared_reads(script, reads, project.arguments_schema)
    if not reads.saves:
        message = "the entrypoint never calls save_result(): its job's result will be empty"
        findings.append(Finding.of(script, (1, 1), "RK706", message))
    return findings


class ArgumentReads(NamedTuple):
    """What a script does with ``get_arguments()``: the keys it reads (with where), and
    whether it calls ``save_result``."""

    keys: list[tuple[str, int, int]]
    saves: bool

    @classmethod
    def of(cls, tree: ast.Module) -> ArgumentReads:
        holders = _argument_holders(tree)
        keys = []
        for node in ast.walk(tree):
            key = _key_read(node, holders)
            if key is not None and isinstance(node, ast.expr):
                keys.append((key, node.lineno, node.col_offset + 1))
        saves = any(_calls(node, "save_result") for node in ast.walk(tree))
        return cls(keys, saves)


def _argument_holders(tree: ast.Module) -> set[str]:
    """Names assigned the result of ``get_arguments()``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _calls(node.value, "get_arguments"):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif (
            isinstance(node, ast.AnnAssign)
            and node.value is not None
            and _calls(node.value, "get_arguments")
            and isinstance(node.target, ast.Name)
        ):
            names.add(node.target.id)
    return names


def _calls(node: ast.AST, name: str) -> bool:
    if not isinstance(node, ast.Call):
        return False
    called = node.func
    return (isinstance(called, ast.Name) and called.id == name) or (
        isinstance(called, ast.Attribute) and called.attr == name
    )


def _key_read(node: ast.AST, holders: set[str]) -> str | None:
    """``args["k"]``, ``args.get("k")``, ``get_arguments()["k"]``: the key ``k``."""
    if isinstance(node, ast.Subscript) and _is_arguments(node.value, holders):
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, str):
            return index.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get", "pop")
        and _is_arguments(node.func.value, holders)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def _is_arguments(node: ast.AST, holders: set[str]) -> bool:
    return (isinstance(node, ast.Name) and node.id in holders) or _calls(node, "get_arguments")


def _undeclared_reads(
    script: Path, reads: ArgumentReads, schema: dict[str, Any] | bool | None
) -> list[Finding]:
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return []
    declared = schema["properties"]
    closed = schema.get("additionalProperties") is False
    findings = []
    for key, line, col in reads.keys:
        if key in declared:
            continue
        why = "so no run can give it" if closed else "so nothing checks it at submit"
        message = f"the entrypoint reads argument {key!r}, which the schema does not declare, {why}"
        findings.append(Finding.of(script, (line, col), "RK704", message))
    return findings


def argument_findings(path: Path, schema: dict[str, Any] | bool | None) -> list[Finding]:
    """How the example arguments in ``path`` (wire-format JSON) fail ``schema``."""
    from runtime_kit.errors import InputValueError

    try:
        from runtime_kit.harness.run_inputs import read_inputs

        arguments = read_inputs(path)
    except InputValueError as exc:
        return [Finding.of(path, (1, 1), "RK002", str(exc))]
    found = problems(arguments, schema)
    return [Finding.of(path, (1, 1), code, message) for code, message in found]


def problems(arguments: dict[str, Any], schema: Any) -> list[tuple[str, str]]:
    """(code, message) for each way the wire-format ``arguments`` are wrong: an encoded value
    that would not decode (RK503), else a violation of ``schema`` (RK705).  The schema sees
    the arguments as they travel (a circuit is ``{"__type__": "QuantumCircuit", ...}``, an
    array an object), as qiskit-serverless's gateway applies it."""
    from runtime_kit.errors import SchemaDefinitionError
    from runtime_kit.metadata.schema_validators import compile_schema, schema_errors
    from runtime_kit.serialization.envelopes import envelope_problems

    broken = envelope_problems(arguments)
    if broken:
        return [("RK503", f"{_label(keys)}: {reason}") for keys, reason in broken]
    if not isinstance(schema, dict | bool):
        return []
    try:
        validator = compile_schema(schema)
    except SchemaDefinitionError:
        return []  # reported as RK201
    errors = schema_errors(validator, arguments)
    return [("RK705", f"{_label(error.keys)}: {error.message}") for error in errors]


def _label(keys: tuple[str | int, ...]) -> str:
    if not keys:
        return "arguments"
    return "argument " + repr(keys[0]) + "".join(f"[{k!r}]" for k in keys[1:])


def example_text(project: FunctionProject) -> str:
    """The example arguments as wire-format text ({} when there are none)."""
    example = project.example_arguments
    return "{}" if example is None else json.dumps(json.loads(example.read_text("utf-8")))
