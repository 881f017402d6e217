//! How `refract diff` does on the revision corpus (`tests/revisions`): counterexamples
//! found for the meaning-changing revisions, the median time to find one, the median
//! size of the shrunk timeline, and verdicts that are wrong ("equivalent" for a change,
//! a counterexample for a meaning-preserving revision). `cargo bench --bench diff_corpus`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::time::Instant;

use refract::review::{self, Meaning, Options};
use refract::source::SourceFile;
use refract::vocabulary::Vocabulary;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vocabulary = Vocabulary::builtin();
    let read =
        |p: &Path| SourceFile::new(p.display().to_string(), std::fs::read_to_string(p).unwrap());
    let mut dirs: Vec<_> = std::fs::read_dir(root.join("tests/revisions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    let (
        mut changes,
        mut found,
        mut false_equivalent,
        mut same,
        mut equivalent,
        mut false_difference,
    ) = (0, 0, 0, 0, 0, 0);
    let (mut times, mut sizes) = (Vec::new(), Vec::new());
    let mut missed = Vec::new();
    for dir in dirs {
        let id = dir.file_name().unwrap().to_string_lossy().into_owned();
        let old = read(&root.join("definitions").join(format!("{id}.crit")));
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let new = read(&file);
            let find = Options {
                shrink: false,
                ..Options::default()
            };
            let start = Instant::now();
            let report = review::diff(&old, &new, &vocabulary, &find)
                .unwrap_or_else(|_| panic!("{id}/{name}"));
            let elapsed = start.elapsed().as_secs_f64() * 1000.0;
            if name.starts_with("change-") {
                changes += 1;
                match report.meaning {
                    Meaning::Different(_) => {
                        found += 1;
                        times.push(elapsed);
                        let shrunk = review::diff(&old, &new, &vocabulary, &Options::default())
                            .unwrap_or_else(|_| panic!("{id}/{name}"));
                        if let Meaning::Different(c) = shrunk.meaning {
                            sizes.push(c.events as f64);
                        }
                    }
                    Meaning::Equivalent => false_equivalent += 1,
                    Meaning::NoDifferenceFound { .. } => missed.push(format!("{id}/{name}")),
                }
            } else {
                same += 1;
                match report.meaning {
                    Meaning::Equivalent => equivalent += 1,
                    Meaning::Different(_) => false_difference += 1,
                    Meaning::NoDifferenceFound { .. } => {}
                }
            }
        }
    }
    println!("meaning-changing revisions:   {changes}");
    println!("counterexamples found:        {found} / {changes}");
    println!(
        "median time to find one:      {:.1} ms (whole review, before shrinking)",
        median(&mut times)
    );
    println!(
        "median shrunk timeline:       {} events",
        median(&mut sizes)
    );
    println!("false \"equivalent\" verdicts:  {false_equivalent}");
    println!("meaning-preserving revisions: {same}");
    println!("  said equivalent:            {equivalent}");
    println!("  given a counterexample:     {false_difference}");
    if !missed.is_empty() {
        println!("missed: {}", missed.join(", "));
    }
}
