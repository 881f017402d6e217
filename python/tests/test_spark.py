"""refract.spark on a local[2] session: the same results as the `refract` command."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest

pyspark = pytest.importorskip("pyspark", reason="pyspark is installed by .ci/run")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (openjdk-17-jre-headless)", allow_module_level=True)

import refract
import refract.spark
from refract import omop
from conftest import cli_lines, run_cli

OMOP = Path(__file__).with_name("omop")


@pytest.fixture(scope="module")
def spark():
    import os
    import sys

    from pyspark.sql import SparkSession

    # The executors' Python is this one, which has refract installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("refract-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def results(df) -> dict:
    """The rows of a result DataFrame by (patient, definition)."""
    return {(r["patient"], r["definition"]): r.asDict() for r in df.collect()}


def expected(lines, defs) -> dict:
    found = {}
    for line in lines:
        value = json.loads(line)
        key = (value["patient"], value.get("definition"))
        if "error" in value:
            found[key] = {"result": "error", "error": value["error"]}
            continue
        row = {
            "outcome": value["outcome"],
            "result": value["result"],
            "onset": value["onset"] and datetime.date.fromisoformat(value["onset"]),
            "error": None,
        }
        criteria = {c["name"]: c["result"] for c in value["criteria"]}
        for name in defs.columns[len(refract.FIXED_COLUMNS):-1]:
            row[name] = criteria.get(name)
        found[key] = row
    return found


def assert_same(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for key, row in want.items():
        for field, value in row.items():
            assert got[key][field] == value, (key, field)


def long_csv(tmp_path: Path, jsonl: Path) -> Path:
    out = tmp_path / (jsonl.stem + ".csv")
    out.write_text(run_cli("convert", "--to", "csv", str(jsonl)))
    return out


def read_long(spark, path: Path):
    # RFC 4180 quoting, as refract writes CSV: a quote inside a cell is doubled.
    return spark.read.csv(str(path), header=True, inferSchema=False, escape='"')


def test_synthetic_patients_on_local_2_equal_the_cli(spark, tmp_path):
    cohort = tmp_path / "synth.jsonl"
    cohort.write_text(run_cli("synth", "--patients", "2000", "--seed", "1"))
    defs = refract.load()
    df = read_long(spark, long_csv(tmp_path, cohort))
    got = results(refract.spark.evaluate(df, defs))
    assert len(got) == 2000 * len(defs)
    assert_same(got, expected(cli_lines(str(cohort)), defs))


def test_the_example_cohort_with_json_equals_the_cli(spark, tmp_path):
    root = Path(__file__).resolve().parents[2]
    cohort = root / "examples" / "cohort.jsonl"
    defs = refract.load()
    df = read_long(spark, long_csv(tmp_path, cohort))
    got = results(refract.spark.evaluate(df, defs, json=True, partitions=3))
    lines = cli_lines(str(cohort))
    assert_same(got, expected(lines, defs))
    # Each row's JSON is its line of refract eval, but for `source` in evidence, which
    # names the row within the batch the executor evaluated.
    import re

    unsourced = lambda line: re.sub(r',"source":"line \d+"', "", line)
    by_row = {(r["patient"], r["definition"]): unsourced(r["json"]) for r in got.values()}
    for line in lines:
        value = json.loads(line)
        assert by_row[(value["patient"], value["definition"])] == line


def test_a_malformed_patient_is_an_error_row_not_a_failed_job(spark):
    rows = [
        ("P1", "2021-01-01", "", "0", "tace", "", ""),
        ("P2", "2021-02-30", "", "0", "tace", "", ""),
        ("P3", "2021-01-01", "", "0", "status", "ecog", "3"),
    ]
    df = spark.createDataFrame(rows, list(refract._long.LONG_COLUMNS))
    got = results(refract.spark.evaluate(df, refract.load()))
    bad = [row for key, row in got.items() if key[0] == "P2"]
    assert len(bad) == 6 and all(r["result"] == "error" for r in bad)
    assert "2021-02-30" in bad[0]["error"]
    assert got[("P3", "cci-2022-unsuitable")]["result"] == "met"
    assert got[("P1", "cci-2022")]["result"] == "not_met"


def test_omop_tables_to_long_format_to_results(spark):
    for table in ("procedure_occurrence", "measurement", "observation"):
        spark.read.csv(str(OMOP / f"{table}.csv"), header=True, inferSchema=True) \
            .createOrReplaceTempView(table)
    long_df = omop.long_format(spark)
    defs = refract.load()
    got = results(refract.spark.evaluate(long_df, defs))
    assert_same(got, expected(cli_lines(str(OMOP / "expected.jsonl")), defs))
    # Hand-derived: 101's target sum grows from 40 to 52 mm (+30 %) after the third session.
    assert got[("101", "cci-2022")]["result"] == "met"
    assert got[("101", "cci-2022")]["onset"] == datetime.date(2021, 8, 23)
    # 102 has ECOG 3.
    assert got[("102", "cci-2022-unsuitable")]["result"] == "met"
    # Person 104 has only an unmapped procedure: no rows, no patient.
    assert not any(key[0] == "104" for key in got)
