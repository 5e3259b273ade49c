//! Malformed variants of the real and sample files, through the CLI: each
//! gives exit code 3 (rejected input) or 1 (nothing usable) and a message
//! that names the place.

use std::path::Path;

use crate::common::{fixture, hyte, root, stderr_of, write_config};

const HEADER: &str = "indicator;region;year;gender;primary value;absolute value\r\n";

/// Runs `hyte validate` on one Sotkanet CSV text (indicator 191, in the
/// catalog) and returns (exit code, stderr).
fn validate_sotkanet_csv(dir: &Path, text: &[u8]) -> (Option<i32>, String) {
    let data = dir.join("data.csv");
    std::fs::write(&data, text).unwrap();
    let config = write_config(
        dir,
        &format!(
            "[[input]]\nkind = \"sotkanet-csv\"\npath = \"data.csv\"\nregions = {:?}\n",
            fixture("reference/SotkaRegions.json").display().to_string()
        ),
    );
    let out = hyte()
        .arg("validate")
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    (out.status.code(), stderr_of(&out))
}

#[test]
fn truncated_csv_line_is_rejected_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEADER}191;202;2020;total;1.4;120\r\n191;202;20");
    let (code, stderr) = validate_sotkanet_csv(dir.path(), text.as_bytes());
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("data.csv:3: field 'line': expected 6 fields"),
        "{stderr}"
    );
    assert!(stderr.contains("1 rejected"), "{stderr}");
}

#[test]
fn wrong_separator_fails_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = HEADER.replace(';', ",") + "191,202,2020,total,1.4,120\r\n";
    let (code, stderr) = validate_sotkanet_csv(dir.path(), text.as_bytes());
    // No usable observation: exit 1, as `run` gives.
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("data.csv:1: the header is not separated by ';'"),
        "{stderr}"
    );
}

#[test]
fn bad_number_and_unknown_region_name_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEADER}191;202;2020;total;1.4x;120\r\n191;99999;2020;total;1.4;120\r\n");
    let (code, stderr) = validate_sotkanet_csv(dir.path(), text.as_bytes());
    // No usable observation: exit 1, as `run` gives.
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("data.csv:2: field 'primary value': '1.4x' is not a number"),
        "{stderr}"
    );
    assert!(
        stderr.contains("data.csv:3: field 'region': region id 99999 is not in"),
        "{stderr}"
    );
}

#[test]
fn duplicate_rows_are_rejected_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEADER}191;202;2020;total;1.4;120\r\n191;202;2020;total;1.5;121\r\n");
    let (code, stderr) = validate_sotkanet_csv(dir.path(), text.as_bytes());
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("data.csv:3: field 'row': duplicate of"),
        "{stderr}"
    );
    assert!(stderr.contains("data.csv:2"), "{stderr}");
}

#[test]
fn bom_and_mixed_line_ends_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("\u{feff}{HEADER}191;202;2020;total;1.4;120\n191;202;2021;total;1.3;\r\n");
    let (code, stderr) = validate_sotkanet_csv(dir.path(), text.as_bytes());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("2 observations usable, 0 rejected"),
        "{stderr}"
    );
}

#[test]
fn the_same_cell_in_two_files_names_both() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEADER}191;202;2020;total;1.4;120\r\n");
    std::fs::write(dir.path().join("a.csv"), &text).unwrap();
    std::fs::write(dir.path().join("b.csv"), &text).unwrap();
    let regions = fixture("reference/SotkaRegions.json").display().to_string();
    let config = write_config(
        dir.path(),
        &format!(
            "[[input]]\nkind = \"sotkanet-csv\"\npath = \"a.csv\"\nregions = {regions:?}\n\n[[input]]\nkind = \"sotkanet-csv\"\npath = \"b.csv\"\nregions = {regions:?}\n"
        ),
    );
    let out = hyte()
        .arg("validate")
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("b.csv:2: field 'row'")
            && stderr.contains("also given by")
            && stderr.contains("a.csv:2"),
        "{stderr}"
    );
}

/// Writes a copy of the sample school-area cube with `edit` applied and
/// validates it.
fn validate_cube(dir: &Path, edit: impl Fn(String) -> String) -> (Option<i32>, String) {
    let sample =
        std::fs::read_to_string(root().join("data-samples/survey/ktk_school_areas.json")).unwrap();
    std::fs::write(dir.join("cube.json"), edit(sample)).unwrap();
    let config = write_config(
        dir,
        "[[input]]\nkind = \"jsonstat\"\npath = \"cube.json\"\ncube = \"ktk\"\n",
    );
    let out = hyte()
        .arg("validate")
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    (out.status.code(), stderr_of(&out))
}

#[test]
fn wrong_jsonstat_sizes_fail_the_file_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = validate_cube(dir.path(), |text| {
        text.replacen("\"size\": [6,", "\"size\": [7,", 1).replacen(
            "\"size\":[6,",
            "\"size\":[7,",
            1,
        )
    });
    // No usable observation: exit 1, as `run` gives.
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr
            .contains("cube.json#$.dataset.size[0]: dimension 'area' has size 7 but 6 categories"),
        "{stderr}"
    );
}

#[test]
fn truncated_json_fails_the_file_with_line() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = validate_cube(dir.path(), |text| text[..text.len() / 2].to_string());
    // No usable observation: exit 1, as `run` gives.
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cube.json:1: not valid JSON"), "{stderr}");
}

#[test]
fn a_run_with_no_usable_data_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[[input]]\nkind = \"services-csv\"\npath = \"missing.csv\"\n",
    );
    let out = hyte()
        .arg("run")
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("missing.csv: cannot read the file"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was published"), "{stderr}");
    assert!(dir.path().join("out/failed/manifest.json").exists());
    assert!(!dir.path().join("out/current/report.md").exists());
}

/// A dictionary-encoded (categorical) column, as pandas and pyarrow write
/// categoricals, is read as text.
#[test]
fn dictionary_encoded_arrow_input_is_read_as_text() {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, DictionaryArray, Float64Array, StringArray};
    use arrow::datatypes::UInt32Type;
    use arrow::record_batch::RecordBatch;

    let dir = tempfile::tempdir().unwrap();
    let indicator: DictionaryArray<UInt32Type> =
        vec!["sotkanet.191", "sotkanet.191"].into_iter().collect();
    let text = |v: &[&str]| Arc::new(StringArray::from(v.to_vec())) as ArrayRef;
    let batch = RecordBatch::try_from_iter(vec![
        ("indicator", Arc::new(indicator) as ArrayRef),
        ("area", text(&["kunta.444", "kunta.444"])),
        ("period", text(&["2023", "2024"])),
        ("sex", text(&["total", "total"])),
        (
            "value",
            Arc::new(Float64Array::from(vec![1.0, 2.0])) as ArrayRef,
        ),
    ])
    .unwrap();
    let path = dir.path().join("categorical.arrow");
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = arrow::ipc::writer::FileWriter::try_new(file, &batch.schema()).unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
    let config = write_config(
        dir.path(),
        "[[input]]\nkind = \"observations-arrow\"\npath = \"categorical.arrow\"\n",
    );
    let out = hyte()
        .arg("validate")
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("2 observations usable, 0 rejected"),
        "{stderr}"
    );
}
