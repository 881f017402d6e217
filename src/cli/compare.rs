//! `refract compare`: definitions side by side over a cohort, streamed like `eval` (the
//! same reading and evaluation pipeline), or two saved `eval` outputs side by side.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use refract::compare::{self, Comparison, Report, Summary};
use refract::date::Date;
use refract::eval::Truth;
use refract::timeline::{SeenIds, TimelineError};
use refract::vocabulary::Vocabulary;

use super::eval::load_all;
use super::output::{say, show, Output};
use super::pipeline;

/// `refract compare`
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// A definition file or a folder of `.crit` files (repeatable; default: the shipped definitions).
    #[arg(long = "definition", short = 'd', value_name = "PATH")]
    definitions: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Human)]
    format: CompareFormat,
    /// Also write the report as one self-contained HTML page (heat map and curves).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Compare two saved `eval` outputs (OLD NEW), keyed by patient and definition.
    #[arg(long)]
    results: bool,
    #[command(flatten)]
    from: super::input::From,
    /// The cohort (or, with --results, the two saved outputs).
    #[arg(required = true, num_args = 1..=2)]
    inputs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CompareFormat {
    /// Aligned text for people.
    Human,
    /// One JSON object.
    Json,
    /// Long-form CSV: table, definition, other, measure, value.
    Csv,
}

/// What one record became.
enum Done {
    Compared {
        id: String,
        line: Option<usize>,
        rows: Vec<Summary>,
    },
    Failed(Box<TimelineError>),
}

/// Compare; exit 1 if a definition or an input cannot be read.
pub fn run(args: CompareArgs) -> ExitCode {
    let reports = if args.results {
        match (args.inputs.first(), args.inputs.get(1)) {
            (Some(old), Some(new)) if args.definitions.is_empty() => saved(old, new),
            (_, _) if !args.definitions.is_empty() => {
                say("error: --results compares two saved outputs; -d does not apply");
                return ExitCode::from(2);
            }
            _ => {
                say("error: --results needs two saved outputs: OLD.jsonl NEW.jsonl");
                return ExitCode::from(2);
            }
        }
    } else if let [cohort] = args.inputs.as_slice() {
        cohort_report(&args.definitions, cohort, args.from).map(|r| vec![r])
    } else {
        say("error: compare reads one cohort (or, with --results, two saved outputs)");
        return ExitCode::from(2);
    };
    let Ok(reports) = reports else {
        return ExitCode::from(1);
    };
    if let Some(path) = &args.html {
        let page = compare::html::page(&reports);
        if let Err(error) = std::fs::write(path, page) {
            say(&format!("error: cannot write {}: {error}", path.display()));
            return ExitCode::from(1);
        }
    }
    let text = match args.format {
        CompareFormat::Human => reports
            .iter()
            .map(compare::report::human)
            .collect::<Vec<_>>()
            .join("\n"),
        CompareFormat::Json => match reports.as_slice() {
            [one] => compare::report::json(one),
            many => {
                let mut text = serde_json::to_string_pretty(many).unwrap_or_default();
                text.push('\n');
                text
            }
        },
        CompareFormat::Csv => reports.iter().map(compare::report::csv).collect(),
    };
    let mut out = Output::stdout(1 << 16);
    out.write(text.as_bytes());
    if out.finish() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Evaluate every definition over the cohort and compare; `Err` after saying why.
fn cohort_report(
    given: &[PathBuf],
    cohort: &std::path::Path,
    from: super::input::From,
) -> Result<Report, ()> {
    let vocabulary = Vocabulary::builtin();
    let definitions = load_all(given, &vocabulary).ok_or(())?;
    let (input_name, records) =
        super::input::records(cohort, from, &vocabulary).map_err(|message| {
            say(&format!("error: {message}"));
        })?;
    let ids: Vec<String> = definitions.iter().map(|d| d.id.clone()).collect();
    let input = &input_name;
    let sharing = refract::eval::Sharing::new(&definitions);
    let work = |record: &refract::timeline::Record| match record.parse(&vocabulary) {
        Err(error) => Done::Failed(Box::new(error)),
        Ok(patient) => {
            let index = refract::eval::Index::new(&patient);
            let mut shared = refract::eval::SharedCriteria::new(&sharing);
            let rows = definitions
                .iter()
                .map(|definition| {
                    let outcome =
                        refract::eval::evaluate_sharing(definition, &patient, &index, &mut shared);
                    if let Some(reason) = &outcome.stopped {
                        // Its result is no answer: counted as unknown, and said.
                        say(&format!(
                            "error: patient \"{}\", definition {}: {reason}; counted as unknown",
                            outcome.patient, outcome.definition
                        ));
                        return Summary::from_parts(Truth::Unknown, None, None, None, None);
                    }
                    Summary::of(&outcome, &patient)
                })
                .collect();
            // The shared results borrow the patient.
            drop(shared);
            Done::Compared {
                id: patient.id,
                line: patient.line,
                rows,
            }
        }
    };
    let consume = move |results: std::sync::mpsc::Receiver<Vec<Done>>| {
        let mut comparison = Comparison::new(ids);
        let mut seen = SeenIds::default();
        let mut failed = false;
        for done in results.iter() {
            for item in done {
                match item {
                    Done::Failed(error) => {
                        show(error.shown());
                        if let Some(id) = error.patient_id() {
                            seen.again(id, error.origin().line);
                        }
                        failed |= !error.kind().is_patient_error();
                    }
                    Done::Compared { id, line, rows } => {
                        if let Some(message) = seen.duplicate(&id, line, input) {
                            say(&format!("error: {message}"));
                            continue;
                        }
                        comparison.add(&id, &rows);
                    }
                }
            }
        }
        (comparison, failed)
    };
    match pipeline::stream(records, work, consume) {
        Some((comparison, false)) => Ok(comparison.finish()),
        _ => Err(()),
    }
}

/// Two saved outputs: one two-way report per definition found in both, OLD against NEW.
fn saved(old: &std::path::Path, new: &std::path::Path) -> Result<Vec<Report>, ()> {
    let mut before: HashMap<(String, String), Summary> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    read_saved(old, &mut |patient, definition, summary| {
        if !order.contains(&definition) {
            order.push(definition.clone());
        }
        before.insert((patient, definition), summary);
    })?;
    let mut comparisons: HashMap<String, Comparison> = HashMap::new();
    let old_name = old.display().to_string();
    let new_name = new.display().to_string();
    let mut unmatched = 0u64;
    read_saved(new, &mut |patient, definition, summary| {
        let Some(first) = before.remove(&(patient.clone(), definition.clone())) else {
            unmatched += 1;
            return;
        };
        comparisons
            .entry(definition.clone())
            .or_insert_with(|| {
                Comparison::new(vec![
                    format!("{old_name}:{definition}"),
                    format!("{new_name}:{definition}"),
                ])
            })
            .add(&patient, &[first, summary]);
    })?;
    let unmatched = unmatched + before.len() as u64;
    if unmatched > 0 {
        say(&format!(
            "warning: {unmatched} results (patient and definition) are in only one of {old_name} and {new_name}; they are left out"
        ));
    }
    Ok(order
        .iter()
        .filter_map(|d| comparisons.remove(d))
        .map(Comparison::finish)
        .collect())
}

/// Each result line of a saved `eval` output (JSON Lines); error lines are skipped.
fn read_saved(
    path: &std::path::Path,
    each: &mut dyn FnMut(String, String, Summary),
) -> Result<(), ()> {
    read_lines(path, each).map_err(|message| say(&format!("error: {message}")))
}

/// [`read_saved`], with the message for the first line that cannot be read.
fn read_lines(
    path: &std::path::Path,
    each: &mut dyn FnMut(String, String, Summary),
) -> Result<(), String> {
    let (name, reader) = super::input::open(path)?;
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read {name}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let fail = |why: &str| format!("{name} line {}: {why}", n + 1);
        let value: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| fail(&format!("not JSON: {e}")))?;
        if value.get("error").is_some() {
            continue;
        }
        let text = |key: &str| value.get(key).and_then(|v| v.as_str());
        let (Some(patient), Some(definition), Some(result)) =
            (text("patient"), text("definition"), text("result"))
        else {
            return Err(fail(
                "not a line of `refract eval` output (needs patient, definition and result)",
            ));
        };
        let result = match result {
            "met" => Truth::Met,
            "not_met" => Truth::NotMet,
            "unknown" => Truth::Unknown,
            other => {
                return Err(fail(&format!(
                    "result \"{other}\" is not met, not_met or unknown"
                )))
            }
        };
        let onset = match text("onset").map(Date::parse) {
            None => None,
            Some(Ok(date)) => Some(date),
            Some(Err(e)) => return Err(fail(&format!("onset: {e}"))),
        };
        let decided = deciding(&value, result.as_str(), text("onset"));
        each(
            patient.to_string(),
            definition.to_string(),
            Summary::from_parts(result, onset, None, None, decided),
        );
    }
    Ok(())
}

/// The deciding criterion of a saved line, by the rule of [`compare::deciding`]; a saved
/// line has no criterion dates, so a met one is the first met whose evidence ends at onset.
fn deciding(
    value: &serde_json::Value,
    result: &str,
    onset: Option<&str>,
) -> Option<(String, String)> {
    let criteria = value.get("criteria")?.as_array()?;
    let field =
        |c: &serde_json::Value, k: &str| c.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let ends_at_onset = |c: &serde_json::Value| {
        let last = c
            .get("evidence")?
            .as_array()?
            .last()?
            .get("date")?
            .as_str()?;
        Some(Some(last) == onset)
    };
    let chosen = criteria
        .iter()
        .find(|c| field(c, "result").as_deref() == Some(result) && ends_at_onset(c) == Some(true))
        .or_else(|| {
            criteria
                .iter()
                .find(|c| field(c, "result").as_deref() == Some(result))
        })?;
    Some((field(chosen, "name")?, field(chosen, "why")?))
}
