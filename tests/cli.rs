//! The CLI end to end on the bundled samples.

use crate::common::{hyte, root, stderr_of};

fn run_samples(out: &std::path::Path, extra: &[&str]) -> std::process::Output {
    hyte()
        .arg("run")
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn run_on_samples_writes_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_samples(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    for file in [
        "report.md",
        "manifest.json",
        "tables/observations.csv",
        "tables/observations.parquet",
        "tables/observations.arrow",
    ] {
        let path = dir.path().join("current").join(file);
        assert!(path.is_file(), "{file} missing");
        assert!(std::fs::metadata(&path).unwrap().len() > 0, "{file} empty");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("current/manifest.json")).unwrap())
            .unwrap();
    let inputs = manifest["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 7);
    for input in inputs {
        assert_eq!(input["rows_rejected"], 0, "{input}");
        assert_eq!(input["sha256"].as_str().unwrap().len(), 64);
    }
    // The served-shape cube is read through its dimension file (recorded
    // with its hash), and the Sotkanet regions dump's vintage is named.
    let cube = inputs.iter().find(|i| i["kind"] == "thl-cube").unwrap();
    assert!(cube["companions"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("fact_ktk.dimensions.json"));
    let sotkanet = inputs.iter().find(|i| i["kind"] == "sotkanet-csv").unwrap();
    assert!(
        sotkanet["notes"][0]
            .as_str()
            .unwrap()
            .contains("no wellbeing services counties"),
        "{sotkanet}"
    );
    assert_eq!(
        manifest["validation"]["metadata_findings"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    assert!(manifest["observations"].as_u64().unwrap() > 5000);
    // One complete run, no partial folder or new link left behind.
    let runs: Vec<_> = std::fs::read_dir(dir.path().join("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(
        std::fs::read_link(dir.path().join("current")).unwrap(),
        std::path::Path::new("runs").join(&runs[0])
    );
    let mut top: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, [".hyte-output", "current", "runs"]);
}

#[test]
fn same_inputs_give_identical_bytes_whatever_the_thread_count() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    assert_eq!(
        run_samples(one.path(), &["--threads", "1"]).status.code(),
        Some(0)
    );
    assert_eq!(
        run_samples(two.path(), &["--threads", "2"]).status.code(),
        Some(0)
    );
    for file in [
        "report.md",
        "tables/observations.csv",
        "tables/observations.parquet",
        "tables/observations.arrow",
        "tables/trends.csv",
        "tables/trends.parquet",
        "tables/trends.arrow",
        "tables/dimensions.csv",
        "tables/dimensions.parquet",
        "tables/dimensions.arrow",
        "tables/shift.csv",
        "tables/shift_summary.parquet",
        "report.html",
        "charts/ktk.anxiety_8-9.svg",
        "charts/ktk.anxiety_8-9.png",
    ] {
        let a = std::fs::read(one.path().join("current").join(file)).unwrap();
        let b = std::fs::read(two.path().join("current").join(file)).unwrap();
        assert!(a == b, "{file} differs between --threads 1 and --threads 2");
    }
}

#[test]
fn report_md_snapshot_in_finnish_and_swedish() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_samples(dir.path(), &[]).status.code(), Some(0));
    let fi = std::fs::read_to_string(dir.path().join("current/report.md")).unwrap();
    insta::assert_snapshot!("report_md_fi", fi);

    let sv_dir = tempfile::tempdir().unwrap();
    assert_eq!(
        run_samples(sv_dir.path(), &["--lang", "sv"]).status.code(),
        Some(0)
    );
    let sv = std::fs::read_to_string(sv_dir.path().join("current/report.md")).unwrap();
    for finnish in [
        "Yhdenvertaisuus",
        "Hoiva ja huolenpito",
        "Osallisuus",
        "Terveys",
        "Turvallisuus",
    ] {
        assert!(!sv.contains(finnish), "Swedish report contains {finnish}");
    }
    assert!(sv.contains("## 1. Likabehandling"));
}

#[test]
fn catalog_lists_every_dimension() {
    let out = hyte().arg("catalog").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("catalog_fi", text);
    let en = hyte().args(["catalog", "--lang", "en"]).output().unwrap();
    let text = String::from_utf8(en.stdout).unwrap();
    assert!(text.starts_with("1. equality (equality)"), "{text}");
    assert!(text.contains("7. exercise and hobbies (leisure)"));
}

/// Issue 9: THL publishes a "sex not reported" category; a run on a cube
/// in the served shape keeps it as its own group and does not exit 3.
#[test]
fn the_sex_not_reported_category_is_its_own_group() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_samples(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let table =
        std::fs::read_to_string(dir.path().join("current/tables/observations.csv")).unwrap();
    let not_reported: Vec<&str> = table
        .lines()
        .filter(|l| l.split(',').nth(3) == Some("not_reported"))
        .collect();
    assert!(!not_reported.is_empty());
    assert!(
        not_reported
            .iter()
            .all(|l| l.contains("fact_ktk.json#$.dataset.value")),
        "{not_reported:?}"
    );
}

#[test]
fn validate_on_samples_is_clean() {
    let out = hyte().arg("validate").output().unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("0 rejected, 0 warnings"), "{stderr}");
}

#[test]
fn environment_variables_configure_cron_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = hyte()
        .arg("run")
        .env("HYTE_OUT", dir.path())
        .env("HYTE_LANG", "en")
        .env("HYTE_PERIOD", "2021")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let report = std::fs::read_to_string(dir.path().join("current/report.md")).unwrap();
    assert!(report.contains("## 1. Equality"), "{report}");
    assert!(!report.contains("(2023)") && !report.contains("(2025Q1)"));
    let manifest = std::fs::read_to_string(dir.path().join("current/manifest.json")).unwrap();
    assert!(manifest.contains("\"as_of\": \"2021\""));
}

#[test]
fn a_held_lock_gives_exit_code_4_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let _lock = hyte::output::OutputLock::acquire(dir.path()).unwrap();
    let out = run_samples(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("another hyte run is writing"));
    assert!(!dir.path().join("current/report.md").exists());
}

#[test]
fn bad_usage_and_config_exit_2() {
    let out = hyte().args(["run", "--lang", "de"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = hyte().args(["run", "--period", "2025Q5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("2025Q3"), "{}", stderr_of(&out));

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hyte.toml");
    std::fs::write(&config, "language = \"fi\"\nlanguage_typo = 1\n").unwrap();
    let out = hyte()
        .arg("run")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("hyte.toml:2:") && stderr.contains("language_typo"),
        "{stderr}"
    );
}

#[test]
fn catalog_errors_exit_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("indicators");
    std::fs::create_dir(&catalog).unwrap();
    std::fs::write(
        catalog.join("bad.toml"),
        "[[indicator]]\nid = \"x.y\"\ntitle = { fi = \"a\", sv = \"b\", en = \"c\" }\ndimension = \"happiness\"\npolarity = \"higher_is_better\"\nunit = \"percent\"\ndecimals = 1\nsource = { sotkanet = 1 }\n",
    )
    .unwrap();
    let samples = root().join("data-samples/local/population.csv");
    let config = dir.path().join("hyte.toml");
    std::fs::write(
        &config,
        format!(
            "[[input]]\nkind = \"population-csv\"\npath = {:?}\n",
            samples.display().to_string()
        ),
    )
    .unwrap();
    let out = hyte()
        .arg("run")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.toml:4: unknown dimension 'happiness'"),
        "{stderr}"
    );
}

#[test]
fn samples_show_each_shift_verdict_and_every_table() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_samples(dir.path(), &[]).status.code(), Some(0));
    let summary =
        std::fs::read_to_string(dir.path().join("current/tables/shift_summary.csv")).unwrap();
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    for column in [
        "area",
        "share_first",
        "share_last",
        "share_slope_per_year",
        "share_slope_ci_lower",
        "share_slope_ci_upper",
        "share_slope_p_value",
        "verdict",
        "main_drivers",
    ] {
        assert!(header.contains(&column), "shift_summary lacks {column}");
    }
    let verdict_at = header.iter().position(|c| *c == "verdict").unwrap();
    let verdict = |area: &str| -> String {
        let line = summary
            .lines()
            .find(|l| l.starts_with(&format!("{area},local")))
            .unwrap_or_else(|| panic!("no local row for {area}"));
        line.split(',').nth(verdict_at).unwrap().to_string()
    };
    assert_eq!(verdict("lohja.harju"), "toward_basic");
    assert_eq!(verdict("lohja.mantynummi"), "toward_basic");
    assert_eq!(verdict("lohja.nummi_pusula"), "toward_specialist");
    assert_eq!(verdict("lohja.anttila"), "no_clear_shift");
    let trends = std::fs::read_to_string(dir.path().join("current/tables/trends.csv")).unwrap();
    let trend_header: Vec<&str> = trends.lines().next().unwrap().split(',').collect();
    // The trends table's columns are listed once, in the code that builds
    // them; docs/STATISTICS.md documents them as a numbered table.
    assert_eq!(trend_header, hyte::export::frames::trend_columns().unwrap());
    let statistics = std::fs::read_to_string(root().join("docs/STATISTICS.md")).unwrap();
    let documented: Vec<&str> = statistics
        .lines()
        .filter_map(|line| {
            let mut cells = line.split('|').map(str::trim).skip(1);
            let number = cells.next()?;
            let name = cells.next()?;
            let number = number.parse::<usize>().ok()?;
            name.starts_with('`')
                .then(|| (number, name.trim_matches('`')))
        })
        // The first numbered table (the comparisons table follows).
        .enumerate()
        .take_while(|(i, (number, _))| *number == i + 1)
        .map(|(_, (_, name))| name)
        .collect();
    assert_eq!(trend_header, documented, "docs/STATISTICS.md");
    for name in ["trends", "dimensions", "shift", "shift_summary"] {
        for ext in ["csv", "parquet", "arrow"] {
            assert!(
                dir.path()
                    .join(format!("current/tables/{name}.{ext}"))
                    .is_file(),
                "{name}.{ext}"
            );
        }
    }
}

#[test]
fn logs_are_text_or_json_lines_and_quiet_keeps_only_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let json = run_samples(dir.path(), &["--log-format", "json", "--verbose"]);
    assert_eq!(json.status.code(), Some(0), "{}", stderr_of(&json));
    let lines: Vec<serde_json::Value> = stderr_of(&json)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert!(lines.iter().any(|l| l["level"] == "INFO"
        && l["fields"]["message"]
            .as_str()
            .unwrap()
            .starts_with("wrote ")));
    assert!(lines
        .iter()
        .any(|l| l["fields"]["stage"] == "trends" && l["fields"]["seconds"].is_number()));

    let quiet = run_samples(dir.path(), &["--quiet"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(stderr_of(&quiet), "", "a clean run is silent under --quiet");
}
