//! HTTP/1.1 for `refract serve`, as little as the page needs: one request per connection
//! (`Connection: close`), bodies by `Content-Length` only, parsed by `httparse`. A fixed
//! pool of worker threads takes accepted connections from a bounded queue; when the queue
//! is full the connection is answered `503 busy` by one thread kept for that (and closed
//! unanswered past that thread's own queue), so a flood of connections never costs a
//! thread each. Reading a request has one deadline for all its reads, so a client that
//! sends slowly (or not at all) holds a worker for at most [`IO_TIMEOUT`].

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{sync_channel, Receiver, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The largest request line and headers, in bytes.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// How long a connection may take to send its whole request, or to take the response.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// The most headers a request may have.
const MAX_HEADERS: usize = 64;

/// One request, read whole.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query after `?`, if any (not decoded).
    pub query: Option<String>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The `Host` header, if any.
    pub host: Option<String>,
    /// The body (empty when there is none).
    pub body: Vec<u8>,
}

/// One response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON response.
    pub fn json(status: u16, body: String) -> Response {
        Response {
            status,
            content_type: "application/json; charset=utf-8",
            body: body.into_bytes(),
        }
    }

    /// A structured error: `{"error":{"code":…,"message":…}}`.
    pub fn error(status: u16, code: &str, message: &str) -> Response {
        let body = serde_json::json!({"error": {"code": code, "message": message}});
        Response::json(status, body.to_string())
    }
}

/// What a handler is: a request in, a response out. Called from several threads.
pub type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// Serve `listener` with `workers` threads and a queue of `queue` waiting connections,
/// requests bodies up to `max_body` bytes. Returns only if accepting fails for good.
pub fn serve(
    listener: TcpListener,
    workers: usize,
    queue: usize,
    max_body: usize,
    handler: Arc<Handler>,
) -> std::io::Result<()> {
    let (sender, receiver) = sync_channel::<TcpStream>(queue.max(1));
    let receiver = Arc::new(Mutex::new(receiver));
    for _ in 0..workers.max(1) {
        let receiver = Arc::clone(&receiver);
        let handler = Arc::clone(&handler);
        std::thread::Builder::new()
            .name("refract-serve".into())
            .spawn(move || work(&receiver, max_body, handler.as_ref()))?;
    }
    // Connections refused for a full queue are answered by one thread of their own, so
    // the acceptor never waits on a client; past its own queue they are simply closed.
    let (refuse, refused) = sync_channel::<TcpStream>(REFUSED_QUEUE);
    std::thread::Builder::new()
        .name("refract-busy".into())
        .spawn(move || {
            for mut stream in refused {
                let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
                let busy = Response::error(
                    503,
                    "busy",
                    "the server is answering other requests; try again in a moment",
                );
                let _ = write_response(&mut stream, &busy);
                let _ = stream.shutdown(std::net::Shutdown::Write);
                let mut timed = Timed::new(&stream, Duration::from_millis(200));
                let _ = std::io::copy(&mut (&mut timed).take(64 * 1024), &mut std::io::sink());
            }
        })?;
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // A connection that failed before it was accepted (reset by the client).
            continue;
        };
        match sender.try_send(stream) {
            Ok(()) => {}
            Err(TrySendError::Full(stream)) => {
                let _ = refuse.try_send(stream);
            }
            Err(TrySendError::Disconnected(_)) => break,
        }
    }
    Ok(())
}

/// Refused connections waiting for their `503`.
const REFUSED_QUEUE: usize = 64;

/// A worker: take connections from the queue until it closes.
fn work(receiver: &Mutex<Receiver<TcpStream>>, max_body: usize, handler: &Handler) {
    loop {
        let next = match receiver.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        let Ok(mut stream) = next else {
            return;
        };
        let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
        let mut timed = Timed::new(&stream, IO_TIMEOUT);
        let response = match read_request(&mut timed, max_body) {
            Ok(request) => handler(&request),
            Err(Some(response)) => response,
            // Closed or timed out before a request: nobody to answer.
            Err(None) => continue,
        };
        let _ = write_response(&mut stream, &response);
        linger(&mut stream);
    }
}

/// Most bytes read and dropped after a response, and for how long.
const LINGER_BYTES: u64 = 8 * 1024 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(1);

/// End the connection so that the client reads the response: a refused request may still
/// be arriving, and closing with unread input would reset the connection, losing the
/// answer. So: no more output, then what is still coming is read and dropped (bounded in
/// bytes and time).
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut timed = Timed::new(stream, LINGER_TIME);
    let _ = std::io::copy(&mut (&mut timed).take(LINGER_BYTES), &mut std::io::sink());
}

/// A connection read against one deadline for all its reads, so a client that trickles
/// a byte at a time holds a worker no longer than a silent one.
struct Timed<'s> {
    stream: &'s TcpStream,
    until: std::time::Instant,
}

impl<'s> Timed<'s> {
    fn new(stream: &'s TcpStream, within: Duration) -> Timed<'s> {
        Timed {
            stream,
            until: std::time::Instant::now() + within,
        }
    }
}

impl Read for Timed<'_> {
    fn read(&mut self, into: &mut [u8]) -> std::io::Result<usize> {
        let left = self
            .until
            .saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut stream = self.stream;
        stream.read(into)
    }
}

/// Read one request; `Err(Some(response))` for a request refused with that response,
/// `Err(None)` when the connection ended or timed out first.
pub fn read_request(stream: &mut impl Read, max_body: usize) -> Result<Request, Option<Response>> {
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let (head_len, method, target, length, content_type, host) = loop {
        let read = stream.read(&mut chunk).map_err(|_| None)?;
        if read == 0 {
            return Err(None);
        }
        buffer.extend_from_slice(chunk.get(..read).unwrap_or_default());
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buffer) {
            Ok(httparse::Status::Complete(head_len)) => {
                let length = body_length(request.headers)?;
                let method = request.method.unwrap_or_default().to_string();
                let target = request.path.unwrap_or_default().to_string();
                let content_type = header(request.headers, "content-type");
                let host = header(request.headers, "host");
                break (head_len, method, target, length, content_type, host);
            }
            Ok(httparse::Status::Partial) if buffer.len() > MAX_HEAD_BYTES => {
                return Err(Some(Response::error(
                    431,
                    "headers_too_large",
                    &format!("the request line and headers are over {MAX_HEAD_BYTES} bytes"),
                )));
            }
            Ok(httparse::Status::Partial) => {}
            Err(error) => {
                return Err(Some(Response::error(
                    400,
                    "bad_request",
                    &format!("not an HTTP/1.1 request: {error}"),
                )));
            }
        }
    };
    if length > max_body {
        return Err(Some(Response::error(
            413,
            "body_too_large",
            &format!(
                "the request body is {length} bytes; the most refract serve reads is {max_body}"
            ),
        )));
    }
    let mut body = buffer.split_off(head_len.min(buffer.len()));
    if body.len() < length {
        let missing = u64::try_from(length - body.len()).unwrap_or(u64::MAX);
        stream
            .take(missing)
            .read_to_end(&mut body)
            .map_err(|_| None)?;
    }
    if body.len() < length {
        return Err(None);
    }
    body.truncate(length);
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_string(), Some(query.to_string())),
        None => (target, None),
    };
    Ok(Request {
        method,
        path,
        query,
        content_type,
        host,
        body,
    })
}

/// The value of the header `name`, when it is text.
fn header(headers: &[httparse::Header<'_>], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .and_then(|h| std::str::from_utf8(h.value).ok())
        .map(|v| v.trim().to_string())
}

/// The body's length from `Content-Length`; a chunked body is refused (the page never
/// sends one, and its size could not be checked before it is read).
fn body_length(headers: &[httparse::Header<'_>]) -> Result<usize, Option<Response>> {
    let mut length = 0;
    for header in headers {
        if header.name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(Some(Response::error(
                411,
                "length_required",
                "send the body with a Content-Length, not chunked",
            )));
        }
        if header.name.eq_ignore_ascii_case("content-length") {
            length = std::str::from_utf8(header.value)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .ok_or_else(|| {
                    Some(Response::error(
                        400,
                        "bad_request",
                        "Content-Length is not a number",
                    ))
                })?;
        }
    }
    Ok(length)
}

/// Write `response` and end the connection's output.
pub fn write_response(stream: &mut impl Write, response: &Response) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nContent-Security-Policy: default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'\r\n\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&response.body)?;
    stream.flush()
}

/// The reason phrase of the status codes refract serve sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}
