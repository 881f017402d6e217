//! What `eval`, `compare`, `convert` and `check --input` share about their input: its
//! format (`--from`), opening it (`-` is standard input) and noticing patient ids used twice.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use refract::sources::{self, Format};
use refract::timeline::Record;
use refract::vocabulary::Vocabulary;

/// `--from`: the input's format, the same on every command that reads patients.
#[derive(Debug, Clone, clap::Args)]
pub struct From {
    /// The input's format: jsonl (refract's JSON, one patient per line or per file),
    /// csv (long format, one row per attribute value; see docs/csv.md) or fhir (a FHIR
    /// R4 Bundle, resource, folder or Bulk Data export; see docs/fhir.md).
    #[arg(long = "from", id = "from", value_name = "FORMAT", default_value = "jsonl", value_parser = format_parser())]
    pub format: Format,
    /// The mapping from FHIR to refract's vocabulary (docs/mapping.md); by default the
    /// shipped mCODE/R4 mapping, mappings/mcode-r4.toml.
    #[arg(long = "mapping", value_name = "FILE")]
    pub mapping: Option<std::path::PathBuf>,
}

fn format_parser() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(Format::ALL.map(Format::name))
        .map(|name| Format::from_name(&name).unwrap_or_default())
}

/// The input's name for messages and its records in order, or the message saying why not.
pub fn records(
    path: &Path,
    from: From,
    vocabulary: &Vocabulary,
) -> Result<(String, Box<dyn Iterator<Item = Record> + Send>), String> {
    if from.format == Format::Fhir {
        return super::fhir_input::records(path, &from, vocabulary, true)
            .map(|(name, records, _)| (name, records));
    }
    let (name, reader) = open(path)?;
    let records = sources::records(from.format, reader, &name, vocabulary);
    Ok((name, records))
}

/// The input's name for messages and a reader over it, or the message saying why not.
pub fn open(path: &Path) -> Result<(String, Box<dyn BufRead + Send>), String> {
    if path.as_os_str() == "-" {
        return Ok((
            "stdin".to_string(),
            Box::new(BufReader::with_capacity(1 << 18, io::stdin())),
        ));
    }
    let name = path.display().to_string();
    // A folder opens like a file on Unix and fails only when read: say so before.
    if path.is_dir() {
        return Err(format!(
            "cannot read {name}: it is a folder; name a patient file or a JSON Lines cohort"
        ));
    }
    match File::open(path) {
        Ok(file) => Ok((name, Box::new(BufReader::with_capacity(1 << 18, file)))),
        Err(error) => Err(format!("cannot read {name}: {error}")),
    }
}
