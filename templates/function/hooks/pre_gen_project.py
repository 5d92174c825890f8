"""Refuse a project slug that is not a valid function title (it becomes function.json's)."""

import re
import sys

SLUG = "{{ cookiecutter.project_slug }}"
if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", SLUG):
    print(
        f"error: project_slug {SLUG!r} is not a valid function title: use 1-64 letters, "
        "digits, '-' or '_', starting with a letter or digit",
        file=sys.stderr,
    )
    sys.exit(1)
