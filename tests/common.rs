//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root (tests run with it as the current folder).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `hyte` with a clean environment (no HYTE_* leaking in from the shell).
pub fn hyte() -> Command {
    let mut cmd = Command::cargo_bin("hyte").expect("the hyte binary is built");
    for (key, _) in std::env::vars() {
        if key.starts_with("HYTE_") {
            cmd.env_remove(key);
        }
    }
    cmd.current_dir(root());
    cmd
}

/// The bundled `hyte.toml` for a test that writes it into another folder:
/// its catalog at `catalog`, and its plan and every input, regions and
/// dimension file pointing into the repository.
pub fn sample_config(catalog: &Path) -> String {
    let root = root();
    let mut text = std::fs::read_to_string(root.join("hyte.toml"))
        .unwrap()
        .replace(
            "catalog = \"indicators\"",
            &format!("catalog = {:?}", catalog.display().to_string()),
        )
        .replace(
            "plan = \"plan.toml\"",
            &format!("plan = {:?}", root.join("plan.toml").display().to_string()),
        );
    for key in ["path", "regions", "dimension_file", "child_friendly"] {
        text = text.replace(
            &format!("{key} = \"data-samples/"),
            &format!("{key} = \"{}/data-samples/", root.display()),
        );
    }
    text
}

pub fn fixture(path: &str) -> PathBuf {
    root().join("tests/fixtures").join(path)
}

/// The areas of the sample config, as TOML, for configs written by tests.
pub const AREAS: &str = r#"
[[area]]
key = "lohja.harju"
name = { fi = "Harju", sv = "Harju", en = "Harju" }
kind = "school_area"
parent = "kunta.444"

[[area]]
key = "kunta.444"
name = { fi = "Lohja", sv = "Lojo", en = "Lohja" }
kind = "municipality"
reference = true

[[area]]
key = "maa.358"
name = { fi = "Koko maa", sv = "Hela landet", en = "Whole country" }
kind = "country"
reference = true
"#;

/// Writes a config into `dir` that uses the repository's catalog and the
/// given `[[input]]` tables; returns its path.
pub fn write_config(dir: &Path, inputs: &str) -> PathBuf {
    let catalog = root().join("indicators");
    let text = format!(
        "catalog = {:?}\noutput = \"out\"\n{AREAS}\n{inputs}",
        catalog.display().to_string()
    );
    let path = dir.join("hyte.toml");
    std::fs::write(&path, text).unwrap();
    path
}

pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Reads a CSV table hyte wrote into rows of column -> text (quoted
/// fields, such as sources and reasons with commas, included).
pub fn read_csv(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}
