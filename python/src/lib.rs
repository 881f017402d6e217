//! refract from Python: the library's pipeline (text → parse → check → evaluate →
//! report) behind a small Python face. This module is the compiled half of the `refract`
//! package; `refract/__init__.py` is the typed face users call.

mod definitions;
mod diagnostics;
mod evaluate;
mod input;
mod long;
mod table;

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use refract::check::Checked;
use refract::date::Date;
use refract::report::csv_columns;

use diagnostics::Diagnostic;
use evaluate::{Items, Wanted};
use table::{Columns, Dates, Strings};

// As in the CLI: evaluation's many small allocations are served several times faster
// (Rust allocations only; Python objects keep Python's allocator).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A checked set of definitions, in id order, ready to evaluate.
#[pyclass(frozen, module = "refract._refract")]
pub struct Compiled {
    definitions: Arc<Vec<Checked>>,
    texts: Vec<(String, String)>,
    columns: Vec<String>,
}

/// One column of a results table: `(name, type, rows, nulls, buffers)`, the buffers as
/// Arrow lays them out for the type (`"string"`: validity, offsets, data; `"date32"`:
/// validity, values).
type Column<'py> = (String, &'static str, usize, usize, Vec<Bound<'py, PyBytes>>);

/// What [`Compiled::run`] gives: the table's columns and the JSON lines, each when asked.
type Ran<'py> = (Option<Vec<Column<'py>>>, Option<Vec<String>>);

#[pymethods]
impl Compiled {
    /// The definitions' ids, in order.
    #[getter]
    fn ids(&self) -> Vec<String> {
        self.definitions.iter().map(|d| d.id.clone()).collect()
    }

    /// Each definition's outcome name (`refractory`, `unsuitable`, …), in order.
    #[getter]
    fn outcomes(&self) -> Vec<String> {
        self.definitions.iter().map(|d| d.outcome.clone()).collect()
    }

    /// Each definition's criteria names, in file order.
    #[getter]
    fn criteria(&self) -> Vec<Vec<String>> {
        self.definitions
            .iter()
            .map(|d| d.criteria.iter().map(|c| c.name.clone()).collect())
            .collect()
    }

    /// The criterion columns of a results table: every criterion name, each once, in
    /// definition order (as `refract eval --format csv` has them).
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.columns.clone()
    }

    /// Each definition's file name and text.
    #[getter]
    fn texts(&self) -> Vec<(String, String)> {
        self.texts.clone()
    }

    /// Evaluate patients given as `kind` (`"text"`: JSON Lines text, `"path"`: a file,
    /// `"dicts"`: an iterable of mappings, `"long"`: a long-format table's seven columns as
    /// Arrow `large_string` buffers, `(offset, rows, offsets, data)` each). Gives the table's columns when `table`, and
    /// the JSON lines `refract eval` prints when `lines`; `json` adds a `json` column.
    #[pyo3(signature = (kind, source, name, as_of=None, table=true, json=false, lines=false))]
    #[expect(
        clippy::too_many_arguments,
        reason = "the keyword arguments of a Python method"
    )]
    fn run<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        source: &Bound<'py, PyAny>,
        name: &str,
        as_of: Option<&str>,
        table: bool,
        json: bool,
        lines: bool,
    ) -> PyResult<Ran<'py>> {
        let as_of = as_of
            .map(Date::parse)
            .transpose()
            .map_err(|e| PyValueError::new_err(format!("as_of: {e}")))?;
        let mut columns = table.then(|| Columns::new(self.columns.len(), json));
        let mut found = lines.then(Vec::new);
        let sharing = refract::eval::Sharing::new(self.definitions.iter());
        let wanted = Wanted {
            definitions: &self.definitions,
            columns: &self.columns,
            as_of,
            json,
            sharing: &sharing,
        };
        let mut go = |items: &mut dyn Items, input: &str| {
            let (columns, found) = (columns.as_mut(), found.as_mut());
            py.detach(|| evaluate::run(items, input, &wanted, columns, found))
                .map_err(pyo3::exceptions::PyRuntimeError::new_err)
        };
        match kind {
            "text" => {
                let text: String = source.extract()?;
                go(&mut input::text(text, name), name)?;
            }
            "path" => {
                let path: PathBuf = source.extract()?;
                let (input, mut cohort) = input::file(&path)?;
                go(&mut cohort, &input)?;
            }
            "dicts" => {
                let mut items = input::dicts(source, name)?.into_iter();
                go(&mut items, name)?;
            }
            "long" => {
                let table = long::Table::new(source.extract()?)?;
                go(&mut long::patients(table, name), name)?;
            }
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown kind of input {other:?}"
                )))
            }
        }
        let columns = columns.map(|c| self.table(py, c));
        Ok((columns, found))
    }
}

impl Compiled {
    fn new(loaded: definitions::Loaded) -> Compiled {
        let columns = csv_columns(&loaded.checked);
        Compiled {
            definitions: Arc::new(loaded.checked),
            texts: loaded.texts,
            columns,
        }
    }

    /// The columns in table order: the fixed ones, one per criterion, `error`, `json`.
    fn table<'py>(&self, py: Python<'py>, columns: Columns) -> Vec<Column<'py>> {
        let mut out = vec![
            strings(py, "patient", columns.patient),
            strings(py, "definition", columns.definition),
            strings(py, "outcome", columns.outcome),
            strings(py, "result", columns.result),
            dates(py, "onset", columns.onset),
        ];
        for (name, column) in self.columns.iter().zip(columns.criteria) {
            out.push(strings(py, name, column));
        }
        out.push(strings(py, "error", columns.error));
        if let Some(json) = columns.json {
            out.push(strings(py, "json", json));
        }
        out
    }
}

fn strings<'py>(py: Python<'py>, name: &str, column: Strings) -> Column<'py> {
    let len = column.len();
    let offsets: Vec<u8> = if column.offsets.is_empty() {
        0i64.to_le_bytes().to_vec()
    } else {
        column
            .offsets
            .iter()
            .flat_map(|o| o.to_le_bytes())
            .collect()
    };
    let buffers = vec![
        PyBytes::new(py, &column.validity),
        PyBytes::new(py, &offsets),
        PyBytes::new(py, &column.data),
    ];
    (name.to_string(), "string", len, column.nulls, buffers)
}

fn dates<'py>(py: Python<'py>, name: &str, column: Dates) -> Column<'py> {
    let values: Vec<u8> = column.days.iter().flat_map(|d| d.to_le_bytes()).collect();
    let buffers = vec![
        PyBytes::new(py, &column.validity),
        PyBytes::new(py, &values),
    ];
    (
        name.to_string(),
        "date32",
        column.days.len(),
        column.nulls,
        buffers,
    )
}

/// What loading gave Python: the compiled definitions (`None` on any error) and every
/// diagnostic, warnings included.
type Loaded = (Option<Compiled>, Vec<Diagnostic>);

fn loaded(outcome: definitions::Outcome) -> Loaded {
    let (found, diagnostics) = outcome;
    (found.map(Compiled::new), diagnostics)
}

/// Compile definitions given as `(name, text)` pairs.
#[pyfunction]
fn compile_texts(py: Python<'_>, texts: Vec<(String, String)>) -> Loaded {
    py.detach(|| loaded(definitions::from_texts(texts)))
}

/// Compile the definition files named by `paths` (a folder: its `*.crit` files).
#[pyfunction]
fn load_paths(py: Python<'_>, paths: Vec<PathBuf>) -> Loaded {
    py.detach(|| loaded(definitions::from_paths(paths)))
}

/// The names and texts of the six definitions `refract eval` uses by default.
#[pyfunction]
fn shipped_texts() -> Vec<(String, String)> {
    definitions::shipped()
}

/// The compiled half of the `refract` package.
#[pymodule]
fn _refract(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Compiled>()?;
    module.add_class::<Diagnostic>()?;
    module.add_function(wrap_pyfunction!(compile_texts, module)?)?;
    module.add_function(wrap_pyfunction!(load_paths, module)?)?;
    module.add_function(wrap_pyfunction!(shipped_texts, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
