"""Long-format tables (pandas, Polars, PyArrow) handed to the engine as Arrow buffers."""

from __future__ import annotations

from typing import Any, Optional

#: The columns of the long format, in order (see docs/csv.md).
LONG_COLUMNS = ("patient", "date", "time", "event", "kind", "attribute", "value")


def as_arrow(table: Any) -> Optional[Any]:
    """``table`` as a ``pyarrow.Table`` when it is a table at all, else ``None``."""
    module = type(table).__module__.split(".")[0]
    if module not in ("pyarrow", "pandas", "polars"):
        return None
    import pyarrow as pa

    if isinstance(table, pa.Table):
        return table
    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table])
    if module == "pandas":
        return pa.Table.from_pandas(table, preserve_index=False)
    if module == "polars":
        return table.to_arrow()
    return None


def buffers(table: Any) -> Any:
    raise NotImplementedError("long-format tables are not read yet")
