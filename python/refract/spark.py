"""refract on Spark: a long-format Spark DataFrame evaluated in the executors.

>>> import refract, refract.spark
>>> defs = refract.load("definitions/")                       # doctest: +SKIP
>>> results = refract.spark.evaluate(long_df, defs)           # doctest: +SKIP

The rows are partitioned by patient and sorted within each partition (keeping their
order within a patient), then each partition's Arrow batches go to the engine with
``mapInArrow``: one call evaluates thousands of patients, with no pandas conversion and
no Python object per cell. The definitions travel to the executors as their text and are
compiled once per Python worker, cached by the text's hash. See docs/spark.md.
"""

from __future__ import annotations

import hashlib
import os
from functools import partial
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from . import Definitions, from_texts, load
from ._long import LONG_COLUMNS, require_columns

__all__ = ["evaluate", "result_schema", "long_columns"]

#: Compiled definitions in this Python worker, by the hash of their texts: a worker
#: evaluates many partitions, and compiles each set of definitions only once.
_COMPILED: Dict[str, Definitions] = {}

#: The column that keeps the input order of rows through the shuffle.
_ORDER = "__refract_row"


def result_schema(defs: Definitions, json: bool = False):
    """The Spark schema of :func:`evaluate`'s result: the columns of
    :meth:`refract.Definitions.evaluate` (``onset`` a date, every other column a
    string)."""
    from pyspark.sql.types import DateType, StringType, StructField, StructType

    fields = [
        StructField(name, DateType() if name == "onset" else StringType(), True)
        for name in defs.columns
    ]
    if json:
        fields.append(StructField("json", StringType(), True))
    return StructType(fields)


def long_columns(df):
    """``df``'s long-format columns as text, in the long format's order (``time`` empty
    when absent): dates as ``yyyy-MM-dd``, everything else cast to string."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, TimestampType

    types = dict(df.dtypes)
    require_columns(types, "DataFrame")
    fields = {f.name: f.dataType for f in df.schema.fields}
    columns = []
    for name in LONG_COLUMNS:
        if name not in fields:
            columns.append(F.lit("").alias(name))
        elif isinstance(fields[name], (DateType, TimestampType)):
            columns.append(F.date_format(F.col(name), "yyyy-MM-dd").alias(name))
        else:
            columns.append(F.col(name).cast("string").alias(name))
    return columns


def evaluate(
    df,
    defs: Any = None,
    *,
    json: bool = False,
    partitions: Optional[int] = None,
    threads: int = 1,
):
    """Evaluate a long-format Spark DataFrame (columns ``patient, date, time, event, kind,
    attribute, value``) against ``defs`` (a :class:`refract.Definitions`, or anything
    :func:`refract.load` takes, read on the driver).

    Returns a DataFrame with the columns of :meth:`refract.Definitions.evaluate`, one row
    per patient × definition; a patient that cannot be read gives ``error`` rows, never a
    failed job. ``partitions`` sets how many partitions the rows are shuffled into
    (default: the session's ``spark.sql.shuffle.partitions``); ``threads`` is how many
    threads each task evaluates on (one per task by default: Spark runs one task per
    core).
    """
    from pyspark.sql import functions as F

    if not isinstance(defs, Definitions):
        defs = load(defs)
    texts = defs.texts
    key = _key(texts)
    schema = result_schema(defs, json)
    rows = df.select(*long_columns(df)).withColumn(_ORDER, F.monotonically_increasing_id())
    rows = rows.repartition(partitions, "patient") if partitions else rows.repartition("patient")
    rows = rows.sortWithinPartitions("patient", _ORDER).drop(_ORDER)
    work = partial(_partition, texts, key, json, str(max(1, int(threads))))
    return rows.mapInArrow(work, schema)


def _key(texts: Sequence[Tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for name, text in texts:
        for part in (name, text):
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
    return digest.hexdigest()


def _compiled(texts: Sequence[Tuple[str, str]], key: str) -> Definitions:
    found = _COMPILED.get(key)
    if found is None:
        found = from_texts(texts)
        _COMPILED[key] = found
    return found


def _partition(texts, key: str, json: bool, threads: str, batches: Iterator[Any]):
    """Runs in the executors: the partition's batches, whose rows are sorted by patient,
    evaluated a run of whole patients at a time (a patient whose rows go on into the next
    batch waits for them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # Read when the evaluation pool starts, so set before this worker's first evaluation.
    os.environ.setdefault("REFRACT_THREADS", threads)
    defs = _compiled(texts, key)
    pending = None
    for batch in batches:
        table = pa.Table.from_batches([batch])
        if pending is not None:
            table = pa.concat_tables([pending, table])
        if table.num_rows == 0:
            continue
        patients = table.column("patient")
        last = patients[table.num_rows - 1]
        # The first row of the last patient: rows before it are whole patients.
        cut = pc.index(patients, last).as_py()
        ready, pending = table.slice(0, cut), table.slice(cut)
        if ready.num_rows:
            yield from _results(defs, ready, json)
    if pending is not None and pending.num_rows:
        yield from _results(defs, pending, json)


def _results(defs: Definitions, rows, json: bool):
    import pyarrow as pa

    table = defs.evaluate(rows, json=json)
    strings = pa.schema(
        [pa.field(f.name, pa.string() if f.type == pa.large_string() else f.type) for f in table.schema]
    )
    yield from table.cast(strings).to_batches()
