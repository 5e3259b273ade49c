//! Exporters: one file per output format, each presenting the report model.
//!
//! In: the [`ReportModel`] (and, for the tables, the observation table and
//! the stages' results, streamed). Out: [`OutputFile`]s for the staging
//! folder. Guarantees: an exporter derives nothing (what a report says is
//! in the model), escapes what it writes for its own format, and fails with
//! an [`ExportError`] that names the output and its cause: a chart that
//! cannot be drawn fails the run instead of going missing.
//!
//! The tables ([`tables`]) do not go through [`Exporter`]: a national
//! observation table is gigabytes, so it is streamed into the staging
//! folder batch by batch instead of rendered to bytes.

pub mod charts;
pub mod csv_cells;
pub mod frames;
pub mod html;
pub mod manifest;
pub mod markdown;
pub mod plan_draft;
pub mod plan_html;
pub mod plan_markdown;
pub mod tables;

pub use crate::output::OutputFile;
use crate::report::model::ReportModel;

/// Why an output could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("drawing the chart {stem} ({title}) failed: {cause}")]
    Chart {
        stem: String,
        title: String,
        cause: String,
    },
    #[error("rendering {output} failed: {cause}")]
    Render { output: &'static str, cause: String },
}

/// One output format of the report (hyperfine's `export/` pattern).
pub trait Exporter {
    /// The files this format writes, relative to the output folder.
    fn render(&self, model: &ReportModel) -> Result<Vec<OutputFile>, ExportError>;
}
