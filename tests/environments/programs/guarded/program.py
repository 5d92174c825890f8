"""Tries to change what a job must not: its environment and the environments' cache."""

import os
import sys

import six


def main(backend, user_messenger, **kwargs):
    attempts = {
        "environment": os.path.join(os.path.dirname(six.__file__), "planted.py"),
        "prefix": os.path.join(sys.prefix, "planted"),
        "cache": os.path.join(os.path.dirname(os.path.dirname(sys.prefix)), "planted"),
    }
    outcome = {}
    for name, path in attempts.items():
        try:
            with open(path, "w") as handle:
                handle.write("print('planted')")
            outcome[name] = "written"
        except OSError as exc:
            outcome[name] = type(exc).__name__
    outcome["python"] = "{}.{}".format(*sys.version_info[:2])
    outcome["age_s"] = process_age_s()
    return outcome


def process_age_s():
    """How long ago this process started (a warm worker: before its job was submitted)."""
    with open("/proc/self/stat") as stat:
        started_ticks = int(stat.read().rpartition(")")[2].split()[19])
    with open("/proc/uptime") as uptime:
        now_s = float(uptime.read().split()[0])
    return now_s - started_ticks / os.sysconf("SC_CLK_TCK")
