//! `refract serve`: a local page for writing a definition and seeing what it says about
//! each patient of a cohort, over a small JSON API (documented in docs/serve.md).
//!
//! Everything goes through the one pipeline: [`crate::compile`] (diagnostics),
//! [`crate::syntax::format`], [`crate::eval::evaluate`] with
//! [`crate::eval::windows_examined`] for the plot, and [`crate::compare`] for two
//! definitions side by side. The page's files are compiled into the binary.
//!
//! ```no_run
//! let config = refract::serve::Config::new(refract::shipped_definitions());
//! let server = refract::serve::Server::bind(config).unwrap();
//! println!("http://{}/", server.local_addr());
//! server.run().unwrap();
//! ```

mod api;
mod evaluate;
mod files;
pub mod http;
mod shapes;

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::timeline::Patient;
use crate::vocabulary::Vocabulary;

pub use files::{resolve, token, Refusal};

/// Limits that keep one bad request from stalling the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest request body, in bytes (a definition is at most 1 MiB; its JSON
    /// escaping may double it).
    pub max_body: usize,
    /// How long evaluating the cohort for one request may take before it is cut off with
    /// `503 evaluation_time_limit`. It is checked between patients; one patient and
    /// definition is bounded by the evaluator's own step limit (a second or two).
    pub evaluation_time: Duration,
    /// Worker threads answering requests.
    pub workers: usize,
    /// Connections waiting for a worker before new ones are answered `503 busy`.
    pub queue: usize,
    /// Patients kept from the cohort (the rest are counted, not shown). Each is held in
    /// memory, about 11 kB for a synthetic patient of 2.6 kB of JSON.
    pub max_patients: usize,
    /// Definitions in one evaluation request.
    pub max_definitions: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body: 4 * 1024 * 1024,
            evaluation_time: Duration::from_secs(10),
            workers: 4,
            queue: 32,
            max_patients: 20_000,
            max_definitions: 32,
        }
    }
}

/// What to serve.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (`127.0.0.1:0` picks a free port).
    pub address: String,
    /// The definitions folder: opened, listed and saved into, nothing else.
    pub definitions: PathBuf,
    /// The cohort (a patient file or JSON Lines), if any.
    pub cohort: Option<PathBuf>,
    /// The limits.
    pub limits: Limits,
}

impl Config {
    /// Serve `definitions` on a free port of 127.0.0.1, with no cohort.
    pub fn new(definitions: PathBuf) -> Config {
        Config {
            address: "127.0.0.1:0".into(),
            definitions,
            cohort: None,
            limits: Limits::default(),
        }
    }
}

/// The cohort as loaded when the server starts.
#[derive(Debug, Default)]
pub struct Cohort {
    /// Its file name as given.
    pub name: String,
    /// The patients read, in input order (at most [`Limits::max_patients`]).
    pub patients: Vec<Patient>,
    /// Patients beyond the limit, not kept.
    pub left_out: usize,
    /// Patients that could not be read: the first messages.
    pub errors: Vec<String>,
    /// How many could not be read.
    pub error_count: usize,
}

/// What every request sees.
pub struct State {
    /// The definitions folder, canonical.
    pub root: PathBuf,
    /// The cohort.
    pub cohort: Cohort,
    /// The vocabulary.
    pub vocabulary: Vocabulary,
    /// The limits.
    pub limits: Limits,
    /// The `Host` values accepted (a page on another site that resolves its name to
    /// 127.0.0.1 is refused), or `None` when listening beyond loopback.
    pub hosts: Option<Vec<String>>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The definitions folder is missing or not a folder.
    #[error("the definitions folder {0} cannot be used: {1}")]
    Definitions(String, String),
    /// The cohort could not be opened or read.
    #[error("cannot read the cohort {0}: {1}")]
    Cohort(String, String),
    /// The address could not be bound.
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
}

/// A bound server, not yet answering.
pub struct Server {
    listener: TcpListener,
    state: Arc<State>,
}

impl Server {
    /// Load the cohort, check the folder and bind the address.
    pub fn bind(config: Config) -> Result<Server, ServeError> {
        let shown = config.definitions.display().to_string();
        let root = config
            .definitions
            .canonicalize()
            .map_err(|e| ServeError::Definitions(shown.clone(), e.to_string()))?;
        if !root.is_dir() {
            return Err(ServeError::Definitions(shown, "not a folder".into()));
        }
        let vocabulary = Vocabulary::builtin();
        let cohort = match &config.cohort {
            Some(path) => load_cohort(path, &vocabulary, config.limits.max_patients)?,
            None => Cohort::default(),
        };
        let listener = TcpListener::bind(&config.address)
            .map_err(|e| ServeError::Bind(config.address.clone(), e))?;
        let local = listener
            .local_addr()
            .map_err(|e| ServeError::Bind(config.address.clone(), e))?;
        let hosts = local.ip().is_loopback().then(|| {
            let port = local.port();
            let mut hosts = vec![
                format!("127.0.0.1:{port}"),
                format!("localhost:{port}"),
                format!("[::1]:{port}"),
            ];
            // On port 80 a browser leaves the port out.
            if port == 80 {
                hosts.extend(["127.0.0.1".into(), "localhost".into(), "[::1]".into()]);
            }
            hosts
        });
        Ok(Server {
            listener,
            state: Arc::new(State {
                root,
                cohort,
                vocabulary,
                limits: config.limits,
                hosts,
            }),
        })
    }

    /// The address it listens on (with the port chosen, for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The state requests see (the cohort as loaded).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Answer requests until the listener fails.
    pub fn run(self) -> std::io::Result<()> {
        let limits = self.state.limits.clone();
        let state = Arc::clone(&self.state);
        let handler: Arc<http::Handler> = Arc::new(move |request| api::handle(&state, request));
        http::serve(
            self.listener,
            limits.workers,
            limits.queue,
            limits.max_body,
            handler,
        )
    }
}

/// Read the cohort: patients kept up to `max`, unreadable ones counted with their messages.
fn load_cohort(
    path: &std::path::Path,
    vocabulary: &Vocabulary,
    max: usize,
) -> Result<Cohort, ServeError> {
    let name = path.display().to_string();
    let file =
        std::fs::File::open(path).map_err(|e| ServeError::Cohort(name.clone(), e.to_string()))?;
    let reader = crate::timeline::read_cohort(std::io::BufReader::new(file), &name, vocabulary);
    let mut cohort = Cohort {
        name,
        ..Cohort::default()
    };
    for item in reader {
        match item {
            Ok(patient) if cohort.patients.len() < max => cohort.patients.push(patient),
            Ok(_) => cohort.left_out += 1,
            Err(error) => {
                cohort.error_count += 1;
                if cohort.errors.len() < 20 {
                    cohort.errors.push(
                        crate::diagnostics::terminal::escape(&error.to_string()).into_owned(),
                    );
                }
            }
        }
    }
    Ok(cohort)
}
