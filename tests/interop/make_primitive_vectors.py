"""Write the V2 primitive interop vectors with qiskit-ibm-runtime's own encoder.

Run once, inside ``.venv-ibm-runtime``, from the repository root (see README.md here):

    .venv-ibm-runtime/bin/python -m tests.interop.make_primitive_vectors \\
        tests/interop/primitives/qiskit-ibm-runtime-0.51.0.json

Each vector is a value of ``primitive_values.values`` (or a primitive's program inputs, as
``SamplerV2``/``EstimatorV2`` submit them) encoded by qiskit-ibm-runtime's ``RuntimeEncoder``,
with the description (``describe.py``) of what its own ``RuntimeDecoder`` reads back.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from importlib.metadata import version
from types import SimpleNamespace
from typing import Any

from qiskit_ibm_runtime import RuntimeDecoder, RuntimeEncoder, execution_span
from qiskit_ibm_runtime.options import EstimatorOptions, SamplerOptions
from qiskit_ibm_runtime.results.estimator_pub import EstimatorPubResult

from tests.interop.describe import describe
from tests.interop.primitive_values import values

CLASSES = SimpleNamespace(
    SliceSpan=execution_span.SliceSpan,
    DoubleSliceSpan=execution_span.DoubleSliceSpan,
    TwirledSliceSpan=execution_span.TwirledSliceSpan,
    TwirledSliceSpanV2=execution_span.TwirledSliceSpanV2,
    ExecutionSpans=execution_span.ExecutionSpans,
    EstimatorPubResult=EstimatorPubResult,
)


def program_inputs(pub: Any, options: Any) -> dict[str, Any]:
    """What ``SamplerV2.run``/``EstimatorV2.run`` send as the job's inputs (``_run``)."""
    return {"pubs": [pub], **type(options)._get_program_inputs(asdict(options))}


def sampler_options() -> SamplerOptions:
    options = SamplerOptions(default_shots=256)
    options.simulator.seed_simulator = 42
    options.execution.meas_type = "classified"
    return options


def estimator_options() -> EstimatorOptions:
    options = EstimatorOptions(resilience_level=1, default_precision=0.01, seed_estimator=7)
    options.twirling.enable_gates = True
    return options


def main(out: str) -> None:
    made = values(CLASSES)
    made["sampler_inputs"] = program_inputs(made["sampler_pub"], sampler_options())
    made["estimator_inputs"] = program_inputs(made["estimator_pub"], estimator_options())
    vectors = []
    for name, value in made.items():
        payload = json.dumps(value, cls=RuntimeEncoder)
        decoded = json.loads(payload, cls=RuntimeDecoder)
        vectors.append({"name": name, "payload": payload, "description": describe(decoded)})
    document = {
        "made_with": {
            package: version(package) for package in ("qiskit-ibm-runtime", "qiskit", "numpy")
        },
        "vectors": vectors,
    }
    with open(out, "w") as file:
        json.dump(document, file, indent=1)
        file.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
