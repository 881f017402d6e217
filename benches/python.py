#!/usr/bin/env python3
"""Throughput of refract's Python API and Spark path against the `refract` command.

Usage (from the repository root, with the package installed: pip install ./python):

    python benches/python.py [--patients 100000] [--spark-patients 100000] [--repeat 3]
                             [--spark-repeat 1] [--skip-spark]

Prints, for the same synthetic cohort (`refract synth --seed 1`, the six shipped
definitions): wall time, CPU time and patients/s of

- the CLI, `refract eval FILE > /dev/null` (JSON Lines out);
- `Definitions.evaluate_json(FILE)` (the same JSON lines, as Python strings);
- `Definitions.evaluate(FILE)` (a pyarrow table);
- `Definitions.evaluate(table)` on a long-format pyarrow table already in memory (the
  evaluation, not the conversion from pandas), against `refract eval --from csv` on the
  same rows as a CSV file;
- Spark local[2] over the long-format CSV, written to the `noop` sink, against the CLI
  on the same patients; and Spark's time with 1, 2, 4 and 8 partitions.

Each figure is the best of --repeat (Spark: --spark-repeat) runs. The load average is printed with each figure:
other processes on the machine slow every figure, the CLI's as much as Python's.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(os.environ.get("REFRACT_BIN", ROOT / "target" / "release" / "refract"))


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def best(label: str, patients: int, run, repeat: int, baseline: float | None = None) -> float:
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        run()
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before)))
    wall = min(walls)
    ratio = f"{wall / baseline:6.2f}x" if baseline else "      -"
    print(
        f"{label:<44} {wall:9.2f} s {min(cpus):9.2f} s {patients / wall:12,.0f} {ratio}   {load()}",
        flush=True,
    )
    return wall


def header(title: str) -> None:
    print(f"\n{title}")
    print(f"{'':<44} {'wall':>11} {'cpu':>11} {'patients/s':>12} {'vs CLI':>7}")


def cli_eval(path: Path, source: str = "jsonl") -> None:
    with open(os.devnull, "wb") as sink:
        subprocess.run([str(CLI), "eval", "--from", source, str(path)], stdout=sink, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--spark-patients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spark-repeat", type=int, default=1)
    parser.add_argument("--skip-spark", action="store_true")
    args = parser.parse_args()

    import pyarrow.csv

    import refract
    from refract._long import LONG_COLUMNS

    if not CLI.is_file():
        sys.exit(f"{CLI} not found: run `cargo build --release` first (or set REFRACT_BIN)")
    work = Path(tempfile.mkdtemp(prefix="refract-bench-"))
    cohort = work / "cohort.jsonl"
    with open(cohort, "wb") as out:
        subprocess.run([str(CLI), "synth", "--patients", str(args.patients), "--seed", "1"], stdout=out, check=True)
    long_csv = work / "cohort.csv"
    with open(long_csv, "wb") as out:
        subprocess.run([str(CLI), "convert", "--to", "csv", str(cohort)], stdout=out, check=True)
    defs = refract.load()
    print(f"machine: {os.cpu_count()} cores; {args.patients:,} synthetic patients x {len(defs)} definitions; {load()}")

    header("Python API")
    n = args.patients
    base = best("refract eval FILE (CLI)", n, lambda: cli_eval(cohort), args.repeat)
    best("Definitions.evaluate_json(FILE)", n, lambda: defs.evaluate_json(cohort), args.repeat, base)
    best("Definitions.evaluate(FILE) -> pyarrow", n, lambda: defs.evaluate(cohort), args.repeat, base)
    table = pyarrow.csv.read_csv(
        long_csv,
        convert_options=pyarrow.csv.ConvertOptions(
            column_types={c: pyarrow.string() for c in LONG_COLUMNS},
            strings_can_be_null=False,
        ),
    )
    header("Long format (the same patients as long CSV rows)")
    base_csv = best("refract eval --from csv FILE.csv (CLI)", n, lambda: cli_eval(long_csv, "csv"), args.repeat)
    best("Definitions.evaluate(long pyarrow table)", n, lambda: defs.evaluate(table), args.repeat, base_csv)
    del table

    if args.skip_spark:
        return
    from pyspark.sql import SparkSession

    import refract.spark

    # The executors' Python is this one, which has refract installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("refract-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    m = min(args.spark_patients, args.patients)
    if m < args.patients:
        cohort_m = work / "cohort-spark.jsonl"
        with open(cohort_m, "wb") as out:
            subprocess.run([str(CLI), "synth", "--patients", str(m), "--seed", "1"], stdout=out, check=True)
        csv_m = work / "cohort-spark.csv"
        with open(csv_m, "wb") as out:
            subprocess.run([str(CLI), "convert", "--to", "csv", str(cohort_m)], stdout=out, check=True)
    else:
        cohort_m, csv_m = cohort, long_csv
    df = spark.read.csv(str(csv_m), header=True, inferSchema=False, escape='"').cache()
    df.count()

    def spark_run(partitions: int):
        result = refract.spark.evaluate(df, defs, partitions=partitions)
        result.write.format("noop").mode("overwrite").save()

    header(f"Spark local[2], {m:,} patients (long CSV cached in memory)")
    base = best("refract eval FILE (CLI)", m, lambda: cli_eval(cohort_m), args.repeat)
    best("refract.spark.evaluate, 2 partitions", m, lambda: spark_run(2), args.spark_repeat, base)
    header("Spark scaling over partitions (local[2])")
    for partitions in (1, 2, 4, 8):
        best(f"refract.spark.evaluate, {partitions} partitions", m, lambda: spark_run(partitions), args.spark_repeat, base)
    spark.stop()


if __name__ == "__main__":
    main()
