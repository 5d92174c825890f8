"""V2 primitive values cross between runtime-kit and qiskit-ibm-runtime 0.51, both ways.

* Its vectors (``primitives/``, written by its own encoder) decode here to what its own
  decoder reads from them.
* What runtime-kit encodes, its decoder (in ``.venv-ibm-runtime``, built on first use) reads
  exactly as it reads its own payload of the same value.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from runtime_kit import RuntimeDecoder, RuntimeEncoder
from runtime_kit.primitives import execution_spans
from runtime_kit.primitives.results import EstimatorPubResult
from runtime_kit.serialization.decoder import PRIMITIVE_TAGS
from tests.interop.describe import describe
from tests.interop.ibm_runtime_env import ibm_runtime_python
from tests.interop.primitive_values import values

HERE = Path(__file__).parent
VECTORS = HERE / "primitives" / "qiskit-ibm-runtime-0.51.0.json"
OURS = SimpleNamespace(
    SliceSpan=execution_spans.SliceSpan,
    DoubleSliceSpan=execution_spans.DoubleSliceSpan,
    TwirledSliceSpan=execution_spans.TwirledSliceSpan,
    TwirledSliceSpanV2=execution_spans.TwirledSliceSpanV2,
    ExecutionSpans=execution_spans.ExecutionSpans,
    EstimatorPubResult=EstimatorPubResult,
)


def vectors() -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in json.loads(VECTORS.read_text())["vectors"]}


def tags_in(document: Any) -> set[str]:
    if isinstance(document, list):
        return set().union(*map(tags_in, document)) if document else set()
    if not isinstance(document, dict):
        return set()
    found = {document["__type__"]} if "__type__" in document else set()
    return found.union(*map(tags_in, document.values()))


def test_the_vectors_hold_every_primitive_tag() -> None:
    written = set().union(*(tags_in(json.loads(row["payload"])) for row in vectors().values()))
    # ExecutionSpanCollection is the old name, read only (tests/serialization/test_primitives.py)
    assert set(PRIMITIVE_TAGS) - {"ExecutionSpanCollection"} <= written
    assert json.loads(VECTORS.read_text())["made_with"]["qiskit-ibm-runtime"] == "0.51.0"


@pytest.mark.parametrize("name", sorted(vectors()))
def test_its_payloads_decode_here_as_it_reads_them(name: str) -> None:
    row = vectors()[name]
    assert describe(json.loads(row["payload"], cls=RuntimeDecoder)) == row["description"]


def our_payloads() -> dict[str, str]:
    made = values(OURS)
    for primitive in ("sampler", "estimator"):  # the same options its primitives sent
        sent = json.loads(vectors()[f"{primitive}_inputs"]["payload"])
        sent["pubs"] = [made[f"{primitive}_pub"]]
        made[f"{primitive}_inputs"] = sent
    return {name: json.dumps(value, cls=RuntimeEncoder) for name, value in made.items()}


@pytest.mark.ibm_runtime
def test_it_reads_our_payloads_as_it_reads_its_own() -> None:
    payloads = our_payloads()
    rows = [{"name": name, "payload": text} for name, text in payloads.items()]
    completed = subprocess.run(
        [str(ibm_runtime_python()), "-W", "ignore", str(HERE / "describe.py"), "ibm-runtime"],
        input=json.dumps(rows),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    read = json.loads(completed.stdout)
    expected = vectors()
    assert set(read) == set(expected)
    for name, outcome in sorted(read.items()):
        assert outcome["ok"], f"{name}: {outcome.get('error')}"
        assert outcome["value"] == expected[name]["description"], name
