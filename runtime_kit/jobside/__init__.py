"""The job side of a program with an environment of its own: a runner that needs only the
standard library and runs on Python 3.8 and later.

A program written for another Qiskit (qiskit-terra 0.23, with numpy 1) cannot import
runtime-kit, which needs qiskit 2 and numpy 2.  So the job's process in such an environment
runs this package with the environment's interpreter: it speaks the frames protocol of
``runtime_kit.harness.frames`` to the harness, reads the job as ``harness/child.py`` does, and
gives ``main()`` the legacy program API over whatever Qiskit the environment has
(``UserMessenger``, the backend, ``RuntimeEncoder``/``RuntimeDecoder``, the legacy import
paths).

Rules: the modules import only the standard library at import time (and this package, by
relative imports), and use no syntax or library call newer than Python 3.8; a test checks
both.  The package is loaded under the top-level name ``runtime_kit_jobside`` (``BOOT``), so
it never imports ``runtime_kit`` itself, and it is shown read-only to the job.

Two steps, kept apart for a process that prepares once and forks per job: ``prepare()``
(imports, simulators) and ``run_job()`` (one job), in ``runner``.
"""

#: What the job's interpreter runs: ``python -I -c BOOT JOBSIDE_DIR ARGS...`` loads this
#: package from its directory under the name ``runtime_kit_jobside`` and runs its runner.
BOOT = (
    "import importlib.util as u, sys; p = sys.argv[1]; "
    "s = u.spec_from_file_location('runtime_kit_jobside', p + '/__init__.py', "
    "submodule_search_locations=[p]); m = u.module_from_spec(s); "
    "sys.modules[s.name] = m; s.loader.exec_module(m); "
    "from runtime_kit_jobside import runner; sys.exit(runner.main(sys.argv[2:]))"
)
