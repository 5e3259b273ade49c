//! Sotkanet JSON as THL serves it from `/json`.
//!
//! In: an array of flat objects
//! `{"indicator":4,"region":231,"year":2012,"gender":"total","value":3.4,"absValue":9}`;
//! `value` and `absValue` may be missing or null. Out: the same observations
//! as the CSV reader makes. Guarantees: a missing value stays null; a bad
//! record is rejected with its JSON path (`file#[12].region`).

use serde_json::Value;

use super::sotkanet_regions::Regions;
use super::{reject_duplicates, FileError, Parsed};
use crate::catalog::sotkanet_key;
use crate::observation::{Observation, ALL_GROUPS};
use crate::period::Period;
use crate::text::decode_utf8;

pub fn parse(
    bytes: &[u8],
    file: &str,
    regions: &Regions,
) -> Result<Parsed<Observation>, FileError> {
    let text = decode_utf8(bytes).map_err(|e| FileError::new(file, e))?;
    let value: Value = serde_json::from_str(text).map_err(|e| {
        FileError::new(
            format!("{file}:{}", e.line()),
            format!("not valid JSON ({e}); is the download complete?"),
        )
    })?;
    let Value::Array(records) = value else {
        return Err(FileError::new(
            file,
            "expected a JSON array of records as Sotkanet's /json serves it",
        ));
    };
    let mut parsed = Parsed::default();
    for (index, record) in records.iter().enumerate() {
        parsed.read += 1;
        let path = |field: &str| format!("{file}#[{index}].{field}");
        let row = (|| -> Result<Observation, (&str, String)> {
            let whole = |field: &'static str| -> Result<u64, (&str, String)> {
                record.get(field).and_then(Value::as_u64).ok_or((
                    field,
                    format!(
                        "missing or not a whole number: {}",
                        shown(record.get(field))
                    ),
                ))
            };
            let indicator = u32::try_from(whole("indicator")?)
                .map_err(|_| ("indicator", "indicator id out of range".to_string()))?;
            let region = whole("region")?;
            let area = regions
                .area_key(region)
                .ok_or_else(|| ("region", regions.unknown(region)))?;
            let year = whole("year")?;
            let period = i32::try_from(year)
                .ok()
                .and_then(|y| y.to_string().parse::<Period>().ok())
                .ok_or(("year", format!("{year} is not a year")))?;
            let sex = match record.get("gender") {
                Some(Value::String(s)) => s.parse().map_err(|e: String| ("gender", e))?,
                other => return Err(("gender", format!("missing or not text: {}", shown(other)))),
            };
            let number = |field: &'static str| -> Result<Option<f64>, (&str, String)> {
                match record.get(field) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::Number(n)) => n
                        .as_f64()
                        .filter(|v| v.is_finite())
                        .map(Some)
                        .ok_or((field, format!("{n} is not a finite number"))),
                    other => Err((field, format!("not a number: {}", shown(other)))),
                }
            };
            Ok(Observation {
                indicator: sotkanet_key(indicator),
                area: area.to_string(),
                period,
                sex,
                group: ALL_GROUPS.to_string(),
                value: number("value")?,
                count: number("absValue")?,
                n: None,
                ci_lower: None,
                ci_upper: None,
                source: format!("{file}#[{index}]"),
            })
        })();
        match row {
            Ok(observation) => parsed.rows.push(observation),
            Err((field, reason)) => parsed.reject(path(field), field, reason),
        }
    }
    reject_duplicates(&mut parsed);
    Ok(parsed)
}

fn shown(value: Option<&Value>) -> String {
    match value {
        None => "absent".into(),
        Some(v) => crate::text::excerpt(&v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::sotkanet_regions;

    fn regions() -> Regions {
        sotkanet_regions::parse(br#"[{"id":231,"code":"444","category":"KUNTA"}]"#, "r.json")
            .unwrap()
    }

    #[test]
    fn missing_values_stay_null() {
        let json = br#"[{"indicator":4,"region":231,"year":2012,"gender":"total","value":3.4,"absValue":9},
                        {"indicator":4,"region":231,"year":2013,"gender":"male"}]"#;
        let parsed = parse(json, "s.json", &regions()).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(
            (parsed.rows[0].value, parsed.rows[0].count),
            (Some(3.4), Some(9.0))
        );
        assert_eq!((parsed.rows[1].value, parsed.rows[1].count), (None, None));
        assert_eq!(parsed.rows[1].source, "s.json#[1]");
    }

    #[test]
    fn bad_records_name_their_path() {
        let json = br#"[{"indicator":4,"region":1,"year":2012,"gender":"total"},
                        {"indicator":4,"region":231,"year":2012,"gender":"total","value":"3,4"}]"#;
        let parsed = parse(json, "s.json", &regions()).unwrap();
        let got: Vec<String> = parsed.rejections.iter().map(|r| r.to_string()).collect();
        assert!(got[0].starts_with("s.json#[0].region"), "{got:?}");
        assert!(got[1].starts_with("s.json#[1].value"), "{got:?}");
    }

    #[test]
    fn truncated_json_is_a_file_error_with_line() {
        let err = parse(b"[{\"indicator\":4,\n\"region\":", "s.json", &regions()).unwrap_err();
        assert!(err.location.starts_with("s.json:2"), "{err}");
    }
}
