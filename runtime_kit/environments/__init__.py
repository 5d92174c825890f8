"""Program environments: the packages (and the Python) a program was written for.

A program declares them beside ``program.py`` (``requirements.txt``, ``[project]`` of a
``pyproject.toml``, ``.python-version``: ``declaration``); an environment is resolved and built
from them with ``uv`` into a content-addressed cache (``cache``, ``builder``), on a Python
found on the host (``interpreters``), and the job runs in it with the standard-library runner
of ``runtime_kit.jobside``.  See docs/environments.md.
"""
