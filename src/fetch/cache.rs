//! Downloading source files into a local cache, politely and all or nothing.
//!
//! In: [`Settings`] (the cache folder, how often a server may be asked, the
//! timeout, retries, a size cap and the User-Agent) and one [`Request`] at a
//! time: a cache key, a URL, GET or POST (PxWeb queries are POSTs with a JSON
//! body) and what the body must look like ([`Expect`]).
//! Out: the cached file `<cache_dir>/<key>` and its [`Entry`] in the cache
//! manifest `<cache_dir>/cache.json` (URL, when it was downloaded and last
//! confirmed, the server's validators, sha256 and size), with an
//! [`Outcome`] saying whether the server was asked and what it said.
//!
//! Guarantees:
//! - **Polite**: an entry confirmed by the server less than
//!   [`Settings::min_interval`] ago is served without asking the server
//!   again (THL asks clients not to download the same data repeatedly);
//!   otherwise a request carries `If-None-Match` / `If-Modified-Since` when
//!   a good copy is cached, so an unchanged file costs a `304`. Every request
//!   names the program in its User-Agent.
//! - **All or nothing**: a body is streamed into `<key>.partial`, hashed and
//!   counted as it arrives, checked against [`Expect`], synced and only then
//!   renamed over `<key>`. A failed download (HTTP error, timeout, a body cut
//!   short, too large, or of the wrong kind, e.g. an HTML error page served
//!   with `200`) never replaces or deletes a good cached file and leaves no
//!   `.partial` behind.
//! - **Bounded**: a body is never held in memory and never written past
//!   [`Settings::max_bytes`]; a request never runs past
//!   [`Settings::timeout`].
//! - **Transient failures retried**: connection errors, timeouts, bodies
//!   cut short, `5xx`, `408` and `429` are retried with exponential backoff
//!   (`Retry-After` in seconds honoured up to a minute); other statuses are
//!   not. Every error names the URL or the file, says how many attempts were
//!   made where that matters, and suggests the fix.
//! - **Deterministic manifest**: `cache.json` is pretty JSON with sorted
//!   keys, written atomically by [`Cache::save`] (the caller decides when;
//!   [`Cache::fetch`] only updates the manifest in memory). A manifest that
//!   cannot be read is an error, never silently discarded.
//!
//! One process uses a cache folder at a time: two processes saving the same
//! manifest would lose each other's entries (the caller holds the lock).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The manifest's file name inside the cache folder.
const MANIFEST_NAME: &str = "cache.json";
/// Bumped when the manifest's shape changes incompatibly.
const MANIFEST_FORMAT: u32 = 1;
/// Suffix of a file being written; never a valid key component's suffix.
const PARTIAL_SUFFIX: &str = ".partial";
/// The longest wait between attempts, whatever the backoff or the server's
/// `Retry-After` says: a batch job should fail rather than hang for hours.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// Redirects followed before giving up (THL and Statistics Finland redirect
/// http to https and old paths to new ones, never in long chains).
const MAX_REDIRECTS: u32 = 5;
/// Read buffer for streaming a body to disk.
const CHUNK: usize = 64 * 1024;
/// How much of a body's start and end the content checks look at.
const PEEK: usize = 4096;
/// The UTF-8 byte order mark some Windows tools put before CSV text.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How the cache talks to servers. The caller builds it (from the config).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The cache folder; created when missing.
    pub cache_dir: PathBuf,
    /// Do not ask the server again for an entry fetched less than this long
    /// ago (THL asks clients not to download the same data repeatedly).
    /// `force` in [`Cache::fetch`] overrides.
    pub min_interval: Duration,
    /// Limit of one attempt, from connecting to the body's last byte; also
    /// the connect timeout.
    pub timeout: Duration,
    /// Extra attempts after the first for transient failures.
    pub retries: u32,
    /// Wait before the first retry; doubles for each further retry.
    pub backoff: Duration,
    /// Largest body accepted (after decompression); a larger one is an error
    /// and streaming stops at the cap.
    pub max_bytes: u64,
    /// The User-Agent sent with every request, e.g.
    /// `hyte/0.1.0 (municipal children's wellbeing reports; contact …)`.
    pub user_agent: String,
}

/// The HTTP method of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    Get,
    /// A POST with a body, e.g. a PxWeb v1 query (`application/json`).
    Post {
        body: Vec<u8>,
        content_type: &'static str,
    },
}

/// What a body must look like to be cached; checked before it replaces the
/// cached file, so an error page never lands in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// One JSON document (JSON-stat, Sotkanet's `/json`, `/regions`, …).
    Json,
    /// JSON wrapped in one function call, THL's JSONP form (docs: shared
    /// DATA-FORMATS §2): `thl.pivot.loadDimensions([...]);` for a cube's
    /// dimension tree, `thl.pivot.fromJsonStat({...});` for `fact_X.js`.
    /// Accepted: optional whitespace, an identifier (letters, digits, `_`,
    /// `$`, `.`), `(`, one JSON value, `)`, an optional `;`.
    JsonP,
    /// Text whose first line (after an optional UTF-8 BOM) starts with this
    /// header, e.g. Sotkanet's `indicator;region;year;gender;primary value`.
    Csv { header_starts_with: String },
}

/// One file to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Relative cache path, `/`-separated, e.g.
    /// `sotkanet/csv/191.csv`. No `..`, `.`, empty components, or
    /// leading `/`.
    pub key: String,
    pub url: String,
    pub method: Method,
    pub expect: Expect,
}

/// What [`Cache::fetch`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server sent the file (`200`); the cached file was replaced.
    Downloaded,
    /// The server confirmed the cached file (`304`); it was kept.
    NotModified,
    /// Confirmed less than `min_interval` ago; the server was not asked.
    Fresh,
}

/// The result of a successful fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub key: String,
    /// The cached file, `<cache_dir>/<key>`.
    pub path: PathBuf,
    pub outcome: Outcome,
    /// The manifest entry after this fetch.
    pub entry: Entry,
}

/// What the manifest records of one cached file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub url: String,
    /// When the bytes were downloaded (RFC 3339, UTC, seconds).
    pub fetched_at: String,
    /// When the server last confirmed them, by `200` or `304` (RFC 3339).
    pub checked_at: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// sha256 of the cached file, lowercase hex.
    pub sha256: String,
    /// Size of the cached file in bytes.
    pub bytes: u64,
    /// sha256 of the POST body that produced the file (absent for GET): a
    /// changed PxWeb query under the same key must not be served from the
    /// cache nor confirmed by a `304` meant for the old query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_sha256: Option<String>,
}

/// Why a fetch, or opening or saving the cache, failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: the server answered HTTP {code} ({attempts}); {hint}",
        attempts = attempts_text(*attempts), hint = status_hint(*code))]
    Status {
        url: String,
        code: u16,
        attempts: u32,
    },
    #[error("{url}: {detail} ({attempts}); {hint}",
        attempts = attempts_text(*attempts),
        hint = if *timed_out { "raise `timeout` if the server is slow, or try again later" }
               else { "check the network connection and the URL, or try again later" })]
    Transport {
        url: String,
        /// What went wrong, e.g. `timed out after 30 s` or the I/O error.
        detail: String,
        /// True when the limit [`Settings::timeout`] was hit.
        timed_out: bool,
        attempts: u32,
    },
    #[error(
        "{url}: the response is larger than the cap of {max} bytes; raise `max_mb` in [fetch] \
             if the file really is this large, or narrow the query"
    )]
    TooLarge { url: String, max: u64 },
    #[error("{url}: the connection closed after {got} bytes of {expected} ({attempts}); \
             try again later",
        expected = expected.map_or("a chunked body".to_string(), |n| format!("{n}")),
        attempts = attempts_text(*attempts))]
    Truncated {
        url: String,
        got: u64,
        /// The announced length; `None` for a chunked body cut short.
        expected: Option<u64>,
        attempts: u32,
    },
    #[error("{url}: {what}")]
    Content {
        url: String,
        /// What is wrong with the body, and what to check.
        what: String,
    },
    #[error(
        "cache file {path}: {source}; check that the cache folder is writable and the disk \
             has space"
    )]
    Cache {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "cache manifest {path}: {detail}; delete it to start an empty cache (every file is \
             then downloaded again)"
    )]
    Manifest { path: PathBuf, detail: String },
    #[error(
        "cache key `{key}`: {reason}; use a relative `/`-separated path such as \
             `sotkanet/csv/191.csv`"
    )]
    BadKey { key: String, reason: String },
}

fn attempts_text(attempts: u32) -> String {
    match attempts {
        1 => "1 attempt".to_string(),
        n => format!("{n} attempts"),
    }
}

fn status_hint(code: u16) -> &'static str {
    match code {
        304 => {
            "the server said `not modified` though no cached copy was offered; \
                remove the entry's file from the cache and try again"
        }
        400 => "the server rejected the query; check the query parameters",
        401 | 403 => "the server refused access; check the URL",
        404 | 410 => "check the indicator id / URL",
        408 | 429 => "the server is busy; try again later",
        500..=599 => "the server failed; try again later",
        _ => "check the URL",
    }
}

/// The manifest as stored in `cache.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format_version: u32,
    entries: BTreeMap<String, Entry>,
}

/// The cache folder and its manifest.
#[derive(Debug)]
pub struct Cache {
    settings: Settings,
    entries: BTreeMap<String, Entry>,
    agent: ureq::Agent,
}

impl Cache {
    /// Opens (creating the folder if needed) the cache and reads its
    /// manifest; no manifest is an empty cache.
    pub fn open(settings: Settings) -> Result<Cache, FetchError> {
        fs::create_dir_all(&settings.cache_dir).map_err(|source| FetchError::Cache {
            path: settings.cache_dir.clone(),
            source,
        })?;
        let manifest_path = settings.cache_dir.join(MANIFEST_NAME);
        let entries = match fs::read(&manifest_path) {
            Ok(bytes) => parse_manifest(&manifest_path, &bytes)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => BTreeMap::new(),
            Err(source) => {
                return Err(FetchError::Cache {
                    path: manifest_path,
                    source,
                })
            }
        };
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .timeout_connect(Some(settings.timeout))
            // Statuses are answers to classify (retry, 304, 404), not errors.
            .http_status_as_error(false)
            .max_redirects(MAX_REDIRECTS)
            .user_agent(settings.user_agent.as_str())
            .build()
            .new_agent();
        Ok(Cache {
            settings,
            entries,
            agent,
        })
    }

    /// The manifest entry of a key, if it was fetched before.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Where a key's file lives (the key is not checked here; `fetch` does).
    pub fn path(&self, key: &str) -> PathBuf {
        let mut path = self.settings.cache_dir.clone();
        path.extend(key.split('/'));
        path
    }

    /// Brings one file into the cache: serves it as [`Outcome::Fresh`]
    /// without a request when it was confirmed within `min_interval` (unless
    /// `force`), else asks the server (conditionally when a good copy is
    /// cached). Updates the manifest in memory; call [`Cache::save`] to
    /// write it.
    pub fn fetch(&mut self, request: &Request, force: bool) -> Result<Fetched, FetchError> {
        check_key(&request.key)?;
        let path = self.path(&request.key);
        let request_sha256 = match &request.method {
            Method::Get => None,
            Method::Post { body, .. } => Some(hex(&Sha256::digest(body))),
        };
        let now = SystemTime::now();

        // The cached copy may be offered to the server (or served) only when
        // it is intact and was made by this very request.
        let reusable = match self.entries.get(&request.key) {
            Some(entry) if entry.url == request.url && entry.request_sha256 == request_sha256 => {
                file_matches(&path, entry)?.then(|| entry.clone())
            }
            _ => None,
        };

        if let Some(entry) = &reusable {
            if !force && is_fresh(entry, now, self.settings.min_interval) {
                return Ok(Fetched {
                    key: request.key.clone(),
                    path,
                    outcome: Outcome::Fresh,
                    entry: entry.clone(),
                });
            }
        }

        let mut attempt = 0;
        let answer = loop {
            attempt += 1;
            match self.attempt(request, &path, reusable.as_ref(), attempt) {
                Ok(answer) => break answer,
                Err(Failure { error, retry }) => match retry {
                    Retry::After(server_wait) if attempt <= self.settings.retries => {
                        thread::sleep(self.wait_before_retry(attempt, server_wait));
                    }
                    _ => return Err(error),
                },
            }
        };

        let stamp = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        let (entry, outcome) = match answer {
            Answer::NotModified {
                etag,
                last_modified,
            } => {
                // Checked above: a 304 is only possible after offering a copy.
                let Some(mut entry) = reusable else {
                    return Err(FetchError::Status {
                        url: request.url.clone(),
                        code: 304,
                        attempts: attempt,
                    });
                };
                entry.checked_at = stamp;
                // RFC 9111 §4.3.4: validators sent with a 304 replace the stored ones.
                if etag.is_some() {
                    entry.etag = etag;
                }
                if last_modified.is_some() {
                    entry.last_modified = last_modified;
                }
                (entry, Outcome::NotModified)
            }
            Answer::Downloaded {
                etag,
                last_modified,
                sha256,
                bytes,
            } => (
                Entry {
                    url: request.url.clone(),
                    fetched_at: stamp.clone(),
                    checked_at: stamp,
                    etag,
                    last_modified,
                    sha256,
                    bytes,
                    request_sha256,
                },
                Outcome::Downloaded,
            ),
        };
        self.entries.insert(request.key.clone(), entry.clone());
        Ok(Fetched {
            key: request.key.clone(),
            path,
            outcome,
            entry,
        })
    }

    /// Writes the manifest atomically: `cache.json.partial`, synced, renamed
    /// over `cache.json`.
    pub fn save(&self) -> Result<(), FetchError> {
        let manifest = Manifest {
            format_version: MANIFEST_FORMAT,
            entries: self.entries.clone(),
        };
        let path = self.settings.cache_dir.join(MANIFEST_NAME);
        let mut text =
            serde_json::to_string_pretty(&manifest).map_err(|e| FetchError::Manifest {
                path: path.clone(),
                detail: format!("cannot be serialized: {e}"),
            })?;
        text.push('\n');
        let partial = with_suffix(&path, PARTIAL_SUFFIX);
        let guard = PartialFile::new(partial.clone());
        let mut file = File::create(&partial).map_err(cache_error(&partial))?;
        file.write_all(text.as_bytes())
            .map_err(cache_error(&partial))?;
        file.sync_all().map_err(cache_error(&partial))?;
        drop(file);
        fs::rename(&partial, &path).map_err(cache_error(&path))?;
        guard.committed();
        sync_dir(&self.settings.cache_dir)
    }

    /// The wait before retry number `attempt` (1-based): the backoff doubled
    /// per earlier retry, or longer when the server asked for it; at most
    /// [`MAX_WAIT`].
    fn wait_before_retry(&self, attempt: u32, server_wait: Option<Duration>) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        let backoff = self.settings.backoff.saturating_mul(1 << doublings);
        backoff.max(server_wait.unwrap_or_default()).min(MAX_WAIT)
    }

    /// One request and, on `200`, the body into the cache.
    fn attempt(
        &self,
        request: &Request,
        path: &Path,
        offered: Option<&Entry>,
        attempt: u32,
    ) -> Result<Answer, Failure> {
        let url = &request.url;
        let sent = match &request.method {
            Method::Get => {
                let builder = self.agent.get(url);
                let builder = add_validators(builder, offered);
                builder.call()
            }
            Method::Post { body, content_type } => {
                let builder = self.agent.post(url).header("Content-Type", *content_type);
                let builder = add_validators(builder, offered);
                builder.send(body.as_slice())
            }
        };
        let mut response = sent.map_err(|e| transport_failure(url, e, attempt, &self.settings))?;

        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let etag = header("etag");
        let last_modified = header("last-modified");
        match status {
            200 => {}
            304 if offered.is_some() => {
                return Ok(Answer::NotModified {
                    etag,
                    last_modified,
                })
            }
            408 | 429 | 500..=599 => {
                let server_wait = header("retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                return Err(Failure {
                    error: FetchError::Status {
                        url: url.clone(),
                        code: status,
                        attempts: attempt,
                    },
                    retry: Retry::After(server_wait),
                });
            }
            _ => {
                return Err(Failure::fatal(FetchError::Status {
                    url: url.clone(),
                    code: status,
                    attempts: attempt,
                }))
            }
        }

        let (sha256, bytes) = self.store_body(response.body_mut(), request, path, attempt)?;
        Ok(Answer::Downloaded {
            etag,
            last_modified,
            sha256,
            bytes,
        })
    }

    /// Streams a `200` body into `<key>.partial`, checks it and renames it
    /// over the cached file; returns its sha256 and size. On any error the
    /// partial file is removed and the cached file is untouched.
    fn store_body(
        &self,
        body: &mut ureq::Body,
        request: &Request,
        path: &Path,
        attempt: u32,
    ) -> Result<(String, u64), Failure> {
        let url = &request.url;
        let max = self.settings.max_bytes;
        let too_large = || {
            Failure::fatal(FetchError::TooLarge {
                url: url.clone(),
                max,
            })
        };
        // Known only when the body is not compressed (ureq decodes gzip,
        // and then the announced length is not the length read).
        let announced = body.content_length();
        if announced.is_some_and(|n| n > max) {
            return Err(too_large());
        }

        let partial = with_suffix(path, PARTIAL_SUFFIX);
        let guard = PartialFile::new(partial.clone());
        let at_partial = |source| Failure::fatal(cache_error(&partial)(source));
        if let Some(parent) = partial.parent() {
            fs::create_dir_all(parent).map_err(at_partial)?;
        }
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&partial)
            .map_err(at_partial)?;

        let mut reader = body.with_config().limit(max).reader();
        let mut hasher = Sha256::new();
        let mut bytes: u64 = 0;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let error = ureq::Error::from(e);
                    return Err(body_failure(
                        url,
                        error,
                        bytes,
                        announced,
                        attempt,
                        &self.settings,
                    ));
                }
            };
            bytes += n as u64;
            // ureq's limit stops first; this keeps the cap should it not.
            if bytes > max {
                return Err(too_large());
            }
            hasher.update(&buf[..n]);
            file.write_all(&buf[..n]).map_err(at_partial)?;
        }
        // ureq reports a length-delimited body cut short (UnexpectedEof);
        // this keeps the guarantee should a transport ever end quietly.
        if let Some(expected) = announced.filter(|&n| n != bytes) {
            return Err(Failure {
                error: FetchError::Truncated {
                    url: url.clone(),
                    got: bytes,
                    expected: Some(expected),
                    attempts: attempt,
                },
                retry: Retry::After(None),
            });
        }

        file.flush().map_err(at_partial)?;
        file.seek(SeekFrom::Start(0)).map_err(at_partial)?;
        check_content(&mut file, bytes, &request.expect).map_err(|checked| match checked {
            Checked::Wrong(what) => Failure::fatal(FetchError::Content {
                url: url.clone(),
                what,
            }),
            Checked::Io(source) => at_partial(source),
        })?;
        file.sync_all().map_err(at_partial)?;
        drop(file);
        fs::rename(&partial, path).map_err(|e| Failure::fatal(cache_error(path)(e)))?;
        guard.committed();
        if let Some(parent) = path.parent() {
            sync_dir(parent).map_err(Failure::fatal)?;
        }
        Ok((hex(&hasher.finalize()), bytes))
    }
}

/// Maps an I/O error on `path` to [`FetchError::Cache`].
fn cache_error(path: &Path) -> impl Fn(io::Error) -> FetchError + Copy + '_ {
    move |source| FetchError::Cache {
        path: path.to_path_buf(),
        source,
    }
}

/// What one attempt got from the server.
enum Answer {
    Downloaded {
        etag: Option<String>,
        last_modified: Option<String>,
        sha256: String,
        bytes: u64,
    },
    NotModified {
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// A failed attempt and whether another may succeed.
struct Failure {
    error: FetchError,
    retry: Retry,
}

enum Retry {
    /// Permanent: the same request would fail the same way.
    Never,
    /// Transient; the server's `Retry-After`, if it sent one.
    After(Option<Duration>),
}

impl Failure {
    fn fatal(error: FetchError) -> Failure {
        Failure {
            error,
            retry: Retry::Never,
        }
    }
}

fn add_validators<B>(
    mut builder: ureq::RequestBuilder<B>,
    offered: Option<&Entry>,
) -> ureq::RequestBuilder<B> {
    if let Some(entry) = offered {
        if let Some(etag) = &entry.etag {
            builder = builder.header("If-None-Match", etag);
        }
        if let Some(last_modified) = &entry.last_modified {
            builder = builder.header("If-Modified-Since", last_modified);
        }
    }
    builder
}

/// A failure before or while receiving the response head.
fn transport_failure(url: &str, error: ureq::Error, attempt: u32, settings: &Settings) -> Failure {
    let (detail, timed_out) = describe_transport(&error, settings);
    let retry = match error {
        // Nothing on the network went wrong: the request itself is bad.
        ureq::Error::BadUri(_)
        | ureq::Error::Http(_)
        | ureq::Error::RequireHttpsOnly(_)
        | ureq::Error::TooManyRedirects
        | ureq::Error::RedirectFailed
        | ureq::Error::LargeResponseHeader(..) => Retry::Never,
        _ => Retry::After(None),
    };
    Failure {
        error: FetchError::Transport {
            url: url.to_string(),
            detail,
            timed_out,
            attempts: attempt,
        },
        retry,
    }
}

/// A failure while receiving the body.
fn body_failure(
    url: &str,
    error: ureq::Error,
    got: u64,
    announced: Option<u64>,
    attempt: u32,
    settings: &Settings,
) -> Failure {
    match error {
        ureq::Error::BodyExceedsLimit(_) => Failure::fatal(FetchError::TooLarge {
            url: url.to_string(),
            max: settings.max_bytes,
        }),
        // ureq's word for a connection closed before the announced length
        // or the chunked body's end.
        ureq::Error::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => Failure {
            error: FetchError::Truncated {
                url: url.to_string(),
                got,
                expected: announced,
                attempts: attempt,
            },
            retry: Retry::After(None),
        },
        other => transport_failure(url, other, attempt, settings),
    }
}

fn describe_transport(error: &ureq::Error, settings: &Settings) -> (String, bool) {
    match error {
        ureq::Error::Timeout(_) => (
            format!("timed out after {} s", seconds(settings.timeout)),
            true,
        ),
        ureq::Error::Io(e) if e.kind() == io::ErrorKind::TimedOut => (
            format!("timed out after {} s", seconds(settings.timeout)),
            true,
        ),
        ureq::Error::HostNotFound => ("host not found".to_string(), false),
        ureq::Error::ConnectionFailed => ("could not connect".to_string(), false),
        ureq::Error::TooManyRedirects => (format!("more than {MAX_REDIRECTS} redirects"), false),
        other => (format!("request failed: {other}"), false),
    }
}

/// `0.3`, `30`: seconds without trailing zeros.
fn seconds(d: Duration) -> String {
    let text = format!("{:.3}", d.as_secs_f64());
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Slack in the freshness test: a job scheduled every `min_interval` (a
/// weekly fetch with the 7-day default) starts a little early or late; it
/// must still ask the server each time, not every other time.
const SCHEDULE_SLACK: Duration = Duration::from_secs(3600);

/// Whether the entry was confirmed less than `min_interval` (less an hour
/// of slack) before `now`. A confirmation in the future (the clock was set
/// back) is not trusted.
fn is_fresh(entry: &Entry, now: SystemTime, min_interval: Duration) -> bool {
    let Ok(checked) = humantime::parse_rfc3339(&entry.checked_at) else {
        return false;
    };
    now.duration_since(checked)
        .is_ok_and(|age| age + SCHEDULE_SLACK < min_interval)
}

/// Whether the cached file has the recorded size and sha256. A missing file
/// is simply not a match; a file that cannot be read is an error.
fn file_matches(path: &Path, entry: &Entry) -> Result<bool, FetchError> {
    let cache_err = cache_error(path);
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(source) => return Err(cache_err(source)),
    };
    let meta = file.metadata().map_err(cache_err)?;
    if !meta.is_file() || meta.len() != entry.bytes {
        return Ok(false);
    }
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher).map_err(cache_err)?;
    Ok(hex(&hasher.finalize()) == entry.sha256)
}

fn check_key(key: &str) -> Result<(), FetchError> {
    let bad = |reason: &str| {
        Err(FetchError::BadKey {
            key: key.to_string(),
            reason: reason.to_string(),
        })
    };
    if key.is_empty() {
        return bad("is empty");
    }
    if key.starts_with('/') {
        return bad("is absolute");
    }
    if key.contains('\\') || key.contains('\0') {
        return bad("contains `\\` or a NUL character");
    }
    for component in key.split('/') {
        match component {
            "" => return bad("has an empty component (`//` or a trailing `/`)"),
            "." | ".." => return bad("has a `.` or `..` component"),
            c if c.ends_with(PARTIAL_SUFFIX) => {
                return bad("has a component ending in `.partial` (reserved for downloads)")
            }
            _ => {}
        }
    }
    if key == MANIFEST_NAME {
        return bad("is the manifest's own name");
    }
    Ok(())
}

fn parse_manifest(path: &Path, bytes: &[u8]) -> Result<BTreeMap<String, Entry>, FetchError> {
    let manifest_err = |detail: String| FetchError::Manifest {
        path: path.to_path_buf(),
        detail,
    };
    let manifest: Manifest = serde_json::from_slice(bytes)
        .map_err(|e| manifest_err(format!("is not a valid cache manifest ({e})")))?;
    if manifest.format_version != MANIFEST_FORMAT {
        return Err(manifest_err(format!(
            "has format version {}, this program reads version {MANIFEST_FORMAT}",
            manifest.format_version
        )));
    }
    for (key, entry) in &manifest.entries {
        if let Err(e) = check_key(key) {
            return Err(manifest_err(format!("has a bad entry: {e}")));
        }
        for (name, stamp) in [
            ("fetched_at", &entry.fetched_at),
            ("checked_at", &entry.checked_at),
        ] {
            if humantime::parse_rfc3339(stamp).is_err() {
                return Err(manifest_err(format!(
                    "entry `{key}` has {name} `{stamp}`, not an RFC 3339 UTC time"
                )));
            }
        }
    }
    Ok(manifest.entries)
}

/// Outcome of a content check: the body is wrong, or the file could not be
/// read back.
enum Checked {
    Wrong(String),
    Io(io::Error),
}

impl From<io::Error> for Checked {
    fn from(e: io::Error) -> Self {
        Checked::Io(e)
    }
}

/// Checks the downloaded body (the file, positioned at its start, `len`
/// bytes) against what the request expects.
fn check_content(file: &mut File, len: u64, expect: &Expect) -> Result<(), Checked> {
    let mut head = Vec::with_capacity(PEEK);
    (&mut *file).take(PEEK as u64).read_to_end(&mut head)?;
    file.seek(SeekFrom::Start(0))?;
    let bom = if head.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let Some(start) = head[bom..].iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err(Checked::Wrong(
            "the body is empty or blank; check the URL and its parameters".to_string(),
        ));
    };
    if head[bom + start] == b'<' {
        return Err(Checked::Wrong(format!(
            "the server sent HTML instead of {} (often an error or maintenance page); \
             open the URL in a browser to see it",
            match expect {
                Expect::Json | Expect::JsonP => "JSON",
                Expect::Csv { .. } => "CSV",
            }
        )));
    }
    match expect {
        Expect::Json => parse_json(BufReader::with_capacity(CHUNK, file))
            .map_err(|e| Checked::Wrong(format!("the body is not valid JSON ({e})"))),
        Expect::JsonP => check_jsonp(file, len, &head[bom + start..], (bom + start) as u64),
        Expect::Csv { header_starts_with } => {
            let mut line = Vec::new();
            BufReader::new(&mut *file)
                .take(PEEK as u64)
                .read_until(b'\n', &mut line)?;
            let line = line.strip_prefix(UTF8_BOM).unwrap_or(&line);
            if line.starts_with(header_starts_with.as_bytes()) {
                Ok(())
            } else {
                let shown = String::from_utf8_lossy(line);
                let shown: String = shown.trim_end().chars().take(120).collect();
                Err(Checked::Wrong(format!(
                    "the first line is `{shown}`, expected a CSV header starting with \
                     `{header_starts_with}`; check the URL and its parameters"
                )))
            }
        }
    }
}

/// Streams one JSON document, keeping nothing.
fn parse_json(reader: impl Read) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    serde::de::IgnoredAny::deserialize(&mut de)?;
    de.end()
}

/// `name(` JSON `)` `;`? — see [`Expect::JsonP`]. `head` starts at the first
/// non-blank byte, which lies at `offset` in the file.
fn check_jsonp(file: &mut File, len: u64, head: &[u8], offset: u64) -> Result<(), Checked> {
    let wrong = |what: &str| {
        Checked::Wrong(format!(
            "the body is not JSONP of the form `name(...);` as THL serves it: {what}"
        ))
    };
    let name_len = head
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'.'))
        .unwrap_or(head.len());
    if name_len == 0 || head[0].is_ascii_digit() {
        return Err(wrong("it does not start with a function name"));
    }
    let after_name = &head[name_len..];
    let Some(paren) = after_name.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err(wrong("no `(` after the function name"));
    };
    if after_name[paren] != b'(' {
        return Err(wrong("no `(` after the function name"));
    }
    let args_start = offset + (name_len + paren + 1) as u64;

    let tail_start = len.saturating_sub(PEEK as u64).max(args_start);
    file.seek(SeekFrom::Start(tail_start))?;
    let mut tail = Vec::new();
    file.take(len - tail_start).read_to_end(&mut tail)?;
    let mut end = tail.len();
    while end > 0 && tail[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    if end > 0 && tail[end - 1] == b';' {
        end -= 1;
    }
    while end > 0 && tail[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    if end == 0 || tail[end - 1] != b')' {
        return Err(wrong("it does not end with `)` or `);`"));
    }
    let args_end = tail_start + (end - 1) as u64;
    file.seek(SeekFrom::Start(args_start))?;
    let args = BufReader::with_capacity(CHUNK, &mut *file).take(args_end - args_start);
    parse_json(args).map_err(|e| wrong(&format!("the argument is not valid JSON ({e})")))
}

/// Removes a file being written unless the write was committed, so no error
/// path leaves a `.partial` behind.
struct PartialFile {
    path: PathBuf,
    committed: bool,
}

impl PartialFile {
    fn new(path: PathBuf) -> PartialFile {
        PartialFile {
            path,
            committed: false,
        }
    }

    fn committed(mut self) {
        self.committed = true;
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            // The error being returned is the one to report; a leftover
            // partial that cannot be removed is overwritten by the next try.
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Makes a rename inside `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), FetchError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|source| FetchError::Cache {
                path: dir.to_path_buf(),
                source,
            })?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
