//! `report.md`: the report for e-mail and intranets.
//!
//! In: the [`ReportModel`]. Out: Markdown text in the report's language:
//! the dimension overview, the clearest changes, the comparison with other
//! municipalities, the shift, then per dimension each indicator's latest
//! published value per configured area, then data quality and sources.
//! Guarantees: every text from inputs, the config or the catalog is escaped
//! (no raw HTML, no broken table cells); a cell shows the latest published
//! value with its period (a star when a later period was not published), a
//! dash when none was, never a zero; derives nothing the model does not say.

use std::fmt::Write;

use super::{ExportError, Exporter, OutputFile};
use crate::report::model::*;

/// The Markdown report.
pub struct Markdown;

impl Exporter for Markdown {
    fn render(&self, model: &ReportModel) -> Result<Vec<OutputFile>, ExportError> {
        Ok(vec![OutputFile {
            path: "report.md".into(),
            bytes: render(model).into_bytes(),
        }])
    }
}

/// Escapes text for Markdown table cells and paragraphs.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '*' | '_' | '`' | '[' | ']' | '\\' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// The whole report as Markdown text.
pub fn render(model: &ReportModel) -> String {
    let w = &model.words;
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", w.title);
    let _ = writeln!(md, "{}\n", w.intro);
    overview(&mut md, model);
    changes(&mut md, model);
    comparisons(&mut md, model);
    shift(&mut md, model);
    for dimension in &model.dimensions {
        dimension_section(&mut md, model, dimension);
    }
    quality(&mut md, model);
    sources(&mut md, model);
    md
}

/// A table head with its alignment rule.
pub(super) fn table_head(md: &mut String, heads: &[&str], rule: &str) {
    let _ = writeln!(md, "| {} |\n{rule}", heads.join(" | "));
}

/// The area × dimension matrix of direction counts.
fn overview(md: &mut String, model: &ReportModel) {
    let w = &model.words;
    let _ = writeln!(md, "## {}\n\n{}\n", w.overview, w.overview_intro);
    let mut heads = vec![w.area.to_string()];
    heads.extend(model.dimensions.iter().map(|d| d.name.clone()));
    let heads: Vec<&str> = heads.iter().map(String::as_str).collect();
    table_head(md, &heads, &format!("|{}", "---|".repeat(heads.len())));
    for row in &model.overview {
        let _ = write!(md, "| {} |", escape(&row.area));
        for cell in &row.cells {
            let text = match cell {
                OverviewCell::Counts { text, .. } => text.as_str(),
                OverviewCell::Empty => "–",
            };
            let _ = write!(md, " {text} |");
        }
        md.push('\n');
    }
    md.push('\n');
}

/// An indicator's title with its group, escaped.
fn titled(indicator: &IndicatorLabel, group: &Option<String>) -> String {
    let group = group
        .as_ref()
        .map(|g| format!(" ({})", escape(g)))
        .unwrap_or_default();
    format!("{}{group}", escape(&indicator.title))
}

/// Per area, the most clearly improving and worsening indicators.
fn changes(md: &mut String, model: &ReportModel) {
    let w = &model.words;
    let _ = writeln!(md, "## {}\n\n{}\n", w.changes, w.changes_intro);
    for area in &model.changes {
        let _ = writeln!(md, "### {}\n", escape(&area.area));
        for (label, picked) in [
            (w.improving, &area.improving),
            (w.worsening, &area.worsening),
        ] {
            if picked.is_empty() {
                let _ = writeln!(md, "- {label}: {}", w.none);
                continue;
            }
            let _ = writeln!(md, "- {label}:");
            for change in picked {
                let _ = writeln!(
                    md,
                    "  - {}: {}, {}",
                    titled(&change.indicator, &change.group),
                    change.movement,
                    change.p
                );
            }
        }
        md.push('\n');
    }
}

/// Per area of interest with ranked series: where each indicator stands
/// among all municipalities, and against each comparison group.
fn comparisons(md: &mut String, model: &ReportModel) {
    if model.comparisons.is_empty() {
        return;
    }
    let w = &model.words;
    let _ = writeln!(md, "## {}\n\n{}\n", w.comparison, w.comparison_intro);
    let mut heads = vec![w.indicator];
    heads.extend(w.comparison_heads);
    for table in &model.comparisons {
        let _ = writeln!(md, "### {}\n", escape(&table.area));
        table_head(md, &heads, "|---|---:|---:|---:|---|---:|");
        for row in &table.rows {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                titled(&row.indicator, &row.group),
                row.value,
                row.rank,
                row.percentile,
                escape(&row.groups),
                row.gaps
            );
        }
        md.push('\n');
    }
}

/// The shift from specialist to basic services, per area.
fn shift(md: &mut String, model: &ReportModel) {
    if model.shift.rows.is_empty() {
        return;
    }
    let w = &model.words;
    let _ = writeln!(md, "## {}\n\n{}\n", w.shift, w.shift_intro);
    table_head(
        md,
        &[w.area, w.share, w.slope, w.verdict, w.drivers],
        "|---|---|---|---|---|",
    );
    for row in &model.shift.rows {
        let drivers: Vec<String> = row.drivers.iter().map(|d| escape(d)).collect();
        let _ = writeln!(
            md,
            "| {} ({}) | {} | {} | {} | {} |",
            escape(&row.area),
            row.basis_text,
            row.share,
            row.slope,
            row.verdict_text,
            drivers.join("; ")
        );
    }
    md.push('\n');
}

/// One dimension: the latest published value per indicator, group and area.
fn dimension_section(md: &mut String, model: &ReportModel, dimension: &DimensionSection) {
    let w = &model.words;
    let _ = writeln!(md, "## {}. {}\n", dimension.number, dimension.name);
    if dimension.latest.is_empty() {
        let _ = writeln!(md, "{}\n", w.no_data);
        return;
    }
    let mut heads = vec![w.indicator.to_string(), w.group.to_string()];
    heads.extend(model.areas.iter().map(|a| escape(&a.name)));
    let heads: Vec<&str> = heads.iter().map(String::as_str).collect();
    table_head(
        md,
        &heads,
        &format!("|---|---|{}", "---:|".repeat(model.areas.len())),
    );
    for row in &dimension.latest {
        let _ = write!(
            md,
            "| {} | {} |",
            escape(&row.indicator),
            escape(&row.group)
        );
        for cell in &row.cells {
            match cell {
                LatestCell::Value {
                    value,
                    period,
                    later_unpublished,
                } => {
                    let star = if *later_unpublished { " *" } else { "" };
                    let _ = write!(md, " {value} ({period}){star} |");
                }
                LatestCell::Unpublished => md.push_str(" – |"),
                LatestCell::NoData => md.push_str(" |"),
            }
        }
        md.push('\n');
    }
    let _ = writeln!(md, "\n{}\n", w.suppressed_note);
}

/// Files, rejections, the privacy account, unknown sources and areas.
fn quality(md: &mut String, model: &ReportModel) {
    let (w, q) = (&model.words, &model.quality);
    let _ = writeln!(md, "## {}\n", w.quality);
    table_head(md, &[w.files, w.rows_read, w.rejected], "|---|---:|---:|");
    for file in &q.files {
        let path = escape(&file.path);
        let _ = match file.read_and_rejected {
            Some((read, rejected)) => writeln!(md, "| {path} | {read} | {rejected} |"),
            None => writeln!(md, "| {path} | – | {} |", w.file_failed),
        };
    }
    if q.validation_rejected > 0 {
        let _ = writeln!(md, "| validate | – | {} |", q.validation_rejected);
    }
    let _ = writeln!(md, "\n{}\n", w.synthetic_hint);
    let _ = writeln!(md, "{}\n", q.privacy_text);
    let _ = writeln!(md, "{}\n", q.privacy_method);
    for (label, count) in &q.privacy_counts {
        let _ = writeln!(md, "- {label}: {count}");
    }
    md.push('\n');
    if !q.unknown_sources.is_empty() {
        let _ = writeln!(md, "{}:\n", w.unknown);
        for unknown in &q.unknown_sources {
            let _ = writeln!(
                md,
                "- `{}`: {} ({})",
                unknown.key,
                unknown.rows,
                escape(&unknown.first_seen)
            );
        }
        md.push('\n');
    }
    if let Some((rows, areas)) = q.outside {
        let _ = writeln!(md, "{}: {rows} ({areas} {}).\n", w.outside, w.areas);
    }
}

/// The Sotkanet indicators cited, with their pages.
fn sources(md: &mut String, model: &ReportModel) {
    if model.sources.is_empty() {
        return;
    }
    let _ = writeln!(md, "## {}\n", model.html_words.sources);
    for source in &model.sources {
        let _ = writeln!(md, "- {} <{}>", escape(&source.text), source.url);
    }
    md.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_and_html() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape("a|b_c"), "a\\|b\\_c");
    }
}
