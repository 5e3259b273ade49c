//! The city's record of its UNICEF Child Friendly Municipality
//! self-assessments.
//!
//! In: `year;item;theme;dimension;level;scale` with an optional `text`
//! column, `;` separated, UTF-8 (with or without a BOM, as Excel saves
//! "CSV UTF-8"), LF or CRLF; one row per model indicator and assessment.
//! This is hyte's own format: UNICEF's digital service documents no export
//! (see [`crate::child_friendly`]). Out: [`Level`]s. Guarantees: every
//! problem is reported with file, line and field: a year that is not a
//! year, a dimension that is not one of the seven, a scale other than 4 or
//! 5, a level outside 1…scale, an empty item, and an indicator assessed
//! twice in one year (naming the first line).

use std::collections::HashMap;

use super::csv_rows::Table;
use super::{FileError, Parsed};
use crate::child_friendly::Level;
use crate::domain::{parse_key, Dimension};
use crate::text::excerpt;

pub const COLUMNS: [&str; 6] = ["year", "item", "theme", "dimension", "level", "scale"];

pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed<Level>, FileError> {
    let table = Table::read(bytes, file, &COLUMNS, &["text"])?;
    let mut parsed = Parsed::default();
    let mut first_seen: HashMap<(i32, String), String> = HashMap::new();
    table.for_each_record(&mut parsed, |parsed, location, record| {
        let row = (|| -> Result<Level, (&'static str, String)> {
            let year = record.get("year");
            let year = year
                .parse::<i32>()
                .ok()
                .filter(|y| (1900..=2100).contains(y))
                .ok_or(("year", format!("'{}' is not a year like 2024", excerpt(year))))?;
            let item = record.get("item");
            if item.is_empty() {
                return Err(("item", "is empty: write the model's indicator number, e.g. 22".into()));
            }
            let dimension = record.get("dimension");
            let dimension = parse_key::<Dimension>(dimension).map_err(|allowed| {
                ("dimension", format!("'{}' is not one of the seven: {allowed}", excerpt(dimension)))
            })?;
            let scale = match record.get("scale") {
                "4" => 4,
                "5" => 5,
                other => {
                    return Err((
                        "scale",
                        format!("'{}': the model's scale is 1–4 (write 4), or 1–5 where the city used five steps (write 5)", excerpt(other)),
                    ))
                }
            };
            let level = record.get("level");
            let level = level
                .parse::<u8>()
                .ok()
                .filter(|l| (1..=scale).contains(l))
                .ok_or((
                    "level",
                    format!("'{}' is not a level of the scale 1–{scale}", excerpt(level)),
                ))?;
            Ok(Level {
                year,
                item: item.to_string(),
                theme: record.get("theme").to_string(),
                dimension,
                level,
                scale,
                text: record.get("text").to_string(),
                source: location.clone(),
            })
        })();
        match row {
            Ok(row) => {
                let key = (row.year, row.item.clone());
                if let Some(first) = first_seen.get(&key) {
                    parsed.reject(
                        location,
                        "item",
                        format!(
                            "indicator {} is assessed twice in {}: the first is {first}; keep one",
                            row.item, row.year
                        ),
                    );
                } else {
                    first_seen.insert(key, location);
                    parsed.rows.push(row);
                }
            }
            Err((field, reason)) => parsed.reject(location, field, reason),
        }
    });
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\u{feff}year;item;theme;dimension;level;scale;text\r\n\
        2021;22;lapsen etu;care;1;4;Lapsen edun arviointi\r\n\
        2024;22;lapsen etu;care;3;4;Lapsen edun arviointi\r\n";

    #[test]
    fn excel_csv_with_bom_and_crlf_is_read() {
        let parsed = parse(GOOD.as_bytes(), "cf.csv").unwrap();
        assert!(parsed.rejections.is_empty(), "{:?}", parsed.rejections);
        assert_eq!(parsed.rows.len(), 2);
        let row = &parsed.rows[1];
        assert_eq!(
            (
                row.year,
                row.item.as_str(),
                row.dimension,
                row.level,
                row.scale
            ),
            (2024, "22", Dimension::Care, 3, 4)
        );
        assert_eq!(row.source, "cf.csv:3");
    }

    #[test]
    fn each_bad_field_is_named_with_its_line() {
        let text = "year;item;theme;dimension;level;scale\n\
            20x4;22;t;care;1;4\n\
            2024;;t;care;1;4\n\
            2024;9;t;wellbeing;1;4\n\
            2024;10;t;care;5;4\n\
            2024;11;t;care;1;3\n\
            2024;12;t;care;2;5\n\
            2024;12;t;care;3;5\n";
        let parsed = parse(text.as_bytes(), "cf.csv").unwrap();
        let messages: Vec<String> = parsed.rejections.iter().map(|r| r.to_string()).collect();
        assert_eq!(parsed.rows.len(), 1);
        let expected = [
            "cf.csv:2: field 'year': '20x4' is not a year",
            "cf.csv:3: field 'item': is empty",
            "cf.csv:4: field 'dimension': 'wellbeing' is not one of the seven: use one of equality,",
            "cf.csv:5: field 'level': '5' is not a level of the scale 1–4",
            "cf.csv:6: field 'scale': '3': the model's scale is 1–4",
            "cf.csv:8: field 'item': indicator 12 is assessed twice in 2024: the first is cf.csv:7",
        ];
        assert_eq!(messages.len(), expected.len(), "{messages:#?}");
        for (m, e) in messages.iter().zip(expected) {
            assert!(m.starts_with(e), "{m} / {e}");
        }
    }

    #[test]
    fn a_missing_column_is_named() {
        let error = parse(
            b"year;item;theme;dimension;level\n2024;1;t;care;1\n",
            "cf.csv",
        )
        .err()
        .unwrap();
        assert!(
            format!("{}: {}", error.location, error.reason).contains("scale"),
            "{error:?}"
        );
    }
}
