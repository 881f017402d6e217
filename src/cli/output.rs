//! Where refract writes. Standard output may be a pipe that closes early (`| head`), a
//! full disk or a closed descriptor, and standard error may be any of these too; nothing
//! here panics on a failed write, as `println!` and `eprintln!` do.
//!
//! - A closed pipe on standard output ends the output quietly: whoever reads has what
//!   they wanted, as with any Unix filter (the run stops, exit status unchanged).
//! - Any other failure (a full disk, a closed descriptor) ends the output too, and is
//!   reported once on standard error; the run then exits 1.
//! - Standard error is written with every failure ignored: when it is gone there is no
//!   one left to tell.

use std::io::{self, BufWriter, Write};

use refract::diagnostics::{terminal, Shown};

/// One message on standard error, escaped for the terminal (ids and file names in it may
/// hold escape codes), with a line break.
pub fn say(message: &str) {
    let mut text = terminal::escape(message).into_owned();
    text.push('\n');
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// A diagnostic on standard error, rendered by the installed miette handler.
pub fn show(shown: Shown) {
    let text = format!("{:?}\n", shown.into_report());
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Standard output, buffered; see the [module docs](self) for what a failure does.
pub struct Output {
    out: BufWriter<Box<dyn Write + Send>>,
    ended: Option<Ended>,
}

/// Why output ended before the run did.
enum Ended {
    /// The reader closed the pipe.
    Closed,
    /// Writing failed otherwise.
    Failed(io::Error),
}

impl Output {
    /// Standard output with a buffer of `capacity` bytes.
    pub fn stdout(capacity: usize) -> Output {
        let (target, ended) = match open_stdout() {
            Ok(target) => (target, None),
            Err(error) => (
                Box::new(io::sink()) as Box<dyn Write + Send>,
                Some(classify(error)),
            ),
        };
        Output {
            out: BufWriter::with_capacity(capacity, target),
            ended,
        }
    }

    /// Whether output still goes somewhere; once it does not, the run should stop.
    pub fn is_open(&self) -> bool {
        self.ended.is_none()
    }

    /// Writes `bytes` unless output has ended.
    pub fn write(&mut self, bytes: &[u8]) {
        if self.ended.is_none() {
            if let Err(error) = self.out.write_all(bytes) {
                self.ended = Some(classify(error));
            }
        }
    }

    /// Writes `text` and a line break.
    pub fn line(&mut self, text: &str) {
        self.write(text.as_bytes());
        self.write(b"\n");
    }

    /// Flushes what is left. `false` (after saying why, once) when output failed other
    /// than by a closed pipe.
    pub fn finish(mut self) -> bool {
        if self.ended.is_none() {
            if let Err(error) = self.out.flush() {
                self.ended = Some(classify(error));
            }
        }
        // Whatever the buffer still holds could not be written; dropping the writer would
        // only try again.
        let (_, _unwritten) = self.out.into_parts();
        match self.ended {
            None | Some(Ended::Closed) => true,
            Some(Ended::Failed(error)) => {
                say(&format!("error: cannot write the output: {error}"));
                false
            }
        }
    }
}

fn classify(error: io::Error) -> Ended {
    if error.kind() == io::ErrorKind::BrokenPipe {
        Ended::Closed
    } else {
        Ended::Failed(error)
    }
}

/// Standard output as a writer that reports every failure (the standard library's
/// `Stdout` takes a closed descriptor for a sink), or the failure when it was closed
/// before refract started.
#[cfg(unix)]
fn open_stdout() -> io::Result<Box<dyn Write + Send>> {
    use std::os::fd::AsFd;
    if closed_at_start() {
        return Err(io::Error::other("standard output is closed"));
    }
    let fd = io::stdout().as_fd().try_clone_to_owned()?;
    Ok(Box::new(std::fs::File::from(fd)))
}

/// Whether standard output was closed when refract started (`1>&-`). Before `main`, the
/// standard library opens `/dev/null` read-write on a closed standard descriptor, so
/// writes to it vanish; a shell's `> /dev/null` opens it write-only. So read-write
/// `/dev/null` on descriptor 1 is taken to be a closed one, unless standard input is one
/// too: a daemon (`daemon(3)`) sets up all its standard descriptors that way on purpose.
#[cfg(unix)]
fn closed_at_start() -> bool {
    read_write_null(1) && !read_write_null(0)
}

/// Whether descriptor `fd` is `/dev/null` opened for reading and writing (Linux `/proc`;
/// elsewhere never).
#[cfg(unix)]
fn read_write_null(fd: u8) -> bool {
    let on_null = std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .is_ok_and(|target| target == std::path::Path::new("/dev/null"));
    // `flags:` is octal; the access mode is its lowest two bits (2: read-write).
    on_null
        && std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}"))
            .ok()
            .and_then(|info| {
                let flags = info.lines().find_map(|l| l.strip_prefix("flags:"))?;
                u32::from_str_radix(flags.trim(), 8).ok()
            })
            .is_some_and(|flags| flags & 0o3 == 0o2)
}

#[cfg(not(unix))]
fn open_stdout() -> io::Result<Box<dyn Write + Send>> {
    Ok(Box::new(io::stdout()))
}
