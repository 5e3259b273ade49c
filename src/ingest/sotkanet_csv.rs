//! Sotkanet CSV exactly as THL serves it from `/csv`.
//!
//! In: `indicator;region;year;gender;primary value;absolute value`, `;`
//! separated, `.` decimal, CRLF (LF and a BOM are accepted too), an empty
//! field meaning "not published". Out: observations with the source key
//! `sotkanet:ID`, area from the `/regions` dump, period = year,
//! value = primary value, count = absolute value. Guarantees: an empty value
//! stays null; an unknown region id, a bad number or year, a wrong gender or
//! a short line rejects that line only, naming line and field.

use super::csv_rows::Table;
use super::sotkanet_regions::Regions;
use super::{reject_duplicates, FileError, Parsed};
use crate::catalog::sotkanet_key;
use crate::observation::{Observation, ALL_GROUPS};
use crate::period::Period;
use crate::text::{excerpt, parse_number};

const COLUMNS: [&str; 6] = [
    "indicator",
    "region",
    "year",
    "gender",
    "primary value",
    "absolute value",
];

pub fn parse(
    bytes: &[u8],
    file: &str,
    regions: &Regions,
) -> Result<Parsed<Observation>, FileError> {
    let table = Table::read(bytes, file, &COLUMNS, &[])?;
    let mut parsed = Parsed::default();
    table.for_each_record(&mut parsed, |parsed, location, record| {
        let row = (|| -> Result<Observation, (&str, String)> {
            let indicator: u32 = record.get("indicator").parse().map_err(|_| {
                (
                    "indicator",
                    format!(
                        "'{}' is not a Sotkanet indicator id (a whole number)",
                        excerpt(record.get("indicator"))
                    ),
                )
            })?;
            let region_text = record.get("region");
            let region: u64 = region_text.parse().map_err(|_| {
                (
                    "region",
                    format!("'{}' is not a Sotkanet region id", excerpt(region_text)),
                )
            })?;
            let area = regions
                .area_key(region)
                .ok_or_else(|| ("region", regions.unknown(region)))?;
            let year_text = record.get("year");
            let period = match year_text.parse::<Period>() {
                Ok(p @ Period::Year(_)) => p,
                _ => return Err(("year", format!("'{}' is not a year", excerpt(year_text)))),
            };
            let sex = record
                .get("gender")
                .parse()
                .map_err(|e: String| ("gender", e))?;
            let number = |column: &'static str| -> Result<Option<f64>, (&str, String)> {
                match record.get(column) {
                    "" => Ok(None),
                    text => parse_number(text).map(Some).map_err(|e| (column, e)),
                }
            };
            Ok(Observation {
                indicator: sotkanet_key(indicator),
                area: area.to_string(),
                period,
                sex,
                group: ALL_GROUPS.to_string(),
                value: number("primary value")?,
                count: number("absolute value")?,
                n: None,
                ci_lower: None,
                ci_upper: None,
                source: location.clone(),
            })
        })();
        match row {
            Ok(observation) => parsed.rows.push(observation),
            Err((field, reason)) => parsed.reject(location, field, reason),
        }
    });
    reject_duplicates(&mut parsed);
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::sotkanet_regions;

    fn regions() -> Regions {
        sotkanet_regions::parse(
            br#"[{"id":202,"code":"444","category":"KUNTA"},{"id":658,"code":"358","category":"MAA"}]"#,
            "regions.json",
        )
        .unwrap()
    }

    const HEADER: &str = "indicator;region;year;gender;primary value;absolute value\r\n";

    #[test]
    fn reads_values_and_keeps_empty_as_null() {
        let text = format!("{HEADER}127;202;2009;total;46963;\r\n191;658;2020;female;;12\r\n");
        let parsed = parse(text.as_bytes(), "s.csv", &regions()).unwrap();
        assert!(parsed.rejections.is_empty(), "{:?}", parsed.rejections);
        assert_eq!(parsed.read, 2);
        let first = &parsed.rows[0];
        assert_eq!(
            (first.indicator.as_str(), first.area.as_str()),
            ("sotkanet:127", "kunta.444")
        );
        assert_eq!((first.value, first.count), (Some(46963.0), None));
        assert_eq!(first.source, "s.csv:2");
        assert_eq!(
            (parsed.rows[1].value, parsed.rows[1].count),
            (None, Some(12.0))
        );
    }

    #[test]
    fn bad_rows_are_rejected_with_line_and_field() {
        let text = format!(
            "{HEADER}127;999;2009;total;1;\n127;202;20x9;total;1;\n127;202;2009;both;1;\n127;202;2009;total;1.2.3;\n127;202;2009\n"
        );
        let parsed = parse(text.as_bytes(), "s.csv", &regions()).unwrap();
        let got: Vec<String> = parsed.rejections.iter().map(|r| r.to_string()).collect();
        assert_eq!(parsed.rows.len(), 0);
        assert!(
            got[0].starts_with("s.csv:2: field 'region': region id 999 is not in regions.json"),
            "{got:?}"
        );
        assert!(got[1].starts_with("s.csv:3: field 'year'"), "{got:?}");
        assert!(got[2].starts_with("s.csv:4: field 'gender'"), "{got:?}");
        assert!(
            got[3].starts_with("s.csv:5: field 'primary value': '1.2.3' is not a number"),
            "{got:?}"
        );
        assert!(
            got[4].contains("s.csv:6: field 'line': expected 6 fields")
                && got[4].contains("truncated"),
            "{got:?}"
        );
    }

    #[test]
    fn wrong_separator_is_a_file_error() {
        let text =
            "indicator,region,year,gender,primary value,absolute value\n127,202,2009,total,1,\n";
        let err = parse(text.as_bytes(), "s.csv", &regions()).unwrap_err();
        assert_eq!(err.location, "s.csv:1");
        assert!(err.reason.contains("looks separated by ','"), "{err}");
    }

    #[test]
    fn duplicate_rows_name_the_first() {
        let text = format!("{HEADER}127;202;2009;total;1;\n127;202;2009;total;2;\n");
        let parsed = parse(text.as_bytes(), "s.csv", &regions()).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert!(parsed.rejections[0]
            .to_string()
            .contains("s.csv:3: field 'row': duplicate of s.csv:2"));
    }

    #[test]
    fn bom_and_mixed_line_ends() {
        let text = format!("\u{feff}{HEADER}127;202;2009;total;1;\n127;658;2009;total;2;\r\n");
        let parsed = parse(text.as_bytes(), "s.csv", &regions()).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        assert!(parsed.rejections.is_empty());
    }
}
