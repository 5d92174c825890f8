"""`make demo`: the hello program end to end with what runtime-kit has today.

Inputs are read in the wire format, checked against the metadata's parameter schema and
round-tripped through RuntimeEncoder/RuntimeDecoder exactly as a service would hand them to
main(); main() runs on the real Aer simulator; each interim result is decoded and shown as
it is published; the return value is encoded as the job result and decoded back.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from runtime_kit import (
    ParameterNamespace,
    ProgramBackend,
    ResultDecoder,
    RuntimeDecoder,
    RuntimeEncoder,
)
from runtime_kit.program import ForwardingMessenger
from runtime_kit.wire_schema import check

HERE = Path(__file__).parent / "hello"


def main() -> int:
    metadata = json.loads((HERE / "metadata.json").read_text())
    inputs_text = (HERE / "inputs" / "example.json").read_text()
    inputs = json.loads(inputs_text, cls=RuntimeDecoder)

    namespace = ParameterNamespace(metadata["spec"]["parameters"])
    for name, value in inputs.items():
        setattr(namespace, name, value)
    namespace.validate()
    print(namespace, end="\n\n")

    wire_inputs = json.loads(json.dumps(namespace.inputs(), cls=RuntimeEncoder), cls=RuntimeDecoder)
    interim_schema = metadata["spec"]["interim_results"]

    def show(text: str, final: bool) -> None:
        problems = check(json.loads(text), interim_schema)
        print(f"interim: {ResultDecoder.decode(text)}" + (f"  (!) {problems}" if problems else ""))

    namespace_globals: dict[str, object] = {}
    exec(
        compile((HERE / "program.py").read_text(), str(HERE / "program.py"), "exec"),
        namespace_globals,
    )
    backend = ProgramBackend()
    print(f"backend: {backend.name()} ({backend.configuration().n_qubits} qubits)")
    started = time.perf_counter()
    returned = namespace_globals["main"](backend, ForwardingMessenger(show), **wire_inputs)
    result_text = json.dumps(returned, cls=RuntimeEncoder)
    print(f"result: {ResultDecoder.decode(result_text)}")
    print(f"done in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
