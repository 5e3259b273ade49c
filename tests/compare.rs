//! Issue 10: ranks among all municipalities and comparison-group means,
//! checked against a plain computation from the input file.

use crate::common::{hyte, read_csv, stderr_of, write_config};

/// Municipality codes of the test data; 444 is Lohja.
const CODES: [&str; 12] = [
    "444", "005", "009", "010", "016", "018", "019", "020", "035", "043", "046", "047",
];

/// A value per (municipality, year), with ties and unpublished cells:
/// deterministic, spread so that ranks move between years.
fn value(m: usize, year: i32) -> Option<f64> {
    if (m == 3 && year == 2023) || (m == 7 && year == 2021) {
        return None;
    }
    // Two municipalities share a value in every year: a tie.
    let m = if m == 11 { 10 } else { m };
    Some(((m * 37 + (year as usize) * 11) % 50) as f64 / 2.0 + 1.0)
}

#[test]
fn ranks_and_group_means_match_a_plain_computation() {
    let dir = tempfile::tempdir().unwrap();
    let regions: Vec<String> = CODES
        .iter()
        .enumerate()
        .map(|(i, code)| format!(r#"{{"id":{},"code":"{code}","category":"KUNTA"}}"#, 100 + i))
        .collect();
    std::fs::write(
        dir.path().join("regions.json"),
        format!("[{}]", regions.join(",")),
    )
    .unwrap();
    let mut csv = String::from("indicator;region;year;gender;primary value;absolute value\r\n");
    for (m, _) in CODES.iter().enumerate() {
        for year in 2020..=2023 {
            let v = value(m, year).map(|v| v.to_string()).unwrap_or_default();
            csv.push_str(&format!("191;{};{year};total;{v};\r\n", 100 + m));
        }
    }
    std::fs::write(dir.path().join("sotkanet.csv"), csv).unwrap();
    let members = [
        "kunta.444",
        "kunta.005",
        "kunta.009",
        "kunta.010",
        "kunta.016",
    ];
    let config = write_config(
        dir.path(),
        &format!(
            r#"
[[input]]
kind = "sotkanet-csv"
path = "sotkanet.csv"
regions = "regions.json"

[[comparison_group]]
name = "Peers"
members = {members:?}
"#
        ),
    );
    let out = hyte()
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));

    // The plain computation: every municipality's latest published value,
    // ranked among the published values of that year.
    let published =
        |year: i32| -> Vec<f64> { (0..CODES.len()).filter_map(|m| value(m, year)).collect() };
    let trends = read_csv(&dir.path().join("out/current/tables/trends.csv"));
    let mut checked = 0;
    for (m, code) in CODES.iter().enumerate() {
        let row = trends
            .iter()
            .find(|r| r["area"] == format!("kunta.{code}") && r["indicator"] == "sotkanet.191")
            .unwrap_or_else(|| panic!("no trend row for kunta.{code}"));
        let year = (2020..=2023)
            .rev()
            .find(|&y| value(m, y).is_some())
            .unwrap();
        let v = value(m, year).unwrap();
        let all = published(year);
        let higher = all.iter().filter(|x| **x > v).count();
        let lower = all.iter().filter(|x| **x < v).count();
        assert_eq!(row["rank_period"], year.to_string(), "kunta.{code}");
        assert_eq!(row["rank"], (1 + higher).to_string(), "kunta.{code}");
        assert_eq!(row["rank_of"], all.len().to_string(), "kunta.{code}");
        let percentile: f64 = row["percentile"].parse().unwrap();
        let expected = 100.0 * lower as f64 / (all.len() - 1) as f64;
        assert!(
            (percentile - expected).abs() < 1e-9,
            "kunta.{code}: {percentile} vs {expected}"
        );
        checked += 1;
    }
    assert_eq!(checked, CODES.len());
    // The tie: the two municipalities share one rank.
    let rank_of = |code: &str| {
        trends
            .iter()
            .find(|r| r["area"] == format!("kunta.{code}"))
            .map(|r| r["rank"].clone())
    };
    assert_eq!(rank_of("046"), rank_of("047"));

    // Lohja against its peers (Lohja itself left out; kunta.010, index 3,
    // has no 2023 value and is left out of the mean, not counted as zero).
    let comparisons = read_csv(&dir.path().join("out/current/tables/comparisons.csv"));
    let lohja = comparisons
        .iter()
        .find(|r| r["area"] == "kunta.444" && r["sex"] == "total")
        .expect("a comparison row for Lohja");
    let peers: Vec<f64> = members[1..]
        .iter()
        .filter_map(|key| {
            let m = CODES.iter().position(|c| format!("kunta.{c}") == *key)?;
            value(m, 2023)
        })
        .collect();
    assert_eq!(peers.len(), 3);
    let mean = peers.iter().sum::<f64>() / peers.len() as f64;
    assert_eq!(lohja["comparison_group"], "Peers");
    assert_eq!(lohja["period"], "2023");
    assert_eq!(lohja["members_with_data"], "3");
    let got: f64 = lohja["group_mean"].parse().unwrap();
    assert!((got - mean).abs() < 1e-9, "{got} vs {mean}");
    let gap: f64 = lohja["gap"].parse().unwrap();
    assert!((gap - (value(0, 2023).unwrap() - mean)).abs() < 1e-9);

    // Both reports show Lohja's place (the areas of interest only: the
    // other municipalities are ranked, not reported).
    let rank = trends
        .iter()
        .find(|r| r["area"] == "kunta.444")
        .map(|r| format!("{}/{}", r["rank"], r["rank_of"]))
        .unwrap();
    let md = std::fs::read_to_string(dir.path().join("out/current/report.md")).unwrap();
    let html = std::fs::read_to_string(dir.path().join("out/current/report.html")).unwrap();
    assert!(md.contains("## Vertailu muihin kuntiin"), "{md}");
    assert!(md.contains(&format!("| {rank} |")), "{md}");
    assert!(html.contains("<section id=\"comparison\">"));
    assert!(html.contains(&format!("<td class=\"num\">{rank}</td>")));
    assert!(!md.contains("kunta.005") && !html.contains("kunta.005"));
}
