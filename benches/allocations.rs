//! `cargo bench --bench allocations [-- PATIENTS]`: heap allocations per patient, counted
//! by a wrapping global allocator, for each stage a cohort run goes through: parsing a
//! timeline, evaluating each shipped definition, and writing its JSON line. Counts do not
//! depend on the machine's load, so before/after figures of a change compare exactly.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;

use stats_alloc::{Region, StatsAlloc};

use refract::eval::{evaluate, evaluate_with, Index};
use refract::report::outcome_line;
use refract::timeline::{parse_patient, Origin, Patient};
use refract::vocabulary::Vocabulary;

/// The binary's allocator, wrapped to count: `unsafe_code` is forbidden in refract, so
/// the wrapping comes from stats_alloc (a few hundred lines, no dependencies).
#[global_allocator]
static ALLOCATOR: StatsAlloc<mimalloc::MiMalloc> = StatsAlloc::new(mimalloc::MiMalloc);

use common::SEED;

/// Allocations and bytes asked for while `run` runs.
fn counted(run: impl FnOnce()) -> (u64, u64) {
    let region = Region::new(&ALLOCATOR);
    run();
    let change = region.change();
    (
        (change.allocations + change.reallocations) as u64,
        (change.bytes_allocated + change.bytes_reallocated.max(0) as usize) as u64,
    )
}

fn main() {
    let patients = common::patients(5_000);
    let vocabulary = Vocabulary::builtin();
    let texts = common::cohort(patients);
    let events: usize = texts.iter().map(|t| t.matches("\"kind\"").count()).sum();
    let origin = Origin::new("synthetic", None);

    let definitions = common::shipped(&vocabulary);

    let mut parsed: Vec<Patient> = Vec::with_capacity(patients);
    let parse = counted(|| {
        for text in &texts {
            parsed.push(parse_patient(text, &origin, &vocabulary).unwrap());
        }
    });

    println!(
        "{patients} synthetic patients (seed {SEED}), {:.1} events each",
        events as f64 / patients as f64
    );
    println!();
    println!(
        "{:<34} {:>16} {:>16}",
        "what", "allocs/patient", "bytes/patient"
    );
    let n = patients as f64;
    let row = |what: &str, (allocs, bytes): (u64, u64)| {
        println!(
            "{what:<34} {:>16.1} {:>16.0}",
            allocs as f64 / n,
            bytes as f64 / n
        );
    };
    row("parse timeline", parse);
    let mut all = (0, 0);
    for definition in &definitions {
        let evaluated = counted(|| {
            for patient in &parsed {
                black_box(evaluate(definition, patient));
            }
        });
        let written = counted(|| {
            for patient in &parsed {
                black_box(outcome_line(&evaluate(definition, patient)));
            }
        });
        all.0 += written.0;
        all.1 += written.1;
        row(&format!("evaluate {}", definition.id), evaluated);
        row(
            "  + write its line",
            (written.0 - evaluated.0, written.1 - evaluated.1),
        );
    }
    row("evaluate + write all six", all);
    // As `refract eval` does it: one index of the patient for all six.
    let shared = counted(|| {
        for patient in &parsed {
            let index = Index::new(patient);
            for definition in &definitions {
                black_box(outcome_line(&evaluate_with(definition, patient, &index)));
            }
        }
    });
    row("  the same, one index per patient", shared);
    // And sharing the criteria written the same way in several definitions.
    let together = counted(|| common::as_refract_eval(&definitions, &parsed));
    row("  and shared criteria (refract eval)", together);
    println!(
        "{:<34} {:>16.1}",
        "all six per event",
        all.0 as f64 / events.max(1) as f64
    );
}
