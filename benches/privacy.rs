//! Secondary suppression, optimal against greedy, side by side in one run:
//! on the bundled samples and on a larger generated table of local service
//! counts (synthetic: the real services-csv shape, many school areas).
//! For each method, with interval protection off (0) and at the default
//! (5 cases), it runs the hyte binary and prints from the run manifest the
//! cells hidden for size, the complements (table cells and derived
//! totals), their cost and the values they hide, and the privacy stage's
//! time. Run with `cargo bench --bench privacy`; set HYTE_BENCH_AREAS for
//! the generated table's school areas (default 40). The figures are in
//! benches/README.md.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const SETTINGS: [(&str, f64); 4] = [
    ("optimal", 0.0),
    ("greedy", 0.0),
    ("optimal", 5.0),
    ("greedy", 5.0),
];

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scratch = std::env::temp_dir().join(format!("hyte-bench-privacy-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    let areas: usize = std::env::var("HYTE_BENCH_AREAS")
        .ok()
        .and_then(|a| a.parse().ok())
        .unwrap_or(40);
    println!("| data | method | protection | hidden for size | complements (table + derived) | cost | cases | respondents | euros | blocks | fallbacks | privacy stage | run |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let samples = std::fs::read_to_string(root.join("hyte.toml")).expect("hyte.toml");
    for (method, protection) in SETTINGS {
        let config = root.join(format!(".bench-privacy-{method}-{protection}.toml"));
        std::fs::write(
            &config,
            format!("{samples}\n[privacy]\nmethod = \"{method}\"\nprotection = {protection}\n"),
        )
        .expect("a config");
        let row = run(&config, &scratch.join("samples-out"), "samples");
        std::fs::remove_file(&config).ok();
        println!("{row}");
    }
    let generated = scratch.join("generated");
    generate(&generated, &root, areas);
    let base = std::fs::read_to_string(generated.join("base.toml")).expect("base.toml");
    for (method, protection) in SETTINGS {
        let config = generated.join(format!("{method}-{protection}.toml"));
        std::fs::write(
            &config,
            format!("{base}\n[privacy]\nmethod = \"{method}\"\nprotection = {protection}\n"),
        )
        .expect("a config");
        let row = run(
            &config,
            &generated.join("out"),
            &format!("generated, {areas} school areas"),
        );
        println!("{row}");
    }
    if std::env::var_os("HYTE_BENCH_KEEP").is_some() {
        eprintln!("kept {}", scratch.display());
    } else {
        std::fs::remove_dir_all(&scratch).ok();
    }
}

/// Runs hyte once and gives the table row.
fn run(config: &Path, out: &Path, data: &str) -> String {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_hyte"))
        .args(["--quiet", "run", "--config"])
        .arg(config)
        .arg("--out")
        .arg(out)
        .status()
        .expect("hyte runs");
    let seconds = started.elapsed().as_secs_f64();
    assert!(status.success(), "hyte failed on {}", config.display());
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join("current/manifest.json")).expect("a manifest"),
    )
    .expect("manifest JSON");
    let p = &manifest["privacy"];
    let s = &p["secondary"];
    let stage = manifest["stage_seconds"]
        .as_array()
        .and_then(|stages| stages.iter().find(|x| x["stage"] == "privacy"))
        .and_then(|x| x["seconds"].as_f64())
        .unwrap_or(f64::NAN);
    let mut row = String::new();
    let _ = write!(
        row,
        "| {data} | {} | {} | {} | {} + {} | {} | {} | {} | {} | {} | {} | {stage:.2} s | {seconds:.2} s |",
        s["method"].as_str().unwrap_or("?"),
        s["protection_cases"],
        p["suppressed_small"],
        p["suppressed_complementary"],
        s["complements"].as_u64().unwrap_or(0) - p["suppressed_complementary"].as_u64().unwrap_or(0),
        s["complement_cost"],
        s["complement_cases"],
        s["complement_respondents"],
        s["complement_euros"],
        s["blocks"],
        s["blocks_fallen_back"].as_array().map_or(0, Vec::len),
    );
    row
}

/// A synthetic city: `areas` school areas under kunta.444, the bundled
/// catalog's services, quarters 2019–2025, counts in the real
/// services-csv shape (`;`, quarters as 2019Q1, `-` for not reported).
/// About one client count in eight is 1–4. Deterministic.
fn generate(dir: &Path, root: &Path, areas: usize) {
    std::fs::create_dir_all(dir).expect("a folder");
    let services = [
        "family_work",
        "school_curator",
        "school_psychologist",
        "child_health_clinic",
        "family_counselling",
        "child_welfare_open_care",
        "specialist_psychiatry",
        "child_welfare_placements",
    ];
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut csv = String::from("area;period;service;clients;visits;cost_eur\n");
    for area in 0..areas {
        for year in 2019..=2025 {
            for quarter in 1..=4 {
                for service in services {
                    let clients = if next() < 0.125 {
                        1 + (next() * 4.0) as u32
                    } else {
                        5 + (next() * 60.0) as u32
                    };
                    let visits = clients * (1 + (next() * 4.0) as u32);
                    let _ = writeln!(
                        csv,
                        "gen.a{area:03};{year}Q{quarter};{service};{clients};{visits};-"
                    );
                }
            }
        }
    }
    std::fs::write(dir.join("services.csv"), csv).expect("services.csv");
    let mut toml = format!(
        "# Synthetic (benches/privacy.rs): {areas} school areas of a generated city.\ncatalog = {:?}\n\n[[area]]\nkey = \"kunta.444\"\nname = {{ fi = \"K\", sv = \"K\", en = \"K\" }}\nkind = \"municipality\"\n",
        root.join("indicators").display().to_string()
    );
    for area in 0..areas {
        let _ = write!(
            toml,
            "\n[[area]]\nkey = \"gen.a{area:03}\"\nname = {{ fi = \"A{area}\", sv = \"A{area}\", en = \"A{area}\" }}\nkind = \"school_area\"\nparent = \"kunta.444\"\n"
        );
    }
    toml.push_str("\n[[input]]\nkind = \"services-csv\"\npath = \"services.csv\"\n");
    std::fs::write(dir.join("base.toml"), toml).expect("base.toml");
}
