//! `hyte fetch` and `hyte run --fetch` against a local server that serves
//! the bundled samples the way Sotkanet, THL's cube service and PxWeb serve
//! them (paths and methods of shared DATA-FORMATS §1, §2, §2b): the fetched
//! files must be what `hyte run` reads, a second fetch within
//! `min_interval` must ask nothing, and a failed download must keep the
//! previous file and say so.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::common::{hyte, root, sample_config, stderr_of};
use crate::http_server::{RecordedRequest, Reply, Server};

fn sample(path: &str) -> Vec<u8> {
    std::fs::read(root().join("data-samples").join(path)).unwrap()
}

/// The rows of the sample Sotkanet CSV of one indicator, header first.
fn sotkanet_csv(id: &str) -> String {
    let text = String::from_utf8(sample("sotkanet/indicators.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\r\n", lines.next().unwrap());
    for line in lines.filter(|l| l.split(';').next() == Some(id)) {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out
}

/// One object of the sample `/indicators` metadata.
fn metadata(id: &str) -> Option<Vec<u8>> {
    let all: Vec<serde_json::Value> =
        serde_json::from_slice(&sample("sotkanet/indicators_metadata.json")).unwrap();
    all.into_iter()
        .find(|m| m["id"].as_u64().map(|n| n.to_string()).as_deref() == Some(id))
        .map(|m| serde_json::to_vec(&m).unwrap())
}

/// The sources, as recorded; `fail_cube` makes the THL fact file a 404.
fn serve(request: &RecordedRequest, fail_cube: &AtomicBool) -> Reply {
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .unwrap_or("")
            .to_string()
    };
    match path {
        "/rest/1.1/csv" => Reply::ok(sotkanet_csv(&param("indicator"))),
        "/rest/1.1/regions" => Reply::ok(sample("sotkanet/regions.json")).header("ETag", "\"r1\""),
        p if p.starts_with("/rest/1.1/indicators/") => {
            match metadata(p.rsplit('/').next().unwrap()) {
                Some(body) => Reply::ok(body),
                // Sotkanet answers an id it does not know with an empty object.
                None => Reply::ok("{}"),
            }
        }
        "/pivot/prod/fi/ktk/ktk/fact_ktk.json" if fail_cube.load(Ordering::SeqCst) => {
            Reply::status(404, "<html>Not found</html>")
        }
        "/pivot/prod/fi/ktk/ktk/fact_ktk.json" => Reply::ok(sample("survey/fact_ktk.json")),
        "/pivot/prod/fi/ktk/ktk/fact_ktk.dimensions.json" => {
            Reply::ok(sample("survey/fact_ktk.dimensions.json"))
        }
        "/PXWeb/api/v1/fi/StatFin/vaerak/11re.px" if request.method == "POST" => {
            Reply::ok(sample("population/statfin_11re.json"))
        }
        _ => Reply::status(404, "not found"),
    }
}

/// The sample config with its Sotkanet, THL and PxWeb inputs fetched from
/// `base` into `dir/fetched/`.
fn fetch_config(dir: &Path, base: &str) -> std::path::PathBuf {
    std::fs::write(
        dir.join("query.json"),
        br#"{"query": [], "response": {"format": "json-stat2"}}"#,
    )
    .unwrap();
    let text = std::fs::read_to_string(root().join("hyte.toml"))
        .unwrap()
        .replace(
            "path = \"data-samples/sotkanet/indicators.csv\"",
            &format!("path = \"fetched/sotkanet.csv\"\nurl = \"{base}/rest/1.1\""),
        )
        .replace(
            "regions = \"data-samples/sotkanet/regions.json\"",
            "regions = \"fetched/regions.json\"",
        )
        .replace(
            "path = \"data-samples/sotkanet/indicators_metadata.json\"",
            &format!("path = \"fetched/metadata.json\"\nurl = \"{base}/rest/1.1/\""),
        )
        .replace(
            "path = \"data-samples/survey/fact_ktk.json\"",
            &format!("path = \"fetched/fact_ktk.json\"\nurl = \"{base}/pivot/prod/fi/ktk/ktk/fact_ktk.json?row=area-1&ci&n\""),
        )
        .replace(
            "dimension_file = \"data-samples/survey/fact_ktk.dimensions.json\"",
            "dimension_file = \"fetched/fact_ktk.dimensions.json\"",
        )
        .replace(
            "path = \"data-samples/population/statfin_11re.json\"",
            &format!("path = \"fetched/population.json\"\nurl = \"{base}/PXWeb/api/v1/fi/StatFin/vaerak/11re.px\"\nquery = \"query.json\""),
        )
        + "\n[fetch]\ncontact = \"hyte-test@example.invalid\"\n";
    let path = dir.join("hyte.toml");
    std::fs::write(&path, sample_config_paths(&text)).unwrap();
    path
}

/// The remaining sample paths (catalog, plan, local inputs) made absolute.
fn sample_config_paths(text: &str) -> String {
    let catalog = root().join("indicators");
    let original = std::fs::read_to_string(root().join("hyte.toml")).unwrap();
    let absolute = sample_config(&catalog);
    // sample_config rewrote the bundled text; apply the same rewrites here.
    let mut out = text.to_string();
    for (before, after) in original.lines().zip(absolute.lines()) {
        if before != after {
            out = out.replace(before, after);
        }
    }
    out
}

fn run_hyte(args: &[&str], config: &Path) -> std::process::Output {
    hyte()
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .unwrap()
}

#[test]
fn fetch_writes_what_run_reads_then_asks_nothing_and_keeps_files_on_failure() {
    let fail_cube = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&fail_cube);
    let server = Server::start(move |request| serve(request, &flag));
    let dir = tempfile::tempdir().unwrap();
    let config = fetch_config(dir.path(), &server.url(""));

    let out = run_hyte(&["fetch"], &config);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.matches("fetched ").count(), 4, "{stderr}");
    let first = server.requests();
    assert!(first.iter().all(|r| r
        .header("User-Agent")
        .is_some_and(|ua| ua.starts_with("hyte/") && ua.contains("hyte-test@example.invalid"))));
    assert!(first
        .iter()
        .any(|r| r.method == "POST" && r.body.starts_with(b"{\"query\"")));
    assert!(first.iter().any(|r| r.target.contains("/csv?indicator=")
        && r.target.contains("&years=2000&")
        && r.target
            .ends_with("&genders=total&genders=female&genders=male")));

    // The fetched files are the samples again (the fact and dimension
    // files byte for byte; the Sotkanet CSV has the catalog's indicators).
    let fetched = dir.path().join("fetched");
    assert_eq!(
        std::fs::read(fetched.join("fact_ktk.json")).unwrap(),
        sample("survey/fact_ktk.json")
    );
    assert_eq!(
        std::fs::read(fetched.join("regions.json")).unwrap(),
        sample("sotkanet/regions.json")
    );
    let csv = std::fs::read_to_string(fetched.join("sotkanet.csv")).unwrap();
    assert!(csv.starts_with("indicator;region;year;gender;primary value;absolute value\r\n"));
    assert!(csv.lines().count() > 100, "{} lines", csv.lines().count());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("cache/cache.json")).unwrap())
            .unwrap();
    assert_eq!(
        manifest["entries"]["sotkanet/regions.json"]["etag"],
        "\"r1\""
    );

    // run reads them: the same observations as the bundled samples.
    let out = run_hyte(&["run", "--progress", "never"], &config);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");

    // A second fetch within min_interval asks the servers nothing.
    let out = run_hyte(&["fetch"], &config);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(server.requests().len(), first.len());
    assert!(
        stderr_of(&out).contains("0 downloaded"),
        "{}",
        stderr_of(&out)
    );

    // A run that cannot take the output folder downloads nothing either.
    let asked = server.requests().len();
    let held = hyte::output::OutputLock::acquire(&dir.path().join("out")).unwrap();
    let out = run_hyte(&["run", "--fetch"], &config);
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    drop(held);
    // A fetch waits for nobody: while inputs are read (the cache's lock
    // held shared), it stops with exit 4 and rewrites nothing.
    let reading = std::fs::File::open(dir.path().join("cache")).unwrap();
    reading.lock_shared().unwrap();
    let out = run_hyte(&["fetch", "--force"], &config);
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("another hyte is fetching"),
        "{}",
        stderr_of(&out)
    );
    drop(reading);
    assert_eq!(server.requests().len(), asked);

    // A failing source: the old file stays, the others update, exit 5;
    // run --fetch runs on the previous files and says so.
    fail_cube.store(true, Ordering::SeqCst);
    let before = std::fs::read(fetched.join("fact_ktk.json")).unwrap();
    let out = run_hyte(&["fetch", "--force"], &config);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("fetch failed")
            && stderr.contains("HTTP 404")
            && stderr.contains("fact_ktk.json kept as it was"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(fetched.join("fact_ktk.json")).unwrap(),
        before
    );
    // With no minimum interval, run --fetch asks again (conditionally).
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text + "min_interval = \"0s\"\n").unwrap();
    let out = run_hyte(&["run", "--fetch", "--progress", "never"], &config);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("made from the files downloaded before"),
        "{stderr}"
    );
    assert!(dir.path().join("out/current/report.html").exists());
}

#[test]
fn fetch_refuses_a_config_without_urls_and_a_url_on_a_local_input() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hyte.toml");
    std::fs::write(&config, sample_config(&root().join("indicators"))).unwrap();
    let out = run_hyte(&["fetch"], &config);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("no [[input]] has a `url`"),
        "{}",
        stderr_of(&out)
    );

    let text = sample_config(&root().join("indicators")).replace(
        "kind = \"services-csv\"",
        "kind = \"services-csv\"\nurl = \"https://example.invalid/services.csv\"",
    );
    std::fs::write(&config, text).unwrap();
    let out = run_hyte(&["fetch"], &config);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("is a local file that hyte cannot fetch"),
        "{}",
        stderr_of(&out)
    );
}
