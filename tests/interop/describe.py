"""Plain-JSON descriptions of decoded values, comparable across qiskit versions.

Imported by the tests (today's qiskit) and run as a script inside the legacy venv
(qiskit-terra 0.23), so it uses only what both have, by duck typing:

    .venv-legacy/bin/python describe.py < payloads.json   # [{"name", "payload"}, ...]

prints {name: {"ok": true, "value": <description>} | {"ok": false, "error": "..."}}.
"""

import datetime
import json
import sys


def describe(value):
    name = type(value).__name__
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
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


def _key(key):
    return key if isinstance(key, str) else f"<{type(key).__name__}>{key}"


def main():
    sys.path.insert(0, ".")
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
