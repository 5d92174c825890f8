"""``runtime-kit new``: program projects from cookiecutter templates.

The bundled templates live in ``templates/`` (in the wheel: ``runtime_kit/templates``); a
template may also be any cookiecutter template directory or git URL.  A project made from a
bundled template records it, its version and the answers in ``.runtime-kit-template.json``,
which ``runtime-kit update`` reads (see ``update.py``).
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from runtime_kit.errors import InputValueError, RuntimeKitError

DEFAULT_TEMPLATE = "hello"
#: The record of a project's template, version and answers, in the project's directory.
RECORD_FILE = ".runtime-kit-template.json"
#: The bundled templates' default author: a new project names its user instead.
PLACEHOLDER_AUTHOR = "A. Author"
_REMOTE_PREFIXES = ("https://", "http://", "git@", "git+", "gh:", "gl:", "bb:", "ssh://")


class ProjectExistsError(RuntimeKitError):
    """The project directory exists already (pass ``overwrite=True`` / ``--force``)."""


class TemplateError(RuntimeKitError):
    """A template could not be rendered (its hook refused the values, a render error...)."""


class Template(NamedTuple):
    name: str
    path: Path
    summary: str


def templates_dir() -> Path:
    installed = Path(__file__).resolve().parent / "templates"  # in the wheel
    return installed if installed.is_dir() else Path(__file__).resolve().parents[1] / "templates"


def bundled_templates() -> list[Template]:
    found = []
    for path in sorted(templates_dir().iterdir()):  # _history (old versions) has no config
        config = path / "cookiecutter.json"
        if config.is_file():
            summary = json.loads(config.read_text()).get("_summary", "")
            found.append(Template(path.name, path, summary))
    return found


def resolve_template(template: str) -> str:
    """A bundled template's directory, a template directory, or a remote URL, as given.

    Raises:
        InputValueError: none of those.
    """
    bundled = {t.name: t.path for t in bundled_templates()}
    if template in bundled:
        return str(bundled[template])
    if template.startswith(_REMOTE_PREFIXES):
        return template
    path = Path(template).expanduser()
    if (path / "cookiecutter.json").is_file():
        return str(path)
    raise InputValueError(
        f"unknown template {template!r}: expected one of {', '.join(bundled)}, a cookiecutter "
        "template directory, or a git URL",
        name="template",
    )


def create_project(
    name: str | None = None,
    *,
    template: str = DEFAULT_TEMPLATE,
    output_dir: str | Path = ".",
    values: dict[str, Any] | None = None,
    no_input: bool = True,
    overwrite: bool = False,
    version: int | None = None,
) -> Path:
    """Render ``template`` into ``output_dir``; returns the new project's directory.

    A bundled template's project gets a ``.runtime-kit-template.json`` (template, version,
    answers) for ``runtime-kit update``.

    Args:
        name: the project name (the template's ``project_name``); its slug names the folder
            and the program.
        values: other template variables (``--set key=value``).
        no_input: never prompt (the default; the CLI prompts on a terminal).
        overwrite: render into an existing project directory.
        version: an earlier version of a bundled template (default: the current one).

    Raises:
        InputValueError: unknown template, or a version of a template that is not bundled.
        TemplateVersionError: a bundled template has no such version.
        ProjectExistsError: the directory exists and ``overwrite`` is False.
        TemplateError: the template refused the values or failed to render.
    """
    from runtime_kit import template_versions

    bundled = template in {t.name for t in bundled_templates()}
    if version is not None and not bundled:
        raise InputValueError(f"only bundled templates have versions, not {template!r}")
    if bundled:
        version = template_versions.current_version(template) if version is None else version
        source = str(template_versions.template_source(template, version))
    else:
        source = resolve_template(template)
    context = dict(values or {})
    if name is not None:
        context["project_name"] = name
    variables = _template_variables(source)
    if variables is not None:
        _check_values(template, context, variables)
        if variables.get("author") == PLACEHOLDER_AUTHOR and "author" not in context:
            context["author"] = default_author()
    project, answers = render(
        source,
        context,
        output_dir=output_dir,
        no_input=no_input,
        overwrite=overwrite,
        label=template,
    )
    if bundled and version is not None:
        write_record(project, template, version, answers)
    return project


def render(
    source: str,
    context: dict[str, Any],
    *,
    output_dir: str | Path,
    no_input: bool = True,
    overwrite: bool = False,
    label: str | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Render the cookiecutter template ``source`` with ``context``; returns the project's
    directory and every answer (the template's public variables as they were rendered).

    Raises:
        ProjectExistsError, TemplateError: as ``create_project``.
    """
    from cookiecutter.config import get_user_config
    from cookiecutter.exceptions import CookiecutterException, OutputDirExistsException
    from cookiecutter.main import cookiecutter

    # cookiecutter logs failures with tracebacks; ours is one line (the hook says why).
    logging.getLogger("cookiecutter").addHandler(logging.NullHandler())
    logging.getLogger("cookiecutter").propagate = False
    with tempfile.TemporaryDirectory(prefix="runtime-kit-replay-") as replay_dir:
        # cookiecutter always writes a replay file (the answers); keep it out of the home.
        config = {**get_user_config(), "replay_dir": replay_dir}
        try:
            project = cookiecutter(
                source,
                no_input=no_input,
                extra_context=context,
                output_dir=str(output_dir),
                overwrite_if_exists=overwrite,
                default_config=config,
            )
        except OutputDirExistsException as exc:
            reason = str(exc).removeprefix("Error: ")
            raise ProjectExistsError(f"{reason}: pass --force to render into it") from exc
        except CookiecutterException as exc:
            raise TemplateError(f"template {label or source!r}: {exc}") from exc
        except OSError as exc:  # an output directory that cannot be written
            raise TemplateError(f"cannot write the project: {exc}") from exc
        (replay,) = Path(replay_dir).glob("*.json")
        rendered = json.loads(replay.read_text(encoding="utf-8"))["cookiecutter"]
    answers = {key: value for key, value in rendered.items() if not key.startswith("_")}
    return Path(project), answers


def write_record(project: Path, template: str, version: int, answers: dict[str, Any]) -> None:
    """Write the project's ``.runtime-kit-template.json``."""
    record = {"template": template, "version": version, "answers": answers}
    (project / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def default_author() -> str:
    """Who a new project is by: git's ``user.name``, else the login name."""
    import getpass
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is not None:
        found = subprocess.run(
            [git, "config", "user.name"], capture_output=True, text=True, timeout=10, check=False
        )
        if found.returncode == 0 and found.stdout.strip():
            return found.stdout.strip()
    return getpass.getuser()


def _template_variables(source: str) -> dict[str, Any] | None:
    """The variables a local template declares, with their defaults (None for a remote
    template: it is not fetched yet)."""
    config = Path(source) / "cookiecutter.json"
    if not config.is_file():
        return None
    declared = json.loads(config.read_text())
    return {key: value for key, value in declared.items() if not key.startswith("_")}


def _check_values(template: str, values: dict[str, Any], variables: dict[str, Any]) -> None:
    unknown = sorted(set(values) - set(variables))
    if unknown:
        raise InputValueError(
            f"template {template!r} has no value(s) {', '.join(map(repr, unknown))} "
            f"(it has: {', '.join(sorted(variables))})",
            name="set",
        )


def next_steps(project: Path) -> str:
    """The commands that check, run and test a new ``project``, spelled so that they work
    from where the user is: this runtime-kit and this Python by their paths when the shell's
    ``runtime-kit``/``python`` are other ones (e.g. a venv that is not activated)."""
    import importlib.util
    import shlex
    import shutil
    import sys

    here = Path.cwd()
    place = project.resolve()
    shown = place.relative_to(here) if place.is_relative_to(here) else place
    command = Path(sys.argv[0]).absolute()
    found = shutil.which("runtime-kit")
    kit = "runtime-kit" if found and Path(found).absolute() == command else str(command)
    python = sys.executable
    found_python = shutil.which("python")
    if found_python and Path(found_python).absolute() == Path(python).absolute():
        python = "python"
    steps = [f"cd {shlex.quote(str(shown))}", f"{kit} validate", f"{kit} run ."]
    if importlib.util.find_spec("pytest") is not None:
        steps.append(f"{python} -m pytest")
    else:
        steps.append(f"{python} -m pip install pytest && {python} -m pytest")
    return " && ".join(steps)
