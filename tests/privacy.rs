//! Privacy, end to end: no suppressed value reaches any output, and the
//! subtraction attack recovers nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::{fixture, hyte, read_csv, root, stderr_of};

const SENTINEL_CONFIG: &str = r#"
[[area]]
key = "lohja.a"
name = { fi = "A", sv = "A", en = "A" }
kind = "school_area"
parent = "kunta.444"
[[area]]
key = "lohja.b"
name = { fi = "B", sv = "B", en = "B" }
kind = "school_area"
parent = "kunta.444"
[[area]]
key = "lohja.c"
name = { fi = "C", sv = "C", en = "C" }
kind = "school_area"
parent = "kunta.444"
[[area]]
key = "kunta.444"
name = { fi = "Lohja", sv = "Lojo", en = "Lohja" }
kind = "municipality"
reference = true
"#;

/// Every file under `dir`, as bytes.
fn every_output(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap() {
            let entry = entry.unwrap().path();
            if entry.is_dir() {
                stack.push(entry);
            } else {
                out.push((entry.display().to_string(), std::fs::read(&entry).unwrap()));
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_output_file_holds_a_suppressed_value() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hyte.toml");
    std::fs::write(
        &config,
        format!(
            "catalog = {:?}\n{SENTINEL_CONFIG}\n[[input]]\nkind = \"services-csv\"\npath = {:?}\n\n[[input]]\nkind = \"jsonstat\"\npath = {:?}\ncube = \"ktk\"\n",
            root().join("indicators").display().to_string(),
            fixture("privacy/services.csv").display().to_string(),
            fixture("privacy/survey.json").display().to_string(),
        ),
    )
    .unwrap();
    let out = hyte()
        .arg("run")
        .arg("--config")
        .arg(&config)
        .arg("--audit-privacy")
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let audit = String::from_utf8(out.stdout).unwrap();
    // Primary and secondary suppression both happened, and the audit never
    // prints a value.
    assert!(
        audit.contains("lohja.a\t2024Q1\ttotal\tall\tsuppressed_small"),
        "{audit}"
    );
    assert!(
        audit.contains("lohja.b\t2024Q1\ttotal\tall\tsuppressed_complementary"),
        "{audit}"
    );
    assert!(
        audit.contains("ktk.anxiety\tlohja.a\t2025\tmale\t8-9")
            || audit.contains("ktk.anxiety\tlohja.a\t2025\tmale\tall"),
        "{audit}"
    );
    assert!(
        audit.contains("female") && audit.contains("suppressed_complementary"),
        "{audit}"
    );
    for sentinel in [
        "77777", "12.345", "12,3", "5.432", "25.678", "21.987", "21,9", "22,0",
    ] {
        assert!(!audit.contains(sentinel), "the audit shows {sentinel}");
    }

    let out_dir = dir.path().join("out");
    let files = every_output(&out_dir);
    assert!(files.len() >= 17, "{} files", files.len());
    // The scan can see values: the published part of the same line is there.
    assert!(
        files.iter().any(|(_, b)| contains(b, b"888881")),
        "positive control"
    );
    let mut numbers: Vec<f64> = (1..=4).map(|q| 777_770.0 + f64::from(q)).collect();
    numbers.extend([12.345, 5.432, 25.678, 21.987]);
    for (name, bytes) in &files {
        // As text (CSV, Markdown, JSON) in either decimal style …
        for text in [
            "77777", "12.345", "12,345", "5.432", "25.678", "21.987", "21,987",
        ] {
            assert!(!contains(bytes, text.as_bytes()), "{name} contains {text}");
        }
        // … and as binary f64 (Parquet, Arrow; uncompressed Arrow at least).
        for number in &numbers {
            assert!(
                !contains(bytes, &number.to_le_bytes()),
                "{name} contains {number} as f64"
            );
        }
    }
}

/// The attacker's view: the published observation table and the config's
/// hierarchy. Lines: a municipality = the sum of its school areas; a total
/// = female + male; for percentages the additive quantity is p·n (n is
/// published). Repeatedly solve every line with exactly one unknown part
/// and check that no cell hyte suppressed is ever solved.
#[test]
fn the_subtraction_attack_recovers_no_suppressed_cell() {
    let dir = tempfile::tempdir().unwrap();
    let out = hyte()
        .arg("run")
        .arg("--out")
        .arg(dir.path())
        .arg("--audit-privacy")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let audit = String::from_utf8(out.stdout).unwrap();
    let rows = read_csv(&dir.path().join("current/tables/observations.csv"));
    type Key = (String, String, String, String, String);
    let key = |r: &BTreeMap<String, String>, area: &str, sex: &str| -> Key {
        (
            r["indicator"].clone(),
            area.to_string(),
            r["period"].clone(),
            sex.to_string(),
            r["group"].clone(),
        )
    };
    let mut known: BTreeSet<Key> = BTreeSet::new();
    let mut suppressed: BTreeSet<Key> = BTreeSet::new();
    let mut all: BTreeSet<Key> = BTreeSet::new();
    for r in &rows {
        let k = key(r, &r["area"], &r["sex"]);
        all.insert(k.clone());
        if r["status"] == "published" {
            known.insert(k);
        } else {
            // Suppressed by hyte or already at the source: both stay hidden.
            suppressed.insert(k);
        }
    }
    assert!(
        suppressed.len() > 100,
        "the samples must trigger suppression"
    );
    // The samples trigger both kinds of suppression; the table says only
    // "suppressed" (which kind would narrow the small cells down), the
    // audit says why.
    assert!(rows.iter().any(|r| r["status"] == "suppressed"));
    assert!(!rows.iter().any(|r| r["status"].starts_with("suppressed_")));
    assert!(
        audit.contains("\tsuppressed_small\t") && audit.contains("\tsuppressed_complementary\t")
    );

    let areas = [
        "anttila",
        "harju",
        "jarnefelt",
        "kallhagen",
        "mantynummi",
        "nummi_pusula",
    ]
    .map(|a| format!("lohja.{a}"));
    // Lines as (total, parts).
    let mut lines: Vec<(Key, Vec<Key>)> = Vec::new();
    for r in &rows {
        if r["area"] == "kunta.444" {
            lines.push((
                key(r, "kunta.444", &r["sex"]),
                areas.iter().map(|a| key(r, a, &r["sex"])).collect(),
            ));
        }
        if r["sex"] == "total" {
            lines.push((
                key(r, &r["area"], "total"),
                vec![key(r, &r["area"], "female"), key(r, &r["area"], "male")],
            ));
        }
    }
    let mut recovered = Vec::new();
    loop {
        let mut progress = false;
        for (total, parts) in &lines {
            // Subtraction (total − other parts) or addition (Σ parts).
            let members: Vec<&Key> = std::iter::once(total).chain(parts).collect();
            let unknown: Vec<&&Key> = members.iter().filter(|p| !known.contains(**p)).collect();
            if unknown.len() == 1 {
                let cell = (*unknown[0]).clone();
                if suppressed.contains(&cell) {
                    recovered.push(cell.clone());
                }
                known.insert(cell);
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    assert!(
        recovered.is_empty(),
        "recovered by subtraction: {:?}",
        &recovered[..recovered.len().min(5)]
    );
}

#[test]
fn shift_sums_never_include_an_unpublished_part() {
    let dir = tempfile::tempdir().unwrap();
    let out = hyte()
        .arg("run")
        .arg("--out")
        .arg(dir.path())
        .arg("--audit-privacy")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let audit = String::from_utf8(out.stdout).unwrap();
    // (area, period) with an unpublished client count, from the audit (which
    // also lists the derived yearly and city-wide totals).
    let unpublished: BTreeSet<(String, String)> = audit
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("lohja.") && l.contains("_clients\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].to_string(), f[2].to_string())
        })
        .collect();
    assert!(!unpublished.is_empty());
    let shift = read_csv(&dir.path().join("current/tables/shift.csv"));
    let mut checked = 0;
    for row in &shift {
        if unpublished.contains(&(row["area"].clone(), row["period"].clone())) {
            checked += 1;
            for column in [
                "basic_clients",
                "specialist_clients",
                "basic_share_clients",
                "basic_clients_per_1000",
            ] {
                assert_eq!(
                    row[column], "",
                    "{} {} {column} is shown",
                    row["area"], row["period"]
                );
            }
        }
    }
    assert!(checked > 10, "only {checked} rows checked");
}
