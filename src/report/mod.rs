//! Report model: what the reports say, computed once from the run's results.
//!
//! In: [`ReportInput`] (the validated observations of the areas of
//! interest, the trends, the comparisons, the shift, the privacy account,
//! the catalog, the config and the ingest reports). Out: a
//! [`model::ReportModel`] that every exporter (`crate::export`) presents.
//! Guarantees: [`build`] is pure (no I/O, no clock, no thread count, no
//! hash order), so the same inputs give the same model and byte-identical
//! reports; the Markdown and HTML reports pick, order and word the same
//! things because they read the same model.

mod build;
pub mod draft;
pub mod model;
pub(crate) mod phrases;
pub mod plan;
pub mod words;

pub use build::{build, runs};

use crate::catalog::Catalog;
use crate::config::Config;
use crate::ingest::FileReport;
use crate::shift::Shift;
use crate::trends::Trends;
use crate::validate::Validated;

/// What the report model is built from.
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
    /// The wellbeing plan and its follow-up, when the config names a plan.
    pub plan: Option<(&'a crate::plan::Plan, &'a [crate::plan::PlanRow])>,
    /// The Child Friendly Municipality self-assessments with their
    /// changes, when configured.
    pub child_friendly: Option<&'a [crate::child_friendly::Item]>,
    /// The plan file and the self-assessment file with their sha256, as
    /// read (for the manifest).
    pub plan_files: Vec<&'a (String, String)>,
}
