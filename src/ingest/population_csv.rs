//! Population per area, year and age group: denominators for rates.
//!
//! In: `area;year;age_group;population`, `;` separated, UTF-8, LF or CRLF.
//! Out: [`PopulationRow`]s. Guarantees: a population is a whole number ≥ 0
//! (an empty cell is rejected: a denominator cannot be unknown-as-zero);
//! a repeated (area, year, age group) is rejected naming the first line.

use std::collections::HashMap;

use super::csv_rows::Table;
use super::{FileError, Parsed, PopulationRow};
use crate::period::Period;
use crate::text::{excerpt, parse_number};

pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed<PopulationRow>, FileError> {
    let table = Table::read(
        bytes,
        file,
        &["area", "year", "age_group", "population"],
        &[],
    )?;
    let mut parsed = Parsed::default();
    let mut first_seen: HashMap<(String, i32, String), String> = HashMap::new();
    table.for_each_record(&mut parsed, |parsed, location, record| {
        let row = (|| -> Result<PopulationRow, (&'static str, String)> {
            let area = record.get("area");
            if area.is_empty() {
                return Err(("area", "is empty".into()));
            }
            let year = match record.get("year").parse::<Period>() {
                Ok(Period::Year(y)) => y,
                _ => {
                    return Err((
                        "year",
                        format!("'{}' is not a year", excerpt(record.get("year"))),
                    ))
                }
            };
            let age_group = record.get("age_group");
            if age_group.is_empty() {
                return Err(("age_group", "is empty: write an age group like 0-17".into()));
            }
            let population = match record.get("population") {
                "" => return Err(("population", "is empty: a denominator must be known".into())),
                text => parse_number(text).map_err(|e| ("population", e))?,
            };
            if population < 0.0 || population.fract() != 0.0 {
                return Err((
                    "population",
                    format!("{population} is not a whole number ≥ 0"),
                ));
            }
            Ok(PopulationRow {
                area: area.to_string(),
                year,
                age_group: age_group.to_string(),
                population,
                source: location.clone(),
            })
        })();
        match row {
            Ok(row) => {
                let key = (row.area.clone(), row.year, row.age_group.clone());
                if let Some(first) = first_seen.get(&key) {
                    parsed.reject(
                        location,
                        "row",
                        format!("duplicate of {first} (same area, year and age group)"),
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

    #[test]
    fn reads_and_rejects() {
        let text = "area;year;age_group;population\nlohja.harju;2024;0-17;1500\nlohja.harju;2024;0-17;1501\nlohja.harju;2024;7-12;\nlohja.harju;24;7-12;3\n";
        let parsed = parse(text.as_bytes(), "p.csv").unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.rows[0].population, 1500.0);
        let got: Vec<String> = parsed.rejections.iter().map(|r| r.to_string()).collect();
        assert!(
            got[0].contains("p.csv:3: field 'row': duplicate of p.csv:2"),
            "{got:?}"
        );
        assert!(
            got[1].contains("p.csv:4: field 'population': is empty"),
            "{got:?}"
        );
        assert!(got[2].contains("p.csv:5: field 'year'"), "{got:?}");
    }
}
