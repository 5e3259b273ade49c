//! The report model: everything a report says, computed once.
//!
//! In: nothing (types only; [`super::build`] fills them from the run's
//! results). Out: plain data in the report's language — texts already
//! worded and numbers already formatted, chart lines already split into
//! runs at their gaps. Guarantees: nothing here is escaped (each exporter
//! escapes for its own format), and the exporters derive nothing from it:
//! what Markdown and HTML show differs only in presentation.

use crate::domain::Area;
use crate::i18n::Language;
use crate::period::Period;
use crate::shift::{ShiftBasis, Verdict};

use super::words::{HtmlWords, Words};

/// One report, in one language.
pub struct ReportModel {
    pub language: Language,
    pub words: Words,
    pub html_words: HtmlWords,
    /// The latest period among the areas of interest.
    pub latest_period: Option<Period>,
    /// The configured areas, in config order, with their chart colours.
    pub areas: Vec<AreaLegend>,
    pub changes: Vec<AreaChanges>,
    pub comparisons: Vec<ComparisonTable>,
    pub overview: Vec<OverviewRow>,
    pub dimensions: Vec<DimensionSection>,
    pub shift: ShiftSection,
    pub quality: Quality,
    /// Sotkanet indicators with data in this run, cited (THL's licence).
    pub sources: Vec<CitedSource>,
    /// The wellbeing plan's follow-up, when the config names a plan.
    pub plan: Option<PlanSection>,
}

/// An RGB colour.
pub type Colour = (u8, u8, u8);

/// An area with its colour in every chart.
pub struct AreaLegend {
    pub name: String,
    pub colour: Colour,
}

impl AreaLegend {
    pub fn of(area: &Area, language: Language, colour: Colour) -> AreaLegend {
        AreaLegend {
            name: area.name.get(language).to_string(),
            colour,
        }
    }
}

/// An indicator as a report names it.
pub struct IndicatorLabel {
    pub title: String,
    /// Sotkanet's public metadata page of the indicator, when it comes from
    /// Sotkanet: (indicator id, address).
    pub sotkanet: Option<(u32, String)>,
}

/// The clearest significant changes of one area.
pub struct AreaChanges {
    pub area: String,
    pub improving: Vec<Change>,
    pub worsening: Vec<Change>,
}

/// One significant change, clearest first.
pub struct Change {
    pub indicator: IndicatorLabel,
    /// The population group, unless it is "all".
    pub group: Option<String>,
    /// "12,0 (2019) → 8,0 (2023)" or "8,0 (2023), −1,25 per year".
    pub movement: String,
    /// "p = 0,031".
    pub p: String,
}

/// Where each indicator of an area stands among all municipalities.
pub struct ComparisonTable {
    pub area: String,
    pub rows: Vec<ComparisonRow>,
}

pub struct ComparisonRow {
    pub indicator: IndicatorLabel,
    pub group: Option<String>,
    /// "8,3 (2025)".
    pub value: String,
    /// "70/293".
    pub rank: String,
    pub percentile: String,
    /// Per comparison group, `;`-separated: "name: mean (n = members with data)".
    pub groups: String,
    /// Per comparison group, `;`-separated: the gap to its mean (or "–").
    pub gaps: String,
}

/// One area's row of the area × dimension matrix.
pub struct OverviewRow {
    pub area: String,
    /// One cell per dimension, in plan order.
    pub cells: Vec<OverviewCell>,
}

/// Which way a dimension leans in an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Bad,
    Flat,
}

pub enum OverviewCell {
    /// No judged indicator.
    Empty,
    /// "↑3 ↓1 →2 ?1".
    Counts { text: String, tone: Tone },
}

/// One of the seven dimensions.
pub struct DimensionSection {
    /// 1 to 7, in plan order.
    pub number: usize,
    pub key: &'static str,
    /// Capitalized, in the report's language.
    pub name: String,
    /// The latest published value per indicator, group and area.
    pub latest: Vec<LatestRow>,
    /// One chart per indicator and group with a published point.
    pub charts: Vec<Chart>,
}

pub struct LatestRow {
    pub indicator: String,
    /// The group's label ("all" in the report's language for every group).
    pub group: String,
    /// One cell per configured area, in config order.
    pub cells: Vec<LatestCell>,
}

pub enum LatestCell {
    /// The area has no row for this indicator and group.
    NoData,
    /// Rows, but none published.
    Unpublished,
    /// The latest published value and its period; `later_unpublished` when
    /// a later period went unpublished.
    Value {
        value: String,
        period: Period,
        later_unpublished: bool,
    },
}

/// A chart point: decimal time, value and its confidence interval.
pub type ChartPoint = (f64, f64, Option<(f64, f64)>);

/// One line of a chart.
pub struct ChartLine {
    pub label: String,
    pub colour: Colour,
    /// A small shift in time (years) so that the areas' intervals at the
    /// same round do not hide each other.
    pub offset: f64,
    /// Runs of consecutive published points; never empty, nor is any run.
    pub runs: Vec<Vec<ChartPoint>>,
}

/// What a chart's caption carries besides its title.
pub enum ChartKey {
    /// An indicator: a link to its Sotkanet metadata page when it has one.
    Indicator(Option<(u32, String)>),
    /// The basic share: the area legend follows the figure.
    AreaLegend,
    /// Basic and specialist volumes: their two colours in the caption.
    Levels,
}

/// A line chart, ready to draw: lines with at least one point.
pub struct Chart {
    /// File name without extension under the output folder: `charts/…`.
    pub stem: String,
    pub title: String,
    /// The text alternative.
    pub alt: String,
    pub decimals: u8,
    pub lines: Vec<ChartLine>,
    pub key: ChartKey,
    /// Points marked on the chart: a plan's baselines, target and
    /// milestones (none on the report's charts).
    pub marks: Vec<Mark>,
}

/// A marked point of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Decimal time and value.
    pub x: f64,
    pub y: f64,
    pub shape: MarkShape,
    pub colour: Colour,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkShape {
    /// A ring: a baseline.
    Ring,
    /// A cross: the target.
    Cross,
    /// A triangle: a milestone.
    Triangle,
}

/// The colours of the two service levels in the volume charts.
pub const BASIC_COLOUR: Colour = (0, 158, 115);
pub const SPECIALIST_COLOUR: Colour = (213, 94, 0);

/// The shift from specialist to basic services.
pub struct ShiftSection {
    pub rows: Vec<ShiftLine>,
    pub share_chart: Option<Chart>,
    pub volume_charts: Vec<Chart>,
}

pub struct ShiftLine {
    pub area: String,
    pub basis: ShiftBasis,
    /// The basis in words.
    pub basis_text: &'static str,
    /// "92,4 % (2019) → 96,4 % (2024)".
    pub share: String,
    /// "+0,86 (+0,53 … +1,20) pp".
    pub slope: String,
    pub verdict: Verdict,
    pub verdict_text: &'static str,
    /// The largest contributions or the Sotkanet movements, `;`-separated.
    pub drivers: Vec<String>,
}

/// Data quality: files, rejections, missing periods, privacy.
pub struct Quality {
    pub files: Vec<FileLine>,
    /// Rows the validation stage rejected.
    pub validation_rejected: usize,
    /// Whole files that could not be read, each message in full.
    pub file_errors: Vec<String>,
    /// The first rejections (manifest.json has them all).
    pub rejections: Vec<String>,
    /// How many rejections are left out of `rejections`.
    pub more_rejections: usize,
    pub missing: Vec<MissingLine>,
    /// The privacy paragraph with the thresholds filled in.
    pub privacy_text: String,
    /// How the complements were chosen, what they cost.
    pub privacy_method: String,
    /// The privacy counts of the observation table, labelled.
    pub privacy_counts: Vec<(&'static str, usize)>,
    pub unknown_sources: Vec<UnknownSource>,
    /// Rows and areas outside the configured areas, when there are any.
    pub outside: Option<(usize, usize)>,
}

/// One input file: rows read and rejected, or `None` when it failed whole.
pub struct FileLine {
    pub path: String,
    pub read_and_rejected: Option<(usize, usize)>,
}

/// An indicator with area-periods that have no published value.
pub struct MissingLine {
    pub indicator: IndicatorLabel,
    pub missing: usize,
    pub expected: usize,
}

pub struct UnknownSource {
    pub key: String,
    pub rows: usize,
    pub first_seen: String,
}

/// A cited Sotkanet source: its line of text and its page.
pub struct CitedSource {
    pub text: String,
    pub url: String,
}

/// How many rejections the reports list; manifest.json has them all.
pub const REJECTIONS_SHOWN: usize = 20;

/// The wellbeing plan's follow-up.
pub struct PlanSection {
    pub words: super::words::PlanWords,
    pub name: String,
    /// "2025–2028".
    pub period: String,
    pub approved: Option<String>,
    /// Targets (milestones aside) per status, in status order, with the
    /// status's word; statuses with none left out.
    pub summary: Vec<(&'static str, usize)>,
    /// "8 targets by area (5 in the plan)": the summary's lead.
    pub lead: String,
    /// "Indicator (group): Area", for each target that is off track, and
    /// "… (milestone 2025)" for each missed milestone.
    pub off_track: Vec<String>,
    /// How the status is decided, with the intervals' level.
    pub rules: String,
    /// The dimensions that have goals, in plan order (the seven's order).
    pub dimensions: Vec<PlanDimension>,
}

pub struct PlanDimension {
    pub name: String,
    pub goals: Vec<PlanGoal>,
    /// The Child Friendly Municipality indicators the city files under
    /// this dimension: each one's latest assessment.
    pub assessment: Vec<AssessmentLine>,
}

/// A Child Friendly Municipality indicator at its latest assessment.
pub struct AssessmentLine {
    /// "22: Lapsen edun arviointi".
    pub item: String,
    pub theme: String,
    /// "3 / 4 (2024)".
    pub level: String,
    /// "1 / 4 (2021)", or "–" for a first assessment.
    pub previous: String,
    /// "+2", "0", "−1", or "–".
    pub change: String,
    /// Up (better), down or level, for the colour.
    pub tone: Tone,
}

pub struct PlanGoal {
    pub title: String,
    /// One chart per target: its series per area, with the baselines
    /// (rings), the target (a cross) and the milestones (triangles).
    pub charts: Vec<Chart>,
    /// "Text (responsible: …; schedule: …; resource proposal: 20 000 €)".
    pub actions: Vec<String>,
    pub lines: Vec<PlanLine>,
}

/// One target or milestone in one area, as the report shows it.
pub struct PlanLine {
    /// Title, with the group when it is not "all".
    pub indicator: String,
    pub area: String,
    /// "5,0 (2027)", "laskee 2027 mennessä", "välitavoite 6,0 (2025)".
    pub target: String,
    pub baseline: String,
    pub latest: String,
    /// "7,45 (4,72 … 10,18)", a slope per year for a direction target, or "–".
    pub projection: String,
    pub status: crate::plan::PlanStatus,
    pub status_text: &'static str,
    /// Why, with the numbers behind it.
    pub reason: String,
}
