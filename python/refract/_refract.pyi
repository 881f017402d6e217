"""Type stubs of the compiled half of the refract package (python/src/)."""

from typing import Any, List, Literal, Optional, Sequence, Tuple

__version__: str

class Diagnostic:
    """One problem found in a definition: an error or a warning, at a place in its file."""

    code: str
    """``refract::<stage>::<what>``, e.g. ``refract::check::unknown_attribute``."""
    severity: Literal["error", "warning"]
    message: str
    """What is wrong, in one sentence."""
    file: str
    """The file's name (its path, or the name given with its text)."""
    span: Optional[Tuple[int, int]]
    """Byte offsets ``(start, end)`` into the file's text (UTF-8)."""
    line: Optional[int]
    """The 1-based line of the span's start."""
    column: Optional[int]
    """The 1-based column, in characters, of the span's start."""
    label: Optional[str]
    """What is wrong right at the span."""
    help: Optional[str]
    """What to write instead."""
    rendered: str
    """The problem as ``refract check`` shows it (no colour, 80 columns)."""

Column = Tuple[str, Literal["string", "date32"], int, int, List[bytes]]

class Compiled:
    """A checked set of definitions, in id order."""

    @property
    def ids(self) -> List[str]: ...
    @property
    def outcomes(self) -> List[str]: ...
    @property
    def criteria(self) -> List[List[str]]: ...
    @property
    def columns(self) -> List[str]: ...
    @property
    def texts(self) -> List[Tuple[str, str]]: ...
    def run(
        self,
        kind: Literal["text", "path", "dicts", "long"],
        source: Any,
        name: str,
        as_of: Optional[str] = None,
        table: bool = True,
        json: bool = False,
        lines: bool = False,
    ) -> Tuple[Optional[List[Column]], Optional[List[str]]]: ...

def compile_texts(texts: Sequence[Tuple[str, str]]) -> Tuple[Optional[Compiled], List[Diagnostic]]: ...
def load_paths(paths: Sequence[str]) -> Tuple[Optional[Compiled], List[Diagnostic]]: ...
def shipped_texts() -> List[Tuple[str, str]]: ...
