//! `plan.md`: the wellbeing plan's follow-up for the council.
//!
//! In: the [`ReportModel`]'s plan section. Out: Markdown in the report's
//! language: the plan, a summary of the targets by status with the areas
//! off track, then per dimension its goals, their actions, and a table of
//! every target and milestone per area with its baseline, latest value,
//! projection and status. Nothing when the config names no plan.
//! Guarantees: text from the plan and the catalog is escaped; every status
//! is shown with the numbers behind it (the same as
//! `tables/plan_status.*`); derives nothing the model does not say.

use std::fmt::Write;

use super::markdown::{escape, table_head};
use super::{ExportError, Exporter, OutputFile};
use crate::report::model::{PlanSection, ReportModel};

/// The plan follow-up as Markdown.
pub struct PlanMarkdown;

impl Exporter for PlanMarkdown {
    fn render(&self, model: &ReportModel) -> Result<Vec<OutputFile>, ExportError> {
        Ok(model
            .plan
            .as_ref()
            .map(|plan| OutputFile {
                path: "plan.md".into(),
                bytes: render(plan).into_bytes(),
            })
            .into_iter()
            .collect())
    }
}

/// The follow-up as Markdown text.
pub fn render(plan: &PlanSection) -> String {
    let w = &plan.words;
    let mut md = String::new();
    let _ = writeln!(md, "# {}: {}\n", w.title, escape(&plan.name));
    let _ = writeln!(md, "{}\n", w.intro);
    let _ = write!(md, "{}: {}", w.period, plan.period);
    if let Some(approved) = &plan.approved {
        let _ = write!(md, ". {}: {}", w.approved, escape(approved));
    }
    md.push_str(".\n\n");
    let _ = writeln!(md, "## {}\n", w.summary);
    let counts: Vec<String> = plan
        .summary
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let _ = writeln!(md, "{}: {}.\n", plan.lead, counts.join(", "));
    let off: Vec<String> = plan.off_track.iter().map(|o| escape(o)).collect();
    let off = if off.is_empty() {
        w.none.to_string()
    } else {
        off.join("; ")
    };
    let _ = writeln!(md, "{}: {off}.\n", w.off_track_areas);
    for dimension in &plan.dimensions {
        let _ = writeln!(md, "## {}\n", dimension.name);
        for goal in &dimension.goals {
            let _ = writeln!(md, "### {}\n", escape(&goal.title));
            if !goal.actions.is_empty() {
                let _ = writeln!(md, "{}:\n", w.actions);
                for action in &goal.actions {
                    let _ = writeln!(md, "- {}", escape(action));
                }
                md.push('\n');
            }
            table_head(&mut md, &w.heads, "|---|---|---|---:|---:|---:|---|---|");
            for l in &goal.lines {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {} | {} |",
                    escape(&l.indicator),
                    escape(&l.area),
                    l.target,
                    l.baseline,
                    l.latest,
                    l.projection,
                    l.status_text,
                    escape(&l.reason)
                );
            }
            md.push('\n');
        }
        if !dimension.assessment.is_empty() {
            let _ = writeln!(md, "### {}\n", w.assessment);
            table_head(&mut md, &w.assessment_heads, "|---|---|---:|---:|---:|");
            for a in &dimension.assessment {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} |",
                    escape(&a.item),
                    escape(&a.theme),
                    a.level,
                    a.previous,
                    a.change
                );
            }
            md.push('\n');
        }
    }
    let _ = writeln!(md, "{}", plan.rules);
    md
}
