//! The written tables open in other Arrow implementations and read back
//! into hyte as inputs.

use std::fs::File;

use arrow::array::{Array, Float64Array, StringArray};
use arrow::ipc::reader::FileReader;
use polars::prelude::*;

use crate::common::{hyte, root, sample_config, stderr_of};

fn run_samples(dir: &std::path::Path) {
    let out = hyte().arg("run").arg("--out").arg(dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

#[test]
fn arrow_ipc_opens_in_arrow_rs() {
    let dir = tempfile::tempdir().unwrap();
    run_samples(dir.path());
    let file = File::open(dir.path().join("current/tables/observations.arrow")).unwrap();
    let reader = FileReader::try_new(file, None).unwrap();
    let schema = reader.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let mut expected = hyte::observation::COLUMNS.to_vec();
    expected.push("status");
    assert_eq!(names, expected);
    let mut rows = 0;
    let mut lohja_2024_placements = None;
    for batch in reader {
        let batch = batch.unwrap();
        rows += batch.num_rows();
        // polars writes large strings (Utf8View); cast to plain for lookups.
        let as_strings = |name: &str| {
            let column = batch.column_by_name(name).unwrap();
            let cast = arrow::compute::cast(column, &arrow::datatypes::DataType::Utf8).unwrap();
            cast.as_any().downcast_ref::<StringArray>().unwrap().clone()
        };
        let indicator = as_strings("indicator");
        let area = as_strings("area");
        let period = as_strings("period");
        let sex = as_strings("sex");
        let value = batch
            .column_by_name("value")
            .unwrap()
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap()
            .clone();
        for i in 0..batch.num_rows() {
            if indicator.value(i) == "sotkanet.191"
                && area.value(i) == "kunta.444"
                && period.value(i) == "2024"
                && sex.value(i) == "total"
            {
                lohja_2024_placements = Some((!value.is_null(i)).then(|| value.value(i)));
            }
        }
    }
    let csv_rows = std::fs::read_to_string(dir.path().join("current/tables/observations.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(rows, csv_rows);
    let placements = lohja_2024_placements
        .expect("Lohja 2024 placements row")
        .expect("published");
    assert!((0.5..3.0).contains(&placements), "{placements}");
}

#[test]
fn parquet_and_arrow_read_back_into_polars_with_nulls_kept() {
    let dir = tempfile::tempdir().unwrap();
    run_samples(dir.path());
    let parquet = ParquetReader::new(
        File::open(dir.path().join("current/tables/observations.parquet")).unwrap(),
    )
    .finish()
    .unwrap();
    let ipc =
        IpcReader::new(File::open(dir.path().join("current/tables/observations.arrow")).unwrap())
            .finish()
            .unwrap();
    assert!(parquet.equals_missing(&ipc));
    let names: Vec<&str> = parquet
        .get_column_names()
        .iter()
        .map(|s| s.as_str())
        .collect();
    let mut expected = hyte::observation::COLUMNS.to_vec();
    expected.push("status");
    assert_eq!(names, expected);
    assert_eq!(parquet.column("value").unwrap().dtype(), &DataType::Float64);
    // Suppressed survey cells (n published, value not) stay null.
    assert!(parquet.column("value").unwrap().null_count() > 0);
}

#[test]
fn written_tables_are_valid_inputs_again() {
    let first = tempfile::tempdir().unwrap();
    run_samples(first.path());
    for (kind, file) in [
        ("observations-parquet", "observations.parquet"),
        ("observations-arrow", "observations.arrow"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = first.path().join("current/tables").join(file);
        // The sample config's areas, so that privacy sees the same hierarchy.
        let sample = sample_config(&root().join("indicators"));
        let head = sample.split("# --- Inputs ---").next().unwrap();
        let config = dir.path().join("hyte.toml");
        std::fs::write(
            &config,
            format!(
                "{head}\n[[input]]\nkind = \"{kind}\"\npath = {:?}\n",
                path.display().to_string()
            ),
        )
        .unwrap();
        let out = hyte()
            .arg("run")
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{kind}: {}", stderr_of(&out));
        // The values must survive unchanged; the status column says
        // not_published the second time for cells the first run suppressed.
        let without_status = |path: std::path::PathBuf| -> Vec<String> {
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .map(|l| l.rsplit_once(',').unwrap().0.to_string())
                .collect()
        };
        let again = without_status(dir.path().join("out/current/tables/observations.csv"));
        let original = without_status(first.path().join("current/tables/observations.csv"));
        assert!(again == original, "{kind}: a round trip changed the table");
    }
}

#[test]
fn excel_style_csv_has_semicolons_decimal_commas_and_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    let out = hyte()
        .arg("run")
        .arg("--out")
        .arg(dir.path())
        .args(["--csv", "excel-fi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let bytes = std::fs::read(dir.path().join("current/tables/trends.csv")).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBFindicator;dimension;area;"),
        "no BOM or no ';'"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    // A number like 12,3 appears, and no field uses a decimal point.
    let second = text.lines().nth(1).unwrap();
    assert!(second.contains(','), "{second}");
    // Parquet and Arrow are the same whatever the CSV style.
    let standard = tempfile::tempdir().unwrap();
    run_samples(standard.path());
    for file in ["tables/trends.parquet", "tables/trends.arrow"] {
        assert!(
            std::fs::read(dir.path().join("current").join(file)).unwrap()
                == std::fs::read(standard.path().join("current").join(file)).unwrap()
        );
    }
}
