//! One observation as a row with its texts, and the observation table's
//! columns as a polars frame read back.
//!
//! In: rows made by the small readers; frames with the columns of
//! `docs/ARCHITECTURE.md` (Parquet and Arrow inputs). Out: [`Observation`]
//! rows, or the frame's rows straight into the columnar table
//! ([`read_frame`]; the table itself is [`crate::table`], which also writes
//! the frame). Guarantees: a missing value stays null (never zero); rows sort by a
//! total order, series-major (indicator, area, sex, group, period, source),
//! the same as the columnar table's ([`crate::table`]), so the same set of
//! rows always gives the same bytes whatever order they came in.

use std::fmt;
use std::str::FromStr;

use polars::prelude::*;

use std::collections::HashMap;

use crate::period::{Period, PeriodError};

/// Sex as the sources publish it. `total` covers everyone, including the
/// respondents THL's survey results count under "sex not reported", which
/// is a category of its own and never added to girls or boys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Total,
    Female,
    Male,
    NotReported,
}

impl Sex {
    pub const ALL: [Sex; 4] = [Sex::Total, Sex::Female, Sex::Male, Sex::NotReported];

    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Total => "total",
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::NotReported => "not_reported",
        }
    }

    /// Recognises a sex from a category label or code as THL, Sotkanet and
    /// Statistics Finland write them, in Finnish, Swedish or English
    /// ("Tytöt", "Pojkar", "Sukupuoli yhteensä", "SSS", "Muu / ei halua
    /// kertoa"). `None` when the text is none of these: the caller asks for
    /// a mapping instead of guessing.
    pub fn recognise(text: &str) -> Option<Sex> {
        let lower = text.trim().to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let word = |ws: &[&str]| words.iter().any(|w| ws.contains(w));
        let stem = |ss: &[&str]| ss.iter().any(|s| lower.contains(s));
        match lower.as_str() {
            // Codes: hyte's own, and Statistics Finland's (SSS, 1 male, 2 female).
            "total" | "sss" | "all" | "kaikki" | "yhteensä" => return Some(Sex::Total),
            "female" | "2" | "f" | "n" => return Some(Sex::Female),
            "male" | "1" | "m" => return Some(Sex::Male),
            "not_reported" => return Some(Sex::NotReported),
            _ => {}
        }
        // "Not reported" first: such labels often name the sex dimension
        // ("sukupuoli ei tiedossa") and must not fall into another class.
        if word(&["muu", "other", "annat", "unknown", "okänd", "tuntematon"])
            || stem(&[
                "ei tiedossa",
                "ei halua",
                "ei vastannut",
                "ei ilmoit",
                "ei kerro",
                "puuttuu",
                "not reported",
                "not stated",
                "not known",
                "vill inte",
                "uppgift saknas",
                "ej angett",
                "ej uppgett",
            ])
        {
            Some(Sex::NotReported)
        } else if word(&[
            "yhteensä",
            "kaikki",
            "total",
            "totalt",
            "alla",
            "all",
            "both",
        ]) {
            Some(Sex::Total)
        } else if stem(&[
            "tytöt", "tyttö", "nais", "female", "girl", "women", "woman", "flick", "kvinn",
        ]) {
            Some(Sex::Female)
        } else if stem(&["pojat", "poika", "mies", "miehet", "male", "boy", "pojk"])
            || word(&["men", "man", "män"])
        {
            Some(Sex::Male)
        } else {
            None
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Sex {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "total" => Ok(Sex::Total),
            "female" => Ok(Sex::Female),
            "male" => Ok(Sex::Male),
            "not_reported" => Ok(Sex::NotReported),
            other => Err(format!(
                "'{other}' is not a sex: use total, female, male or not_reported"
            )),
        }
    }
}

/// The group used when a source has no population group.
pub const ALL_GROUPS: &str = "all";

/// One published (or unpublished) figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Catalog id once validated; before that the source key
    /// (`sotkanet:191`, `cube:ktk:bullied_weekly`, `service:family_work:clients`).
    pub indicator: String,
    pub area: String,
    pub period: Period,
    pub sex: Sex,
    pub group: String,
    /// The published value; `None` when not published (suppressed or missing).
    pub value: Option<f64>,
    /// Numerator or absolute number when known.
    pub count: Option<f64>,
    /// Sample size or denominator when known.
    pub n: Option<f64>,
    pub ci_lower: Option<f64>,
    pub ci_upper: Option<f64>,
    /// The input file and the place in it (`file:line` or `file#json-path`).
    pub source: String,
}

/// The identity of a cell by its texts: (indicator, area, period, sex,
/// group). Two rows with the same key are duplicates. The columnar table's
/// coded form is [`crate::table::CellKey`].
pub type TextCellKey<'a> = (&'a str, &'a str, Period, Sex, &'a str);

impl Observation {
    /// The identity of a cell: two rows with the same key are duplicates.
    pub fn key(&self) -> TextCellKey<'_> {
        (
            &self.indicator,
            &self.area,
            self.period,
            self.sex,
            &self.group,
        )
    }
}

/// Sorts rows by the table's total order: key, then source, then the
/// numbers (so even two identical-looking rows have one order).
pub fn sort_rows(rows: &mut [Observation]) {
    fn numbers(o: &Observation) -> [Option<f64>; 5] {
        [o.value, o.count, o.n, o.ci_lower, o.ci_upper]
    }
    fn cmp_numbers(a: [Option<f64>; 5], b: [Option<f64>; 5]) -> std::cmp::Ordering {
        a.iter()
            .zip(b.iter())
            .map(|(x, y)| match (x, y) {
                (Some(x), Some(y)) => x.total_cmp(y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    }
    fn order(o: &Observation) -> (&str, &str, Sex, &str, Period) {
        (&o.indicator, &o.area, o.sex, &o.group, o.period)
    }
    rows.sort_by(|a, b| {
        order(a)
            .cmp(&order(b))
            .then_with(|| a.source.cmp(&b.source))
            .then_with(|| cmp_numbers(numbers(a), numbers(b)))
    });
}

/// Column names, in table order.
pub const COLUMNS: [&str; 11] = [
    "indicator",
    "area",
    "period",
    "sex",
    "group",
    "value",
    "count",
    "n",
    "ci_lower",
    "ci_upper",
    "source",
];

/// Why a frame could not be read as an observation table.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("column '{column}' is missing: an observation table needs {}", COLUMNS.join(", "))]
    MissingColumn { column: String },
    #[error("column '{column}' has type {found}; expected {expected}")]
    WrongType {
        column: String,
        found: String,
        expected: &'static str,
    },
    #[error("row {row}, column '{column}': {reason}")]
    BadCell {
        row: usize,
        column: String,
        reason: String,
    },
}

/// Rows read back from a frame, and the rows that could not be read.
#[derive(Debug, Default)]
pub struct FrameRows {
    pub rows: Vec<Observation>,
    pub bad: Vec<FrameError>,
}

/// Reads rows back from a frame with the observation columns (extra columns
/// are ignored), in frame order. Each row's `source` is kept when present,
/// else `origin#rowN`. A missing or mistyped column fails the whole frame; a
/// bad cell rejects its row only.
pub fn from_frame(frame: &DataFrame, origin: &str) -> Result<FrameRows, FrameError> {
    let mut builder = crate::table::TableBuilder::default();
    let (rows, bad) = read_frame(frame, origin, &mut builder)?;
    let mut out = FrameRows {
        rows: Vec::with_capacity(rows.len()),
        bad,
    };
    // The builder's columns are still in frame order (not yet sorted).
    let table = crate::table::ObservationTable::unsorted(builder);
    out.rows.extend((0..table.len()).map(|i| table.row(i)));
    Ok(out)
}

/// Reads a frame's rows straight into the table's columns (no row of
/// `String`s on the way): the texts are coded as they are read. Returns
/// the frame row number (1-based) of every accepted row and the bad cells.
pub fn read_frame(
    frame: &DataFrame,
    origin: &str,
    builder: &mut crate::table::TableBuilder,
) -> Result<(Vec<usize>, Vec<FrameError>), FrameError> {
    let columns = FrameColumns::read(frame)?;
    let mut texts = columns.texts.each_ref().map(|t| t.iter());
    let mut group = columns.group.as_ref().map(|g| g.iter());
    let mut source = columns.source.as_ref().map(|s| s.iter());
    let mut numbers = columns
        .numbers
        .each_ref()
        .map(|c| c.as_ref().map(|c| c.iter()));
    // Periods repeat: parse each distinct text once.
    let mut periods: HashMap<String, Result<Period, String>> = HashMap::new();
    let mut accepted = Vec::new();
    let mut bad = Vec::new();
    let all_groups = builder.groups.intern(ALL_GROUPS);
    for row in 1..=frame.height() {
        let row_texts = texts.each_mut().map(|t| t.next().flatten());
        let group = group.as_mut().and_then(|g| g.next().flatten());
        let source = source.as_mut().and_then(|s| s.next().flatten());
        // Per row: a fixed array, no allocation.
        let values: [Option<f64>; 5] = numbers
            .each_mut()
            .map(|c| c.as_mut().and_then(|c| c.next().flatten()));
        match check_row(row, row_texts, &values, &mut periods) {
            Ok((indicator, area, period, sex)) => {
                let source = match source {
                    Some(s) => builder.source_ref(s),
                    None => builder.source_ref(&format!("{origin}#row{row}")),
                };
                let indicator = builder.indicators.intern(indicator);
                let area = builder.areas.intern(area);
                let group = group.map_or(all_groups, |g| builder.groups.intern(g));
                builder.columns.push(
                    indicator,
                    area,
                    period,
                    sex,
                    group,
                    crate::table::RowNumbers {
                        value: values[0],
                        count: values[1],
                        n: values[2],
                        ci_lower: values[3],
                        ci_upper: values[4],
                    },
                    source,
                );
                accepted.push(row);
            }
            Err(e) => bad.push(e),
        }
    }
    Ok((accepted, bad))
}

/// The number columns, in table order.
const NUMBER_COLUMNS: [&str; 5] = ["value", "count", "n", "ci_lower", "ci_upper"];

/// A frame's observation columns: the texts as strings, the numbers as
/// `f64`; an optional column the frame lacks is `None`.
struct FrameColumns {
    /// indicator, area, period, sex.
    texts: [StringChunked; 4],
    group: Option<StringChunked>,
    source: Option<StringChunked>,
    /// The [`NUMBER_COLUMNS`].
    numbers: [Option<Float64Chunked>; 5],
}

impl FrameColumns {
    /// Finds and types the columns; `Err` for the first one missing (of
    /// indicator, area, period, sex and value) or of the wrong type.
    fn read(frame: &DataFrame) -> Result<Self, FrameError> {
        let required = |name| text_column(frame, name, true).map(|c| c.expect("required"));
        let indicator = required("indicator")?;
        let area = required("area")?;
        let period = required("period")?;
        let sex = required("sex")?;
        let group = text_column(frame, "group", false)?;
        let source = text_column(frame, "source", false)?;
        if frame.column("value").is_err() {
            return Err(FrameError::MissingColumn {
                column: "value".into(),
            });
        }
        let [value, count, n, ci_lower, ci_upper] =
            NUMBER_COLUMNS.map(|name| number_column(frame, name));
        Ok(FrameColumns {
            texts: [indicator, area, period, sex],
            group,
            source,
            numbers: [value?, count?, n?, ci_lower?, ci_upper?],
        })
    }
}

/// A text column. Text columns may be plain strings or categoricals /
/// enums (hyte's own tables, pandas' categoricals): both are read as text.
/// `None` when an optional column is absent.
fn text_column(
    frame: &DataFrame,
    name: &str,
    required: bool,
) -> Result<Option<StringChunked>, FrameError> {
    let Ok(column) = frame.column(name) else {
        return if required {
            Err(FrameError::MissingColumn {
                column: name.into(),
            })
        } else {
            Ok(None)
        };
    };
    let wrong = || FrameError::WrongType {
        column: name.into(),
        found: column.dtype().to_string(),
        expected: "string",
    };
    let text = if column.dtype().is_categorical() || column.dtype().is_enum() {
        column.cast(&DataType::String).map_err(|_| wrong())?
    } else {
        column.clone()
    };
    text.str().cloned().map(Some).map_err(|_| wrong())
}

/// A number column as `f64`; `None` when the frame has none of that name.
fn number_column(frame: &DataFrame, name: &str) -> Result<Option<Float64Chunked>, FrameError> {
    let Ok(column) = frame.column(name) else {
        return Ok(None);
    };
    let wrong = || FrameError::WrongType {
        column: name.into(),
        found: column.dtype().to_string(),
        expected: "number",
    };
    if !column.dtype().is_primitive_numeric() && !column.dtype().is_null() {
        return Err(wrong());
    }
    let cast = column.cast(&DataType::Float64).map_err(|_| wrong())?;
    Ok(Some(cast.f64().map_err(|_| wrong())?.clone()))
}

/// Checks one frame row: indicator, area, period and sex present, the
/// period and sex readable (each distinct period text parsed once, into
/// `periods`), every number finite. `Err` is the first bad cell.
fn check_row<'t>(
    row: usize,
    [indicator, area, period, sex]: [Option<&'t str>; 4],
    values: &[Option<f64>; 5],
    periods: &mut HashMap<String, Result<Period, String>>,
) -> Result<(&'t str, &'t str, Period, Sex), FrameError> {
    let cell = |column: &str, reason: String| FrameError::BadCell {
        row,
        column: column.into(),
        reason,
    };
    let need = |column: &str, text: Option<&'t str>| -> Result<&'t str, FrameError> {
        text.filter(|t| !t.is_empty())
            .ok_or_else(|| cell(column, "is empty".into()))
    };
    let (indicator, area) = (need("indicator", indicator)?, need("area", area)?);
    let period_text = need("period", period)?;
    // Looked up by `&str`: a text is copied only the first time.
    let period = match periods.get(period_text) {
        Some(parsed) => parsed.clone(),
        None => {
            let parsed = period_text.parse().map_err(|e: PeriodError| e.to_string());
            periods.insert(period_text.to_string(), parsed.clone());
            parsed
        }
    }
    .map_err(|e| cell("period", e))?;
    let sex: Sex = need("sex", sex)?.parse().map_err(|e| cell("sex", e))?;
    for (column, v) in NUMBER_COLUMNS.iter().zip(values) {
        if let Some(x) = v.filter(|x| !x.is_finite()) {
            return Err(cell(column, format!("{x} is not a finite number")));
        }
    }
    Ok((indicator, area, period, sex))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(indicator: &str, period: &str, value: Option<f64>) -> Observation {
        Observation {
            indicator: indicator.into(),
            area: "kunta.444".into(),
            period: period.parse().unwrap(),
            sex: Sex::Total,
            group: ALL_GROUPS.into(),
            value,
            count: None,
            n: Some(12.0),
            ci_lower: None,
            ci_upper: None,
            source: "a.csv:2".into(),
        }
    }

    #[test]
    fn frame_round_trip_keeps_nulls_null() {
        let rows = vec![row("x", "2020", Some(1.5)), row("x", "2021", None)];
        // The frame as the table writes it (key columns as Enums), read back.
        let frame = crate::table::ObservationTable::from_rows(&rows)
            .frame(0..rows.len())
            .unwrap();
        let names: Vec<&str> = frame
            .get_column_names()
            .iter()
            .map(|s| s.as_str())
            .collect();
        assert_eq!(names, COLUMNS.to_vec());
        assert_eq!(frame.column("value").unwrap().null_count(), 1);
        assert_eq!(from_frame(&frame, "t").unwrap().rows, rows);
    }

    #[test]
    fn sort_is_a_total_order() {
        let mut a = vec![
            row("y", "2020", None),
            row("x", "2021", None),
            row("x", "2020", None),
        ];
        sort_rows(&mut a);
        let order: Vec<String> = a
            .iter()
            .map(|o| format!("{}{}", o.indicator, o.period))
            .collect();
        assert_eq!(order, ["x2020", "x2021", "y2020"]);
    }
}
