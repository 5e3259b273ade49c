//! The parsers on real files THL served (tests/fixtures/reference/).

use hyte::config::{CubeInput, Format, Input};
use hyte::ingest::{self, sotkanet_csv, sotkanet_regions};

use crate::common::{fixture, hyte, stderr_of, write_config};

#[test]
fn sotkanet_csv_gives_lohja_46963_for_2009() {
    let regions_bytes = std::fs::read(fixture("reference/SotkaRegions.json")).unwrap();
    let regions = sotkanet_regions::parse(&regions_bytes, "SotkaRegions.json").unwrap();
    assert_eq!(regions.len(), 511);
    let bytes = std::fs::read(fixture("reference/SotkaIndicatorData.csv")).unwrap();
    let parsed = sotkanet_csv::parse(&bytes, "SotkaIndicatorData.csv", &regions).unwrap();
    assert_eq!(parsed.read, 466);
    // A real quirk: three region ids of the 2009 data are missing from the
    // 2016 regions dump. They are rejected by line, not dropped silently.
    let rejected: Vec<String> = parsed.rejections.iter().map(|r| r.to_string()).collect();
    assert_eq!(
        rejected,
        [
            "SotkaIndicatorData.csv:311: field 'region': region id 730 is not in SotkaRegions.json: download a current /regions dump",
            "SotkaIndicatorData.csv:382: field 'region': region id 456 is not in SotkaRegions.json: download a current /regions dump",
            "SotkaIndicatorData.csv:442: field 'region': region id 455 is not in SotkaRegions.json: download a current /regions dump",
        ]
    );
    assert_eq!(parsed.rows.len(), 463);
    let lohja: Vec<_> = parsed
        .rows
        .iter()
        .filter(|o| o.area == "kunta.444")
        .collect();
    assert_eq!(lohja.len(), 1);
    assert_eq!(lohja[0].indicator, "sotkanet:127");
    assert_eq!(lohja[0].period.to_string(), "2009");
    assert_eq!(lohja[0].value, Some(46963.0));
    // The absolute value column is empty in the real file: null, not zero.
    assert_eq!(lohja[0].count, None);
    let country = parsed.rows.iter().find(|o| o.area == "maa.358").unwrap();
    assert_eq!(country.value, Some(5_351_427.0));
}

#[test]
fn wellbeing_county_ids_changed_but_keys_did_not() {
    // Old and new Sotkanet ids of the same county must map to one area key.
    let text = std::fs::read_to_string(fixture("reference/hyvinvointialueet_ids.csv")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("Länsi-Uudenmaan"))
        .unwrap();
    let fields: Vec<&str> = line.split(',').collect();
    let regions = format!(
        r#"[{{"id":{},"code":"{}","category":"HYVINVOINTIALUE"}},{{"id":{},"code":"{}","category":"HYVINVOINTIALUE"}}]"#,
        fields[1], fields[3], fields[2], fields[4]
    );
    let regions = sotkanet_regions::parse(regions.as_bytes(), "r.json").unwrap();
    assert_eq!(regions.area_key(969), Some("hyvinvointialue.3"));
    assert_eq!(regions.area_key(889), Some("hyvinvointialue.3"));
}

#[test]
fn ingest_reports_sha256_and_counts_for_the_real_file() {
    let input = Input::new(
        fixture("reference/SotkaIndicatorData.csv"),
        "test",
        Format::SotkanetCsv {
            regions: fixture("reference/SotkaRegions.json"),
        },
    );
    let ingested = ingest::ingest(
        &[input],
        &["0-17".to_string()],
        ingest::DEFAULT_MAX_INPUT_BYTES,
    );
    let report = &ingested.files[0];
    assert_eq!(
        (
            report.rows_read,
            report.rows_accepted,
            report.rejections.len()
        ),
        (466, 463, 3)
    );
    assert_eq!(report.sha256.as_deref().map(str::len), Some(64));
    assert_eq!(report.companions.len(), 1);
}

#[test]
fn unknown_indicator_is_a_warning_then_an_error_with_deny_warnings() {
    // Indicator 127 (population) is not in the catalog.
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[[input]]\nkind = \"sotkanet-csv\"\npath = {:?}\nregions = {:?}\n",
            fixture("reference/SotkaIndicatorData.csv")
                .display()
                .to_string(),
            fixture("reference/SotkaRegions.json").display().to_string()
        ),
    );
    let out = hyte()
        .args(["validate", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    // Exit 3: the three unknown region ids of the real file are rejected.
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("463 observations usable, 3 rejected, 1 warnings"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hyte: warning: 463 rows of sotkanet:127"),
        "{stderr}"
    );
    assert!(stderr.contains("SotkaIndicatorData.csv:2"), "{stderr}");

    let out = hyte()
        .args(["validate", "--deny-warnings", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    // Every row rejected: no usable observation, exit 1 as `run` gives.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("rejected under --deny-warnings"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no observation could be used: every one of the")
            && stderr.contains("rows read was rejected"),
        "{stderr}"
    );
}

/// A catalog folder with the real Sotkanet indicators 127 and 5527, the
/// latter with the given unit.
fn catalog_with_5527(dir: &std::path::Path, unit: &str) -> std::path::PathBuf {
    let catalog = dir.join("indicators");
    std::fs::create_dir_all(&catalog).unwrap();
    std::fs::write(
        catalog.join("sotkanet.toml"),
        format!(
            r#"
[[indicator]]
id = "sotkanet.127"
title = {{ fi = "Väestö 31.12.", sv = "Befolkning 31.12", en = "Population 31 Dec" }}
dimension = "equality"
polarity = "neutral"
unit = "count"
decimals = 0
source = {{ sotkanet = 127 }}

[[indicator]]
id = "sotkanet.5527"
title = {{ fi = "Liikkuu", sv = "Motionerar", en = "Exercises" }}
dimension = "leisure"
polarity = "higher_is_better"
unit = "{unit}"
decimals = 1
source = {{ sotkanet = 5527 }}
"#
        ),
    )
    .unwrap();
    catalog
}

/// `hyte validate` on the real Sotkanet download, regions dump and 2025
/// indicator metadata: only the real file's three unknown region ids are
/// reported; a deliberately wrong unit in the catalog is flagged against
/// the metadata's primary value type.
#[test]
fn validate_on_real_reference_files_and_a_wrong_unit() {
    let inputs = format!(
        "[[input]]\nkind = \"sotkanet-csv\"\npath = {:?}\nregions = {:?}\n\n[[input]]\nkind = \"sotkanet-metadata\"\npath = {:?}\n",
        fixture("reference/SotkaIndicatorData.csv").display().to_string(),
        fixture("reference/SotkaRegions.json").display().to_string(),
        fixture("reference/indicators_metadata_2025.json")
            .display()
            .to_string()
    );
    for (unit, warnings) in [("percent", 0), ("per_1000", 1)] {
        let dir = tempfile::tempdir().unwrap();
        let catalog = catalog_with_5527(dir.path(), unit);
        let config = write_config(dir.path(), &inputs).to_path_buf();
        let text = std::fs::read_to_string(&config).unwrap().replace(
            &format!(
                "catalog = {:?}",
                crate::common::root()
                    .join("indicators")
                    .display()
                    .to_string()
            ),
            &format!("catalog = {:?}", catalog.display().to_string()),
        );
        std::fs::write(&config, text).unwrap();
        let out = hyte()
            .args(["validate", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "463 observations usable, 3 rejected, {warnings} warnings"
            )),
            "{stderr}"
        );
        assert_eq!(stderr.matches("rejected: ").count(), 3, "{stderr}");
        let flagged = stderr.contains("sotkanet.5527: Sotkanet's primary value type of indicator 5527 is PROS (percent) but the catalog");
        assert_eq!(flagged, warnings == 1, "{stderr}");
    }
}

/// The bundled public survey sample in THL's three served shapes: the CSV
/// export (`sc`, values only) gives the same cells and values as the
/// JSON-stat with `ci` and `n`, both resolved through the dimension file;
/// the JSONP wrapper changes nothing.
#[test]
fn thl_cube_json_jsonp_and_csv_agree() {
    use hyte::ingest::{thl_cube, thl_dimensions};
    let root = crate::common::root().join("data-samples/survey");
    let tree_bytes = std::fs::read(root.join("fact_ktk.dimensions.json")).unwrap();
    let tree = thl_dimensions::parse(&tree_bytes, "fact_ktk.dimensions.json").unwrap();
    let input = CubeInput {
        name: "ktk".into(),
        ..Default::default()
    };
    let json = std::fs::read(root.join("fact_ktk.json")).unwrap();
    let (from_json, shape) = thl_cube::parse(&json, "fact_ktk.json", &input, Some(&tree)).unwrap();
    assert_eq!(shape, thl_cube::Shape::JsonStat);
    assert!(
        from_json.rejections.is_empty(),
        "{:?}",
        from_json.rejections
    );
    let jsonp = [
        b"thl.pivot.fromJsonStat(\n".as_slice(),
        &json,
        b"\n);\n".as_slice(),
    ]
    .concat();
    let (from_jsonp, _) = thl_cube::parse(&jsonp, "fact_ktk.json", &input, Some(&tree)).unwrap();
    assert_eq!(from_jsonp.rows, from_json.rows);

    let csv = std::fs::read(root.join("fact_ktk.csv")).unwrap();
    let (from_csv, shape) = thl_cube::parse(&csv, "fact_ktk.csv", &input, Some(&tree)).unwrap();
    assert_eq!(shape, thl_cube::Shape::Csv);
    assert!(from_csv.rejections.is_empty(), "{:?}", from_csv.rejections);
    let key = |o: &hyte::observation::Observation| {
        (
            o.indicator.clone(),
            o.area.clone(),
            o.period,
            o.sex,
            o.group.clone(),
        )
    };
    let published: std::collections::BTreeMap<_, _> = from_csv
        .rows
        .iter()
        .filter(|o| o.value.is_some())
        .map(|o| (key(o), o.value))
        .collect();
    let from_json: std::collections::BTreeMap<_, _> =
        from_json.rows.iter().map(|o| (key(o), o.value)).collect();
    assert_eq!(published, from_json);
    assert!(from_csv
        .rows
        .iter()
        .all(|o| o.n.is_none() && o.ci_lower.is_none()));
    // Areas come from (stage, code); the "not reported" sex is its own group.
    let areas: std::collections::BTreeSet<&str> = from_json.keys().map(|k| k.1.as_str()).collect();
    assert_eq!(
        areas.into_iter().collect::<Vec<_>>(),
        ["kunta.444", "maa.358", "maakunta.01"]
    );
    assert!(from_json
        .keys()
        .any(|k| k.3 == hyte::observation::Sex::NotReported));
}
