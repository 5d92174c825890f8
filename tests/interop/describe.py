"""Plain-JSON descriptions of decoded values, comparable across qiskit versions.

Imported by the tests (today's qiskit) and run as a script inside the side venvs (legacy:
qiskit-terra 0.23; ibm-runtime: qiskit-ibm-runtime 0.51), so it uses only what they all
have, by duck typing on class names:

    .venv-legacy/bin/python describe.py legacy < payloads.json   # [{"name", "payload"}, ...]
    .venv-ibm-runtime/bin/python describe.py ibm-runtime < payloads.json

prints {name: {"ok": true, "value": <description>} | {"ok": false, "error": "..."}}.
"""

import datetime
import json
import sys

_PUB_RESULTS = ("PubResult", "SamplerPubResult", "EstimatorPubResult")
_SPANS = ("SliceSpan", "DoubleSliceSpan", "TwirledSliceSpan", "TwirledSliceSpanV2")


def describe(value):
    name = type(value).__name__
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    primitive = _describe_primitive(name, value)
    if primitive is not None:
        return primitive
    if isinstance(value, complex):
        return {"complex": [value.real, value.imag]}
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [describe(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return {"set": sorted(describe(item) for item in value)}
    if isinstance(value, dict):
        return {_key(key): describe(item) for key, item in value.items()}
    if name == "ndarray":
        return {"ndarray": [str(value.dtype), list(value.shape), describe(value.tolist())]}
    if hasattr(value, "toarray") and hasattr(value, "nnz"):
        return {"sparse": describe(value.toarray().tolist())}
    if name == "Result":
        return {"Result": value.get_counts()}
    if name == "SparsePauliOp":
        return {name: [value.paulis.to_labels(), describe(value.coeffs.tolist())]}
    if name in ("Statevector", "Operator"):
        return {name: describe(value.data.tolist())}
    if name == "Pauli":
        return {name: value.to_label()}
    if hasattr(value, "settings"):
        keys = ("maxiter", "resamplings", "learning_rate", "lr", "tol")
        settings = {k: v for k, v in value.settings.items() if k in keys}
        return {name: {k: describe(v) for k, v in settings.items()}}
    if name in ("Parameter", "ParameterVectorElement", "ParameterExpression"):
        return {"ParameterExpression": str(value)}
    raise TypeError(f"cannot describe {name}")


def _describe_primitive(name, value):
    """V2 primitive values (qiskit's containers, the runtime's spans), or None."""
    if name == "PrimitiveResult":
        return {name: [describe(pub) for pub in value], "metadata": describe(value.metadata)}
    if name in _PUB_RESULTS:
        return {name: describe(value.data), "metadata": describe(value.metadata)}
    if name == "DataBin":
        return {
            name: {key: describe(item) for key, item in value.items()},
            "shape": list(value.shape),
        }
    if name == "BitArray":
        return {name: [value.num_bits, describe(value.array)]}
    if name == "ObservablesArray":
        return {name: [list(value.shape), describe(value.tolist())]}
    if name == "BindingsArray":
        data = {json.dumps(list(key)): describe(item) for key, item in value.data.items()}
        return {name: [list(value.shape), data]}
    if name in _SPANS:
        shots = getattr(value, "_pub_shots", {})
        slices = {
            str(i): describe([*entry, shots.get(i)]) for i, entry in value._data_slices.items()
        }
        masks = {str(i): describe(value.mask(i)) for i in value.pub_idxs}
        return {name: [describe(value.start), describe(value.stop), slices, masks, value.size]}
    if name == "ExecutionSpans":
        return {name: [describe(span) for span in value]}
    if name == "PauliLindbladMap":
        return {name: [value.num_qubits, describe(value.to_sparse_list())]}
    if name == "QuantumCircuit":
        instructions = [
            [
                op.operation.name,
                [value.find_bit(q).index for q in op.qubits],
                [str(p) for p in op.operation.params],
            ]
            for op in value.data
        ]
        return {name: [value.num_qubits, value.num_clbits, instructions]}
    if name == "slice":
        return {name: [value.start, value.stop, value.step]}
    return None


def _key(key):
    return key if isinstance(key, str) else f"<{type(key).__name__}>{key}"


def main():
    sys.path.insert(0, ".")
    if sys.argv[1:] == ["ibm-runtime"]:
        from qiskit_ibm_runtime import RuntimeDecoder
    else:
        from qiskit.providers.ibmq.runtime.utils import RuntimeDecoder

    out = {}
    for row in json.load(sys.stdin):
        try:
            out[row["name"]] = {
                "ok": True,
                "value": describe(json.loads(row["payload"], cls=RuntimeDecoder)),
            }
        except Exception as exc:  # noqa: BLE001 - every failure is reported back as data
            out[row["name"]] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
