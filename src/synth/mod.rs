//! Seeded synthetic cohorts: patient timelines in the format of
//! `docs/timeline-format.md`, for load tests, demonstrations and for looking at how the
//! shipped definitions behave on a cohort that resembles real TACE practice.
//!
//! Every patient is drawn from its own small random generator (splitmix64 seeded from
//! the cohort seed and the patient's number), so patient `i` of seed `s` is always the
//! same text, whatever the order in which patients are generated.
//!
//! # The model
//!
//! Each patient has a latent course (`facts.course`): `responder` (the viable tumour
//! shrinks, sometimes to complete response), `stable`, `escape` (responds to the first
//! one or two sessions, then grows) or `progressor`; and a centre (`facts.centre`):
//! `east-asia` (CT/MRI 4-6 weeks after a session, tumour markers about monthly, PIVKA-II
//! measured) or `west` (imaging mostly 6-10 weeks after, AFP at the imaging visit,
//! PIVKA-II rarely). A latent viable tumour size evolves session by session from the
//! course; imaging reports it with measurement noise, and the mRECIST categories are
//! computed exactly from the reported sums against the baseline and the nadir, so they
//! agree with the numbers. The tumour count grows with new lesions, more often in
//! progressors; vascular invasion and extrahepatic spread appear late in a minority.
//! AFP and PIVKA-II are a liver background plus a tumour part that follows the viable
//! volume (a large part in secretors, a small one in the others), with noise. Child-Pugh
//! score and ECOG drift over the course, faster in progressors, with decompensation
//! flags when the score is high. A few percent of attributes are missing, a few
//! baselines are too old or absent, some sessions have no response imaging or only
//! ultrasound (which does not assess extrahepatic spread), some imaging is done on the
//! day of the next session, and a few events carry a time.

mod course;
mod dates;
mod imaging;
mod labs;
mod model;
mod patient;
mod rng;
mod status;
#[cfg(test)]
mod tests;
mod writer;

use std::io::Write;

use patient::push_patient;
use writer::Scratch;

/// Write `patients` synthetic patients as JSON Lines, deterministically from `seed`.
pub fn write_cohort(patients: usize, seed: u64, out: &mut impl Write) -> std::io::Result<()> {
    const CHUNK: usize = 1 << 20;
    let mut buf = String::with_capacity(CHUNK + 16 * 1024);
    let mut scratch = Scratch::default();
    for index in 0..patients {
        push_patient(&mut buf, &mut scratch, index, seed);
        buf.push('\n');
        if buf.len() >= CHUNK {
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())?;
    out.flush()
}

/// One patient's JSON object (no newline): patient number `index` of the cohort with
/// `seed`, independent of the others, so patients can be generated in any order or in
/// parallel.
pub fn patient_json(index: usize, seed: u64) -> String {
    let mut buf = String::with_capacity(4096);
    push_patient(&mut buf, &mut Scratch::default(), index, seed);
    buf
}
