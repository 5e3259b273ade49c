//! A tiny HTTP/1.1 server on 127.0.0.1 for the fetch tests (std only).
//!
//! In: a handler `Fn(&RecordedRequest) -> Reply`, or a list of replies
//! given in turn. Out: a [`Server`] listening on a free port (`base` is
//! `http://127.0.0.1:PORT`) that records every request it reads.
//!
//! Guarantees: one request per connection, every answer says
//! `Connection: close`; a [`Reply`] can also misbehave on purpose (a body
//! shorter than its `Content-Length`, a body that stalls, a connection closed
//! without an answer) so the client's error paths can be tested. The accept
//! thread ends when the `Server` drops; a connection thread still sleeping
//! in a slow reply ends on its own and only writes to its own socket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, e.g. `/rest/1.1/csv?indicator=191`.
    pub target: String,
    /// Names as sent; look up with [`RecordedRequest::header`].
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How the server answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete response with `Content-Length`.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// `Transfer-Encoding: chunked`, the body in these chunks.
    Chunked {
        status: u16,
        headers: Vec<(String, String)>,
        chunks: Vec<Vec<u8>>,
    },
    /// `200`, chunked, these chunks but not the closing empty chunk, then
    /// closing.
    ChunkedCut { chunks: Vec<Vec<u8>> },
    /// `200` announcing `claimed_length` bytes, sending `body`, then closing.
    Truncated {
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        claimed_length: u64,
    },
    /// `200` with the head and `first`, then a pause of `pause`, then `rest`.
    Slow {
        headers: Vec<(String, String)>,
        first: Vec<u8>,
        pause: Duration,
        rest: Vec<u8>,
    },
    /// The connection closed after reading the request, no answer.
    Close,
}

impl Reply {
    /// `200` with this body.
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200, body)
    }

    /// This status with this body.
    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a header (to any reply but `ChunkedCut` and `Close`).
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        let pair = (name.to_string(), value.to_string());
        match &mut self {
            Reply::Full { headers, .. }
            | Reply::Chunked { headers, .. }
            | Reply::Truncated { headers, .. }
            | Reply::Slow { headers, .. } => headers.push(pair),
            Reply::ChunkedCut { .. } | Reply::Close => {}
        }
        self
    }
}

type Handler = dyn Fn(&RecordedRequest) -> Reply + Send + Sync;

/// A running test server; stops accepting when dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    stop: Arc<AtomicBool>,
    accept_thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves every request with `handler`.
    pub fn start(handler: impl Fn(&RecordedRequest) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port on 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let accept_thread = {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let requests = Arc::clone(&requests);
                    let handler = Arc::clone(&handler);
                    // Detached: a slow reply must not hold up the next
                    // request or the server's drop.
                    thread::spawn(move || serve(stream, &requests, &*handler));
                }
            })
        };
        Server {
            base: format!("http://127.0.0.1:{port}"),
            requests,
            stop,
            accept_thread: Some(accept_thread),
        }
    }

    /// Serves the replies in turn, the last one again for every further
    /// request.
    pub fn replies(replies: Vec<Reply>) -> Server {
        assert!(!replies.is_empty(), "give the server at least one reply");
        let next = AtomicUsize::new(0);
        Server::start(move |_| {
            let i = next.fetch_add(1, Ordering::SeqCst);
            replies[i.min(replies.len() - 1)].clone()
        })
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The requests read so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.lock().expect("request log").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
        if let Some(handle) = self.accept_thread.take() {
            let _ = handle.join();
        }
    }
}

fn serve(stream: TcpStream, requests: &Mutex<Vec<RecordedRequest>>, handler: &Handler) {
    // A client that never finishes its request must not pin the thread.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(request) = read_request(&stream) else {
        return;
    };
    let reply = handler(&request);
    requests.lock().expect("request log").push(request);
    // Write errors mean the client hung up (e.g. it stopped at its size
    // cap); nothing to do about them here.
    let _ = write_reply(&stream, reply);
    let _ = stream.shutdown(Shutdown::Both);
}

fn read_request(stream: &TcpStream) -> Option<RecordedRequest> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let mut request = RecordedRequest {
        method,
        target,
        headers,
        body: Vec::new(),
    };
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    request.body = body;
    Some(request)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn head(status: u16, headers: &[(String, String)], framing: &str) -> Vec<u8> {
    let mut text = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(framing);
    text.push_str("Connection: close\r\n\r\n");
    text.into_bytes()
}

fn write_reply(mut stream: &TcpStream, reply: Reply) -> std::io::Result<()> {
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            // 304 has no body and, to be realistic, no Content-Length.
            let framing = if status == 304 {
                String::new()
            } else {
                format!("Content-Length: {}\r\n", body.len())
            };
            stream.write_all(&head(status, &headers, &framing))?;
            stream.write_all(&body)?;
        }
        Reply::Chunked {
            status,
            headers,
            chunks,
        } => {
            stream.write_all(&head(status, &headers, "Transfer-Encoding: chunked\r\n"))?;
            for chunk in chunks.iter().filter(|c| !c.is_empty()) {
                stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                stream.write_all(chunk)?;
                stream.write_all(b"\r\n")?;
            }
            stream.write_all(b"0\r\n\r\n")?;
        }
        Reply::ChunkedCut { chunks } => {
            stream.write_all(&head(200, &[], "Transfer-Encoding: chunked\r\n"))?;
            for chunk in chunks.iter().filter(|c| !c.is_empty()) {
                stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                stream.write_all(chunk)?;
                stream.write_all(b"\r\n")?;
            }
        }
        Reply::Truncated {
            headers,
            body,
            claimed_length,
        } => {
            let framing = format!("Content-Length: {claimed_length}\r\n");
            stream.write_all(&head(200, &headers, &framing))?;
            stream.write_all(&body)?;
        }
        Reply::Slow {
            headers,
            first,
            pause,
            rest,
        } => {
            let framing = format!("Content-Length: {}\r\n", first.len() + rest.len());
            stream.write_all(&head(200, &headers, &framing))?;
            stream.write_all(&first)?;
            stream.flush()?;
            thread::sleep(pause);
            stream.write_all(&rest)?;
        }
        Reply::Close => {}
    }
    stream.flush()
}
