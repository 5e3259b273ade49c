//! Sotkanet's `/regions` dump: internal region id -> area key.
//!
//! In: the JSON array Sotkanet serves at `/regions` (objects with `id`,
//! `code`, `category`, `title`, `memberOf`). Out: a map from the internal id
//! to the area key `lowercase(category).code` (KUNTA 444 -> `kunta.444`).
//! Guarantees: regions are keyed by (category, code), never by the internal
//! id; a region without id, code or category is an error naming its index.
//!
//! Vintages: in 2023 Sotkanet gave the wellbeing services counties new ids
//! **and new codes**, and the codes collide across the change (Länsi-Uusimaa
//! was HYVINVOINTIALUE 20 before and is 3 now; Kainuu is 20 now). hyte
//! therefore keys every county by its **current** code, found through the
//! county's id in [`COUNTY_IDS`] whichever vintage the dump is: a county of
//! an old dump can never take the key of another county of a new one. A
//! county whose id is in neither list cannot be placed and is refused; a
//! data row with a county id of the other vintage is rejected saying so.
//! [`Regions::describe`] names the dump's vintage for the manifest.

use std::collections::HashMap;

use serde_json::Value;

use super::FileError;
use crate::text::decode_utf8;

/// The wellbeing services counties' Sotkanet ids and codes before and
/// after the 2023 change.
/// Real data: `hyvinvointialueet_ids.csv` of rOpenGov/sotkanet (commit
/// 2f3648d, BSD-2-Clause), copied to `tests/fixtures/reference/`; Åland
/// (956, code 91) has no old id. A test checks this table against that file.
pub const COUNTY_IDS: [County; 23] = [
    county("Ahvenanmaa", 956, None, "91", None),
    county(
        "Etelä-Karjalan hyvinvointialue",
        957,
        Some(877),
        "11",
        Some("7"),
    ),
    county(
        "Etelä-Pohjanmaan hyvinvointialue",
        958,
        Some(878),
        "16",
        Some("12"),
    ),
    county(
        "Etelä-Savon hyvinvointialue",
        959,
        Some(879),
        "12",
        Some("8"),
    ),
    county("Helsingin kaupunki", 960, Some(880), "90", Some("22")),
    county(
        "Itä-Uudenmaan hyvinvointialue",
        961,
        Some(881),
        "1",
        Some("18"),
    ),
    county("Kainuun hyvinvointialue", 962, Some(882), "20", Some("16")),
    county(
        "Kanta-Hämeen hyvinvointialue",
        963,
        Some(883),
        "7",
        Some("3"),
    ),
    county(
        "Keski-Pohjanmaan hyvinvointialue",
        964,
        Some(884),
        "18",
        Some("14"),
    ),
    county(
        "Keski-Suomen hyvinvointialue",
        965,
        Some(885),
        "15",
        Some("11"),
    ),
    county(
        "Keski-Uudenmaan hyvinvointialue",
        966,
        Some(886),
        "2",
        Some("19"),
    ),
    county(
        "Kymenlaakson hyvinvointialue",
        967,
        Some(887),
        "10",
        Some("6"),
    ),
    county("Lapin hyvinvointialue", 968, Some(888), "21", Some("17")),
    county(
        "Länsi-Uudenmaan hyvinvointialue",
        969,
        Some(889),
        "3",
        Some("20"),
    ),
    county("Pirkanmaan hyvinvointialue", 970, Some(890), "8", Some("4")),
    county(
        "Pohjanmaan hyvinvointialue",
        971,
        Some(891),
        "17",
        Some("13"),
    ),
    county(
        "Pohjois-Karjalan hyvinvointialue",
        972,
        Some(892),
        "14",
        Some("10"),
    ),
    county(
        "Pohjois-Pohjanmaan hyvinvointialue",
        973,
        Some(893),
        "19",
        Some("15"),
    ),
    county(
        "Pohjois-Savon hyvinvointialue",
        974,
        Some(894),
        "13",
        Some("9"),
    ),
    county(
        "Päijät-Hämeen hyvinvointialue",
        975,
        Some(895),
        "9",
        Some("5"),
    ),
    county("Satakunnan hyvinvointialue", 976, Some(896), "6", Some("2")),
    county(
        "Vantaan ja Keravan hyvinvointialue",
        977,
        Some(897),
        "4",
        Some("21"),
    ),
    county(
        "Varsinais-Suomen hyvinvointialue",
        978,
        Some(898),
        "5",
        Some("1"),
    ),
];

/// One wellbeing services county: its name and its Sotkanet ids and codes
/// from 2023 on (`new_*`) and before (`old_*`; Åland has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct County {
    pub name: &'static str,
    pub new_id: u64,
    pub old_id: Option<u64>,
    pub new_code: &'static str,
    pub old_code: Option<&'static str>,
}

const fn county(
    name: &'static str,
    new_id: u64,
    old_id: Option<u64>,
    new_code: &'static str,
    old_code: Option<&'static str>,
) -> County {
    County {
        name,
        new_id,
        old_id,
        new_code,
        old_code,
    }
}

/// The county with this Sotkanet id, of either vintage.
fn county_of(id: u64) -> Option<&'static County> {
    COUNTY_IDS
        .iter()
        .find(|c| c.new_id == id || c.old_id == Some(id))
}

/// The Sotkanet category of the wellbeing services counties.
const COUNTY: &str = "HYVINVOINTIALUE";

/// Which county ids a regions dump uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Vintage {
    /// No wellbeing services county at all (dumps before 2022).
    #[default]
    NoCounties,
    /// The ids before the 2023 change (877–898).
    Before2023,
    /// The ids from 2023 on (956–978).
    From2023,
    /// Both sets: each county is still keyed by its current code.
    Both,
}

/// Internal Sotkanet region id -> hyte area key.
#[derive(Debug, Clone, Default)]
pub struct Regions {
    by_id: HashMap<u64, String>,
    pub file: String,
    pub vintage: Vintage,
}

impl Regions {
    pub fn area_key(&self, id: u64) -> Option<&str> {
        self.by_id.get(&id).map(String::as_str)
    }

    /// Why a data row's region id has no area: the dump lacks it, and when
    /// the id is a county id of the other vintage, that the data and the
    /// dump were downloaded at different times.
    pub fn unknown(&self, id: u64) -> String {
        match county_of(id) {
            Some(county) => format!(
                "region id {id} is {}'s id {} the 2023 change, but {} has {}: download the data and the /regions dump at the same time",
                county.name,
                if county.new_id == id { "from" } else { "before" },
                self.file,
                self.describe_vintage()
            ),
            None => format!(
                "region id {id} is not in {}: download a current /regions dump",
                self.file
            ),
        }
    }

    fn describe_vintage(&self) -> &'static str {
        match self.vintage {
            Vintage::NoCounties => "no wellbeing services counties (a dump from before 2022)",
            Vintage::Before2023 => "the county ids from before the 2023 change",
            Vintage::From2023 => "the county ids from 2023 on",
            Vintage::Both => "county ids from before and after the 2023 change",
        }
    }

    /// One line for the manifest: which dump, how many regions, which vintage.
    pub fn describe(&self) -> String {
        format!(
            "Sotkanet regions dump {}: {} regions, {}",
            self.file,
            self.by_id.len(),
            self.describe_vintage()
        )
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

/// Reads a `/regions` dump: each region's internal id keyed to
/// `category.code`, counties by their current code, and which county ids
/// the dump uses.
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
    let (mut old, mut new) = (false, false);
    for (index, item) in items.iter().enumerate() {
        let id = item.get("id").and_then(Value::as_u64).ok_or_else(|| {
            FileError::new(format!("{file}#[{index}].id"), "region has no numeric id")
        })?;
        let category = region_field(item, "category", file, index)?;
        let mut code = region_field(item, "code", file, index)?;
        if category.eq_ignore_ascii_case(COUNTY) {
            // Key the county by its current code, found by id (see the module doc).
            let county = county_checked(id, &code, file, index)?;
            if county.new_id == id {
                new = true;
            } else {
                old = true;
            }
            code = county.new_code.to_string();
        }
        let key = area_key(&category, &code);
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
        vintage: match (old, new) {
            (false, false) => Vintage::NoCounties,
            (true, false) => Vintage::Before2023,
            (false, true) => Vintage::From2023,
            (true, true) => Vintage::Both,
        },
    })
}

/// A region's non-empty text field (`code` may also be a number); `Err`
/// naming the region's index when it has none.
fn region_field(item: &Value, name: &str, file: &str, index: usize) -> Result<String, FileError> {
    match item.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::Number(n)) if name != "category" => Ok(n.to_string()),
        _ => Err(FileError::new(
            format!("{file}#[{index}].{name}"),
            format!("region has no {name}: every region needs id, code and category"),
        )),
    }
}

/// The county with this id (of either vintage), checked to have the code
/// Sotkanet gave it with that id; `Err` for an unknown id or another code.
fn county_checked(
    id: u64,
    code: &str,
    file: &str,
    index: usize,
) -> Result<&'static County, FileError> {
    let Some(county) = county_of(id) else {
        return Err(FileError::new(
            format!("{file}#[{index}].id"),
            format!("wellbeing services county id {id} (code {code}) is in neither the ids before nor from the 2023 change: hyte cannot tell which county it is; report it so the table can be updated"),
        ));
    };
    let expected = if county.new_id == id {
        Some(county.new_code)
    } else {
        county.old_code
    };
    if expected != Some(code) {
        return Err(FileError::new(
            format!("{file}#[{index}].code"),
            format!(
                "county id {id} ({}) has code {code}, but Sotkanet gave it code {}: is this a Sotkanet /regions dump?",
                county.name,
                expected.unwrap_or("-")
            ),
        ));
    }
    Ok(county)
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

    /// Länsi-Uusimaa was county 20 before 2023 and is 3 now; Kainuu is 20
    /// now. Whichever dump is used, each keeps its own current key.
    #[test]
    fn counties_cannot_be_swapped_across_vintages() {
        let old = r#"[{"id":889,"code":"20","category":"HYVINVOINTIALUE","title":{"fi":"Länsi-Uudenmaan hyvinvointialue"}},
                       {"id":882,"code":"16","category":"HYVINVOINTIALUE","title":{"fi":"Kainuun hyvinvointialue"}}]"#;
        let new = r#"[{"id":969,"code":"3","category":"HYVINVOINTIALUE","title":{"fi":"Länsi-Uudenmaan hyvinvointialue"}},
                       {"id":962,"code":"20","category":"HYVINVOINTIALUE","title":{"fi":"Kainuun hyvinvointialue"}}]"#;
        let old = parse(old.as_bytes(), "old.json").unwrap();
        let new = parse(new.as_bytes(), "new.json").unwrap();
        assert_eq!(old.vintage, Vintage::Before2023);
        assert_eq!(new.vintage, Vintage::From2023);
        assert_eq!(old.area_key(889), Some("hyvinvointialue.3"));
        assert_eq!(new.area_key(969), Some("hyvinvointialue.3"));
        assert_eq!(old.area_key(882), Some("hyvinvointialue.20"));
        assert_eq!(new.area_key(962), Some("hyvinvointialue.20"));
        // Old data ids with a new dump: rejected, saying why.
        assert_eq!(new.area_key(889), None);
        let why = new.unknown(889);
        assert!(
            why.contains("Länsi-Uudenmaan")
                && why.contains("before the 2023 change")
                && why.contains("same time"),
            "{why}"
        );
        assert!(
            new.describe()
                .contains("2 regions, the county ids from 2023 on"),
            "{}",
            new.describe()
        );
    }

    #[test]
    fn a_county_code_that_contradicts_its_id_is_refused() {
        // Kainuu's new id with Länsi-Uusimaa's new code: not a real dump.
        let bad = br#"[{"id":962,"code":"3","category":"HYVINVOINTIALUE"}]"#;
        let err = parse(bad, "r.json").unwrap_err();
        assert_eq!(err.location, "r.json#[0].code");
        assert!(err.reason.contains("Kainuun"), "{err}");
    }

    #[test]
    fn county_table_matches_the_reference_file() {
        let csv = include_str!("../../tests/fixtures/reference/hyvinvointialueet_ids.csv");
        let rows: Vec<Vec<&str>> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect())
            .collect();
        assert_eq!(rows.len(), COUNTY_IDS.len());
        for (row, entry) in rows.iter().zip(COUNTY_IDS.iter()) {
            let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
            assert_eq!(row[0], entry.name);
            assert_eq!(row[1].parse::<u64>().unwrap(), entry.new_id);
            assert_eq!(row[2].parse::<u64>().ok(), entry.old_id);
            assert_eq!(row[3], entry.new_code);
            assert_eq!(opt(row[4]), entry.old_code.map(str::to_string));
        }
    }

    #[test]
    fn missing_code_is_located() {
        let err = parse(br#"[{"id":1,"category":"KUNTA"}]"#, "r.json").unwrap_err();
        assert_eq!(err.location, "r.json#[0].code");
    }
}
