//! `report.html`: one self-contained file for the area development groups,
//! the welfare board and the council.
//!
//! In: [`ReportInput`]. Out: HTML text with inline CSS and inline SVG charts
//! (drawn with plotters), and each chart again as its own SVG and PNG files
//! (`charts/*.svg`, `charts/*.png`, titled; text drawn with the bundled
//! DejaVu Sans, so ä, ö and å render on a machine with no fonts). Guarantees: no script, no request to any other host
//! (no external stylesheet, font, image or link target other than the
//! report's own anchors and the project's docs); every text that comes from
//! inputs, the config or the catalog is HTML-escaped; charts carry a title
//! and a text alternative and use the Okabe–Ito palette, which colour-blind
//! readers can tell apart; tables are real `<table>`s; the output depends
//! only on the inputs (no clock), so it is byte-identical for the same data.
//! Unpublished points are gaps in the lines, never zeros.

use std::collections::BTreeMap;
use std::fmt::Write;

use plotters::prelude::*;

use super::markdown::words;
use super::phrases::{self, capitalize, deciding_p, format_p};
use super::{OutputFile, ReportInput};
use crate::catalog::{Dimension, Indicator};
use crate::i18n::Language;
use crate::observation::{Observation, Sex};
use crate::period::Period;
use crate::trends::Direction;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Okabe–Ito colours for the school areas; greys for the references.
const AREA_COLOURS: [(u8, u8, u8); 7] = [
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (204, 121, 167),
    (86, 180, 233),
    (213, 94, 0),
    (240, 228, 66),
];
const REFERENCE_COLOURS: [(u8, u8, u8); 3] = [(0, 0, 0), (100, 100, 100), (160, 160, 160)];

struct HtmlWords {
    contents: &'static str,
    summary: &'static str,
    charts_note: &'static str,
    gap_note: &'static str,
    chart_alt: &'static str,
    legend: &'static str,
    sources: &'static str,
    sources_text: &'static str,
    methods: &'static str,
    methods_text: &'static str,
    share_chart: &'static str,
    volume_chart: &'static str,
    rejections: &'static str,
    missing: &'static str,
    missing_note: &'static str,
    missing_count: &'static str,
    basic: &'static str,
    specialist: &'static str,
    year: &'static str,
}

fn html_words(language: Language) -> HtmlWords {
    match language {
        Language::Fi => HtmlWords {
            contents: "Sisältö",
            summary: "Yhteenveto",
            charts_note: "Kuvissa yksi viiva alueittain (sukupuolet yhteensä); pystyviivat ovat 95 %:n luottamusvälejä.",
            gap_note: "Katkos viivassa tarkoittaa, ettei arvoa ole julkaistu (puuttuu tai salattu).",
            chart_alt: "Viivakuva",
            legend: "Selite",
            sources: "Lähteet",
            sources_text: "Rekisteri-indikaattorit: THL, Sotkanet (CC BY 4.0). Kouluterveyskysely: THL. Palvelutilastot: kunnan asiakastietojärjestelmät. Mukana olevat esimerkkiaineistot ovat synteettisiä.",
            methods: "Menetelmät",
            methods_text: "Tilastolliset menetelmät: docs/STATISTICS.md; palvelurakenteen muutos: docs/SHIFT.md; tietosuoja: docs/PRIVACY.md.",
            share_chart: "Peruspalvelujen osuus asiakkaista kokonaisina vuosina",
            volume_chart: "Asiakkaat / 1 000 0–17-vuotiasta",
            rejections: "Hylätyt rivit ja syyt",
            missing: "Puuttuvat jaksot",
            missing_note: "Alueen ja jakson yhdistelmät (sukupuolet yhteensä), joilta ei ole julkaistua arvoa, kaikista indikaattorin jaksoista alueilla, joilla sillä on tietoja.",
            missing_count: "puuttuu / kaikkiaan",
            basic: "peruspalvelut",
            specialist: "erityispalvelut",
            year: "vuosi",
        },
        Language::Sv => HtmlWords {
            contents: "Innehåll",
            summary: "Sammanfattning",
            charts_note: "I figurerna en linje per område (båda könen); de lodräta strecken är 95 % konfidensintervall.",
            gap_note: "Ett avbrott i linjen betyder att värdet inte publicerats (saknas eller skyddas).",
            chart_alt: "Linjediagram",
            legend: "Teckenförklaring",
            sources: "Källor",
            sources_text: "Registerindikatorer: THL, Sotkanet (CC BY 4.0). Enkäten Hälsa i skolan: THL. Tjänstestatistik: kommunens klientdatasystem. De medföljande exempeldata är syntetiska.",
            methods: "Metoder",
            methods_text: "Statistiska metoder: docs/STATISTICS.md; förskjutningen mellan tjänster: docs/SHIFT.md; dataskydd: docs/PRIVACY.md.",
            share_chart: "Bastjänsternas andel av klienterna under hela år",
            volume_chart: "Klienter / 1 000 i åldern 0–17",
            rejections: "Avvisade rader och orsaker",
            missing: "Saknade perioder",
            missing_note: "Kombinationer av område och period (båda könen) utan publicerat värde, av alla indikatorns perioder i de områden där den har data.",
            missing_count: "saknas / totalt",
            basic: "bastjänster",
            specialist: "specialtjänster",
            year: "år",
        },
        Language::En => HtmlWords {
            contents: "Contents",
            summary: "Summary",
            charts_note: "Charts show one line per area (both sexes); vertical bars are 95 % confidence intervals.",
            gap_note: "A gap in a line means the value was not published (missing or suppressed).",
            chart_alt: "Line chart",
            legend: "Legend",
            sources: "Sources",
            sources_text: "Register indicators: THL, Sotkanet (CC BY 4.0). School Health Promotion study: THL. Service statistics: the municipality's client systems. The bundled sample data are synthetic.",
            methods: "Methods",
            methods_text: "Statistical methods: docs/STATISTICS.md; the shift between services: docs/SHIFT.md; privacy: docs/PRIVACY.md.",
            share_chart: "Basic services' share of clients in complete years",
            volume_chart: "Clients per 1 000 aged 0–17",
            rejections: "Rejected rows and why",
            missing: "Missing periods",
            missing_note: "Area-period combinations (both sexes) without a published value, out of all the indicator's periods in the areas where it has data.",
            missing_count: "missing / all",
            basic: "basic services",
            specialist: "specialist services",
            year: "year",
        },
    }
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}\
h1{font-size:1.7rem}h2{margin-top:2.2rem;border-bottom:2px solid #ddd}h3{margin-top:1.6rem}\
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}\
td.num{text-align:right;font-variant-numeric:tabular-nums}\
.good{background:#d9efe3}.bad{background:#f6dcd2}.flat{background:#f2f2f2}\
figure{margin:1.2rem 0;break-inside:avoid}figcaption{font-size:.9rem;color:#333}\
.legend span{display:inline-block;margin-right:1rem;font-size:.85rem}.swatch{display:inline-block;width:1.6em;height:.35em;vertical-align:middle;margin-right:.3em}\
.note{color:#444;font-size:.9rem}\
@page{size:A4;margin:15mm}@media print{body{max-width:none;margin:0}nav{display:none}h2{break-after:avoid}}";

/// A chart point: decimal time, value and its confidence interval.
type ChartPoint = (f64, f64, Option<(f64, f64)>);

/// One line of a chart: the area and its points (gaps split the runs).
struct ChartLine {
    label: String,
    colour: RGBColor,
    /// A small shift in time (years) so that the areas' intervals at the
    /// same round do not hide each other.
    offset: f64,
    /// Runs of consecutive published points: (time, value, ci).
    runs: Vec<Vec<ChartPoint>>,
}

/// The chart size in pixels.
const CHART_SIZE: (u32, u32) = (640, 300);

/// Registers the bundled font once: every chart's text is laid out with it,
/// never with a system font.
fn register_font() -> bool {
    static REGISTERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *REGISTERED.get_or_init(|| {
        plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
        )
        .is_ok()
    })
}

/// The y range of a chart, padded; `None` when there is nothing to draw.
fn chart_range(lines: &[ChartLine]) -> Option<(f64, f64, f64, f64)> {
    let points: Vec<&ChartPoint> = lines.iter().flat_map(|l| l.runs.iter().flatten()).collect();
    if points.is_empty() {
        return None;
    }
    let (mut x0, mut x1) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
    for (x, y, ci) in &points {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        let (lo, hi) = ci.unwrap_or((*y, *y));
        y0 = y0.min(lo.min(*y));
        y1 = y1.max(hi.max(*y));
    }
    if x0 == x1 {
        x0 -= 0.5;
        x1 += 0.5;
    }
    let pad = ((y1 - y0) * 0.08).max(0.5);
    let low = if y0 >= 0.0 {
        (y0 - pad).max(0.0)
    } else {
        y0 - pad
    };
    Some((x0, x1, low, y1 + pad))
}

/// Draws a line chart on any plotters backend. `caption` is drawn inside
/// the chart (for the standalone files); the inline charts leave it to the
/// escaped HTML caption.
fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    lines: &[ChartLine],
    decimals: u8,
    language: Language,
    caption: Option<&str>,
) -> Option<()> {
    let (x0, x1, y0, y1) = chart_range(lines)?;
    root.fill(&WHITE).ok()?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(56);
    if let Some(caption) = caption {
        builder.caption(caption, ("sans-serif", 15));
    }
    let mut chart = builder
        .build_cartesian_2d(x0 - 0.3..x1 + 0.3, y0..y1)
        .ok()?;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .bold_line_style(RGBColor(230, 230, 230))
        .x_labels(((x1 - x0).round() as usize + 2).min(14))
        .label_style(("sans-serif", 12))
        .x_label_formatter(&|x| {
            if (x.fract()).abs() < 1e-9 {
                format!("{x:.0}")
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| language.number(*y, decimals))
        .draw()
        .ok()?;
    for line in lines {
        let style = ShapeStyle::from(&line.colour).stroke_width(2);
        let dx = line.offset;
        for run in &line.runs {
            chart
                .draw_series(LineSeries::new(
                    run.iter().map(|(x, y, _)| (*x + dx, *y)),
                    style,
                ))
                .ok()?;
            chart
                .draw_series(
                    run.iter()
                        .map(|(x, y, _)| Circle::new((*x + dx, *y), 3, line.colour.filled())),
                )
                .ok()?;
            for (x, _, ci) in run {
                if let Some((lo, hi)) = ci {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(*x + dx, *lo), (*x + dx, *hi)],
                            line.colour.stroke_width(1),
                        )))
                        .ok()?;
                }
            }
        }
    }
    root.present().ok()
}

/// A chart as an SVG string.
fn chart_svg(
    lines: &[ChartLine],
    decimals: u8,
    language: Language,
    caption: Option<&str>,
) -> Option<String> {
    if !register_font() {
        return None;
    }
    let mut svg = String::new();
    draw(
        SVGBackend::with_string(&mut svg, CHART_SIZE).into_drawing_area(),
        lines,
        decimals,
        language,
        caption,
    )?;
    Some(svg)
}

/// A chart as PNG bytes, its title drawn in with the bundled font.
fn chart_png(
    lines: &[ChartLine],
    decimals: u8,
    language: Language,
    caption: &str,
) -> Option<Vec<u8>> {
    if !register_font() {
        return None;
    }
    let (width, height) = CHART_SIZE;
    let mut rgb = vec![0u8; (width * height * 3) as usize];
    draw(
        BitMapBackend::with_buffer(&mut rgb, CHART_SIZE).into_drawing_area(),
        lines,
        decimals,
        language,
        Some(caption),
    )?;
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().ok()?;
        writer.write_image_data(&rgb).ok()?;
    }
    Some(bytes)
}

/// A chart as standalone files: `STEM.svg` and `STEM.png`, each with its
/// title drawn in (the inline copy in the report leaves the title to the
/// HTML caption).
fn chart_files(
    stem: &str,
    lines: &[ChartLine],
    decimals: u8,
    language: Language,
    title: &str,
    alt: &str,
) -> Vec<OutputFile> {
    let mut out = Vec::new();
    if let Some(svg) = chart_svg(lines, decimals, language, Some(title)) {
        out.push(OutputFile {
            path: format!("{stem}.svg"),
            bytes: accessible(&svg, alt).into_bytes(),
        });
    }
    if let Some(png) = chart_png(lines, decimals, language, title) {
        out.push(OutputFile {
            path: format!("{stem}.png"),
            bytes: png,
        });
    }
    out
}

/// Splits a series into runs of published points; an unpublished period
/// ends a run, so the line shows a gap.
/// `periods` are all periods of the chart: a period the area has no row
/// for (a round it missed) is a gap too.
fn runs(rows: &[&Observation], periods: &[Period]) -> Vec<Vec<ChartPoint>> {
    let by_period: BTreeMap<Period, &Observation> = rows.iter().map(|r| (r.period, *r)).collect();
    let mut out: Vec<Vec<ChartPoint>> = vec![Vec::new()];
    for period in periods {
        match by_period
            .get(period)
            .and_then(|row| row.value.map(|v| (row, v)))
        {
            Some((row, v)) => {
                let ci = row.ci_lower.zip(row.ci_upper);
                out.last_mut()
                    .expect("one run")
                    .push((period.decimal_time(), v, ci));
            }
            None => out.push(Vec::new()),
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Gives an SVG a text alternative and a role.
fn accessible(svg: &str, label: &str) -> String {
    svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", escape(label)),
        1,
    )
}

fn colour_of(index: usize, reference: bool, reference_index: usize) -> RGBColor {
    let (r, g, b) = if reference {
        REFERENCE_COLOURS[reference_index % REFERENCE_COLOURS.len()]
    } else {
        AREA_COLOURS[index % AREA_COLOURS.len()]
    };
    RGBColor(r, g, b)
}

/// Renders `report.html` and the chart files.
/// ` · Sotkanet ID` linked to the indicator's public metadata page, for an
/// indicator from Sotkanet (THL's licence asks for the source); empty
/// otherwise.
fn metadata_link(indicator: &Indicator, language: Language) -> String {
    phrases::sotkanet_page(indicator, language)
        .map(|(id, url)| format!(" · <a href=\"{}\">Sotkanet {id}</a>", escape(&url)))
        .unwrap_or_default()
}

/// An indicator's escaped title in a table row, with its metadata link.
fn indicator_name(indicator: &Indicator, language: Language) -> String {
    format!(
        "{}{}",
        escape(indicator.title.get(language)),
        metadata_link(indicator, language)
    )
}

pub fn render(input: &ReportInput) -> Vec<OutputFile> {
    let language = input.config.language;
    let w = words(language);
    let h = html_words(language);
    let mut charts: Vec<OutputFile> = Vec::new();
    let mut body = String::new();

    // Series of sex total per (indicator, group, area), in period order.
    let mut series: BTreeMap<(&str, &str, &str), Vec<&Observation>> = BTreeMap::new();
    for row in input.rows {
        if row.sex == Sex::Total {
            series
                .entry((&row.indicator, &row.group, &row.area))
                .or_default()
                .push(row);
        }
    }
    let latest_period: Option<Period> = input.rows.iter().map(|o| o.period).max();

    let _ = writeln!(
        body,
        "<header><h1>{}</h1><p class=\"note\">{}{}</p></header>",
        escape(w.title),
        escape(w.intro),
        latest_period.map(|p| format!(" ({p})")).unwrap_or_default()
    );
    // Contents.
    let _ = write!(body, "<nav><h2>{}</h2><ol>", h.contents);
    let _ = write!(body, "<li><a href=\"#summary\">{}</a></li>", h.summary);
    let _ = write!(
        body,
        "<li><a href=\"#overview\">{}</a></li>",
        escape(w.overview)
    );
    for (number, dimension) in Dimension::ALL.iter().enumerate() {
        let _ = write!(
            body,
            "<li><a href=\"#dimension-{}\">{}. {}</a></li>",
            dimension.key(),
            number + 1,
            escape(&capitalize(dimension.name(language)))
        );
    }
    let _ = write!(body, "<li><a href=\"#shift\">{}</a></li>", escape(w.shift));
    let _ = write!(
        body,
        "<li><a href=\"#quality\">{}</a></li>",
        escape(w.quality)
    );
    let _ = writeln!(
        body,
        "<li><a href=\"#sources\">{}</a></li></ol></nav>",
        h.sources
    );

    // Summary: the clearest significant changes per area.
    let _ = write!(
        body,
        "<section id=\"summary\"><h2>{}</h2><p>{}</p>",
        h.summary,
        escape(w.changes_intro)
    );
    for area in &input.config.areas {
        let _ = write!(body, "<h3>{}</h3><ul>", escape(area.name.get(language)));
        for (label, wanted) in [
            (w.improving, Direction::Improving),
            (w.worsening, Direction::Worsening),
        ] {
            let picked = phrases::clearest(input, &area.key, wanted);
            let names: Vec<String> = picked
                .iter()
                .take(3)
                .filter_map(|s| {
                    let indicator = input.catalog.get(&s.indicator)?;
                    let group = if s.group == crate::observation::ALL_GROUPS {
                        String::new()
                    } else {
                        format!(" ({})", escape(&s.group))
                    };
                    Some(format!(
                        "{}{} ({})",
                        indicator_name(indicator, language),
                        group,
                        format_p(deciding_p(s), language)
                    ))
                })
                .collect();
            let text = if names.is_empty() {
                escape(w.none)
            } else {
                names.join("; ")
            };
            let _ = write!(
                body,
                "<li><strong>{}:</strong> {}</li>",
                escape(label),
                text
            );
        }
        body.push_str("</ul>");
    }
    body.push_str("</section>\n");

    // Each area of interest among all municipalities.
    let comparison_tables = phrases::comparison_tables(input);
    if !comparison_tables.is_empty() {
        let _ = write!(
            body,
            "<section id=\"comparison\"><h2>{}</h2><p>{}</p>",
            escape(w.comparison),
            escape(w.comparison_intro)
        );
        for (area, rows) in comparison_tables {
            let _ = write!(
                body,
                "<h3>{}</h3><table><thead><tr><th scope=\"col\">{}</th>",
                escape(area.name.get(language)),
                escape(w.indicator)
            );
            for head in w.comparison_heads {
                let _ = write!(body, "<th scope=\"col\">{}</th>", escape(head));
            }
            body.push_str("</tr></thead><tbody>");
            for row in rows {
                let group = row
                    .group
                    .map(|g| format!(" ({})", escape(g)))
                    .unwrap_or_default();
                let _ = write!(
                    body,
                    "<tr><th scope=\"row\">{}{group}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                    indicator_name(row.indicator, language),
                    escape(&row.value),
                    escape(&row.rank),
                    escape(&row.percentile),
                    escape(&row.groups),
                    escape(&row.gaps)
                );
            }
            body.push_str("</tbody></table>");
        }
        body.push_str("</section>\n");
    }

    // The area × dimension matrix.
    let _ = write!(
        body,
        "<section id=\"overview\"><h2>{}</h2><p>{}</p><table><thead><tr><th scope=\"col\">{}</th>",
        escape(w.overview),
        escape(w.overview_intro),
        escape(w.area)
    );
    for &dimension in Dimension::ALL {
        let _ = write!(
            body,
            "<th scope=\"col\">{}</th>",
            escape(&capitalize(dimension.name(language)))
        );
    }
    body.push_str("</tr></thead><tbody>");
    for area in &input.config.areas {
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th>",
            escape(area.name.get(language))
        );
        for &dimension in Dimension::ALL {
            let cell = input
                .trends
                .dimensions
                .iter()
                .find(|d| d.area == area.key && d.dimension == dimension);
            match cell.and_then(|d| phrases::direction_counts(d).map(|text| (d, text))) {
                Some((d, text)) => {
                    let class = match d.score {
                        Some(s) if s > 0.0 => "good",
                        Some(s) if s < 0.0 => "bad",
                        _ => "flat",
                    };
                    let _ = write!(body, "<td class=\"{class}\">{text}</td>");
                }
                None => body.push_str("<td>–</td>"),
            }
        }
        body.push_str("</tr>");
    }
    body.push_str("</tbody></table></section>\n");

    // One section per dimension, one chart per indicator and group.
    let mut reference_index = 0;
    let mut area_colours: BTreeMap<&str, RGBColor> = BTreeMap::new();
    for (i, area) in input.config.areas.iter().enumerate() {
        let colour = colour_of(i, area.reference, reference_index);
        if area.reference {
            reference_index += 1;
        }
        area_colours.insert(&area.key, colour);
    }
    let legend: String = input
        .config
        .areas
        .iter()
        .map(|a| {
            let c = area_colours[a.key.as_str()];
            format!(
                "<span><i class=\"swatch\" style=\"background:rgb({},{},{})\"></i>{}</span>",
                c.0,
                c.1,
                c.2,
                escape(a.name.get(language))
            )
        })
        .collect();
    for (number, dimension) in Dimension::ALL.iter().enumerate() {
        let _ = write!(
            body,
            "<section id=\"dimension-{}\"><h2>{}. {}</h2>",
            dimension.key(),
            number + 1,
            escape(&capitalize(dimension.name(language)))
        );
        let _ = write!(
            body,
            "<p class=\"note\">{} {}</p><p class=\"legend\" aria-label=\"{}\">{}</p>",
            h.charts_note, h.gap_note, h.legend, legend
        );
        let indicators: Vec<&Indicator> = input.catalog.in_dimension(*dimension).collect();
        let mut any = false;
        for indicator in indicators {
            let groups: std::collections::BTreeSet<&str> = series
                .keys()
                .filter(|(id, ..)| *id == indicator.id)
                .map(|(_, g, _)| *g)
                .collect();
            for group in groups {
                let count = input.config.areas.len() as f64;
                // Every period any area has for this indicator and group.
                let periods: Vec<Period> = input
                    .config
                    .areas
                    .iter()
                    .filter_map(|a| series.get(&(indicator.id.as_str(), group, a.key.as_str())))
                    .flatten()
                    .map(|r| r.period)
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let lines: Vec<ChartLine> = input
                    .config
                    .areas
                    .iter()
                    .enumerate()
                    .filter_map(|(i, area)| {
                        let rows =
                            series.get(&(indicator.id.as_str(), group, area.key.as_str()))?;
                        let runs = runs(rows, &periods);
                        let yearly = rows.iter().all(|r| !r.period.is_quarter());
                        (!runs.is_empty()).then(|| ChartLine {
                            label: area.name.get(language).to_string(),
                            colour: area_colours[area.key.as_str()],
                            offset: if yearly {
                                (i as f64 - (count - 1.0) / 2.0) * 0.04
                            } else {
                                0.0
                            },
                            runs,
                        })
                    })
                    .collect();
                let Some(svg) = chart_svg(&lines, indicator.decimals, language, None) else {
                    continue;
                };
                any = true;
                let group_text = if group == crate::observation::ALL_GROUPS {
                    String::new()
                } else {
                    format!(" ({group})")
                };
                let title = format!("{}{}", indicator.title.get(language), group_text);
                let alt = format!(
                    "{}: {}. {}",
                    h.chart_alt,
                    title,
                    lines
                        .iter()
                        .map(|l| l.label.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let svg = accessible(&svg, &alt);
                let stem = format!(
                    "charts/{}{}",
                    indicator.id,
                    if group == crate::observation::ALL_GROUPS {
                        String::new()
                    } else {
                        format!(
                            "_{}",
                            group.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
                        )
                    }
                );
                let metadata_link = phrases::sotkanet_page(indicator, language)
                    .map(|(id, url)| format!(" · <a href=\"{}\">Sotkanet {id}</a>", escape(&url)))
                    .unwrap_or_default();
                let _ = write!(
                    body,
                    "<figure>{svg}<figcaption>{}{metadata_link}</figcaption></figure>",
                    escape(&title)
                );
                charts.extend(chart_files(
                    &stem,
                    &lines,
                    indicator.decimals,
                    language,
                    &title,
                    &alt,
                ));
            }
        }
        if !any {
            let _ = write!(body, "<p>{}</p>", escape(w.no_data));
        }
        body.push_str("</section>\n");
    }

    // The shift section: verdict table and a chart of the yearly shares.
    let _ = write!(
        body,
        "<section id=\"shift\"><h2>{}</h2><p>{}</p>",
        escape(w.shift),
        escape(w.shift_intro)
    );
    let _ = write!(body, "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>", escape(w.area), escape(w.share), escape(w.slope), escape(w.verdict));
    for summary in &input.shift.summaries {
        let name = input
            .config
            .area(&summary.area)
            .map(|a| a.name.get(language).to_string())
            .unwrap_or_else(|| summary.area.clone());
        let share = phrases::share_text(summary, language);
        let slope = phrases::slope_text(summary, language);
        let verdict = phrases::verdict_text(&w, summary.verdict);
        let basis = if summary.basis == crate::shift::ShiftBasis::Local {
            w.local
        } else {
            w.sotkanet
        };
        let _ = write!(body, "<tr><th scope=\"row\">{} ({})</th><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>", escape(&name), escape(basis), share, slope, escape(verdict));
    }
    body.push_str("</tbody></table>");
    let share_lines: Vec<ChartLine> = input
        .config
        .areas
        .iter()
        .filter_map(|area| {
            // A year without a complete share is a gap in the line.
            let mut runs: Vec<Vec<ChartPoint>> = vec![Vec::new()];
            for row in input
                .shift
                .rows
                .iter()
                .filter(|r| r.area == area.key && !r.period.is_quarter())
            {
                match row.share_clients().filter(|_| row.complete_clients) {
                    Some(share) => runs.last_mut().expect("one run").push((
                        row.period.decimal_time(),
                        share * 100.0,
                        None,
                    )),
                    None => runs.push(Vec::new()),
                }
            }
            runs.retain(|r| !r.is_empty());
            (!runs.is_empty()).then(|| ChartLine {
                label: area.name.get(language).to_string(),
                colour: area_colours[area.key.as_str()],
                offset: 0.0,
                runs,
            })
        })
        .collect();
    if let Some(svg) = chart_svg(&share_lines, 1, language, None) {
        let alt = format!("{}: {} ({}, %)", h.chart_alt, h.share_chart, h.year);
        let svg = accessible(&svg, &alt);
        let _ = write!(
            body,
            "<figure>{svg}<figcaption>{} (%)</figcaption></figure><p class=\"legend\">{}</p>",
            escape(h.share_chart),
            legend
        );
        let title = format!("{} (%)", h.share_chart);
        charts.extend(chart_files(
            "charts/shift_basic_share",
            &share_lines,
            1,
            language,
            &title,
            &alt,
        ));
    }
    // Basic and specialist volumes per area: client-quarters per 1 000
    // children aged 0–17 in complete years.
    for area in &input.config.areas {
        let rows: Vec<&crate::shift::ShiftRow> = input
            .shift
            .rows
            .iter()
            .filter(|r| r.area == area.key && !r.period.is_quarter())
            .collect();
        let line =
            |label: &str,
             colour: RGBColor,
             level: fn(&crate::shift::ShiftRow) -> crate::shift::Volumes| {
                let mut runs: Vec<Vec<ChartPoint>> = vec![Vec::new()];
                for row in &rows {
                    match row.clients(level(row)).and_then(|v| row.per_1000(v)) {
                        Some(rate) => runs.last_mut().expect("one run").push((
                            row.period.decimal_time(),
                            rate,
                            None,
                        )),
                        None => runs.push(Vec::new()),
                    }
                }
                runs.retain(|r| !r.is_empty());
                ChartLine {
                    label: label.to_string(),
                    colour,
                    offset: 0.0,
                    runs,
                }
            };
        let lines: Vec<ChartLine> = [
            line(h.basic, RGBColor(0, 158, 115), |r| r.basic),
            line(h.specialist, RGBColor(213, 94, 0), |r| r.specialist),
        ]
        .into_iter()
        .filter(|l| !l.runs.is_empty())
        .collect();
        if lines.is_empty() {
            continue;
        }
        let Some(svg) = chart_svg(&lines, 1, language, None) else {
            continue;
        };
        let title = format!("{}: {}", area.name.get(language), h.volume_chart);
        let alt = format!("{}: {} ({}, {})", h.chart_alt, title, h.basic, h.specialist);
        let svg = accessible(&svg, &alt);
        let _ = write!(
            body,
            "<figure>{svg}<figcaption>{} — <span style=\"color:rgb(0,158,115)\">■</span> {} <span style=\"color:rgb(213,94,0)\">■</span> {}</figcaption></figure>",
            escape(&title),
            escape(h.basic),
            escape(h.specialist)
        );
        charts.extend(chart_files(
            &format!("charts/shift_volumes_{}", area.key),
            &lines,
            1,
            language,
            &title,
            &alt,
        ));
    }
    body.push_str("</section>\n");

    // Data quality.
    let _ = write!(body, "<section id=\"quality\"><h2>{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>", escape(w.quality), escape(w.files), escape(w.rows_read), escape(w.rejected));
    for file in input.files {
        match &file.error {
            Some(_) => {
                let _ = write!(
                    body,
                    "<tr><td>{}</td><td class=\"num\">–</td><td>{}</td></tr>",
                    escape(&file.path),
                    escape(w.file_failed)
                );
            }
            None => {
                let _ = write!(
                    body,
                    "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    escape(&file.path),
                    file.rows_read,
                    file.rejections.len()
                );
            }
        }
    }
    body.push_str("</tbody></table>");
    // Why rows were rejected (the first ones; manifest.json has them all).
    let rejections: Vec<&crate::ingest::Rejection> = input
        .files
        .iter()
        .flat_map(|f| &f.rejections)
        .chain(&input.validated.rejections)
        .collect();
    let errors: Vec<&String> = input
        .files
        .iter()
        .filter_map(|f| f.error.as_ref())
        .collect();
    if !rejections.is_empty() || !errors.is_empty() {
        let _ = write!(body, "<h3>{}</h3><ul>", escape(h.rejections));
        for error in &errors {
            let _ = write!(body, "<li>{}</li>", escape(error));
        }
        for rejection in rejections.iter().take(20) {
            let _ = write!(body, "<li>{}</li>", escape(&rejection.to_string()));
        }
        if rejections.len() > 20 {
            let _ = write!(body, "<li>… {} (manifest.json)</li>", rejections.len() - 20);
        }
        body.push_str("</ul>");
    }
    // Missing periods: per indicator, the area-periods (sex total) without a
    // published value among the periods the indicator has.
    let _ = write!(
        body,
        "<h3>{}</h3><p class=\"note\">{}</p><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        escape(h.missing),
        escape(h.missing_note),
        escape(w.indicator),
        escape(h.missing_count)
    );
    for indicator in &input.catalog.indicators {
        let mut periods = std::collections::BTreeSet::new();
        let mut published = std::collections::BTreeSet::new();
        for ((id, group, area), rows) in &series {
            if *id != indicator.id || input.config.area(area).is_none() {
                continue;
            }
            for row in rows {
                periods.insert((*group, row.period));
                if row.value.is_some() {
                    published.insert((*group, *area, row.period));
                }
            }
        }
        let areas_with_data: std::collections::BTreeSet<&str> = series
            .keys()
            .filter(|(id, _, area)| *id == indicator.id && input.config.area(area).is_some())
            .map(|(_, _, area)| *area)
            .collect();
        let expected = periods.len() * areas_with_data.len();
        let missing = expected.saturating_sub(published.len());
        if missing > 0 {
            let _ = write!(
                body,
                "<tr><td>{}</td><td class=\"num\">{missing} / {expected}</td></tr>",
                indicator_name(indicator, language)
            );
        }
    }
    body.push_str("</tbody></table>");
    let _ = write!(
        body,
        "<p>{}</p><ul>",
        escape(&phrases::privacy_text(&w, input))
    );
    for (label, count) in phrases::privacy_counts(&w, input) {
        let _ = write!(body, "<li>{}: {count}</li>", escape(label));
    }
    body.push_str("</ul></section>\n");

    let _ = write!(
        body,
        "<section id=\"sources\"><h2>{}</h2><p>{}</p>",
        h.sources,
        escape(h.sources_text),
    );
    let cited = phrases::sotkanet_sources(input, language);
    if !cited.is_empty() {
        body.push_str("<ul>");
        for source in &cited {
            let _ = write!(
                body,
                "<li>{} <a href=\"{}\">{}</a></li>",
                escape(&phrases::sotkanet_source_text(source, language)),
                escape(&source.url),
                escape(&source.url)
            );
        }
        body.push_str("</ul>");
    }
    let _ = writeln!(
        body,
        "<h2>{}</h2><p>{}</p></section>",
        h.methods,
        escape(h.methods_text)
    );

    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        language.code(),
        escape(w.title),
        STYLE,
        body
    );
    let mut out = vec![OutputFile {
        path: "report.html".into(),
        bytes: html.into_bytes(),
    }];
    out.extend(charts);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape("a & \"b\" 'c'"), "a &amp; &quot;b&quot; &#39;c&#39;");
    }

    #[test]
    fn unpublished_points_split_the_line() {
        let row = |period: &str, value: Option<f64>| Observation {
            indicator: "x".into(),
            area: "a".into(),
            period: period.parse().unwrap(),
            sex: Sex::Total,
            group: "all".into(),
            value,
            count: None,
            n: None,
            ci_lower: None,
            ci_upper: None,
            source: "t".into(),
        };
        let rows = [
            row("2019", Some(1.0)),
            row("2021", None),
            row("2023", Some(3.0)),
            row("2025", Some(4.0)),
        ];
        let refs: Vec<&Observation> = rows.iter().collect();
        let periods: Vec<Period> = ["2017", "2019", "2021", "2023", "2025"]
            .map(|p| p.parse().unwrap())
            .to_vec();
        let runs = runs(&refs, &periods);
        // 2017 has no row and 2021 is unpublished: both are gaps.
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].len(), 1);
        assert_eq!(runs[1].len(), 2);
    }
}
