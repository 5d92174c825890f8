"""The environment a job process starts with: an allow-list, never the service's own.

Secrets reach a service through its environment (``RUNTIME_KIT_ADMIN_TOKEN``, cloud
credentials, ...); a job sees none of it.  It gets what Python, qiskit and the harness need,
with ``HOME`` (and ``TMPDIR``) in its own directory, and as many threads for its numeric
libraries as it has cores to itself: jobs that run at once do not oversubscribe the machine,
and a worker that imports numpy does not spin up (and burn CPU on) a thread per core.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

#: Taken from the service's environment when set there: locale and time zone only.
PASSED_THROUGH = ("LANG", "LC_ALL", "LC_CTYPE", "TZ")
JOB_USER = "runtime-kit-job"


#: What the numeric libraries a job uses read for their thread count.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS")


def job_environment(
    home: str, tmp: str, threads: int, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    python_bin = os.path.dirname(sys.executable)
    environment = {
        "HOME": home,
        "TMPDIR": tmp,
        "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
        "USER": JOB_USER,
        "LOGNAME": JOB_USER,
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "MPLCONFIGDIR": tmp,
        **{variable: str(threads) for variable in THREAD_VARIABLES},
    }
    environment.update({k: os.environ[k] for k in PASSED_THROUGH if os.environ.get(k)})
    environment.update(extra or {})
    return environment
