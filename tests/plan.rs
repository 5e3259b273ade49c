//! The wellbeing plan end to end (issue 14): the shipped example plan on
//! the bundled samples, and a bad plan refused with its line.

use crate::common::{hyte, root, sample_config, stderr_of};

/// Reads a CSV table into rows of (column → value).
fn table(path: &std::path::Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let heads: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            heads
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// The sample config with `key`, which names the bundled file `bundled`,
/// pointing at `file` instead.
fn sample_config_with(key: &str, bundled: &str, file: &std::path::Path) -> String {
    let config = sample_config(&root().join("indicators"));
    let from = format!("{key} = {:?}", root().join(bundled).display().to_string());
    assert!(config.contains(&from), "the sample config has no {from}");
    config.replace(&from, &format!("{key} = {:?}", file.display().to_string()))
}

#[test]
fn the_example_plan_is_followed_up_with_the_numbers_behind_each_status() {
    let dir = tempfile::tempdir().unwrap();
    let out = hyte()
        .arg("run")
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let rows = table(&dir.path().join("current/tables/plan_status.csv"));
    for ext in ["parquet", "arrow"] {
        assert!(dir
            .path()
            .join(format!("current/tables/plan_status.{ext}"))
            .is_file());
    }
    let row = |goal: &str, area: &str, milestone: &str| {
        rows.iter()
            .find(|r| r["goal"] == goal && r["area"] == area && r["milestone"] == milestone)
            .unwrap_or_else(|| panic!("no row for {goal} {area} {milestone}"))
    };
    // Each status follows from the numbers in the same row.
    let achieved = row("friends", "kunta.444", "");
    assert_eq!(achieved["status"], "achieved");
    let latest: f64 = achieved["latest_value"].parse().unwrap();
    assert!(latest <= achieved["target_value"].parse().unwrap());
    let uncertain = row("safe-school", "kunta.444", "");
    assert_eq!(uncertain["status"], "uncertain");
    let (value, lower): (f64, f64) = (
        uncertain["projection"].parse().unwrap(),
        uncertain["projection_lower"].parse().unwrap(),
    );
    let target: f64 = uncertain["target_value"].parse().unwrap();
    assert!(value > target && lower <= target, "{uncertain:?}");
    let missed = row("safe-school", "kunta.444", "2025");
    assert_eq!(missed["status"], "off_track");
    assert_eq!(
        (missed["latest_period"].as_str(), missed["by"].as_str()),
        ("2025", "2025")
    );
    let two_rounds = row("likes-school", "lohja.harju", "");
    assert_eq!(
        (two_rounds["status"].as_str(), two_rounds["points"].as_str()),
        ("insufficient_data", "2")
    );
    let direction = row("voice", "kunta.444", "");
    assert_eq!(direction["target_direction"], "decrease");
    let (lower, upper): (f64, f64) = (
        direction["slope_lower"].parse().unwrap(),
        direction["slope_upper"].parse().unwrap(),
    );
    assert!(lower < 0.0 && upper > 0.0, "{direction:?}");
    assert_eq!(direction["status"], "uncertain");
    // The 2030 shift target reads the shift table's complete years: its
    // numbers are those of tables/shift.csv.
    let shift = table(&dir.path().join("current/tables/shift.csv"));
    let share = |area: &str, year: &str| {
        shift
            .iter()
            .find(|r| r["area"] == area && r["period"] == year)
            .map(|r| r["basic_share_clients"].clone())
            .unwrap()
    };
    let harju = row("basic-first", "lohja.harju", "");
    assert_eq!(harju["indicator"], "shift.basic_share_clients");
    assert_eq!(harju["status"], "achieved");
    assert_eq!(harju["latest_value"], share("lohja.harju", "2024"));
    assert_eq!(harju["baseline_value"], share("lohja.harju", "2019"));
    let city = row("basic-first", "kunta.444", "");
    assert_eq!(
        (city["status"].as_str(), city["points"].as_str()),
        ("insufficient_data", "3")
    );
    assert_eq!(
        city["reason"],
        "3 published points from the baseline: a projection needs 4"
    );

    let md = std::fs::read_to_string(dir.path().join("current/plan.md")).unwrap();
    assert!(
        md.starts_with("# Hyvinvointisuunnitelman seuranta"),
        "{md:.200}"
    );
    assert!(
        md.contains("13 tavoitetta alueittain (suunnitelmassa 7): 2 saavutettu, 9 epävarma, 2 liian vähän tietoa."),
        "{md}"
    );
    assert!(md.contains("| Koulukiusattuna vähintään kerran viikossa (8-9) | Lohja | 5,0 (2027) | 6,7 (2019) | 7,6 (2025) | 7,45 (4,72 … 10,18) | epävarma | ennuste 2027: 7,45 (95 %: 4,72 … 10,18); vain luottamusväli ulottuu tavoitteeseen 5,0 |"), "{md}");
    // Missed milestones are listed for the council.
    assert!(
        md.contains("Jäljessä tavoitteesta: Koulukiusattuna vähintään kerran viikossa (8-9): Lohja (välitavoite 2025);"),
        "{md}"
    );

    // plan.html: self-contained, the same lines, each status marked.
    let html = std::fs::read_to_string(dir.path().join("current/plan.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fi\">"));
    for forbidden in ["<script", "<link", "<img", "src=", "href=\"http", "url("] {
        assert!(!html.contains(forbidden), "plan.html contains {forbidden}");
    }
    // A row per target line, and one per self-assessed indicator (nine).
    assert_eq!(
        html.matches("<tr><th scope=\"row\">").count(),
        rows.len() + 9
    );
    assert!(html.contains(
        "<td class=\"num\">7,45 (4,72 … 10,18)</td><td class=\"uncertain\">epävarma</td>"
    ));
    assert_eq!(html.matches("<td class=\"off_track\">").count(), 3);
    // One accessible chart per target with data (all seven), inline only.
    assert_eq!(
        html.matches("<figure><svg role=\"img\" aria-label=")
            .count(),
        7
    );
    assert!(!dir.path().join("current/charts/plan").exists());
    // The manifest names the plan and the self-assessment file it read.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("current/manifest.json")).unwrap(),
    )
    .unwrap();
    let plan_files = manifest["plan"].as_array().unwrap();
    assert_eq!(plan_files.len(), 2);
    assert!(plan_files[0]["path"]
        .as_str()
        .unwrap()
        .ends_with("plan.toml"));
    assert!(plan_files[1]["path"]
        .as_str()
        .unwrap()
        .ends_with("child_friendly.csv"));
    assert_eq!(plan_files[0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn a_plan_naming_an_unknown_indicator_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let plan = std::fs::read_to_string(root().join("plan.toml"))
        .unwrap()
        .replace(
            "indicator = \"ktk.no_close_friend\"",
            "indicator = \"ktk.no_such\"",
        );
    let plan_path = dir.path().join("plan.toml");
    std::fs::write(&plan_path, plan).unwrap();
    // The sample config, with the broken plan instead of the bundled one.
    let config = sample_config_with("plan", "plan.toml", &plan_path);
    let config_path = dir.path().join("hyte.toml");
    std::fs::write(&config_path, config).unwrap();
    for command in ["validate", "run"] {
        let out = hyte()
            .arg(command)
            .arg("--config")
            .arg(&config_path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        let stderr = stderr_of(&out);
        assert!(
            stderr.contains("plan.toml:42: indicator 'ktk.no_such' is not in the catalog"),
            "{command}: {stderr}"
        );
    }
    assert!(!dir.path().join("out/current/plan.md").exists());
}

#[test]
fn the_child_friendly_self_assessment_is_shown_per_dimension_with_its_change() {
    let dir = tempfile::tempdir().unwrap();
    let out = hyte()
        .args(["run", "--lang", "en", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let md = std::fs::read_to_string(dir.path().join("current/plan.md")).unwrap();
    // Participation: indicator 65 went from 1 (2023) to 2 (2025).
    assert!(
        md.contains("| 65: Lasten ja nuorten osallistuva budjetointi | osallisuus | 2 / 4 (2025) | 1 / 4 (2023) | +1 |"),
        "{md}"
    );
    // Safety: indicator 41 fell from 3 to 2.
    assert!(md.contains("| 3 / 4 (2023) | −1 |"), "{md}");
    let html = std::fs::read_to_string(dir.path().join("current/plan.html")).unwrap();
    assert!(html.contains("<td class=\"num bad\">−1</td>"), "{html}");
    let rows = table(&dir.path().join("current/tables/child_friendly.csv"));
    assert_eq!(rows.len(), 27);
    let row = rows
        .iter()
        .find(|r| r["item"] == "41" && r["year"] == "2025")
        .unwrap();
    assert_eq!(
        (
            row["level"].as_str(),
            row["previous_year"].as_str(),
            row["previous_level"].as_str(),
            row["change"].as_str()
        ),
        ("2", "2023", "3", "-1")
    );
}

#[test]
fn a_bad_self_assessment_row_is_refused_with_its_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let good =
        std::fs::read_to_string(root().join("data-samples/local/child_friendly.csv")).unwrap();
    let bad = good.replacen(
        "2023;22;lapsen etu;care;2;4",
        "2023;22;lapsen etu;care;7;4",
        1,
    );
    assert_ne!(good, bad);
    let csv = dir.path().join("cf.csv");
    std::fs::write(&csv, bad).unwrap();
    let config = sample_config_with(
        "child_friendly",
        "data-samples/local/child_friendly.csv",
        &csv,
    );
    let config_path = dir.path().join("hyte.toml");
    std::fs::write(&config_path, &config).unwrap();
    let out = hyte()
        .arg("run")
        .arg("--config")
        .arg(&config_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("cf.csv:13: field 'level': '7' is not a level of the scale 1–4"),
        "{stderr}"
    );
    // Without a plan the self-assessment has nowhere to go: a config error.
    let no_plan: String = config
        .lines()
        .filter(|l| !l.starts_with("plan ="))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&config_path, no_plan).unwrap();
    let out = hyte()
        .arg("validate")
        .arg("--config")
        .arg(&config_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("child_friendly is shown in the plan follow-up"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn the_draft_of_the_next_plan_is_a_plan_file_with_the_numbers_of_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("draft.toml");
    let out = hyte()
        .args(["plan", "--draft", "--lang", "en", "--output"])
        .arg(&draft)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let text = std::fs::read_to_string(&draft).unwrap();
    // The next period follows the example plan's 2025–2028.
    assert!(text.contains("\nperiod = \"2029-2032\"\n"), "{text}");
    // The previous plan's targets with their final status and reason.
    assert!(
        text.contains("#   basic-first · shift.basic_share_clients · Harju · 0.950 (2030): achieved (0.964 in 2024 is at or beyond the target 0.950)"),
        "{text}"
    );
    // A proposal: Harju's anxiety (8-9) worsened and is the worst of the
    // school areas; its latest value is the baseline, as in trends.csv
    // (2025, 25.1, worsening).
    assert!(
        text.contains("· Harju: worsened; the worst of the school areas (6 areas, 2025); latest value 25.1 (2025)"),
        "{text}"
    );
    assert!(text.contains("[[goal.target]]\nindicator = \"ktk.anxiety\"\ngroup = \"8-9\"\nareas = [\"lohja.harju\"]\nbaseline = \"2025\" # latest value: Harju 25.1\ndirection = \"decrease\""), "{text}");
    // The draft is a valid plan file: the sample config validates with it.
    let config = sample_config_with("plan", "plan.toml", &draft);
    let config_path = dir.path().join("hyte.toml");
    std::fs::write(&config_path, config).unwrap();
    let out = hyte()
        .arg("validate")
        .arg("--config")
        .arg(&config_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    // An existing draft is never overwritten without --force.
    std::fs::write(&draft, "edited by hand").unwrap();
    let again = hyte()
        .args(["plan", "--draft", "--output"])
        .arg(&draft)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr_of(&again).contains("exists: pass --force to replace it"));
    assert_eq!(std::fs::read_to_string(&draft).unwrap(), "edited by hand");
    let forced = hyte()
        .args(["plan", "--draft", "--force", "--output"])
        .arg(&draft)
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(0), "{}", stderr_of(&forced));
    assert!(std::fs::read_to_string(&draft).unwrap().starts_with("# "));
}
