"""refract from Python: definitions of TACE refractoriness evaluated against patient
timelines, with refract's own engine (the same parser, checker, evaluator and JSON as the
``refract`` command).

>>> import refract
>>> defs = refract.load()                      # the six shipped definitions
>>> table = defs.evaluate("examples/cohort.jsonl")   # doctest: +SKIP
>>> table.to_pandas()                           # doctest: +SKIP

``refract.load`` takes a definition's text, a ``.crit`` file or a folder of them;
``Definitions.evaluate`` takes patients as dicts, JSON Lines text or a file, or a
long-format table (pandas, Polars, PyArrow), and gives a ``pyarrow.Table`` with one row
per patient and definition. See docs/python.md.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, List, Optional, Sequence, Tuple, Union

from . import _refract
from ._refract import Diagnostic

__all__ = [
    "load",
    "from_texts",
    "Definitions",
    "Diagnostic",
    "DefinitionError",
    "FIXED_COLUMNS",
]

__version__ = _refract.__version__

#: The columns every results table starts with; the criteria follow, then ``error``.
FIXED_COLUMNS = ("patient", "definition", "outcome", "result", "onset")


class DefinitionError(ValueError):
    """A definition could not be used: every problem found, as :class:`Diagnostic`
    objects in ``diagnostics`` (warnings included), and as ``refract check`` shows them in
    the message."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics: List[Diagnostic] = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        shown = "\n".join(d.rendered.rstrip("\n") for d in errors or self.diagnostics)
        super().__init__(shown or "the definitions could not be loaded")

    @property
    def errors(self) -> List[Diagnostic]:
        """The diagnostics that are errors."""
        return [d for d in self.diagnostics if d.severity == "error"]


Source = Union[str, "os.PathLike[str]"]


def load(source: Union[Source, Sequence[Source], None] = None) -> "Definitions":
    """Load and check definitions.

    ``source`` is a definition's text, the path of a ``.crit`` file, the path of a folder
    (its ``*.crit`` files, as ``refract eval -d FOLDER`` reads them), or a list of these;
    ``None`` gives the six definitions ``refract eval`` uses by default. A string is taken
    as text when it contains a line break or starts with ``definition``, else as a path.

    Raises :class:`DefinitionError` carrying every diagnostic when any definition has an
    error; warnings are kept in :attr:`Definitions.warnings`.
    """
    if source is None:
        return from_texts(_refract.shipped_texts())
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    texts: List[Tuple[str, str]] = []
    paths: List[str] = []
    for item in items:
        if isinstance(item, str) and _is_text(item):
            texts.append((f"<text {len(texts) + 1}>", item))
        else:
            paths.append(os.fspath(item))
    if not texts:
        return _finish(_refract.load_paths(paths))
    for path in paths:
        # Read through the library (size limit, diagnostics for unreadable files), then
        # compiled with the texts, so ids are checked for repeats across all of them.
        texts.extend(_finish(_refract.load_paths([path])).texts)
    return from_texts(texts)


def from_texts(texts: Iterable[Tuple[str, str]]) -> "Definitions":
    """Compile definitions given as ``(name, text)`` pairs; the name is used in
    diagnostics. Raises :class:`DefinitionError` as :func:`load` does."""
    return _finish(_refract.compile_texts([(str(n), str(t)) for n, t in texts]))


def _is_text(item: str) -> bool:
    stripped = item.lstrip()
    return "\n" in item or stripped.startswith("definition") or stripped.startswith("//")


def _finish(loaded: Tuple[Optional[Any], List[Diagnostic]]) -> "Definitions":
    compiled, diagnostics = loaded
    if compiled is None:
        raise DefinitionError(diagnostics)
    return Definitions(compiled, diagnostics)


class Definitions:
    """A checked set of definitions, in id order. Made by :func:`load`; evaluate
    patients with :meth:`evaluate` (a table) or :meth:`evaluate_json` (the JSON lines of
    ``refract eval``). Picklable: it travels as its texts and is compiled again."""

    def __init__(self, compiled: Any, warnings: Sequence[Diagnostic] = ()):
        self._compiled = compiled
        self._warnings = list(warnings)

    @property
    def ids(self) -> List[str]:
        """The definitions' ids, in order."""
        return list(self._compiled.ids)

    @property
    def outcomes(self) -> List[str]:
        """Each definition's outcome name (``refractory``, ``unsuitable``, …)."""
        return list(self._compiled.outcomes)

    @property
    def criteria(self) -> dict:
        """Each definition's criteria names, in file order, by definition id."""
        return dict(zip(self._compiled.ids, self._compiled.criteria))

    @property
    def columns(self) -> List[str]:
        """All columns of :meth:`evaluate`'s table (without ``json``)."""
        return [*FIXED_COLUMNS, *self._compiled.columns, "error"]

    @property
    def texts(self) -> List[Tuple[str, str]]:
        """Each definition's ``(name, text)``: what :func:`from_texts` compiles again."""
        return list(self._compiled.texts)

    @property
    def warnings(self) -> List[Diagnostic]:
        """The warnings found while checking (unknown kinds or attributes, …)."""
        return list(self._warnings)

    def __len__(self) -> int:
        return len(self._compiled.ids)

    def __repr__(self) -> str:
        return f"<refract.Definitions {', '.join(self.ids)}>"

    def __reduce__(self):
        return (from_texts, (self.texts,))

    def evaluate(self, patients: Any, *, as_of: Optional[str] = None, json: bool = False):
        """Evaluate every patient against every definition.

        ``patients`` is one of: an iterable of dicts (or one dict) in the timeline format;
        JSON Lines text (a string containing a line break or starting with ``{``); the
        path of a JSON Lines file (``str`` or ``os.PathLike``); or a long-format table
        (pandas or Polars DataFrame, PyArrow Table) with the columns ``patient, date,
        time, event, kind, attribute, value``.

        Returns a ``pyarrow.Table``, one row per patient × definition, in input order:
        ``patient``, ``definition``, ``outcome``, ``result`` (``met``, ``not_met``,
        ``unknown``, or ``error``), ``onset`` (a date or null), one column per criterion
        (null where a definition has no such criterion), ``error`` (why a row has no
        result, else null), and with ``json=True`` the ``json`` column: each row's line of
        ``refract eval``. A patient that cannot be read gets one ``error`` row per
        definition; the others are evaluated. ``as_of`` (``YYYY-MM-DD``) ignores later
        events, as ``refract eval --as-of`` does. Evaluation runs without the GIL, on
        every core.
        """
        columns, _ = self._run(patients, as_of=as_of, table=True, json=json, lines=False)
        return _table(columns)

    def evaluate_json(self, patients: Any, *, as_of: Optional[str] = None) -> List[str]:
        """The lines ``refract eval`` prints for ``patients`` (taken as in
        :meth:`evaluate`), without line breaks: one per patient × definition, and one
        ``{"patient":…,"error":…}`` line per patient that cannot be read."""
        _, lines = self._run(patients, as_of=as_of, table=False, json=False, lines=True)
        return list(lines)

    def _run(self, patients: Any, **options: Any):
        kind, source, name = _classify(patients)
        return self._compiled.run(kind, source, name, **options)


def _classify(patients: Any) -> Tuple[str, Any, str]:
    """What kind of input ``patients`` is: ``(kind, value, name in messages)``."""
    if isinstance(patients, str):
        stripped = patients.lstrip()
        if "\n" in patients or stripped.startswith("{") or not stripped:
            return "text", patients, "<text>"
        return "path", patients, patients
    if isinstance(patients, bytes):
        return "text", patients.decode("utf-8"), "<text>"
    if isinstance(patients, os.PathLike):
        path = os.fspath(patients)
        return "path", path, str(path)
    if isinstance(patients, dict):
        return "dicts", [patients], "patients"
    from . import _long

    table = _long.as_arrow(patients)
    if table is not None:
        return "long", _long.buffers(table), "table"
    return "dicts", patients, "patients"


def _table(columns: List[Tuple[str, str, int, int, List[bytes]]]):
    import pyarrow as pa

    arrays = []
    names = []
    for name, kind, rows, nulls, buffers in columns:
        validity = pa.py_buffer(buffers[0]) if nulls else None
        rest = [pa.py_buffer(b) for b in buffers[1:]]
        type_ = pa.large_string() if kind == "string" else pa.date32()
        arrays.append(pa.Array.from_buffers(type_, rows, [validity, *rest], null_count=nulls))
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)
