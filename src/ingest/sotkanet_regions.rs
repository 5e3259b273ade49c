//! Sotkanet's `/regions` dump: internal region id -> area key.
//!
//! In: the JSON array Sotkanet serves at `/regions` (objects with `id`,
//! `code`, `category`, `title`, `memberOf`). Out: a map from the internal id
//! to the area key `lowercase(category).code` (KUNTA 444 -> `kunta.444`).
//! Guarantees: regions are keyed by (category, code), never by the internal
//! id, because the ids of the wellbeing services counties changed in 2023;
//! a region without id, code or category is an error naming its index.

use std::collections::HashMap;

use serde_json::Value;

use super::FileError;
use crate::text::decode_utf8;

/// Internal Sotkanet region id -> hyte area key.
#[derive(Debug, Clone, Default)]
pub struct Regions {
    by_id: HashMap<u64, String>,
    pub file: String,
}

impl Regions {
    pub fn area_key(&self, id: u64) -> Option<&str> {
        self.by_id.get(&id).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// The area key for a Sotkanet (category, code).
pub fn area_key(category: &str, code: &str) -> String {
    format!("{}.{}", category.to_lowercase(), code)
}

pub fn parse(bytes: &[u8], file: &str) -> Result<Regions, FileError> {
    let text = decode_utf8(bytes).map_err(|e| FileError::new(file, e))?;
    let value: Value = serde_json::from_str(text).map_err(|e| {
        FileError::new(
            format!("{file}:{}", e.line()),
            format!("not valid JSON ({e}); download Sotkanet's /regions again"),
        )
    })?;
    let Value::Array(items) = value else {
        return Err(FileError::new(
            file,
            "expected a JSON array of regions as Sotkanet's /regions serves it",
        ));
    };
    let mut by_id = HashMap::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let field = |name: &str| -> Result<String, FileError> {
            match item.get(name) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                Some(Value::Number(n)) if name != "category" => Ok(n.to_string()),
                _ => Err(FileError::new(
                    format!("{file}#[{index}].{name}"),
                    format!("region has no {name}: every region needs id, code and category"),
                )),
            }
        };
        let id = item.get("id").and_then(Value::as_u64).ok_or_else(|| {
            FileError::new(format!("{file}#[{index}].id"), "region has no numeric id")
        })?;
        let key = area_key(&field("category")?, &field("code")?);
        if let Some(previous) = by_id.insert(id, key.clone()) {
            if previous != key {
                return Err(FileError::new(
                    format!("{file}#[{index}].id"),
                    format!("region id {id} appears twice, as {previous} and {key}"),
                ));
            }
        }
    }
    Ok(Regions {
        by_id,
        file: file.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_by_category_and_code() {
        let json = br#"[{"id":202,"code":"444","category":"KUNTA","title":{"fi":"Lohja"},"memberOf":[488]},
                        {"id":488,"code":"01","category":"MAAKUNTA"}]"#;
        let regions = parse(json, "r.json").unwrap();
        assert_eq!(regions.area_key(202), Some("kunta.444"));
        assert_eq!(regions.area_key(488), Some("maakunta.01"));
        assert_eq!(regions.area_key(1), None);
    }

    #[test]
    fn missing_code_is_located() {
        let err = parse(br#"[{"id":1,"category":"KUNTA"}]"#, "r.json").unwrap_err();
        assert_eq!(err.location, "r.json#[0].code");
    }
}
