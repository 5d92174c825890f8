"""Refuse a project slug that is not a valid program name (it becomes the metadata name)."""

import re
import sys

SLUG = "{{ cookiecutter.project_slug }}"
if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", SLUG):
    print(
        f"error: project_slug {SLUG!r} is not a valid program name: use 1-64 letters, digits, "
        "'-', '_' or '.', starting with a letter or digit",
        file=sys.stderr,
    )
    sys.exit(1)
