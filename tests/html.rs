//! `report.html`: escaping, languages, structure, and a real browser.

use std::path::Path;

use crate::common::{hyte, root, sample_config, stderr_of};

fn run_samples(out: &Path, extra: &[&str]) -> String {
    let result = hyte()
        .arg("run")
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(0), "{}", stderr_of(&result));
    std::fs::read_to_string(out.join("current/report.html")).unwrap()
}

#[test]
fn report_html_is_self_contained_and_has_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let html = run_samples(dir.path(), &[]);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fi\">"));
    // Nothing to fetch: no script, no external stylesheet, image or font.
    for forbidden in ["<script", "<link", "<img", "<iframe", "@import", "url("] {
        assert!(
            !html.contains(forbidden),
            "report.html contains {forbidden}"
        );
    }
    for attribute in ["src=\"http", "href=\"//"] {
        assert!(
            !html.contains(attribute),
            "report.html refers outside: {attribute}"
        );
    }
    // The only outside references are links a reader may follow (never
    // loaded): each Sotkanet indicator's public metadata page (issue 9).
    let links: Vec<&str> = html.split("href=\"http").skip(1).collect();
    assert!(!links.is_empty(), "no Sotkanet metadata link");
    for (before, link) in html.split("href=\"http").zip(&links) {
        assert!(
            before.ends_with("<a "),
            "an outside href not on a link: {link:.80}"
        );
        assert!(
            link.starts_with("s://sotkanet.fi/sotkanet/fi/metadata/indicators/"),
            "unexpected outside link: {link:.80}"
        );
    }
    // The structure: headings, sections and one accessible chart per series.
    let structure: Vec<String> = html
        .lines()
        .flat_map(|l| l.split('<'))
        .filter(|t| t.starts_with("section id=") || t.starts_with("h2>") || t.starts_with("h3>"))
        .map(|t| t.split('>').take(2).collect::<Vec<_>>().join(">"))
        .collect();
    let charts = html.matches("<svg role=\"img\" aria-label=").count();
    let figures = html.matches("<figure>").count();
    assert_eq!(charts, figures);
    insta::assert_snapshot!(
        "report_html_structure",
        format!("{}\ncharts: {charts}", structure.join("\n"))
    );
    // Every inline chart is also an SVG and a PNG file.
    let files: Vec<String> = std::fs::read_dir(dir.path().join("current/charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.iter().filter(|f| f.ends_with(".svg")).count(), charts);
    assert_eq!(files.iter().filter(|f| f.ends_with(".png")).count(), charts);
}

#[test]
fn png_charts_draw_their_finnish_titles_with_the_bundled_font() {
    let dir = tempfile::tempdir().unwrap();
    run_samples(dir.path(), &[]);
    // "Kohtalainen tai vaikea ahdistuneisuus (8-9)": the title has no ä, so
    // take one that does: "Pitää koulunkäynnistä (4-5)".
    let png = std::fs::read(dir.path().join("current/charts/ktk.likes_school_4-5.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut pixels).unwrap();
    // The title band (top 30 rows) has dark text pixels: the font rendered
    // the letters (without a font, nothing would be drawn there).
    let width = 640 * 3;
    let dark = pixels[..30 * width]
        .chunks(3)
        .filter(|p| p.iter().all(|c| *c < 100))
        .count();
    assert!(dark > 200, "only {dark} dark pixels in the title band");
    let svg = std::fs::read_to_string(dir.path().join("current/charts/ktk.likes_school_4-5.svg"))
        .unwrap();
    assert!(
        svg.contains("Pitää koulunkäynnistä (4-5)"),
        "the SVG file carries its title"
    );
}

#[test]
fn swedish_report_has_no_finnish_dimension_names() {
    let dir = tempfile::tempdir().unwrap();
    let html = run_samples(dir.path(), &["--lang", "sv"]);
    assert!(html.contains("<html lang=\"sv\">"));
    for finnish in [
        "Yhdenvertaisuus",
        "Hoiva ja huolenpito",
        "Osallisuus",
        "Terveys",
        "Turvallisuus",
        "Oppiminen ja onnistuminen",
        "Liikunta ja harrastukset",
    ] {
        assert!(!html.contains(finnish), "Swedish report contains {finnish}");
    }
    assert!(html.contains("Likabehandling") && html.contains("Motion och fritid"));
    // Decimal comma in Swedish, point in English.
    assert!(html.contains("p = 0,0"), "no decimal comma");
    let en = run_samples(tempfile::tempdir().unwrap().path(), &["--lang", "en"]);
    assert!(en.contains("p = 0.0") && !en.contains("p = 0,0"));
}

#[test]
fn text_from_the_catalog_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    // A copy of the catalog with a hostile title.
    let catalog = dir.path().join("indicators");
    std::fs::create_dir(&catalog).unwrap();
    for entry in std::fs::read_dir(root().join("indicators")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap().replace(
                "title = { fi = \"Koulukiusattuna vähintään kerran viikossa\"",
                "title = { fi = \"<script>alert(1)</script>\"",
            );
            std::fs::write(catalog.join(path.file_name().unwrap()), text).unwrap();
        }
    }
    let config = sample_config(&catalog);
    let config_path = dir.path().join("hyte.toml");
    std::fs::write(&config_path, config).unwrap();
    let out = hyte()
        .arg("run")
        .arg("--config")
        .arg(&config_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let html = std::fs::read_to_string(dir.path().join("out/current/report.html")).unwrap();
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "the title is not shown as text"
    );
    assert!(!html.contains("<script>"));
    let md = std::fs::read_to_string(dir.path().join("out/current/report.md")).unwrap();
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !md.contains("<script>"));
}

/// Opens the report in headless Chromium (Debian's `chromium`, which
/// `.ci/run` installs): no console errors, no network errors, and a
/// screenshot that is not blank. Without Chromium the test says so and
/// passes, unless HYTE_REQUIRE_CHROMIUM is set (CI sets it).
#[test]
fn report_html_opens_in_headless_chromium() {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(chromium) = chromium else {
        assert!(
            std::env::var_os("HYTE_REQUIRE_CHROMIUM").is_none(),
            "HYTE_REQUIRE_CHROMIUM is set but chromium is not installed"
        );
        eprintln!("skipped: no chromium (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    run_samples(dir.path(), &[]);
    let screenshot = dir.path().join("shot.png");
    let profile = dir.path().join("profile");
    let netlog = dir.path().join("net.json");
    let output = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            // Any attempt to reach a host fails loudly.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--window-size=1200,3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!(
            "file://{}",
            dir.path().join("current/report.html").display()
        ))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chromium failed: {log}");
    for line in log.lines() {
        let console_error =
            line.contains("CONSOLE") && (line.contains("ERROR") || line.contains("Uncaught"));
        assert!(!console_error, "console error: {line}");
        assert!(!line.contains("net::ERR_"), "network request: {line}");
    }
    // Every chart is in the page the browser built.
    let dom = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile2").display()
        ))
        .arg(format!(
            "file://{}",
            dir.path().join("current/report.html").display()
        ))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    let charts = std::fs::read_dir(dir.path().join("current/charts"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "svg")
        })
        .count();
    assert_eq!(
        dom.matches("<svg role=\"img\"").count(),
        charts,
        "charts in the browser's DOM"
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    // A blank 1200 × 3000 page compresses to a few kilobytes; the report
    // with its charts to hundreds.
    assert!(
        png.len() > 50_000,
        "the screenshot looks blank ({} bytes)",
        png.len()
    );
}

/// A chart that cannot be drawn fails the run with a message naming the
/// chart and the cause, and nothing is published (issue 11). The chart is
/// made to fail by drawing it at 0 × 0 pixels, which the PNG encoder
/// refuses.
#[test]
fn a_chart_that_cannot_be_drawn_fails_the_run() {
    use hyte::export::{charts::Charts, html::Html, markdown::Markdown};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let config = hyte::config::load(
        &root().join("hyte.toml"),
        hyte::config::Overrides {
            output_dir: Some(out.clone()),
            progress: hyte::progress::ProgressMode::Never,
            ..Default::default()
        },
    )
    .unwrap();
    let broken = Charts { size: (0, 0) };
    let error = hyte::run_with(&config, &[&Markdown, &Html, &broken])
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("drawing the chart charts/") && error.contains("PNG encoding"),
        "{error}"
    );
    // The staging folder is dropped: no report, no table, no manifest.
    assert!(!out.join("current/report.md").exists());
    assert!(!out.join("current/manifest.json").exists());
    assert!(!out.join("current/tables").exists());
}
