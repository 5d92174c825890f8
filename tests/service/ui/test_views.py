"""What the job page makes of values: readable wire-format text, charts, histograms, pages."""

from __future__ import annotations

import json

import numpy as np
import pytest

from runtime_kit.serialization import RuntimeEncoder
from runtime_kit.service.ui.chart import MAX_POINTS, Series, find_counts, histogram
from runtime_kit.service.ui.pages import safe_next
from runtime_kit.service.ui.paging import Paging
from runtime_kit.service.ui.readable import readable_text


def test_readable_text_decodes_small_values_and_names_binary_ones() -> None:
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(2)
    circuit.h(0)
    value = {"z": 1 + 2j, "a": np.arange(3), "s": {3}, "circuit": circuit, "plain": "x"}
    shown = readable_text(json.dumps(value, cls=RuntimeEncoder))
    assert "(1+2j)" in shown and "array([0 1 2], shape=(3,)" in shown and "set([3])" in shown
    assert "<QuantumCircuit:" in shown and "encoded>" in shown and '"plain": "x"' in shown
    assert readable_text('"just text"') == "just text"
    assert readable_text("Traceback: not JSON") == "Traceback: not JSON"


def test_series_chart_the_numeric_fields_and_thin_long_runs() -> None:
    series = Series()
    for number in range(1, 3001):
        series.add(number, {"energy": -1 / number, "flag": True, "label": "x", "step": number})
    panels = {panel.name: panel for panel in series.panels()}
    assert set(panels) == {"energy", "step"}
    assert panels["energy"].count == 3000 and panels["energy"].x_last == 3000
    assert len(panels["step"].points.split()) <= MAX_POINTS + 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"counts": {"00": 3, "11": 5}}, {"00": 3, "11": 5}),
        ([{"x": 1}, {"0x1": 2}], {"0x1": 2}),
        ({"counts": {"00": -1}}, None),
        ({"a": {"b": {"c": {"00": 1}}}}, None),
    ],
)
def test_counts_are_found_near_the_top(value: object, expected: object) -> None:
    assert find_counts(value) == expected


def test_histogram_keeps_the_largest_bars_in_outcome_order() -> None:
    bars = histogram({format(i, "06b"): i for i in range(64)})
    assert len(bars) == 32 and bars[0].label == "100000" and bars[-1].count == 63


def test_paging_and_where_sign_in_leads() -> None:
    assert (Paging(9, 25, 60).number, Paging(9, 25, 60).offset) == (3, 50)
    assert Paging(1, 25, 0).pages == 1 and Paging(2, 25, 60).previous == 1
    assert safe_next("/ui/jobs/job-1?x=1") == "/ui/jobs/job-1?x=1"
    for hostile in ("https://evil.example/", "//evil.example/ui/", "/ui/sign-out", "/jobs"):
        assert safe_next(hostile) == "/ui/jobs"
