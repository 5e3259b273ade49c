//! Report: everything `hyte run` writes, rendered to bytes.
//!
//! In: the validated observations, the trends, the catalog, the config and the ingest
//! reports. Out: [`OutputFile`]s (tables, `report.md`, `manifest.json`)
//! that the output stage writes. Guarantees: renderers are pure functions
//! of their inputs (no clock, no thread count, no hash order), so the same
//! inputs give byte-identical tables and reports; only the manifest records
//! when the run happened.

pub mod html;
pub mod manifest;
pub mod markdown;
mod phrases;
pub mod tables;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::ingest::FileReport;
use crate::shift::Shift;
use crate::trends::Trends;
use crate::validate::Validated;

pub use crate::output::OutputFile;

/// What a renderer may look at.
pub struct ReportInput<'a> {
    pub config: &'a Config,
    pub catalog: &'a Catalog,
    pub validated: &'a Validated,
    /// The protected rows of the areas of interest (the configured areas),
    /// in table order.
    pub rows: &'a [crate::observation::Observation],
    pub trends: &'a Trends,
    /// Each area of interest against its comparison groups.
    pub comparisons: &'a [crate::compare::GroupComparison],
    pub shift: &'a Shift,
    pub privacy: &'a crate::privacy::Protected,
    pub files: &'a [FileReport],
}
