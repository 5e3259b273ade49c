//! Unattended runs on hostile or broken inputs: pipes and devices, other
//! encodings, huge fields, floods of bad rows, control characters, empty
//! or wholly rejected inputs, absurd flags. Each must end quickly with a
//! clear message, bounded output and the same exit code from `run` and
//! `validate`.

use std::path::Path;
use std::time::Duration;

use crate::common::{hyte, root, stderr_of, write_config};

const SERVICES: &str = "[[input]]\nkind = \"services-csv\"\npath = \"s.csv\"\n";

fn services_header() -> String {
    let sample = std::fs::read_to_string(root().join("data-samples/local/services.csv")).unwrap();
    format!("{}\n", sample.lines().next().unwrap())
}

fn both(config: &Path) -> [(Option<i32>, String); 2] {
    ["run", "validate"].map(|command| {
        let out = hyte()
            .args([command, "--config"])
            .arg(config)
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        (out.status.code(), stderr_of(&out))
    })
}

#[test]
fn devices_and_pipes_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    for (path, what) in [
        ("/dev/zero", "is a device"),
        ("pipe.csv", "is a named pipe"),
    ] {
        let config = write_config(
            dir.path(),
            &SERVICES.replace("path = \"s.csv\"", &format!("path = {path:?}")),
        );
        for (code, stderr) in both(&config) {
            assert_eq!(code, Some(1), "{stderr}");
            assert!(
                stderr.contains(what) && stderr.contains("regular files"),
                "{stderr}"
            );
        }
    }
}

#[test]
fn utf16_is_named_and_long_fields_and_control_characters_are_cut_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), SERVICES);
    let text = services_header() + "lohja.anttila;2019Q1;family_work;18;112;13081,09\n";
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    std::fs::write(dir.path().join("s.csv"), utf16).unwrap();
    for (code, stderr) in both(&config) {
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains("the file is UTF-16"), "{stderr}");
    }

    let long = "9".repeat(5 << 20);
    let text = services_header()
        + "lohja.anttila;2019Q1;family_work;18;112;13081,09\n"
        + &format!("lohja.anttila;2019Q2;family_work;{long};1;1\n")
        + "lohja.anttila;2019Q3;family_work;1\u{1b}[31mX\u{0};1;1\n";
    std::fs::write(dir.path().join("s.csv"), text).unwrap();
    for (code, stderr) in both(&config) {
        assert_eq!(code, Some(3), "{stderr}");
        assert!(stderr.len() < 2000, "{} bytes of messages", stderr.len());
        assert!(stderr.contains("field 4 is 5242880 bytes long"), "{stderr}");
        assert!(stderr.contains("1\\u{1b}[31mX\\u{0}"), "{stderr}");
        assert!(!stderr.contains('\u{1b}') && !stderr.contains('\0'));
    }
    let manifest = std::fs::read_to_string(dir.path().join("out/current/manifest.json")).unwrap();
    assert!(manifest.len() < 100_000, "{} bytes", manifest.len());
    assert!(
        !manifest.contains("\\u001b"),
        "control characters escaped as text"
    );
}

#[test]
fn a_flood_of_bad_rows_is_capped_in_the_manifest_and_whole_in_rejections_csv() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), SERVICES);
    let mut text = services_header() + "lohja.anttila;2019Q1;family_work;18;112;13081,09\n";
    for i in 0..3000 {
        text.push_str(&format!("lohja.anttila;2019Q2;family_work;x{i};1;1\n"));
    }
    std::fs::write(dir.path().join("s.csv"), text).unwrap();
    let out = hyte()
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let current = dir.path().join("out/current");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(current.join("manifest.json")).unwrap()).unwrap();
    let input = &manifest["inputs"][0];
    assert_eq!(input["rows_rejected"], 3000);
    assert_eq!(input["rejections"].as_array().unwrap().len(), 50);
    let rejections = std::fs::read_to_string(current.join("tables/rejections.csv")).unwrap();
    assert_eq!(
        rejections.lines().count(),
        3001,
        "a header and every rejection"
    );
    assert!(rejections
        .lines()
        .nth(1)
        .unwrap()
        .contains("'x0' is not a number"));
}

#[test]
fn empty_and_wholly_rejected_inputs_fail_alike_and_leave_their_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), SERVICES);
    std::fs::write(dir.path().join("s.csv"), "").unwrap();
    for (code, stderr) in both(&config) {
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains("the file is empty"), "{stderr}");
    }
    let text = services_header() + "lohja.anttila;2019Q1;family_work;x;1;1\n";
    std::fs::write(dir.path().join("s.csv"), text).unwrap();
    for (code, stderr) in both(&config) {
        assert_eq!(code, Some(1), "{stderr}");
        assert!(
            stderr.contains("rejected: ") && stderr.contains("'x' is not a number"),
            "the rejections are printed: {stderr}"
        );
        assert!(
            stderr.contains("every one of the 1 rows read was rejected"),
            "{stderr}"
        );
    }
    // The run left its reasons in failed/, and published nothing.
    let out = dir.path().join("out");
    assert!(!out.join("current").exists());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("failed/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["status"], "failed");
    assert_eq!(manifest["inputs"][0]["rows_rejected"], 1);
    assert!(out.join("failed/tables/rejections.csv").exists());
    // The next good run publishes and removes the failure report.
    let text = services_header() + "lohja.anttila;2019Q1;family_work;18;112;13081,09\n";
    std::fs::write(dir.path().join("s.csv"), text).unwrap();
    let [(code, stderr), _] = both(&config);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(out.join("current/manifest.json").exists());
    assert!(!out.join("failed").exists());
}

#[test]
fn absurd_flags_are_refused() {
    for (args, env, expected) in [
        (vec!["run", "--threads", "65535"], None, "not in 1..=512"),
        (vec!["validate"], Some("yes"), "invalid value 'yes'"),
    ] {
        let mut cmd = hyte();
        cmd.args(&args);
        if let Some(value) = env {
            cmd.env("HYTE_DENY_WARNINGS", value);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr_of(&out).contains(expected), "{}", stderr_of(&out));
    }
}

#[test]
fn minus_zero_is_zero_and_impossible_counts_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), SERVICES);
    let text = services_header()
        + "lohja.anttila;2019Q1;family_work;18;112;-0\n"
        + "lohja.anttila;2019Q2;family_work;1e20;112;1\n";
    std::fs::write(dir.path().join("s.csv"), text).unwrap();
    let out = hyte()
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("beyond any population") || stderr.contains("not a whole number"),
        "{stderr}"
    );
    let table =
        std::fs::read_to_string(dir.path().join("out/current/tables/observations.csv")).unwrap();
    assert!(!table.contains("-0.0") && !table.contains("e+"), "{table}");
}
