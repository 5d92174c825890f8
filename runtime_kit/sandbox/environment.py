"""The environment a job process starts with: an allow-list, never the service's own.

Secrets reach a service through its environment (``RUNTIME_KIT_ADMIN_TOKEN``, cloud
credentials, ...); a job sees none of it.  It gets what Python, qiskit and the harness need,
with ``HOME`` (and ``TMPDIR``) in its own directory.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

#: Taken from the service's environment when set there: locale and time zone only.
PASSED_THROUGH = ("LANG", "LC_ALL", "LC_CTYPE", "TZ")
JOB_USER = "runtime-kit-job"


def job_environment(home: str, tmp: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
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
    }
    environment.update({k: os.environ[k] for k in PASSED_THROUGH if os.environ.get(k)})
    environment.update(extra or {})
    return environment
