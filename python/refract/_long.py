"""Long-format tables (pandas, Polars, PyArrow, a Spark partition's Arrow batches) handed
to the engine as Arrow string buffers: one cell per row and column, as text, exactly as
the long CSV format writes it (docs/csv.md), so the library assembles each patient as it
does a CSV file's rows."""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

#: The columns of the long format, in order (docs/csv.md). ``time`` may be absent.
LONG_COLUMNS = ("patient", "date", "time", "event", "kind", "attribute", "value")


def require_columns(present: Any, what: str) -> None:
    """Raise ``ValueError`` unless ``present`` (column names) holds every long column
    but the optional ``time``; ``what`` names the table in the message."""
    missing = [c for c in LONG_COLUMNS if c not in present and c != "time"]
    if missing:
        raise ValueError(
            f"a long-format {what} needs the columns {', '.join(LONG_COLUMNS)}; "
            f"missing: {', '.join(missing)}"
        )


def as_arrow(table: Any) -> Optional[Any]:
    """``table`` as a ``pyarrow.Table`` when it is a data frame or Arrow table, else
    ``None`` (then it is taken as an iterable of patients)."""
    module = type(table).__module__.split(".")[0]
    if module not in ("pyarrow", "pandas", "polars"):
        return None
    import pyarrow as pa

    if isinstance(table, pa.Table):
        return table
    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table])
    if module == "pandas" and hasattr(table, "columns"):
        return pa.Table.from_pandas(table, preserve_index=False)
    if module == "polars" and hasattr(table, "to_arrow"):
        return table.to_arrow()
    return None


def cells(column: Any, name: str) -> Any:
    """One column as ``large_string`` cells: dates as ``YYYY-MM-DD``, times as
    ``HH:MM``, numbers as their shortest text, booleans as ``true``/``false``, nulls as
    empty cells."""
    import pyarrow as pa
    import pyarrow.compute as pc

    type_ = column.type
    if pa.types.is_dictionary(type_):
        column = column.cast(type_.value_type)
        type_ = column.type
    if pa.types.is_timestamp(type_) or pa.types.is_date64(type_):
        column = pc.cast(column, pa.date32())
    elif pa.types.is_time(type_):
        column = pc.utf8_slice_codeunits(pc.cast(column, pa.large_string()), 0, 5)
    if not pa.types.is_large_string(column.type):
        try:
            column = pc.cast(column, pa.large_string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise TypeError(f"column {name!r} of type {type_} cannot be read as text: {error}")
    return pc.fill_null(column, "")


def buffers(table: Any) -> List[Tuple[int, int, bytes, bytes]]:
    """The long columns of ``table`` as ``(offset, rows, offsets, data)`` of
    ``large_string`` arrays, in :data:`LONG_COLUMNS` order. Raises ``ValueError`` when a
    column is missing."""
    import pyarrow as pa

    names = set(table.column_names)
    require_columns(names, "table")
    found = []
    for name in LONG_COLUMNS:
        if name in names:
            column = cells(table.column(name), name)
        else:
            column = pa.array([""] * table.num_rows, pa.large_string())
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        _validity, offsets, data = column.buffers()
        found.append(
            (
                column.offset,
                len(column),
                offsets.to_pybytes() if offsets is not None else b"\0" * 8,
                data.to_pybytes() if data is not None else b"",
            )
        )
    return found
