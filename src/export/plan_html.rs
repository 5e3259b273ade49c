//! `plan.html`: the wellbeing plan's follow-up as one self-contained,
//! printable page for the council.
//!
//! In: the [`ReportModel`]'s plan section. Out: HTML from the template
//! `src/export/templates/plan.html` (askama; the same style sheet as
//! `report.html`). Nothing when the config names no plan. Guarantees: no
//! script and no request to any other host; every text is escaped by the
//! template engine; each status is shown with its baseline, latest value
//! and projection, the numbers of `tables/plan_status.*`; each target has
//! a chart of its series per area with the baselines (rings), the target
//! (a cross) and the milestones (triangles) drawn in, inline only.

use askama::Template;

use super::charts::inline_svg;
use super::{ExportError, Exporter, OutputFile};
use crate::report::model::{PlanSection, ReportModel, Tone};
use crate::report::words::PlanWords;

/// The plan follow-up as HTML.
pub struct PlanHtml;

#[derive(Template)]
#[template(path = "plan.html")]
struct Page<'a> {
    p: &'a PlanSection,
    w: &'a PlanWords,
    lang: &'static str,
    /// Per dimension and goal, its charts as inline SVG, in plan order.
    svgs: Vec<Vec<Vec<String>>>,
}

impl Page<'_> {
    /// The inline charts of goal `g` of dimension `d`.
    fn charts(&self, d: usize, g: usize) -> &[String] {
        &self.svgs[d][g]
    }

    /// The CSS class of a change's colour (style.css).
    fn tone(&self, tone: &Tone) -> &'static str {
        match tone {
            Tone::Good => "good",
            Tone::Bad => "bad",
            Tone::Flat => "flat",
        }
    }
}

impl Exporter for PlanHtml {
    fn render(&self, model: &ReportModel) -> Result<Vec<OutputFile>, ExportError> {
        let Some(plan) = &model.plan else {
            return Ok(Vec::new());
        };
        let svgs = plan
            .dimensions
            .iter()
            .map(|d| {
                d.goals
                    .iter()
                    .map(|g| {
                        g.charts
                            .iter()
                            .map(|c| inline_svg(c, model.language))
                            .collect::<Result<Vec<String>, ExportError>>()
                    })
                    .collect::<Result<Vec<_>, ExportError>>()
            })
            .collect::<Result<Vec<_>, ExportError>>()?;
        let page = Page {
            p: plan,
            w: &plan.words,
            lang: model.language.code(),
            svgs,
        };
        let html = page.render().map_err(|e| ExportError::Render {
            output: "plan.html",
            cause: e.to_string(),
        })?;
        Ok(vec![OutputFile {
            path: "plan.html".into(),
            bytes: html.into_bytes(),
        }])
    }
}
