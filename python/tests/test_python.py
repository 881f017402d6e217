"""The Python API against the `refract` command, field by field, and its error handling."""

from __future__ import annotations

import datetime
import json
import pickle
import threading
import time
from decimal import Decimal

import pyarrow as pa
import pytest

import refract
from conftest import COHORT, ROOT, by_key, cli_lines, run_cli


def assert_table_matches(table: pa.Table, defs: refract.Definitions, lines) -> None:
    """Every row of `table` equals the CLI's line for the same patient and definition,
    field by field, in the CLI's order."""
    expected = [json.loads(line) for line in lines]
    rows = table.to_pylist()
    assert len(rows) == len(expected)
    criteria = defs.columns[len(refract.FIXED_COLUMNS):-1]
    for row, want in zip(rows, expected):
        assert row["patient"] == want["patient"]
        assert row["definition"] == want["definition"]
        if "error" in want:
            assert row["result"] == "error"
            assert row["error"] == want["error"]
            continue
        assert row["outcome"] == want["outcome"]
        assert row["result"] == want["result"]
        onset = want["onset"] and datetime.date.fromisoformat(want["onset"])
        assert row["onset"] == (onset or None)
        assert row["error"] is None
        results = {c["name"]: c["result"] for c in want["criteria"]}
        for name in criteria:
            assert row[name] == results.get(name), (row["patient"], name)


def test_example_cohort_equals_the_cli_byte_for_byte():
    defs = refract.load()
    lines = defs.evaluate_json(str(COHORT))
    assert "\n".join(lines) + "\n" == run_cli("eval", str(COHORT))


def test_example_cohort_table_equals_the_cli_field_by_field():
    defs = refract.load()
    table = defs.evaluate(COHORT, json=True)
    lines = cli_lines(str(COHORT))
    assert_table_matches(table, defs, lines)
    assert table.column("json").to_pylist() == lines
    assert table.column_names[:5] == list(refract.FIXED_COLUMNS)
    assert table.schema.field("onset").type == pa.date32()


def test_ten_thousand_synthetic_patients_equal_the_cli(synthetic):
    defs = refract.load()
    lines = cli_lines(str(synthetic))
    assert len(lines) == 60_000
    assert_table_matches(defs.evaluate(str(synthetic)), defs, lines)
    assert defs.evaluate_json(synthetic) == lines


def test_dicts_with_exact_numbers_equal_the_cli():
    defs = refract.load()
    patients = [json.loads(l, parse_float=Decimal) for l in COHORT.read_text().splitlines() if l.strip()]
    assert defs.evaluate_json(patients) == cli_lines(str(COHORT))


def test_dicts_with_floats_and_dates_give_the_same_results():
    defs = refract.load()
    patients = [json.loads(l) for l in COHORT.read_text().splitlines() if l.strip()]
    for patient in patients:
        for event in patient["events"]:
            event["date"] = datetime.date.fromisoformat(event["date"])
    table = defs.evaluate(patients)
    assert_table_matches(table, defs, cli_lines(str(COHORT)))


def test_text_input_equals_file_input():
    defs = refract.load()
    text = COHORT.read_text()
    assert defs.evaluate(text).equals(defs.evaluate(str(COHORT)))


def test_as_of_equals_the_cli():
    defs = refract.load()
    got = defs.evaluate_json(str(COHORT), as_of="2021-03-31")
    assert got == cli_lines("--as-of", "2021-03-31", str(COHORT))


def test_a_malformed_patient_is_an_error_row_and_the_rest_are_evaluated(tmp_path):
    good = COHORT.read_text().splitlines()[:2]
    bad = '{"id": "bad-date", "events": [{"date": "2021-02-30", "kind": "tace"}]}'
    broken = '{"id": "broken", "events": ['
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([good[0], bad, broken, good[1], good[0]]) + "\n")
    defs = refract.load()
    table = defs.evaluate(path)
    assert table.num_rows == 5 * len(defs)
    rows = table.to_pylist()
    errors = [r for r in rows if r["result"] == "error"]
    assert {r["patient"] for r in errors} == {"bad-date", "broken", json.loads(good[0])["id"]}
    bad_rows = [r for r in errors if r["patient"] == "bad-date"]
    assert [r["definition"] for r in bad_rows] == defs.ids
    assert "line 2: events[0].date" in bad_rows[0]["error"]
    assert "was already used at line 1" in errors[-1]["error"]
    # The second patient of the file is evaluated as usual.
    second = [r for r in rows if r["patient"] == json.loads(good[1])["id"]]
    assert all(r["result"] in ("met", "not_met", "unknown") for r in second)
    # And the JSON lines, error lines included, are the CLI's.
    assert defs.evaluate_json(path) == cli_lines(str(path))


def test_a_dict_that_is_not_json_is_an_error_row():
    defs = refract.load()
    patients = [
        {"id": "P1", "events": [{"date": "2021-01-01", "kind": "tace", "agents": {"x"}}]},
        {"id": "P2", "events": []},
    ]
    rows = defs.evaluate(patients).to_pylist()
    assert [r["result"] for r in rows[: len(defs)]] == ["error"] * len(defs)
    assert rows[0]["error"] == "patients line 1: events[0].agents: a Python set, which has no JSON form"
    assert all(r["result"] != "error" for r in rows[len(defs):])


def test_a_bad_definition_raises_with_its_diagnostics():
    text = (ROOT / "tests/errors/check/at_least_zero.crit").read_text()
    with pytest.raises(refract.DefinitionError) as raised:
        refract.load(text)
    (problem,) = raised.value.errors
    assert problem.code == "refract::check::always_true"
    assert problem.message == "`at least 0` always holds"
    assert (problem.line, problem.column) == (7, 5)
    assert problem.label == "this counts nothing"
    assert problem.help.startswith("write `at least 1`")
    start, end = problem.span
    assert text[start:end] == "at least 0 sessions"
    assert "this counts nothing" in str(raised.value)


def test_a_bad_definition_file_raises_as_refract_check_reports_it():
    path = ROOT / "tests/errors/check/several_independent_errors.crit"
    with pytest.raises(refract.DefinitionError) as raised:
        refract.load(path)
    assert len(raised.value.errors) >= 2
    assert all(d.file == str(path) for d in raised.value.diagnostics)
    import subprocess
    from conftest import _cli

    shown = subprocess.run([str(_cli()), "check", str(path)], capture_output=True, text=True)
    for diagnostic in raised.value.diagnostics:
        assert diagnostic.message in shown.stderr + shown.stdout
        assert diagnostic.code in shown.stderr + shown.stdout


def test_a_missing_path_raises():
    with pytest.raises(refract.DefinitionError) as raised:
        refract.load("no/such/definitions.crit")
    assert "cannot read no/such/definitions.crit" in raised.value.errors[0].message


def test_definitions_from_a_folder_equal_the_shipped_ones():
    from_folder = refract.load(ROOT / "definitions")
    shipped = refract.load()
    assert from_folder.ids == shipped.ids
    assert [t for _, t in from_folder.texts] == [t for _, t in shipped.texts]


def test_definitions_pickle_as_their_texts():
    defs = refract.load(ROOT / "definitions" / "studies")
    again = pickle.loads(pickle.dumps(defs))
    assert again.ids == defs.ids
    assert again.evaluate(COHORT).equals(defs.evaluate(COHORT))


def test_the_gil_is_released_while_evaluating(synthetic):
    defs = refract.load()
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    started = time.perf_counter()
    defs.evaluate(synthetic)
    finished = time.perf_counter()
    done.set()
    ticker.join()
    during = [t for t in ticks if started < t < finished]
    # With the GIL held for the whole evaluation the ticker could not run at all.
    assert len(during) > 10


def long_csv(tmp_path, jsonl) -> "Path":
    out = tmp_path / "long.csv"
    out.write_text(run_cli("convert", "--to", "csv", str(jsonl)))
    return out


def test_a_long_pandas_frame_equals_the_cli(tmp_path):
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(long_csv(tmp_path, COHORT), dtype=str, keep_default_na=False)
    defs = refract.load()
    table = defs.evaluate(frame)
    assert_table_matches(table, defs, cli_lines(str(COHORT)))


def test_a_long_arrow_table_with_typed_columns_equals_the_cli(tmp_path, synthetic):
    import pyarrow.csv

    defs = refract.load()
    # Typed as pyarrow infers them: dates as date32, numbers as int64/double.
    table = pyarrow.csv.read_csv(long_csv(tmp_path, synthetic))
    assert_table_matches(defs.evaluate(table), defs, cli_lines(str(synthetic)))


def test_a_long_polars_frame_equals_the_cli(tmp_path):
    polars = pytest.importorskip("polars")
    frame = polars.read_csv(long_csv(tmp_path, COHORT), infer_schema_length=0)
    defs = refract.load()
    assert_table_matches(defs.evaluate(frame), defs, cli_lines(str(COHORT)))


def test_a_long_table_json_equals_the_cli_on_the_same_csv(tmp_path):
    csv = long_csv(tmp_path, COHORT)
    import pyarrow.csv

    table = pyarrow.csv.read_csv(
        csv,
        convert_options=pyarrow.csv.ConvertOptions(
            column_types={c: pa.string() for c in refract._long.LONG_COLUMNS},
            strings_can_be_null=False,
        ),
    )
    defs = refract.load()
    got = defs.evaluate_json(table)
    want = cli_lines("--from", "csv", str(csv))
    # Evidence names the row an event came from: the table's row N is the file's line
    # N + 1 (the file has a header line).
    import re

    shift = lambda line: re.sub(r'"line (\d+)"', lambda m: f'"line {int(m.group(1)) + 1}"', line)
    assert [shift(line) for line in got] == want


def test_a_malformed_long_row_is_an_error_row(tmp_path):
    frame = pa.table(
        {
            "patient": ["P1", "P2", "P2", "P3"],
            "date": ["2021-01-01", "2021-01-01", "2021-02-30", "2021-01-01"],
            "time": ["", "", "", ""],
            "event": ["0", "0", "1", "0"],
            "kind": ["tace", "tace", "imaging", "status"],
            "attribute": ["", "", "viable_percent", "ecog"],
            "value": ["", "", "40", "3"],
        }
    )
    defs = refract.load()
    rows = defs.evaluate(frame).to_pylist()
    bad = [r for r in rows if r["patient"] == "P2"]
    assert len(bad) == len(defs) and all(r["result"] == "error" for r in bad)
    assert "line 3" in bad[0]["error"] and "2021-02-30" in bad[0]["error"]
    assert {r["result"] for r in rows if r["patient"] == "P3" and r["definition"] == "cci-2022-unsuitable"} == {"met"}


def test_a_long_table_without_its_columns_raises():
    with pytest.raises(ValueError, match="missing: event"):
        refract.load().evaluate(pa.table({"patient": ["P1"], "date": ["2021-01-01"], "kind": ["tace"], "attribute": [""], "value": [""]}))
