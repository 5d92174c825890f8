"""``runtime-kit backends list|show``: the backends programs run on, as tables and JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RUNTIME_KIT = str(Path(sys.executable).with_name("runtime-kit"))


def backends(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RUNTIME_KIT, "backends", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_list_shows_the_simulators_then_the_devices() -> None:
    listed = backends("list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["NAME", "QUBITS", "KIND", "PROVIDER", "ALIASES"]
    assert lines[1].split() == ["ibmq_qasm_simulator", "-", "simulator", "simulators"]
    rows = [" ".join(line.split()) for line in lines]
    assert "ibmq_montreal 27 device snapshots fake_montreal" in rows
    assert len(lines) == 1 + 5 + 68
    as_json = json.loads(backends("list", "--json").stdout)
    assert {"name": "ibm_sherbrooke", "provider": "snapshots", "num_qubits": 127,
            "simulator": False, "aliases": ["fake_sherbrooke"]}.items() <= next(
        b for b in as_json if b["name"] == "ibm_sherbrooke").items()  # fmt: skip


def test_show_gives_qubits_basis_coupling_and_median_calibration() -> None:
    shown = backends("show", "fake_sherbrooke")
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert text.startswith("ibm_sherbrooke (device, provider snapshots; also fake_sherbrooke)")
    assert "  qubits: 127, Eagle r3\n" in text
    assert "  basis: ecr, id, rz, sx, x\n" in text
    assert "  coupling: 144 directed pairs: 1-0 1-2 3-2 " in text  # ecr: one way
    assert "  median T1 " in text and "median gate errors: ecr " in text
    details = json.loads(backends("show", "ibm_sherbrooke", "--json").stdout)
    calibration = details["calibration"]
    assert details["num_qubits"] == 127 and len(details["coupling_map"]) == 144
    assert 50 < calibration["t1_us"] < 1000 and 0 < calibration["gate_errors"]["ecr"] < 0.1
    assert 0 < calibration["readout_error"] < 0.1


def test_a_simulator_shows_without_calibration() -> None:
    details = json.loads(backends("show", "aer", "--json").stdout)
    assert (details["name"], details["simulator"], details["calibration"]) == (
        "aer_simulator",
        True,
        None,
    )
    assert "  coupling: all to all" in backends("show", "aer").stdout


def test_an_unknown_backend_is_a_usage_error() -> None:
    shown = backends("show", "ibm_nowhere")
    assert shown.returncode == 2
    assert shown.stderr.startswith("error: unknown backend 'ibm_nowhere': expected aer_simulator")
    assert len(shown.stderr.strip().splitlines()) <= 2
