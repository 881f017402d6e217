//! `refract fmt`: definition files in the canonical layout (see `refract::syntax::format`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use refract::source::SourceFile;

use super::output::{say, show, Output};

/// `refract fmt`
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Write nothing: print a diff for each file not in the canonical layout, exit 1 if any.
    #[arg(long)]
    check: bool,
    /// Definition files, or folders (their `.crit` files, in subfolders too); `-` reads
    /// standard input and writes the result to standard output.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

/// Format each file; exit 1 on any file that cannot be read or parsed, or, with `--check`,
/// that is not formatted.
pub fn run(args: FmtArgs) -> ExitCode {
    let mut out = Output::stdout(1 << 16);
    let mut failed = false;
    for path in &args.paths {
        if path.as_os_str() == "-" {
            failed |= !stdin(args.check, &mut out);
            continue;
        }
        let mut files = Vec::new();
        if let Err(error) = crit_files(path, &mut files) {
            say(&format!("error: cannot list {}: {error}", path.display()));
            failed = true;
            continue;
        }
        for file in files {
            failed |= !one_file(&file, args.check, &mut out);
        }
    }
    if !out.finish() || failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `path` itself if it is not a folder; else its `.crit` files and those of its
/// subfolders, in name order.
fn crit_files(path: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        found.push(path.to_path_buf());
        return Ok(());
    }
    // Linked folders are not followed inside a folder, so a link to a parent cannot loop.
    let mut entries: Vec<(PathBuf, bool)> = std::fs::read_dir(path)?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let is_dir = entry.file_type().ok()?.is_dir();
            Some((entry.path(), is_dir))
        })
        .collect();
    entries.sort();
    for (entry, is_dir) in entries {
        if is_dir {
            crit_files(&entry, found)?;
        } else if entry.extension().is_some_and(|ext| ext == "crit") && entry.is_file() {
            found.push(entry);
        }
    }
    Ok(())
}

/// The formatted text, or `None` once its diagnostics are shown.
fn formatted(name: String, text: String) -> Option<(String, String)> {
    let source = SourceFile::new(name, text);
    match refract::syntax::format(&source) {
        Ok(formatted) => Some((source.text.to_string(), formatted)),
        Err(diagnostics) => {
            for shown in diagnostics.shown() {
                show(shown);
            }
            None
        }
    }
}

/// Standard input formatted onto standard output (with `--check`, a diff if it differs).
fn stdin(check: bool, out: &mut Output) -> bool {
    let limit = u64::try_from(refract::syntax::MAX_SOURCE_BYTES).unwrap_or(u64::MAX);
    let mut text = String::new();
    if let Err(error) = std::io::stdin().take(limit + 1).read_to_string(&mut text) {
        say(&format!("error: cannot read stdin: {error}"));
        return false;
    }
    let Some((before, after)) = formatted("stdin".to_string(), text) else {
        return false;
    };
    if check {
        return report_diff("stdin", &before, &after, out);
    }
    out.write(after.as_bytes());
    true
}

/// One file rewritten in place when its layout changes (with `--check`, a diff instead).
fn one_file(path: &Path, check: bool, out: &mut Output) -> bool {
    let name = path.display().to_string();
    let text = match refract::read_limited(path, refract::syntax::MAX_SOURCE_BYTES) {
        Ok(text) => text,
        Err(error) => {
            say(&format!("error: cannot read {name}: {error}"));
            return false;
        }
    };
    let Some((before, after)) = formatted(name.clone(), text) else {
        return false;
    };
    if check {
        return report_diff(&name, &before, &after, out);
    }
    if before == after {
        return true;
    }
    // Written beside the file and renamed over it, so a failed write never leaves half a
    // file; a linked file is rewritten where it lies, the link kept.
    let path = &std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".fmt-tmp");
    let temporary = PathBuf::from(temporary);
    let written = std::fs::write(&temporary, after.as_bytes())
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        say(&format!("error: cannot write {name}: {error}"));
        return false;
    }
    true
}

/// A unified diff from `before` to `after` when they differ; whether they were the same.
fn report_diff(name: &str, before: &str, after: &str, out: &mut Output) -> bool {
    if before == after {
        return true;
    }
    let diff = similar::TextDiff::from_lines(before, after);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(name, &format!("{name} (formatted)"))
        .to_string();
    // Each line escaped for the terminal (a file may hold escape codes), its line end kept.
    for line in text.lines() {
        out.line(&refract::diagnostics::terminal::escape(line));
    }
    false
}
