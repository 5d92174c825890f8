"""The author-facing API: messenger, backend, decoders, parameter namespace."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.providers import BackendV2
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.result import QuasiDistribution, Result

from runtime_kit import (
    DecodeError,
    InputValueError,
    ParameterNamespace,
    ProgramBackend,
    ResultDecoder,
    RunnerResult,
    RuntimeEncoder,
    UserMessenger,
)
from runtime_kit.program import ForwardingMessenger, RecordingMessenger

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2019-09/schema",
    "properties": {
        "iterations": {"type": "integer", "minimum": 1, "description": "How many circuits."},
        "weights": {"type": "array", "minItems": 2},
        "mode": {"type": "string", "enum": ["fast", "exact"]},
    },
    "required": ["iterations"],
}


def bell() -> QuantumCircuit:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


class TestUserMessenger:
    def test_base_prints_one_json_line(self, capsys: pytest.CaptureFixture[str]) -> None:
        UserMessenger().publish({"iteration": 1, "value": 1j})
        assert json.loads(capsys.readouterr().out) == {
            "iteration": 1,
            "value": {"__type__": "complex", "__value__": [0.0, 1.0]},
        }

    def test_recording_keeps_order_and_final(self) -> None:
        messenger = RecordingMessenger()
        messenger.publish(1)
        messenger.publish(np.arange(2))
        messenger.publish("done", final=True)
        assert messenger.messages[0] == "1"
        assert json.loads(messenger.messages[1])["__type__"] == "ndarray"
        assert messenger.final_message == '"done"'
        assert messenger.call_count == 3

    def test_forwarding_hands_over_text(self) -> None:
        seen: list[tuple[str, bool]] = []
        ForwardingMessenger(lambda text, final: seen.append((text, final))).publish([1], final=True)
        assert seen == [("[1]", True)]

    def test_custom_encoder_is_used(self) -> None:
        class Upper(json.JSONEncoder):
            def encode(self, o: Any) -> str:
                return super().encode(str(o).upper())

        messenger = RecordingMessenger()
        messenger.publish("abc", encoder=Upper)
        assert messenger.messages == ['"ABC"']


class TestProgramBackend:
    def test_is_a_modern_backend_with_legacy_manners(self) -> None:
        backend = ProgramBackend()
        assert isinstance(backend, BackendV2)
        assert backend.name == "aer_simulator"
        assert backend.name() == "aer_simulator"  # BackendV1 style
        config = backend.configuration()
        assert config.n_qubits == backend.num_qubits > 0
        assert "cx" in config.basis_gates
        assert config.to_dict()["backend_name"] == "aer_simulator"

    def test_runs_real_circuits(self) -> None:
        backend = ProgramBackend()
        job = backend.run(transpile(bell(), backend), shots=200, seed_simulator=7)
        counts = job.result().get_counts()
        assert set(counts) == {"00", "11"}
        assert sum(counts.values()) == 200

    def test_legacy_timeout_argument_is_accepted(self) -> None:
        result = ProgramBackend().run(bell(), shots=10, timeout=60).result()
        assert sum(result.get_counts().values()) == 10

    def test_wraps_any_backend(self) -> None:
        backend = ProgramBackend(GenericBackendV2(5, seed=3), name="fake_five")
        assert backend.name() == "fake_five"
        assert backend.configuration().coupling_map
        assert backend.target is backend.wrapped.target
        counts = backend.run(transpile(bell(), backend, seed_transpiler=1), shots=50).result()
        assert sum(counts.get_counts().values()) == 50


class TestV2PrimitivesOnProgramBackend:
    """SamplerV2/EstimatorV2, qiskit's and Aer's, run on the backend ``main()`` receives, and
    repeat exactly under the run's seed."""

    @staticmethod
    def run_all(kind: str, seed: int) -> list[Any]:
        from qiskit.primitives import BackendEstimatorV2, BackendSamplerV2
        from qiskit.quantum_info import SparsePauliOp
        from qiskit_aer.primitives import EstimatorV2, SamplerV2

        from runtime_kit.harness.backends import build_backend, parse_backend

        backend = build_backend(parse_backend(kind), seed=seed)
        measured = transpile(bell(), backend, seed_transpiler=1)
        bare = transpile(
            bell().remove_final_measurements(inplace=False), backend, seed_transpiler=1
        )
        observable = SparsePauliOp("ZZ").apply_layout(bare.layout)
        return [
            BackendSamplerV2(backend=backend).run([measured], shots=300).result()[0].data,
            SamplerV2.from_backend(backend).run([measured], shots=300).result()[0].data,
            BackendEstimatorV2(backend=backend, options={"default_precision": 0.05})
            .run([(bare, observable)])
            .result()[0]
            .data.evs,
            EstimatorV2.from_backend(backend)
            .run([(bare, observable)], precision=0.05)
            .result()[0]
            .data.evs,
        ]

    @pytest.mark.parametrize("kind", ["aer", "basic", "generic:3"])
    def test_samplers_and_estimators_run_and_repeat_by_seed(self, kind: str) -> None:
        first, again = self.run_all(kind, seed=5), self.run_all(kind, seed=5)
        for data in first[:2]:
            counts = data.meas.get_counts()
            assert sum(counts.values()) == 300 and counts.get("00", 0) + counts.get("11", 0) > 250
        assert [d.meas.get_counts() for d in first[:2]] == [d.meas.get_counts() for d in again[:2]]
        assert [float(evs) for evs in first[2:]] == [float(evs) for evs in again[2:]]
        assert all(0.8 < float(evs) < 1.2 for evs in first[2:])  # <ZZ> of a Bell pair: 1
        other = self.run_all(kind, seed=6)
        assert other[1].meas.get_counts() != first[1].meas.get_counts()

    def test_aer_primitives_still_take_other_backends(self) -> None:
        from qiskit_aer import AerSimulator
        from qiskit_aer.primitives import SamplerV2

        simulator = AerSimulator(seed_simulator=3)
        assert SamplerV2.from_backend(simulator)._backend is simulator  # Aer's own behaviour
        generic = GenericBackendV2(2, seed=1)
        circuit = transpile(bell(), generic, seed_transpiler=1)
        result = SamplerV2.from_backend(generic, seed=4).run([circuit]).result()
        assert result[0].data.meas.num_shots == 1024


class TestResultDecoders:
    def test_decodes_wire_values(self) -> None:
        text = json.dumps({"energy": -1.5, "vector": np.ones(2)}, cls=RuntimeEncoder)
        decoded = ResultDecoder.decode(text)
        np.testing.assert_array_equal(decoded["vector"], [1.0, 1.0])

    def test_plain_text_comes_back_unchanged(self) -> None:
        traceback = "Traceback (most recent call last):\n  KeyError: 'iterations'"
        assert ResultDecoder.decode(traceback) == traceback

    def test_hostile_json_is_not_passed_off_as_text(self) -> None:
        with pytest.raises(DecodeError):
            ResultDecoder.decode('{"__type__": "complex", "__value__": "x"}')

    def test_subclass_post_processes(self) -> None:
        class Doubled(ResultDecoder):
            @classmethod
            def decode(cls, data: str) -> Any:
                return 2 * super().decode(data)

        assert Doubled.decode("21") == 42

    def test_runner_result(self) -> None:
        result = ProgramBackend().run(bell(), shots=100, seed_simulator=1).result()
        for text in (
            json.dumps(result.to_dict(), cls=RuntimeEncoder),
            json.dumps(result, cls=RuntimeEncoder),
        ):
            decoded = RunnerResult.decode(text)
            assert isinstance(decoded, Result)
            assert decoded.get_counts() == result.get_counts()
        with pytest.raises(DecodeError, match="not a Result"):
            RunnerResult.decode("[1, 2]")

    def test_quasiprobabilities(self) -> None:
        data = {
            "backend_name": "b",
            "backend_version": "1",
            "qobj_id": "q",
            "job_id": "j",
            "success": True,
            "results": [
                {
                    "shots": 100,
                    "success": True,
                    "data": {"quasiprobabilities": {"0x0": 0.6, "0x3": 0.4}},
                    "header": {"name": "c", "final_measurement_mapping": [0, 1]},
                }
            ],
        }
        quasi = RunnerResult.decode(json.dumps(data)).get_quasiprobabilities()
        assert isinstance(quasi, QuasiDistribution)
        assert quasi.binary_probabilities() == {"00": 0.6, "11": 0.4}
        assert quasi.shots == 100


class TestParameterNamespace:
    def test_attributes_per_parameter_and_clean_vars(self) -> None:
        namespace = ParameterNamespace(SCHEMA)
        assert vars(namespace) == {"iterations": None, "weights": None, "mode": None}
        assert namespace.metadata is SCHEMA
        assert namespace.to_dict()["iterations"]["minimum"] == 1

    def test_required_missing(self) -> None:
        with pytest.raises(InputValueError, match=r"Param \(iterations\) missing required value!"):
            ParameterNamespace(SCHEMA).validate()

    def test_values_are_checked_against_the_schema(self) -> None:
        namespace = ParameterNamespace(SCHEMA)
        namespace.iterations = 0
        namespace.mode = "slow"
        namespace.weights = np.zeros(1)
        with pytest.raises(InputValueError) as caught:
            namespace.validate()
        lines = str(caught.value).splitlines()
        assert lines == [
            "Param (iterations): 0 is less than the minimum of 1",
            'Param (mode): "slow" is not one of "fast" or "exact"',
            "Param (weights): [0.0] has less than 2 items",
        ]
        assert caught.value.name == "iterations"

    def test_valid_values_and_extras_pass(self) -> None:
        namespace = ParameterNamespace(SCHEMA)
        namespace.iterations = 3
        namespace.weights = np.zeros(4)
        namespace.extra = "allowed, as in the legacy namespace"
        namespace.validate()
        assert set(namespace.inputs()) == {"iterations", "weights", "extra"}

    def test_v1_list(self) -> None:
        namespace = ParameterNamespace(
            [
                {
                    "name": "circuits",
                    "description": "A circuit or list",
                    "type": "free text",
                    "required": True,
                }
            ]
        )
        with pytest.raises(InputValueError):
            namespace.validate()
        namespace.circuits = bell()
        namespace.validate()

    def test_table(self) -> None:
        namespace = ParameterNamespace(SCHEMA)
        namespace.iterations = 5
        lines = str(namespace).splitlines()
        assert lines[0] == "ParameterNamespace (Values):"
        assert (
            lines[1] == "| Name       | Value        | Type         | Required |     Description |"
        )
        assert lines[2] == "-" * len(lines[1])
        assert (
            lines[3]
            == "| iterations | 5            | integer     | True     | How many circuits. |"
        )
        assert (
            lines[5] == "| mode       | None         | string      | False    |            None |"
        )
