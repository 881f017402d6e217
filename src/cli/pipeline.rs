//! What `eval` and `compare` share: a cohort read in order, each record worked on in
//! parallel a chunk at a time, and the results handed on in input order, so memory is
//! bounded by a few chunks and the result is the same as a single-threaded run.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;

use rayon::prelude::*;
use refract::timeline::Record;

/// Patients read ahead and evaluated together; bounds memory, keeps both cores busy.
/// About four chunks are in flight (two queued each way, one read, one written), and the
/// output of all six definitions is about 5 kB a patient: at 2048 a million patients
/// peaked at 150 to 162 MB, at 1024 at 98 MB, in the same time (300,000 patients on 2
/// threads, two runs each: 19.3 and 19.4 s, 91 MB, against 18.5 and 19.5 s, 60 and 65 MB).
/// The table's widths do not depend on it (`report::TABLE_WIDTHS_FROM`).
pub const CHUNK: usize = 1024;

/// Run `work` on every record of `records` (from [`super::input::records`], in any
/// format), and `consume` on the results, a chunk at a time and in input order. Three
/// stages run at once: reading (line splitting, UTF-8 checks, grouping rows) on one
/// thread, a chunk ahead; `work` on the worker pool; `consume` on another thread, a chunk
/// behind. When `consume` returns, reading and work stop. `None` if the consumer thread
/// failed.
pub fn stream<T, R>(
    mut records: Box<dyn Iterator<Item = Record> + Send>,
    work: impl Fn(&Record) -> T + Sync,
    consume: impl FnOnce(Receiver<Vec<T>>) -> R + Send,
) -> Option<R>
where
    T: Send,
    R: Send,
{
    // Evaluation recurses along a definition's tree (bounded by the checker's limits);
    // give the workers room beyond the default 2 MiB.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(32 << 20)
        .build_global();
    let progress = Progress::new();
    let (chunks_in, chunks) = std::sync::mpsc::sync_channel::<Vec<Record>>(2);
    let (results_out, results) = std::sync::mpsc::sync_channel::<Vec<T>>(2);
    let stop = AtomicBool::new(false);
    let outcome = std::thread::scope(|scope| {
        scope.spawn(move || {
            loop {
                let chunk: Vec<Record> = records.by_ref().take(CHUNK).collect();
                // The receiver is gone when work stopped early (--strict).
                if chunk.is_empty() || chunks_in.send(chunk).is_err() {
                    break;
                }
            }
        });
        let stop = &stop;
        let consumer = scope.spawn(move || {
            let result = consume(results);
            stop.store(true, Ordering::Relaxed);
            result
        });
        for chunk in chunks.iter() {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let done: Vec<T> = chunk.par_iter().map(&work).collect();
            progress.advance(done.len());
            if results_out.send(done).is_err() {
                break;
            }
        }
        drop(results_out);
        drop(chunks);
        consumer.join().ok()
    });
    progress.finish();
    outcome
}

/// A progress bar with patients per second, shown only when stderr is a terminal.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new() -> Progress {
        if !io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {human_pos} patients  {per_sec}  {elapsed}",
        ) {
            bar.set_style(style);
        }
        Progress(Some(bar))
    }

    fn advance(&self, patients: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(patients as u64);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
