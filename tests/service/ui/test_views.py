"""What the pages make of values: readable wire-format text, charts, histograms, times,
parameter defaults, pages."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from runtime_kit.serialization import RuntimeEncoder
from runtime_kit.service.ui.chart import MAX_POINTS, MAX_SERIES, Series, find_counts, histogram
from runtime_kit.service.ui.pages import safe_next
from runtime_kit.service.ui.paging import Paging
from runtime_kit.service.ui.program_routes import parameters_of
from runtime_kit.service.ui.program_source import main_defaults
from runtime_kit.service.ui.readable import readable_text
from runtime_kit.service.ui.timestamps import when_html


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
        series.add(number, {"energy": -1 / number, "flag": True, "label": "x", "noise": number % 7})
    panels = {panel.name: panel for panel in series.panels()}
    assert set(panels) == {"energy", "noise"}
    assert panels["energy"].count == 3000 and panels["energy"].x_last == 3000
    assert len(panels["noise"].points.split()) <= MAX_POINTS + 1


def test_only_fields_that_vary_and_are_neither_ids_nor_counters_are_charted() -> None:
    series = Series()
    for number in range(1, 21):
        series.add(
            number,
            {
                "iteration": number - 1,  # a counter by name and by shape
                "uid": 7919 * number % 1000,  # an id by name, however it varies
                "jobId": number * 31 % 17,
                "run_seed": number * 13 % 11,
                "nfev": 3 * (number // 2),  # a counter by name: never decreases
                "evaluated": 5 * number,  # a counter by shape: the same rise each time
                "shots": 1024,  # does not vary
                "best_cut": min(number, 6),  # an integer quantity: rises, then stays
                "energy": -1 + 1 / number,
                "fluid": (number % 3) / 2,  # ends in "id", but is no id
            },
        )
    assert [panel.name for panel in series.panels()] == ["best_cut", "energy", "fluid"]


def test_junk_fields_seen_first_leave_room_for_the_charted_ones() -> None:
    series = Series()
    for number in range(1, 4):
        junk = {f"constant_{index}": 1 for index in range(MAX_SERIES + 2)}
        series.add(number, {**junk, "energy": float(number) ** 0.5})
    assert [panel.name for panel in series.panels()] == ["energy"]
    one_point = Series()
    one_point.add(1, {"energy": -0.5})
    assert one_point.panels() == []  # one value does not vary yet


def test_times_read_as_date_and_time_with_the_stored_iso_in_the_title() -> None:
    shown = when_html("2026-11-25T12:21:05.213475Z")
    assert shown == (
        '<time datetime="2026-11-25T12:21:05.213Z" title="2026-11-25T12:21:05.213475Z">'
        "2026-11-25 12:21:05 UTC</time>"
    )
    assert when_html("2026-11-25T13:21:05+01:00").endswith(">2026-11-25 12:21:05 UTC</time>")
    assert when_html("2026-11-25T12:21:05").endswith(">2026-11-25 12:21:05 UTC</time>")  # naive
    assert when_html("<b>soon</b>") == "<time>&lt;b&gt;soon&lt;/b&gt;</time>"
    assert when_html(None) == ""


DEFAULTS_SOURCE = """
import numpy as np

raise SystemExit("never imported")


def main(backend, user_messenger, steps, shots=1024, angle=np.pi / 2, basis=("x", "z"),
         *, label="run", tags={1, 2}, depth=None, seed=None):
    return None
"""


def test_main_defaults_are_read_from_the_source_without_importing_it() -> None:
    defaults = main_defaults(DEFAULTS_SOURCE.encode(), "source")
    assert defaults == {
        "shots": "1024",
        "angle": "np.pi / 2",
        "basis": '["x", "z"]',
        "label": '"run"',
        "tags": "{1, 2}",
        "depth": "null",
        "seed": "null",
    }
    assert main_defaults(b"def main(backend, user_messenger, x=1:\n", "source") == {}
    assert main_defaults(b"print('no main here')\n", "source") == {}


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, text in files.items():
            bundle.writestr(name, text)
    return buffer.getvalue()


def test_main_defaults_of_a_bundle_come_from_its_program_module() -> None:
    helper = "def main(backend, user_messenger, wrong=0):\n    pass\n"
    program = "def main(backend, user_messenger, right=1):\n    pass\n"
    named = zip_of({"lib/helper.py": helper, "program.py": program, "data.json": "{}"})
    assert main_defaults(named, "zip") == {"right": "1"}
    only_one = zip_of({"solver.py": program, "util.py": "X = 1\n", "pkg/deep.py": helper})
    assert main_defaults(only_one, "zip") == {"right": "1"}
    two = zip_of({"a.py": program, "b.py": helper})
    assert main_defaults(two, "zip") == {}  # which one is the program? the harness refuses too
    assert main_defaults(b"not a zip", "zip") == {}


def test_the_parameter_table_takes_schema_defaults_before_main_defaults() -> None:
    schema = {
        "type": "object",
        "properties": {"shots": {"type": "integer", "default": 100}, "seed": {}, "other": {}},
        "required": ["other"],
    }
    rows = {row.name: row for row in parameters_of(schema, {"shots": "1024", "seed": "null"})}
    assert (rows["shots"].default, rows["shots"].default_from) == ("100", "schema")
    assert (rows["seed"].default, rows["seed"].default_from) == ("null", "main()")
    assert (rows["other"].default, rows["other"].default_from) == ("", "")


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
