"""The built-in ``sampler`` and ``estimator`` programs, run through the local harness: their
examples, the very inputs qiskit-ibm-runtime 0.51's primitives send, options and seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from qiskit.primitives import PrimitiveResult, SamplerPubResult

from runtime_kit import InputValueError, validate
from runtime_kit.primitives import EstimatorPubResult
from runtime_kit.primitives.program_inputs import (
    PrimitiveInputError,
    PrimitiveSettings,
    estimator_settings,
    sampler_settings,
)
from runtime_kit.testing import run_program
from tests.conftest import BUILTIN_PROGRAMS, ROOT, run_command

BUILTINS = ROOT / "runtime_kit" / "builtin_programs"
SAMPLER, ESTIMATOR = BUILTINS / "sampler", BUILTINS / "estimator"
IBM_VECTORS = ROOT / "tests" / "interop" / "primitives" / "qiskit-ibm-runtime-0.51.0.json"


def example(program: Path) -> dict[str, Any]:
    return json.loads((program / "inputs" / "example.json").read_text())


def sent_by_ibm_runtime(name: str) -> str:
    """The wire text of inputs qiskit-ibm-runtime 0.51's SamplerV2/EstimatorV2 submitted."""
    rows = json.loads(IBM_VECTORS.read_text())["vectors"]
    return next(row["payload"] for row in rows if row["name"] == name)


def test_the_builtins_are_program_projects() -> None:
    names = sorted(p.name for p in BUILTINS.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert names == BUILTIN_PROGRAMS
    for program in (BUILTINS / name for name in names):
        assert validate(program) == []
        metadata = json.loads((program / "metadata.json").read_text())
        assert metadata["name"] == program.name and "spec" in metadata  # v2, id = folder


def test_sampler_example() -> None:
    record = run_program(SAMPLER, seed=1)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    result = record.result
    assert isinstance(result, PrimitiveResult) and len(result) == 2
    assert all(isinstance(pub, SamplerPubResult) for pub in result)
    bell = result[0].data.meas.get_counts()
    assert set(bell) == {"00", "11"} and sum(bell.values()) == 1000  # default_shots
    rotation = result[1].data.meas  # angles 0, pi/2, pi; the pub's own 100 shots
    assert rotation.shape == (3,) and rotation.num_shots == 100
    assert rotation[0].get_counts() == {"0": 100} and rotation[2].get_counts() == {"1": 100}


def test_estimator_example() -> None:
    record = run_program(ESTIMATOR, seed=1)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    result = record.result
    assert all(isinstance(pub, EstimatorPubResult) for pub in result)
    bell = result[0].data
    assert bell.evs.shape == (3,)  # ZZ, XX, ZI
    np.testing.assert_allclose(bell.evs, [1, 1, 0], atol=0.05)
    assert 0.005 < float(bell.stds[2]) < 0.02  # <ZI> = 0 with variance 1: the precision
    np.testing.assert_allclose(result[1].data.evs, [1, 0, -1], atol=0.2)  # precision 0.05
    assert result[1].metadata["target_precision"] == 0.05


@pytest.mark.parametrize(("program", "name"), [(SAMPLER, "sampler"), (ESTIMATOR, "estimator")])
def test_what_qiskit_ibm_runtime_sends_runs(program: Path, name: str) -> None:
    record = run_program(program, inputs_text=sent_by_ibm_runtime(f"{name}_inputs"), seed=2)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    assert isinstance(record.result, PrimitiveResult)
    if name == "sampler":  # the pub's own 128 shots (default_shots 256), seed_simulator 42
        assert record.result[0].data.meas.num_shots == 128
        assert "not applied" not in record.logs
    else:  # twirling and resilience_level 1 cannot apply on a simulator: they are named
        assert record.result[0].metadata["target_precision"] == 0.01
        assert (
            "options not applied on a simulator backend: resilience_level, twirling.enable_gates"
            in record.logs
        )


def test_seeds_repeat_runs_and_the_options_seed_wins() -> None:
    def bits(seed: int, **options: Any) -> np.ndarray:
        inputs = {**example(SAMPLER), "options": {"default_shots": 64, **options}}
        record = run_program(SAMPLER, inputs=_decoded(inputs), seed=seed)
        assert record.status == "DONE", record.error
        return record.result[1].data.meas.array

    assert np.array_equal(bits(1), bits(1))
    assert not np.array_equal(bits(1), bits(2))
    seeded = {"simulator": {"seed_simulator": 9}}
    assert np.array_equal(bits(1, **seeded), bits(2, **seeded))


@pytest.mark.parametrize("execution", [{"meas_type": "kerneled"}, {"init_qubits": False}])
def test_an_option_a_simulator_cannot_honour_is_refused(execution: dict[str, Any]) -> None:
    inputs = {**example(SAMPLER), "options": {"execution": execution}}
    with pytest.raises(InputValueError, match="options"):  # by the schema, before running
        run_program(SAMPLER, inputs_text=json.dumps(inputs), seed=1)
    with pytest.raises(PrimitiveInputError, match=f"option execution.{next(iter(execution))}"):
        sampler_settings(inputs["options"], 2)  # and by the program, run without the schema


def test_options_become_the_backend_primitives_options() -> None:
    sampler = sampler_settings({"simulator": {"seed_simulator": 4}, "twirling": {}}, 2)
    assert sampler == PrimitiveSettings({"default_shots": 4096, "seed_simulator": 4}, ())
    estimator = estimator_settings(
        {"default_shots": 400, "seed_estimator": 3, "dynamical_decoupling": {"enable": True}},
        2,
        resilience_level=0,
    )
    assert estimator.options == {"default_precision": 0.05, "seed_simulator": 3}
    assert estimator.not_applied == ("dynamical_decoupling.enable", "resilience_level")
    with pytest.raises(PrimitiveInputError, match="inputs version 1: this program takes 2"):
        estimator_settings({}, 1)


def test_other_input_versions_are_refused_before_running() -> None:
    ran = run_command(
        "run", ESTIMATOR, "--param", "version=1", "--param", 'pubs=[["not a circuit"]]'
    )
    assert ran.returncode == 2
    assert "input 'version'" in ran.stderr and "input 'pubs'" in ran.stderr


def _decoded(inputs: dict[str, Any]) -> dict[str, Any]:
    """Wire-format inputs as Python values (run_program encodes them again)."""
    from runtime_kit import RuntimeDecoder

    return json.loads(json.dumps(inputs), cls=RuntimeDecoder)
