//! End to end: what `refract` does when its output goes away (a closed pipe, a full disk,
//! a closed descriptor) or its input is not a file it can read to the end.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

fn refract(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_refract"));
    command.args(args).current_dir(support::root());
    command
}

/// Waits for `child`, killing it (and failing) when it takes longer than `limit`.
fn finish(mut child: Child, limit: Duration) -> (ExitStatus, String) {
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("refract still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut stderr).unwrap();
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    (status, stderr)
}

const SECONDS: Duration = Duration::from_secs(60);

#[test]
fn a_reader_that_stops_early_ends_an_endless_run_quietly() {
    // `yes '{"id":"x","events":[]}' | refract eval - | head -1`
    let mut child = refract(&["eval", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let line = b"{\"id\":\"x\",\"events\":[]}\n".repeat(1000);
        while input.write_all(&line).is_ok() {}
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("{\"patient\":\"x\""), "{first}");
    let (status, _) = finish(child, SECONDS);
    assert_eq!(status.code(), Some(0));
    feeder.join().unwrap();
}

#[test]
fn a_closed_pipe_ends_eval_check_and_check_input_with_success() {
    for args in [
        &["eval", "examples/cohort.jsonl"][..],
        &["eval", "--format", "table", "examples/cohort.jsonl"],
        &["check", "definitions"],
        &["check", "--input", "examples/cohort.jsonl"],
        &["synth", "--patients", "20000"],
    ] {
        let mut child = refract(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let (status, stderr) = finish(child, SECONDS);
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn a_full_disk_is_reported_once_with_exit_1() {
    for args in [
        &["eval", "examples/cohort.jsonl"][..],
        &["check", "--input", "examples/cohort.jsonl"],
        &["synth"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let child = refract(args)
            .stdout(full)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (status, stderr) = finish(child, SECONDS);
        assert_eq!(status.code(), Some(1), "{args:?}");
        assert_eq!(
            stderr.matches("cannot write the output").count(),
            1,
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_closed_standard_output_is_an_error_not_a_silent_success() {
    for args in ["eval examples/cohort.jsonl", "check definitions"] {
        let bin = env!("CARGO_BIN_EXE_refract");
        let child = Command::new("sh")
            .args(["-c", &format!("exec '{bin}' {args} 1>&-")])
            .current_dir(support::root())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (status, stderr) = finish(child, SECONDS);
        assert_eq!(status.code(), Some(1), "{args}");
        assert!(stderr.contains("standard output is closed"), "{stderr}");
    }
}

#[test]
fn a_closed_standard_error_does_not_crash_a_run_with_diagnostics() {
    let dir = tempdir();
    let bad = dir.join("bad.crit");
    std::fs::write(
        &bad,
        "definition d\n  outcome x\ncriterion c = nonsense >\n",
    )
    .unwrap();
    let mut child = refract(&["check", bad.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let (status, _) = finish(child, SECONDS);
    assert_eq!(status.code(), Some(1));
}

#[test]
fn endless_and_folder_inputs_end_with_exit_1() {
    for (args, says) in [
        (&["eval", "definitions"][..], "it is a folder"),
        (&["check", "--input", "definitions"], "it is a folder"),
        (&["eval", "/dev/zero"], "no line break"),
        (
            &["eval", "-d", "/dev/zero", "examples/cohort.jsonl"],
            "larger than 1 MiB",
        ),
    ] {
        let child = refract(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (status, stderr) = finish(child, SECONDS);
        assert_eq!(status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

/// A fresh folder under the target directory for this test's files.
fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("refract-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
