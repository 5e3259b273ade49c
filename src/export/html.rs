//! `report.html`: one self-contained file for the area development groups,
//! the welfare board and the council.
//!
//! In: the [`ReportModel`]. Out: HTML from the template
//! `src/export/templates/report.html` (askama), with inline CSS and the
//! charts as inline SVG ([`super::charts`]). Guarantees: no script, no
//! request to any other host (no external stylesheet, font, image or link
//! target other than the report's own anchors and Sotkanet's metadata
//! pages); every text is HTML-escaped by the template engine, which escapes
//! every expression unless it is marked `safe` (only the SVG charts, drawn
//! by plotters from the model, are); tables are real `<table>`s; the bytes
//! depend only on the model, so the same data give the same file.
//!
//! Why askama: the template is compiled with the program, so a field the
//! model lacks is a build error rather than a failed report at 3 a.m.
//! under cron, and escaping is on for every `.html` template by default.

use askama::Template;

use super::charts::inline_svg;
use super::{ExportError, Exporter, OutputFile};
use crate::report::model::*;
use crate::report::words::{HtmlWords, Words};

/// The HTML report.
pub struct Html;

impl Exporter for Html {
    fn render(&self, model: &ReportModel) -> Result<Vec<OutputFile>, ExportError> {
        let page = Page::new(model)?;
        let html = page.render().map_err(|e| ExportError::Render {
            output: "report.html",
            cause: e.to_string(),
        })?;
        Ok(vec![OutputFile {
            path: "report.html".into(),
            bytes: html.into_bytes(),
        }])
    }
}

/// Escapes text for HTML element content and attribute values, as the
/// template does.
pub fn escape(text: &str) -> String {
    askama::filters::escape(text, askama::filters::Html)
        .map(|safe| safe.to_string())
        .unwrap_or_default()
}

/// A chart with its inline SVG.
struct Figure<'a> {
    chart: &'a Chart,
    svg: String,
}

impl Figure<'_> {
    /// The Sotkanet page an indicator chart's caption links to.
    fn link(&self) -> Option<&(u32, String)> {
        match &self.chart.key {
            ChartKey::Indicator(link) => link.as_ref(),
            ChartKey::AreaLegend | ChartKey::Levels => None,
        }
    }
}

/// An overview row: the area's name and per dimension its (CSS class,
/// counts), or nothing.
type OverviewLine<'a> = (&'a str, Vec<Option<(&'static str, &'a str)>>);

/// What the template reads: the model, its words and the drawn charts.
#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    m: &'a ReportModel,
    w: &'a Words,
    h: &'a HtmlWords,
    lang: &'static str,
    overview: Vec<OverviewLine<'a>>,
    dimensions: Vec<(&'a DimensionSection, Vec<Figure<'a>>)>,
    share: Option<Figure<'a>>,
    volumes: Vec<Figure<'a>>,
}

impl<'a> Page<'a> {
    fn new(m: &'a ReportModel) -> Result<Page<'a>, ExportError> {
        let figures = |charts: &'a [Chart]| -> Result<Vec<Figure<'a>>, ExportError> {
            charts
                .iter()
                .map(|chart| {
                    Ok(Figure {
                        chart,
                        svg: inline_svg(chart, m.language)?,
                    })
                })
                .collect()
        };
        Ok(Page {
            m,
            w: &m.words,
            h: &m.html_words,
            lang: m.language.code(),
            overview: m
                .overview
                .iter()
                .map(|row| (row.area.as_str(), row.cells.iter().map(cell).collect()))
                .collect(),
            dimensions: m
                .dimensions
                .iter()
                .map(|d| Ok((d, figures(&d.charts)?)))
                .collect::<Result<_, ExportError>>()?,
            share: figures(m.shift.share_chart.as_slice())?.pop(),
            volumes: figures(&m.shift.volume_charts)?,
        })
    }

    /// The two directions of an area's clearest changes, labelled.
    fn directions(&self, area: &'a AreaChanges) -> [(&'static str, &'a Vec<Change>); 2] {
        [
            (self.w.improving, &area.improving),
            (self.w.worsening, &area.worsening),
        ]
    }
}

/// An overview cell as (CSS class, text).
fn cell(cell: &OverviewCell) -> Option<(&'static str, &str)> {
    match cell {
        OverviewCell::Empty => None,
        OverviewCell::Counts { text, tone } => Some((
            match tone {
                Tone::Good => "good",
                Tone::Bad => "bad",
                Tone::Flat => "flat",
            },
            text.as_str(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&#60;script&#62;alert(1)&#60;/script&#62;"
        );
        assert_eq!(escape("a & \"b\" 'c'"), "a &#38; &#34;b&#34; &#39;c&#39;");
    }
}
