//! Population from Statistics Finland: StatFin table 11re (population by
//! one-year age, sex and area, 31 Dec) through the PxWeb API as JSON-stat 2.
//!
//! In: the answer to `POST …/PxWeb/api/v1/fi/StatFin/vaerak/11re.px` with
//! `"response": {"format": "json-stat2"}`: `class`, `id`, `size` and `role`
//! at the top level, a **dense** `value` array, a missing value `null` with
//! a `status` entry (`"."`, `"-"`). Area codes carry a prefix (`KU444`
//! Lohja, `MK01` Uusimaa through the regions aggregation, `SSS` the whole
//! country); ages are one year each (`000` … `099`, `100-`; `SSS` all).
//! Out: [`PopulationRow`]s per area, year and the age groups the catalog
//! names (`0-6`, `7-12`, `13-17`, `0-17`): each group the sum of its ages.
//!
//! Dimensions are found by **role and content**, never by their names: on
//! 8 June 2026 Statistics Finland replaced the variable names (`Alue`,
//! `Ikä`, `Sukupuoli`, `Vuosi`, `Tiedot`) by version-stamped codes
//! (`alue_23_20260101`, `ikaryhma_10_20180101`, `sukupuoli_9_20180101`,
//! `timeperiod_y`, `contentscode`) and prefixed content codes (`vaesto` →
//! `vaerak-vaesto`). The area is `role.geo`, the year `role.time`, the
//! content `role.metric`; the age is the dimension whose codes are ages, the
//! sex the one whose codes are `SSS`, `1`, `2`. An input's `dimensions =
//! { group = "…", sex = "…" }` names them where detection cannot.
//! Guarantees: a wrong or renamed table fails naming what was expected and
//! what was found; a group with a missing age is not summed but rejected,
//! naming the age and its status; nothing missing becomes zero.

use serde_json::Value;

use super::jsonstat::{read_cube, Cube, Dim};
use super::{FileError, Parsed, PopulationRow};
use crate::config::Pxweb;
use crate::text::{decode_utf8, excerpt};

/// An age group the catalog names: ages `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AgeGroup {
    name: String,
    from: u32,
    to: u32,
}

fn age_groups(names: &[String]) -> Vec<AgeGroup> {
    names
        .iter()
        .filter_map(|name| {
            let (from, to) = name.split_once('-')?;
            Some(AgeGroup {
                name: name.clone(),
                from: from.trim().parse().ok()?,
                to: to.trim().parse().ok()?,
            })
        })
        .filter(|g| g.from <= g.to)
        .collect()
}

/// A one-year age code: `000` … `099`, `100-` (100 and over), `5`.
fn age_of(code: &str) -> Option<u32> {
    code.strip_suffix('-').unwrap_or(code).trim().parse().ok()
}

/// The area key of a Statistics Finland area code.
fn area_of(code: &str, input: &Pxweb) -> Option<String> {
    if let Some(key) = input.area_map.get(code) {
        return Some(key.clone());
    }
    if code == "SSS" {
        return Some("maa.358".into());
    }
    let digits = |rest: &str| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit());
    match code.split_at(code.len().min(2)) {
        ("KU", rest) if digits(rest) => Some(format!("kunta.{rest}")),
        ("MK", rest) if digits(rest) => Some(format!("maakunta.{rest}")),
        ("SK", rest) if digits(rest) => Some(format!("seutukunta.{rest}")),
        _ => None,
    }
}

/// Positions of the five dimensions in the cube.
struct Layout {
    area: usize,
    year: usize,
    age: usize,
    sex: Option<usize>,
    content: Option<usize>,
}

/// Reads a PxWeb JSON-stat 2 answer: checks its shape, finds the
/// dimensions and sums each area's and year's ages into the catalog's age
/// groups.
pub fn parse(
    bytes: &[u8],
    file: &str,
    input: &Pxweb,
    age_group_names: &[String],
) -> Result<Parsed<PopulationRow>, FileError> {
    let text = decode_utf8(bytes).map_err(|e| FileError::new(file, e))?;
    let root: Value = serde_json::from_str(text).map_err(|e| {
        FileError::new(
            format!("{file}:{}", e.line()),
            format!("not valid JSON ({e}); is the download complete?"),
        )
    })?;
    let at = |path: &str| format!("{file}#${path}");
    check_json_stat2(&root, &at)?;
    let cube = read_cube(&root, &at)?;
    let layout =
        layout(&root, &cube.dims, input).map_err(|reason| FileError::new(at(".role"), reason))?;
    let dims = &cube.dims;
    let groups = age_groups(age_group_names);
    if groups.is_empty() {
        return Err(FileError::new(
            file,
            "no age group to sum into: the catalog names none (`age_group = \"0-17\"`)",
        ));
    }
    let content = population_content(&layout, dims, &at)?;
    let sexes = total_sexes(&layout, dims, &at)?;
    // The sex categories summed (none when the file has no sex dimension).
    let sex_positions: Vec<Option<usize>> = if sexes.is_empty() {
        vec![None]
    } else {
        sexes.iter().copied().map(Some).collect()
    };
    let ages: Vec<(usize, Option<u32>)> = dims[layout.age]
        .codes
        .iter()
        .enumerate()
        .map(|(i, c)| (i, age_of(c)))
        .collect();
    let mut strides = vec![1usize; dims.len()];
    for i in (0..dims.len().saturating_sub(1)).rev() {
        strides[i] = strides[i + 1] * dims[i + 1].codes.len();
    }
    let sums = Sums {
        cube: &cube,
        layout: &layout,
        status: root.get("status"),
        content,
        sex_positions,
        ages,
        strides,
        at: &at,
    };
    Ok(sums.rows(input, &groups))
}

/// `Err` unless the root is a JSON-stat 2 dataset, naming what it looks like
/// instead (PxWeb's plain `json`, JSON-stat 1 or a THL cube).
fn check_json_stat2(root: &Value, at: &dyn Fn(&str) -> String) -> Result<(), FileError> {
    if root.get("class").and_then(Value::as_str) == Some("dataset") && root.get("id").is_some() {
        return Ok(());
    }
    let found = if root.get("columns").is_some() && root.get("data").is_some() {
        "PxWeb's plain `json` format"
    } else if root.get("dataset").is_some() {
        "a JSON-stat 1 bundle or a THL cube"
    } else {
        "something else"
    };
    Err(FileError::new(
        at(""),
        format!("expected JSON-stat 2 as PxWeb answers with `\"response\": {{\"format\": \"json-stat2\"}}` (top-level `\"class\": \"dataset\"`, `id`, `size`, `role`), found {found}: ask for json-stat2"),
    ))
}

/// Which content category is the population: the only one, or the one
/// whose code ends in `vaesto` (`vaesto`, `vaerak-vaesto`), as (dimension
/// position, category position); `None` when the file has no content
/// dimension.
fn population_content(
    layout: &Layout,
    dims: &[Dim],
    at: &dyn Fn(&str) -> String,
) -> Result<Option<(usize, usize)>, FileError> {
    match layout.content {
        None => Ok(None),
        Some(c) => Ok(Some((
            c,
            content_category(&dims[c]).map_err(|reason| {
                FileError::new(at(&format!(".dimension.{}", dims[c].id)), reason)
            })?,
        ))),
    }
}

/// The total sex: `SSS`, or girls and boys summed when the total was not
/// asked for (category positions); empty when the file has no sex
/// dimension.
fn total_sexes(
    layout: &Layout,
    dims: &[Dim],
    at: &dyn Fn(&str) -> String,
) -> Result<Vec<usize>, FileError> {
    let Some(s) = layout.sex else {
        return Ok(vec![]);
    };
    let codes = &dims[s].codes;
    if let Some(total) = codes.iter().position(|c| c == "SSS") {
        return Ok(vec![total]);
    }
    let parts: Vec<usize> = ["1", "2"]
        .iter()
        .filter_map(|want| codes.iter().position(|c| c == want))
        .collect();
    if parts.len() != 2 {
        return Err(FileError::new(
            at(&format!(".dimension.{}", dims[s].id)),
            format!(
                "the sex dimension has {} but neither the total SSS nor both 1 and 2: ask for SSS",
                codes.join(", ")
            ),
        ));
    }
    Ok(parts)
}

/// What summing an age group's cells needs: the cube, where its dimensions
/// are and which categories are summed.
struct Sums<'a> {
    cube: &'a Cube<'a>,
    layout: &'a Layout,
    /// The file's `status` object: why a value is missing.
    status: Option<&'a Value>,
    /// The population's (content dimension, category), if any.
    content: Option<(usize, usize)>,
    /// The sex categories summed: `[None]` without a sex dimension.
    sex_positions: Vec<Option<usize>>,
    /// Each age category's position and age.
    ages: Vec<(usize, Option<u32>)>,
    /// Row-major strides of the dimensions.
    strides: Vec<usize>,
    at: &'a dyn Fn(&str) -> String,
}

impl Sums<'_> {
    /// One row per area, year and age group, or the reason it is rejected:
    /// an unknown area code, a year that is not one, a group that cannot be
    /// summed.
    fn rows(&self, input: &Pxweb, groups: &[AgeGroup]) -> Parsed<PopulationRow> {
        let (at, dims, layout) = (self.at, &self.cube.dims, self.layout);
        let mut parsed = Parsed::default();
        for (area_pos, area_code) in dims[layout.area].codes.iter().enumerate() {
            let Some(area) = area_of(area_code, input) else {
                parsed.reject(
                    at(&format!(".dimension.{}.category.index.{area_code}", dims[layout.area].id)),
                    "area",
                    format!("area code '{}' is not KU…, MK…, SK… or SSS: map it with `area_map = {{ \"{}\" = \"…\" }}`", excerpt(area_code), excerpt(area_code)),
                );
                continue;
            };
            for (year_pos, year_code) in dims[layout.year].codes.iter().enumerate() {
                let year_path = format!(
                    ".dimension.{}.category.index.{year_code}",
                    dims[layout.year].id
                );
                let Ok(year) = year_code.parse::<i32>() else {
                    parsed.reject(
                        at(&year_path),
                        "year",
                        format!("'{}' is not a year", excerpt(year_code)),
                    );
                    continue;
                };
                for group in groups {
                    parsed.read += 1;
                    let mut first: Option<usize> = None;
                    let sum = self.sum_group(area_pos, year_pos, group, &mut first);
                    let location = at(&format!(".value[{}]", first.unwrap_or(0)));
                    match sum {
                        Err(reason) => parsed.reject(
                            location,
                            "population",
                            format!(
                                "{area_code} {year} age group {} cannot be summed: {reason}",
                                group.name
                            ),
                        ),
                        Ok(sum) => parsed.rows.push(PopulationRow {
                            area: area.clone(),
                            year,
                            age_group: group.name.clone(),
                            population: sum,
                            source: location,
                        }),
                    }
                }
            }
        }
        parsed
    }

    /// The sum of an age group's cells at one area and year (over the summed
    /// sexes), or why it cannot be summed. `first` gets the flat index of
    /// the first cell looked at.
    fn sum_group(
        &self,
        area_pos: usize,
        year_pos: usize,
        group: &AgeGroup,
        first: &mut Option<usize>,
    ) -> Result<f64, String> {
        let age_codes = &self.cube.dims[self.layout.age].codes;
        let mut sum = 0.0;
        for age in group.from..=group.to {
            let Some(&(age_pos, _)) = self.ages.iter().find(|(_, a)| *a == Some(age)) else {
                return Err(format!(
                    "age {age} is not in the file (its ages are one year each, {}–{})",
                    age_codes.first().map_or("", String::as_str),
                    age_codes.last().map_or("", String::as_str)
                ));
            };
            for &sex_pos in &self.sex_positions {
                let index = self.index(area_pos, year_pos, age_pos, sex_pos);
                first.get_or_insert(index);
                sum += self.count_at(index, age)?;
            }
        }
        Ok(sum)
    }

    /// The flat index of the cell at these positions (and the population's
    /// content category).
    fn index(
        &self,
        area_pos: usize,
        year_pos: usize,
        age_pos: usize,
        sex_pos: Option<usize>,
    ) -> usize {
        let layout = self.layout;
        let mut coords = vec![0usize; self.cube.dims.len()];
        coords[layout.area] = area_pos;
        coords[layout.year] = year_pos;
        coords[layout.age] = age_pos;
        if let (Some(s), Some(p)) = (layout.sex, sex_pos) {
            coords[s] = p;
        }
        if let Some((c, p)) = self.content {
            coords[c] = p;
        }
        coords.iter().zip(&self.strides).map(|(c, s)| c * s).sum()
    }

    /// The count at a flat index: a whole number ≥ 0, or why not (with the
    /// cell's status when it is missing).
    fn count_at(&self, index: usize, age: u32) -> Result<f64, String> {
        let at = self.at;
        match self.cube.values.number_at(index as u64) {
            Ok(Some(v)) if v >= 0.0 && v.fract() == 0.0 => Ok(v),
            Ok(Some(v)) => Err(format!(
                "{v} at {} is not a whole number ≥ 0",
                at(&format!(".value[{index}]"))
            )),
            Ok(None) => {
                let mark = self
                    .status
                    .and_then(|s| s.get(index.to_string()))
                    .and_then(Value::as_str)
                    .map(|m| format!(" (status '{}')", excerpt(m)))
                    .unwrap_or_default();
                Err(format!(
                    "age {age} has no value at {}{mark}",
                    at(&format!(".value[{index}]"))
                ))
            }
            Err(reason) => Err(reason),
        }
    }
}

/// The dimensions and their first codes, for messages: `"id (a, b, c); …"`.
fn describe_dims(dims: &[Dim]) -> String {
    dims.iter()
        .map(|d| {
            format!(
                "{} ({})",
                d.id,
                d.codes
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The dimension the file's `role` object gives for `name` (`geo`, `time`,
/// `metric`).
fn role_dim(root: &Value, dims: &[Dim], name: &str) -> Option<usize> {
    let id = root.get("role")?.get(name)?.as_array()?.first()?.as_str()?;
    dims.iter().position(|d| d.id == id)
}

/// The dimension the input names for a role; `Err` when the file has none
/// of that id.
fn named_dim(dims: &[Dim], configured: &Option<String>) -> Result<Option<usize>, String> {
    match configured {
        None => Ok(None),
        Some(id) => dims
            .iter()
            .position(|d| &d.id == id)
            .map(Some)
            .ok_or_else(|| {
                format!(
                    "the input names dimension '{id}', but the file has {}",
                    describe_dims(dims)
                )
            }),
    }
}

/// Whether a dimension's codes are one-year ages (`SSS` aside).
fn is_age(d: &Dim) -> bool {
    d.codes.iter().filter(|c| age_of(c).is_some()).count() >= 2
        && d.codes.iter().all(|c| c == "SSS" || age_of(c).is_some())
}

/// Whether a dimension's codes are all sexes (`SSS`, `1`, `2`).
fn is_sex(d: &Dim) -> bool {
    d.codes
        .iter()
        .all(|c| matches!(c.as_str(), "SSS" | "1" | "2"))
}

/// Finds the five dimensions by role and content.
fn layout(root: &Value, dims: &[Dim], input: &Pxweb) -> Result<Layout, String> {
    let roles = &input.dimensions;
    let area = named_dim(dims, &roles.area)?.or_else(|| role_dim(root, dims, "geo")).ok_or_else(|| {
        format!("no area dimension: expected `role.geo` as StatFin 11re has (codes SSS, KU444, …); found {}", describe_dims(dims))
    })?;
    let year = named_dim(dims, &roles.period)?.or_else(|| role_dim(root, dims, "time")).ok_or_else(|| {
        format!("no year dimension: expected `role.time` as StatFin 11re has (codes 2023, 2024, …); found {}", describe_dims(dims))
    })?;
    let content = named_dim(dims, &roles.measure)?.or_else(|| role_dim(root, dims, "metric"));
    let taken = [Some(area), Some(year), content];
    let free = |i: usize| !taken.contains(&Some(i));
    let age = match named_dim(dims, &roles.group)? {
        Some(a) => a,
        None => {
            let candidates: Vec<usize> = (0..dims.len())
                .filter(|&i| free(i) && is_age(&dims[i]) && !is_sex(&dims[i]))
                .collect();
            match candidates.as_slice() {
                [one] => *one,
                _ => return Err(format!(
                    "no single age dimension: expected one dimension of one-year ages (codes 000 … 100-) as in StatFin 11re; found {}; name it with `dimensions = {{ group = \"…\" }}`",
                    describe_dims(dims)
                )),
            }
        }
    };
    let sex = match named_dim(dims, &roles.sex)? {
        Some(s) => Some(s),
        None => (0..dims.len()).find(|&i| free(i) && i != age && is_sex(&dims[i])),
    };
    for (i, d) in dims.iter().enumerate() {
        if free(i) && i != age && Some(i) != sex && d.codes.len() > 1 {
            return Err(format!(
                "dimension '{}' ({} categories) is none of area, year, age, sex and content: ask StatFin 11re for population by age, sex, area and year only",
                d.id,
                d.codes.len()
            ));
        }
    }
    Ok(Layout {
        area,
        year,
        age,
        sex,
        content,
    })
}

fn content_category(dim: &Dim) -> Result<usize, String> {
    if dim.codes.len() == 1 {
        return Ok(0);
    }
    let matches: Vec<usize> = (0..dim.codes.len())
        .filter(|&i| dim.codes[i].ends_with("vaesto"))
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        _ => Err(format!(
            "the content dimension has {} and no single population (code `vaesto` or `vaerak-vaesto`): ask for the population 31.12. only",
            dim.codes.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> Pxweb {
        Pxweb::default()
    }

    /// The shape of a real 11re answer after the June 2026 change (ids,
    /// roles, content code as in a response saved by markusl/statfin-mcp);
    /// the numbers are made up. Ages 000–003 only, to keep it short.
    fn answer(ids: [&str; 5], content: &str) -> String {
        let [alue, ika, sp, vuosi, tiedot] = ids;
        format!(
            r#"{{"version":"2.0","class":"dataset","label":"Väestö 31.12. muuttujina Alue, Ikä, Sukupuoli, Vuosi ja Tiedot",
            "source":"Tilastokeskus","updated":"2026-04-01T05:00:00Z",
            "role":{{"time":["{vuosi}"],"geo":["{alue}"],"metric":["{tiedot}"]}},
            "id":["{alue}","{ika}","{sp}","{vuosi}","{tiedot}"],"size":[2,4,1,2,1],
            "dimension":{{
              "{alue}":{{"label":"Alue","category":{{"index":{{"SSS":0,"KU444":1}},"label":{{"SSS":"KOKO MAA","KU444":"Lohja"}}}}}},
              "{ika}":{{"label":"Ikä","category":{{"index":{{"000":0,"001":1,"002":2,"003":3}},"label":{{"000":"0","001":"1","002":"2","003":"3"}}}}}},
              "{sp}":{{"label":"Sukupuoli","category":{{"index":{{"SSS":0}},"label":{{"SSS":"Yhteensä"}}}}}},
              "{vuosi}":{{"label":"Vuosi","category":{{"index":{{"2024":0,"2025":1}},"label":{{"2024":"2024","2025":"2025"}}}}}},
              "{tiedot}":{{"label":"Tiedot","category":{{"index":{{"{content}":0}},"label":{{"{content}":"Väestö 31.12."}},"unit":{{"{content}":{{"base":"lukumäärä","decimals":0}}}}}}}}}},
            "value":[50000,49000,51000,50500,52000,51500,53000,null, 400,390,410,405,420,415,430,425],
            "status":{{"7":"."}}}}"#
        )
    }

    const NEW: [&str; 5] = [
        "alue_23_20260101",
        "ikaryhma_10_20180101",
        "sukupuoli_9_20180101",
        "timeperiod_y",
        "contentscode",
    ];
    const OLD: [&str; 5] = ["Alue", "Ikä", "Sukupuoli", "Vuosi", "Tiedot"];

    #[test]
    fn sums_one_year_ages_into_groups_both_vintages() {
        let groups = ["0-1".to_string(), "0-3".to_string()];
        for (ids, content) in [(NEW, "vaerak-vaesto"), (OLD, "vaesto")] {
            let text = answer(ids, content);
            let parsed = parse(text.as_bytes(), "11re.json", &input(), &groups).unwrap();
            let got: Vec<(String, i32, String, f64)> = parsed
                .rows
                .iter()
                .map(|r| (r.area.clone(), r.year, r.age_group.clone(), r.population))
                .collect();
            // Value order: area, age, sex, year (last fastest).
            assert_eq!(
                got,
                vec![
                    ("maa.358".into(), 2024, "0-1".into(), 101000.0),
                    ("maa.358".into(), 2024, "0-3".into(), 206000.0),
                    ("maa.358".into(), 2025, "0-1".into(), 99500.0),
                    ("kunta.444".into(), 2024, "0-1".into(), 810.0),
                    ("kunta.444".into(), 2024, "0-3".into(), 1660.0),
                    ("kunta.444".into(), 2025, "0-1".into(), 795.0),
                    ("kunta.444".into(), 2025, "0-3".into(), 1635.0),
                ]
            );
            // The missing age (null, status ".") is named, not taken as zero.
            assert_eq!(parsed.rejections.len(), 1);
            let why = parsed.rejections[0].to_string();
            assert!(
                why.contains("SSS 2025 age group 0-3")
                    && why.contains("age 3 has no value")
                    && why.contains("status '.'"),
                "{why}"
            );
        }
    }

    #[test]
    fn wrong_tables_say_what_was_expected() {
        let groups = ["0-17".to_string()];
        let text = answer(NEW, "vaerak-vaesto").replace(r#""geo":["alue_23_20260101"],"#, "");
        let err = parse(text.as_bytes(), "11re.json", &input(), &groups).unwrap_err();
        assert!(
            err.reason
                .contains("no area dimension: expected `role.geo`"),
            "{err}"
        );
        // Ages 0-17 asked but the file has 0-3.
        let parsed = parse(
            answer(NEW, "vaerak-vaesto").as_bytes(),
            "11re.json",
            &input(),
            &groups,
        )
        .unwrap();
        assert!(parsed.rows.is_empty());
        assert!(
            parsed.rejections[0]
                .reason
                .contains("age 4 is not in the file"),
            "{:?}",
            parsed.rejections
        );
        let plain = r#"{"columns":[],"data":[]}"#;
        let err = parse(plain.as_bytes(), "11re.json", &input(), &groups).unwrap_err();
        assert!(
            err.reason.contains("PxWeb's plain `json` format") && err.reason.contains("json-stat2"),
            "{err}"
        );
        let renamed = answer(NEW, "vaerak-vaesto")
            .replace("\"000\"", "\"A\"")
            .replace("\"001\"", "\"B\"")
            .replace("\"002\"", "\"C\"")
            .replace("\"003\"", "\"D\"");
        let err = parse(renamed.as_bytes(), "11re.json", &input(), &groups).unwrap_err();
        assert!(
            err.reason.contains("no single age dimension")
                && err.reason.contains("ikaryhma_10_20180101"),
            "{err}"
        );
    }

    #[test]
    fn area_codes() {
        assert_eq!(area_of("KU444", &input()).as_deref(), Some("kunta.444"));
        assert_eq!(area_of("MK01", &input()).as_deref(), Some("maakunta.01"));
        assert_eq!(area_of("SSS", &input()).as_deref(), Some("maa.358"));
        assert_eq!(area_of("KUX", &input()), None);
        assert_eq!(age_of("100-"), Some(100));
        assert_eq!(age_of("007"), Some(7));
    }
}
