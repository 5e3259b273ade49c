//! The download cache (`hyte::fetch::cache`) against the local test server
//! (`tests/http_server.rs`): freshness, conditional requests, retries,
//! timeouts, size caps, content checks and the all-or-nothing guarantee.
//! Bodies have the real sources' shapes (shared DATA-FORMATS §1, §2).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hyte::fetch::cache::{Cache, Expect, FetchError, Fetched, Method, Outcome, Request, Settings};
use sha2::{Digest, Sha256};

use crate::http_server::{RecordedRequest, Reply, Server};

const USER_AGENT: &str = "hyte/0.1.0 (+https://example.invalid/hyte; municipal wellbeing reports)";
const SOTKANET_HEADER: &str = "indicator;region;year;gender;primary value;absolute value";
const CSV_V1: &str = "indicator;region;year;gender;primary value;absolute value\r\n\
                      191;202;2022;total;12.1;44\r\n\
                      191;202;2023;total;;\r\n";
const CSV_V2: &str = "indicator;region;year;gender;primary value;absolute value\r\n\
                      191;202;2022;total;12.1;44\r\n\
                      191;202;2023;total;13.4;49\r\n\
                      191;202;2024;total;12.9;47\r\n";
const JSON_STAT: &str = r#"{"dataset": {"version": "2.0", "class": "dataset", "label": "Kouluterveyskysely",
  "dimension": {"id": ["area", "measure"], "size": [1, 1],
    "area": {"category": {"index": {"445222": 0}, "label": {"445222": "Lohja"}}},
    "measure": {"category": {"index": {"444833": 0}, "label": {"444833": "Osuus"}}}},
  "value": {"0": "12,3"}}}"#;
const ETAG: &str = "\"v1-191\"";
const LAST_MODIFIED: &str = "Wed, 01 Oct 2025 08:00:00 GMT";
const OLD_STAMP: &str = "2020-01-01T00:00:00Z";

fn settings(dir: &Path) -> Settings {
    Settings {
        cache_dir: dir.join("cache"),
        min_interval: Duration::from_secs(24 * 3600),
        timeout: Duration::from_secs(5),
        retries: 2,
        backoff: Duration::from_millis(10),
        max_bytes: 1 << 20,
        user_agent: USER_AGENT.to_string(),
    }
}

fn csv_request(server: &Server) -> Request {
    Request {
        key: "sotkanet/csv/indicator-191.csv".to_string(),
        url: server.url("/rest/1.1/csv?indicator=191&years=2023&genders=total"),
        method: Method::Get,
        expect: Expect::Csv {
            header_starts_with: SOTKANET_HEADER.to_string(),
        },
    }
}

fn request(server: &Server, key: &str, expect: Expect) -> Request {
    Request {
        key: key.to_string(),
        url: server.url(&format!("/{key}")),
        method: Method::Get,
        expect,
    }
}

/// `200` with a Sotkanet body and validators.
fn csv_reply(body: &str) -> Reply {
    Reply::ok(body)
        .header("Content-Type", "text/csv; charset=UTF-8")
        .header("ETag", ETAG)
        .header("Last-Modified", LAST_MODIFIED)
}

/// Answers `304` when the client offers the current ETag, else the body.
fn conditional_server(body: &'static str) -> Server {
    Server::start(move |req: &RecordedRequest| {
        if req.header("if-none-match") == Some(ETAG) {
            Reply::status(304, "").header("ETag", ETAG)
        } else {
            csv_reply(body)
        }
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn assert_no_partial(dir: &Path) {
    let partial: Vec<_> = files_under(dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(partial.is_empty(), "left behind: {partial:?}");
}

/// Rewrites the saved manifest as if the entry had been fetched and checked
/// long ago.
fn age_entry(cache_dir: &Path, key: &str) {
    let path = cache_dir.join("cache.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let entry = &mut manifest["entries"][key];
    assert!(entry.is_object(), "no entry {key} in {manifest}");
    entry["fetched_at"] = OLD_STAMP.into();
    entry["checked_at"] = OLD_STAMP.into();
    fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
}

fn fetch_ok(cache: &mut Cache, request: &Request, force: bool) -> Fetched {
    cache
        .fetch(request, force)
        .unwrap_or_else(|e| panic!("fetch {} failed: {e}", request.key))
}

#[test]
fn download_writes_file_and_entry_and_sends_user_agent() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![csv_reply(CSV_V1)]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let request = csv_request(&server);

    let fetched = fetch_ok(&mut cache, &request, false);

    assert_eq!(fetched.outcome, Outcome::Downloaded);
    assert_eq!(
        fetched.path,
        dir.path().join("cache/sotkanet/csv/indicator-191.csv")
    );
    assert_eq!(fs::read_to_string(&fetched.path).unwrap(), CSV_V1);
    let entry = cache.entry(&request.key).expect("entry recorded");
    assert_eq!(entry, &fetched.entry);
    assert_eq!(entry.url, request.url);
    assert_eq!(entry.sha256, sha256_hex(CSV_V1.as_bytes()));
    assert_eq!(entry.bytes, CSV_V1.len() as u64);
    assert_eq!(entry.etag.as_deref(), Some(ETAG));
    assert_eq!(entry.last_modified.as_deref(), Some(LAST_MODIFIED));
    assert_eq!(entry.fetched_at, entry.checked_at);
    assert!(humantime::parse_rfc3339(&entry.fetched_at).is_ok());

    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].target,
        "/rest/1.1/csv?indicator=191&years=2023&genders=total"
    );
    assert_eq!(seen[0].header("user-agent"), Some(USER_AGENT));
    assert_eq!(seen[0].header("if-none-match"), None);
    assert_no_partial(dir.path());
}

#[test]
fn saved_manifest_is_sorted_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![Reply::ok(JSON_STAT)]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    for key in ["thl/b.json", "thl/a.json"] {
        fetch_ok(&mut cache, &request(&server, key, Expect::Json), false);
    }
    cache.save().unwrap();

    let text = fs::read_to_string(dir.path().join("cache/cache.json")).unwrap();
    let a = text.find("\"thl/a.json\"").expect("a in manifest");
    let b = text.find("\"thl/b.json\"").expect("b in manifest");
    assert!(a < b, "keys not sorted:\n{text}");
    assert!(!dir.path().join("cache/cache.json.partial").exists());

    let reopened = Cache::open(settings(dir.path())).unwrap();
    assert_eq!(reopened.entry("thl/a.json"), cache.entry("thl/a.json"));
    assert_eq!(reopened.entry("thl/b.json"), cache.entry("thl/b.json"));
    reopened.save().unwrap();
    let again = fs::read_to_string(dir.path().join("cache/cache.json")).unwrap();
    assert_eq!(again, text, "saving is deterministic");
}

#[test]
fn fetch_within_min_interval_is_fresh_without_request() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![csv_reply(CSV_V1)]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let request = csv_request(&server);
    let first = fetch_ok(&mut cache, &request, false);
    cache.save().unwrap();

    // Also across a reopen: freshness comes from the saved manifest.
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let second = fetch_ok(&mut cache, &request, false);

    assert_eq!(second.outcome, Outcome::Fresh);
    assert_eq!(second.entry, first.entry);
    assert_eq!(server.requests().len(), 1, "a fresh entry asked the server");
}

#[test]
fn stale_entry_gets_conditional_request_and_304_keeps_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = conditional_server(CSV_V1);
    let cache_dir = dir.path().join("cache");
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let request = csv_request(&server);
    let first = fetch_ok(&mut cache, &request, false);
    cache.save().unwrap();
    age_entry(&cache_dir, &request.key);
    let modified_before = fs::metadata(&first.path).unwrap().modified().unwrap();

    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let second = fetch_ok(&mut cache, &request, false);

    assert_eq!(second.outcome, Outcome::NotModified);
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].header("if-none-match"), Some(ETAG));
    assert_eq!(seen[1].header("if-modified-since"), Some(LAST_MODIFIED));
    assert_eq!(seen[1].header("user-agent"), Some(USER_AGENT));
    assert_eq!(fs::read_to_string(&second.path).unwrap(), CSV_V1);
    assert_eq!(
        fs::metadata(&second.path).unwrap().modified().unwrap(),
        modified_before,
        "a 304 rewrote the file"
    );
    let entry = cache.entry(&request.key).unwrap();
    assert_eq!(
        entry.fetched_at, OLD_STAMP,
        "bytes were not downloaded again"
    );
    assert_ne!(entry.checked_at, OLD_STAMP, "checked_at not updated");
    assert_eq!(entry.sha256, first.entry.sha256);
}

#[test]
fn zero_min_interval_always_asks() {
    let dir = tempfile::tempdir().unwrap();
    let server = conditional_server(CSV_V1);
    let mut cache = Cache::open(Settings {
        min_interval: Duration::ZERO,
        ..settings(dir.path())
    })
    .unwrap();
    let request = csv_request(&server);
    assert_eq!(
        fetch_ok(&mut cache, &request, false).outcome,
        Outcome::Downloaded
    );
    assert_eq!(
        fetch_ok(&mut cache, &request, false).outcome,
        Outcome::NotModified
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn force_asks_even_when_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let server = conditional_server(CSV_V1);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let request = csv_request(&server);
    fetch_ok(&mut cache, &request, false);
    let forced = fetch_ok(&mut cache, &request, true);
    assert_eq!(forced.outcome, Outcome::NotModified);
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].header("if-none-match"), Some(ETAG));
}

#[test]
fn changed_file_is_downloaded_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![csv_reply(CSV_V1), Reply::ok(CSV_V2)]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let request = csv_request(&server);
    fetch_ok(&mut cache, &request, false);
    let second = fetch_ok(&mut cache, &request, true);
    assert_eq!(second.outcome, Outcome::Downloaded);
    assert_eq!(fs::read_to_string(&second.path).unwrap(), CSV_V2);
    assert_eq!(second.entry.sha256, sha256_hex(CSV_V2.as_bytes()));
    assert_eq!(second.entry.etag, None, "the new answer had no ETag");
}

#[test]
fn tampered_cached_file_is_not_fresh_and_not_offered() {
    let dir = tempfile::tempdir().unwrap();
    let server = conditional_server(CSV_V1);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let request = csv_request(&server);
    let first = fetch_ok(&mut cache, &request, false);
    fs::write(&first.path, CSV_V2).unwrap();

    let second = fetch_ok(&mut cache, &request, false);

    assert_eq!(second.outcome, Outcome::Downloaded);
    assert_eq!(fs::read_to_string(&second.path).unwrap(), CSV_V1);
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].header("if-none-match"), None);
}

#[test]
fn not_found_is_not_retried_and_keeps_cached_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![csv_reply(CSV_V1), Reply::status(404, "Not Found")]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let request = csv_request(&server);
    let first = fetch_ok(&mut cache, &request, false);

    let error = cache.fetch(&request, true).unwrap_err();

    match &error {
        FetchError::Status {
            url,
            code,
            attempts,
        } => {
            assert_eq!(url, &request.url);
            assert_eq!(*code, 404);
            assert_eq!(*attempts, 1);
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains(&request.url), "{message}");
    assert!(
        message.contains("check the indicator id / URL"),
        "{message}"
    );
    assert_eq!(server.requests().len(), 2, "a 404 was retried");
    assert_eq!(fs::read_to_string(&first.path).unwrap(), CSV_V1);
    assert_eq!(cache.entry(&request.key), Some(&first.entry));
    assert_no_partial(dir.path());
}

#[test]
fn server_error_then_success_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![
        Reply::status(500, "<html>Internal Server Error</html>"),
        csv_reply(CSV_V1),
    ]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let fetched = fetch_ok(&mut cache, &csv_request(&server), false);
    assert_eq!(fetched.outcome, Outcome::Downloaded);
    assert_eq!(fs::read_to_string(&fetched.path).unwrap(), CSV_V1);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn persistent_server_error_fails_after_all_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![Reply::status(503, "busy")]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let error = cache.fetch(&csv_request(&server), false).unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::Status {
                code: 503,
                attempts: 3,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("3 attempts"), "{error}");
    assert_eq!(server.requests().len(), 3);
    assert!(cache.entry("sotkanet/csv/indicator-191.csv").is_none());
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
}

#[test]
fn too_many_requests_honours_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![
        Reply::status(429, "slow down").header("Retry-After", "1"),
        csv_reply(CSV_V1),
    ]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let started = Instant::now();
    fetch_ok(&mut cache, &csv_request(&server), false);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited only {:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn connection_closed_without_answer_is_retried_then_fails() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![Reply::Close]);
    let mut cache = Cache::open(Settings {
        retries: 1,
        ..settings(dir.path())
    })
    .unwrap();
    let error = cache.fetch(&csv_request(&server), false).unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::Transport {
                attempts: 2,
                timed_out: false,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn truncated_body_fails_and_keeps_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let half = &CSV_V2.as_bytes()[..CSV_V2.len() / 2];
    let server = Server::replies(vec![
        csv_reply(CSV_V1),
        Reply::Truncated {
            headers: Vec::new(),
            body: half.to_vec(),
            claimed_length: CSV_V2.len() as u64,
        },
    ]);
    let mut cache = Cache::open(Settings {
        retries: 1,
        ..settings(dir.path())
    })
    .unwrap();
    let request = csv_request(&server);
    let first = fetch_ok(&mut cache, &request, false);

    let error = cache.fetch(&request, true).unwrap_err();

    match &error {
        FetchError::Truncated {
            got,
            expected,
            attempts,
            ..
        } => {
            assert_eq!(*got, half.len() as u64);
            assert_eq!(*expected, Some(CSV_V2.len() as u64));
            assert_eq!(*attempts, 2, "a cut connection is worth a retry");
        }
        other => panic!("expected a truncation error, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 3);
    assert_eq!(fs::read_to_string(&first.path).unwrap(), CSV_V1);
    assert_eq!(cache.entry(&request.key), Some(&first.entry));
    assert_no_partial(dir.path());
}

#[test]
fn chunked_body_cut_short_fails() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![Reply::ChunkedCut {
        chunks: vec![
            format!("{SOTKANET_HEADER}\r\n").into_bytes(),
            b"191;202;2023;total;13.4;49\r\n".to_vec(),
        ],
    }]);
    let mut cache = Cache::open(Settings {
        retries: 0,
        ..settings(dir.path())
    })
    .unwrap();
    let error = cache.fetch(&csv_request(&server), false).unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::Truncated {
                expected: None,
                attempts: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
}

#[test]
fn slow_body_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![Reply::Slow {
        headers: Vec::new(),
        first: format!("{SOTKANET_HEADER}\r\n").into_bytes(),
        pause: Duration::from_secs(5),
        rest: b"191;202;2023;total;13.4;49\r\n".to_vec(),
    }]);
    let mut cache = Cache::open(Settings {
        timeout: Duration::from_millis(300),
        retries: 1,
        ..settings(dir.path())
    })
    .unwrap();
    let started = Instant::now();

    let error = cache.fetch(&csv_request(&server), false).unwrap_err();

    let elapsed = started.elapsed();
    // Two attempts of 0.3 s; the margin is for a loaded CI machine.
    assert!(elapsed < Duration::from_millis(2500), "took {elapsed:?}");
    assert!(
        matches!(
            error,
            FetchError::Transport {
                timed_out: true,
                attempts: 2,
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("timed out after 0.3 s"), "{message}");
    assert!(message.contains("raise `timeout`"), "{message}");
    assert_no_partial(dir.path());
}

#[test]
fn body_over_cap_by_content_length_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let body = CSV_V2.repeat(20);
    let server = Server::replies(vec![Reply::ok(body)]);
    let mut cache = Cache::open(Settings {
        max_bytes: 200,
        ..settings(dir.path())
    })
    .unwrap();
    let error = cache.fetch(&csv_request(&server), false).unwrap_err();
    assert!(
        matches!(error, FetchError::TooLarge { max: 200, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("raise `max_mb` in [fetch]"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 1, "a size error was retried");
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
}

fn chunked_csv(total_rows: usize) -> Reply {
    let mut chunks = vec![format!("{SOTKANET_HEADER}\r\n").into_bytes()];
    chunks.extend(
        (0..total_rows).map(|i| format!("191;202;{};total;12.5;40\r\n", 1990 + i).into_bytes()),
    );
    Reply::Chunked {
        status: 200,
        headers: Vec::new(),
        chunks,
    }
}

fn chunked_len(total_rows: usize) -> u64 {
    match chunked_csv(total_rows) {
        Reply::Chunked { chunks, .. } => chunks.iter().map(|c| c.len() as u64).sum(),
        _ => unreachable!(),
    }
}

#[test]
fn chunked_body_over_cap_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![chunked_csv(200)]);
    let mut cache = Cache::open(Settings {
        max_bytes: 1000,
        ..settings(dir.path())
    })
    .unwrap();
    let error = cache.fetch(&csv_request(&server), false).unwrap_err();
    assert!(
        matches!(error, FetchError::TooLarge { max: 1000, .. }),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 1);
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
}

#[test]
fn chunked_body_exactly_at_cap_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![chunked_csv(30)]);
    let mut cache = Cache::open(Settings {
        max_bytes: chunked_len(30),
        ..settings(dir.path())
    })
    .unwrap();
    let fetched = fetch_ok(&mut cache, &csv_request(&server), false);
    assert_eq!(fetched.entry.bytes, chunked_len(30));
}

#[test]
fn html_page_with_200_is_refused_for_json() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![Reply::ok(
        "\n<!DOCTYPE html>\n<html><head><title>Huoltokatko</title></head><body>Palvelu on \
         tilapäisesti poissa käytöstä.</body></html>\n",
    )
    .header("Content-Type", "text/html; charset=UTF-8")]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let request = request(&server, "thl/fact_ktk.json", Expect::Json);

    let error = cache.fetch(&request, false).unwrap_err();

    assert!(matches!(error, FetchError::Content { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("server sent HTML"), "{message}");
    assert!(message.contains(&request.url), "{message}");
    assert_eq!(server.requests().len(), 1, "a content error was retried");
    assert!(cache.entry(&request.key).is_none());
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
}

#[test]
fn html_page_with_200_is_refused_for_csv_and_keeps_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![
        csv_reply(CSV_V1),
        Reply::ok("<html><body>Error 500</body></html>"),
    ]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let request = csv_request(&server);
    let first = fetch_ok(&mut cache, &request, false);
    let error = cache.fetch(&request, true).unwrap_err();
    assert!(error.to_string().contains("server sent HTML"), "{error}");
    assert_eq!(fs::read_to_string(&first.path).unwrap(), CSV_V1);
    assert_no_partial(dir.path());
}

#[test]
fn json_is_parsed_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let cut = &JSON_STAT[..JSON_STAT.len() - 3];
    let server = Server::replies(vec![Reply::ok(JSON_STAT), Reply::ok(cut)]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let good = request(&server, "thl/fact_ktk.json", Expect::Json);
    fetch_ok(&mut cache, &good, false);

    let bad = request(&server, "thl/fact_ktk_cut.json", Expect::Json);
    let error = cache.fetch(&bad, false).unwrap_err();
    assert!(matches!(error, FetchError::Content { .. }), "{error:?}");
    assert!(error.to_string().contains("not valid JSON"), "{error}");
    assert!(!cache.path(&bad.key).exists());
}

#[test]
fn csv_with_wrong_header_is_refused_and_bom_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![
        Reply::ok("region;year;value\r\n202;2023;1\r\n"),
        Reply::ok(format!("\u{feff}{CSV_V1}")),
    ]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let request = csv_request(&server);
    let error = cache.fetch(&request, false).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, FetchError::Content { .. }), "{error:?}");
    assert!(message.contains("region;year;value"), "{message}");
    assert!(message.contains(SOTKANET_HEADER), "{message}");

    let fetched = fetch_ok(&mut cache, &request, false);
    assert_eq!(fetched.outcome, Outcome::Downloaded);
}

#[test]
fn thl_jsonp_dimension_file_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let body = r#"thl.pivot.loadDimensions([{"id":"area","label":"Alue","children":[
  {"id":"445222","sid":"445222","label":"Kaikki alueet","stage":"root","code":"SSS","sort":1,
   "children":[{"id":"445193","sid":"445193","label":"Lohja","stage":"municipality","code":"444","sort":2,"children":[]}]}]}]);
"#;
    let server = Server::replies(vec![
        Reply::ok(body).header("Content-Type", "application/javascript")
    ]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let request = request(&server, "thl/fact_ktk.dimensions.json", Expect::JsonP);
    let fetched = fetch_ok(&mut cache, &request, false);
    assert_eq!(fs::read_to_string(&fetched.path).unwrap(), body);
}

#[test]
fn not_jsonp_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bodies = [
        r#"[{"id":"area"}]"#,                             // plain JSON
        r#"thl.pivot.loadDimensions([{"id":"area"}]"#,    // no closing `)`
        r#"thl.pivot.loadDimensions([{"id":"area"},]);"#, // bad JSON inside
        r#"123abc([]);"#,                                 // not a name
    ];
    let server = Server::replies(bodies.iter().map(|b| Reply::ok(*b)).collect());
    let mut cache = Cache::open(Settings {
        retries: 0,
        ..settings(dir.path())
    })
    .unwrap();
    for (i, body) in bodies.iter().enumerate() {
        let request = request(&server, &format!("thl/dims-{i}.json"), Expect::JsonP);
        match cache.fetch(&request, false) {
            Err(FetchError::Content { what, .. }) => assert!(what.contains("JSONP"), "{what}"),
            other => panic!("{body}: expected a content error, got {other:?}"),
        }
    }
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
}

#[test]
fn bad_keys_are_refused_without_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::replies(vec![Reply::ok(JSON_STAT)]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    for key in [
        "../x",
        "a/../../x",
        "/etc/passwd",
        "",
        "a//b",
        "a/",
        "./a",
        "a\\b",
        "cache.json",
        "a.json.partial",
    ] {
        let request = Request {
            key: key.to_string(),
            url: server.url("/x"),
            method: Method::Get,
            expect: Expect::Json,
        };
        match cache.fetch(&request, false) {
            Err(FetchError::BadKey { key: k, .. }) => assert_eq!(k, key),
            other => panic!("key {key:?}: expected BadKey, got {other:?}"),
        }
    }
    assert!(server.requests().is_empty());
    assert!(!dir.path().join("x").exists());
}

#[test]
fn corrupt_manifest_is_an_error_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("cache");
    fs::create_dir_all(&cache_dir).unwrap();
    let manifest = cache_dir.join("cache.json");
    fs::write(&manifest, "{\"format_version\": 1, \"entries\": {\"a\": ").unwrap();

    let error = Cache::open(settings(dir.path())).unwrap_err();

    assert!(
        matches!(&error, FetchError::Manifest { path, .. } if path == &manifest),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("cache.json"), "{message}");
    assert!(message.contains("delete it"), "{message}");
    assert!(manifest.exists(), "the corrupt manifest was discarded");
}

#[test]
fn post_body_and_content_type_reach_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let pxweb = r#"{"version":"2.0","class":"dataset","id":["Alue","Vuosi"],"size":[1,1],
        "dimension":{},"value":[45820]}"#;
    let server = Server::replies(vec![Reply::ok(pxweb)]);
    let mut cache = Cache::open(settings(dir.path())).unwrap();
    let query = br#"{"query":[{"code":"Alue","selection":{"filter":"item","values":["KU444"]}}],"response":{"format":"json-stat2"}}"#;
    let mut request = Request {
        key: "statfin/11re-444.json".to_string(),
        url: server.url("/PXWeb/api/v1/fi/StatFin/vaerak/statfin_vaerak_pxt_11re.px"),
        method: Method::Post {
            body: query.to_vec(),
            content_type: "application/json",
        },
        expect: Expect::Json,
    };

    fetch_ok(&mut cache, &request, false);

    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(seen[0].body, query.to_vec());

    // The same query again is fresh; a changed query under the same key is not.
    assert_eq!(
        fetch_ok(&mut cache, &request, false).outcome,
        Outcome::Fresh
    );
    request.method = Method::Post {
        body: [&query[..], b" "].concat(),
        content_type: "application/json",
    };
    assert_eq!(
        fetch_ok(&mut cache, &request, false).outcome,
        Outcome::Downloaded
    );
    assert_eq!(server.requests().len(), 2);
}
