//! Local service statistics per school area and quarter (client systems).
//!
//! In: `area;period;service;clients;visits;cost_eur` (`cost_eur` optional),
//! `;` separated, UTF-8 (a BOM is accepted), LF or CRLF. `clients` and
//! `visits` are whole numbers ≥ 0, `cost_eur` a number ≥ 0 with a decimal
//! point or comma. An empty cell or `..` means "not available" and becomes an
//! observation with a null value; `-` means "not applicable" and makes no
//! observation. Out: one observation per measure with the source key
//! `service:SERVICE:MEASURE`, value = count = the number.
//! Guarantees: negative or fractional counts, bad periods and unknown area
//! keys are rejected per line and field; nothing becomes zero.

use super::csv_rows::{Record, Table};
use super::{reject_duplicates, FileError, Parsed};
use crate::catalog::{service_key, Measure};
use crate::observation::{Observation, Sex, ALL_GROUPS};
use crate::period::Period;
use crate::text::{excerpt, parse_number};

/// Reads a local service statistics file: per line the area, period and
/// service, then one observation per measure column. A bad cell rejects the
/// whole line.
pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed<Observation>, FileError> {
    let table = Table::read(
        bytes,
        file,
        &["area", "period", "service", "clients", "visits"],
        &["cost_eur"],
    )?;
    let mut parsed = Parsed::default();
    table.for_each_record(&mut parsed, |parsed, location, record| {
        let rows = line_head(&record)
            .and_then(|head| line_observations(&table, &record, &head, &location));
        match rows {
            Ok(rows) => parsed.rows.extend(rows),
            // One bad cell rejects the line: its other cells would be a
            // partial record that looks complete.
            Err((field, reason)) => parsed.reject(location, field, reason),
        }
    });
    reject_duplicates(&mut parsed);
    Ok(parsed)
}

/// A line's area key, period and service code, or the field that is wrong
/// and why.
fn line_head(record: &Record) -> Result<(String, Period, String), (&'static str, String)> {
    let area = record.get("area");
    if !is_key(area) {
        return Err((
            "area",
            format!("'{}' is not an area key (like lohja.harju)", excerpt(area)),
        ));
    }
    let period = record
        .get("period")
        .parse()
        .map_err(|e: crate::period::PeriodError| ("period", e.to_string()))?;
    let service = record.get("service");
    if !is_key(service) {
        return Err((
            "service",
            format!(
                "'{}' is not a service code (a-z, 0-9, '_')",
                excerpt(service)
            ),
        ));
    }
    Ok((area.to_string(), period, service.to_string()))
}

/// One observation per measure column the file has (none where the cell is
/// `-`, a null value where it is empty or `..`), or the first bad cell's
/// column and why.
fn line_observations(
    table: &Table,
    record: &Record,
    (area, period, service): &(String, Period, String),
    location: &str,
) -> Result<Vec<Observation>, (&'static str, String)> {
    let mut rows = Vec::new();
    for &measure in Measure::ALL {
        let column = measure.key();
        if !table.has(column) {
            continue;
        }
        let value = match record.get(column) {
            "-" => continue,
            "" | ".." => None,
            text => Some(measure_value(text, measure).map_err(|reason| (column, reason))?),
        };
        rows.push(Observation {
            indicator: service_key(service, measure),
            area: area.clone(),
            period: *period,
            sex: Sex::Total,
            group: ALL_GROUPS.to_string(),
            value,
            count: value,
            n: None,
            ci_lower: None,
            ci_upper: None,
            source: location.to_string(),
        });
    }
    Ok(rows)
}

/// A measure's number: ≥ 0, and whole unless it is a cost.
fn measure_value(text: &str, measure: Measure) -> Result<f64, String> {
    match parse_number(text) {
        Ok(v) if v < 0.0 => Err(format!("{v} is negative: counts and costs are ≥ 0")),
        Ok(v) if measure != Measure::CostEur && v.fract() != 0.0 => {
            Err(format!("{v} is not a whole number of {}", measure.key()))
        }
        other => other,
    }
}

fn is_key(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "area;period;service;clients;visits;cost_eur\n";

    #[test]
    fn dash_is_not_applicable_and_empty_is_null() {
        let text = format!("{HEADER}lohja.harju;2024Q3;family_work;12;;1234,50\nlohja.harju;2024Q3;child_welfare_placements;3;-;-\n");
        let parsed = parse(text.as_bytes(), "s.csv").unwrap();
        assert!(parsed.rejections.is_empty(), "{:?}", parsed.rejections);
        let got: Vec<(String, Option<f64>)> = parsed
            .rows
            .iter()
            .map(|o| (o.indicator.clone(), o.value))
            .collect();
        assert_eq!(
            got,
            [
                ("service:family_work:clients".to_string(), Some(12.0)),
                ("service:family_work:visits".to_string(), None),
                ("service:family_work:cost_eur".to_string(), Some(1234.5)),
                (
                    "service:child_welfare_placements:clients".to_string(),
                    Some(3.0)
                ),
            ]
        );
    }

    #[test]
    fn bad_cells_reject_their_line() {
        let text = format!("{HEADER}lohja.harju;2024Q5;family_work;1;2;-\nlohja.harju;2024Q1;family_work;-3;2;-\nlohja.harju;2024Q1;family_work;1.5;2;-\nLohja Harju;2024Q1;x;1;2;-\n");
        let parsed = parse(text.as_bytes(), "s.csv").unwrap();
        let got: Vec<String> = parsed.rejections.iter().map(|r| r.to_string()).collect();
        assert!(parsed.rows.is_empty());
        assert!(got[0].starts_with("s.csv:2: field 'period'"), "{got:?}");
        assert!(
            got[1].starts_with("s.csv:3: field 'clients': -3 is negative"),
            "{got:?}"
        );
        assert!(
            got[2].starts_with("s.csv:4: field 'clients': 1.5 is not a whole number"),
            "{got:?}"
        );
        assert!(got[3].starts_with("s.csv:5: field 'area'"), "{got:?}");
    }

    #[test]
    fn cost_column_is_optional() {
        let text = "area;period;service;clients;visits\r\nlohja.harju;2024Q1;family_work;1;2\r\n";
        let parsed = parse(text.as_bytes(), "s.csv").unwrap();
        assert_eq!(parsed.rows.len(), 2);
    }
}
