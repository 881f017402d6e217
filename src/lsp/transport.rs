//! Content-Length framed JSON-RPC on a byte stream. lsp-server's message types are
//! used as they are; the framing is read here, because its own reader ends the
//! connection at the first malformed message and allocates whatever `Content-Length`
//! says. Here a bad frame or bad JSON is a value the loop answers, and a body larger
//! than [`MAX_MESSAGE_BYTES`] is skipped without being kept.

use std::io::{self, BufRead, Read, Write};

use lsp_server::Message;

/// The largest message kept: a definition at refract's size limit (1 MiB) with every
/// character escaped in JSON (`\u0000`, 6 bytes) fits with room to spare.
pub const MAX_MESSAGE_BYTES: usize = 16 << 20;
/// The longest header line read; a longer one is a malformed frame.
const MAX_HEADER_LINE: usize = 1024;

/// What one frame held.
#[derive(Debug)]
pub enum Incoming {
    /// A request, response or notification.
    Message(Message),
    /// JSON that is not a JSON-RPC message, or no JSON at all: the request id, when one
    /// could be read, and what is wrong.
    Malformed {
        /// The `id` of the message, when it has one and a `method`.
        id: Option<serde_json::Value>,
        /// Whether the body was not JSON at all.
        not_json: bool,
        /// What is wrong.
        error: String,
    },
    /// A frame whose body was not read: too large, or without a length.
    Skipped(String),
}

/// The next frame, or `None` at the end of the stream.
pub fn read(input: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let mut length: Option<usize> = None;
    let mut bad_header: Option<String> = None;
    let mut any = false;
    loop {
        let mut line = Vec::new();
        let read = input
            .by_ref()
            .take(MAX_HEADER_LINE as u64)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(None);
        }
        if !line.ends_with(b"\n") {
            // Longer than a header can be: drop the rest of the line.
            skip_line(input)?;
            bad_header = Some("a header line longer than 1024 bytes".to_string());
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if any {
                break;
            }
            // Blank lines before a frame's headers carry nothing.
            continue;
        }
        any = true;
        let Some((name, value)) = text.split_once(':') else {
            bad_header = Some(format!("a header line without `:`: {text:?}"));
            continue;
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            match value.trim().parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => {
                    bad_header = Some(format!("a Content-Length that is not a number: {value:?}"))
                }
            }
        }
    }
    let Some(length) = length else {
        return Ok(Some(Incoming::Skipped(
            bad_header.unwrap_or_else(|| "a frame without Content-Length".to_string()),
        )));
    };
    if length > MAX_MESSAGE_BYTES {
        let skipped = io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        if skipped < length as u64 {
            return Ok(None);
        }
        return Ok(Some(Incoming::Skipped(format!(
            "a message of {length} bytes, more than the {MAX_MESSAGE_BYTES} refract reads"
        ))));
    }
    let mut body = vec![0; length];
    if let Err(error) = input.read_exact(&mut body) {
        return match error.kind() {
            io::ErrorKind::UnexpectedEof => Ok(None),
            _ => Err(error),
        };
    }
    Ok(Some(parse(&body)))
}

/// One body as a message.
fn parse(body: &[u8]) -> Incoming {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return Incoming::Malformed {
                id: None,
                not_json: true,
                error: format!("the message is not JSON: {error}"),
            }
        }
    };
    let id = match (value.get("id"), value.get("method")) {
        (Some(id), Some(_)) => Some(id.clone()),
        _ => None,
    };
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(error) => Incoming::Malformed {
            id,
            not_json: false,
            error: format!("not a JSON-RPC request, response or notification: {error}"),
        },
    }
}

/// Past the end of the current line.
fn skip_line(input: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        match buffer.iter().position(|&b| b == b'\n') {
            Some(at) => {
                input.consume(at + 1);
                return Ok(());
            }
            None => {
                let all = buffer.len();
                input.consume(all);
            }
        }
    }
}

/// Write one message, framed.
pub fn write(output: &mut impl Write, message: Message) -> io::Result<()> {
    message.write(output)
}

/// An error response whose request could not be read: JSON-RPC gives it the id it has
/// (`null` when none could be read), which lsp-server's ids cannot hold.
pub fn write_error(
    output: &mut impl Write,
    id: Option<serde_json::Value>,
    code: i32,
    message: &str,
) -> io::Result<()> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id.unwrap_or(serde_json::Value::Null),
        "error": {"code": code, "message": message},
    })
    .to_string();
    write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    output.flush()
}
