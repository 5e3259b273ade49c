//! JSON-stat cubes: THL's open data cubes and standard JSON-stat 2.0.
//!
//! In: either THL's export (a `{"dataset": …}` wrapper, `id` and `size`
//! inside `dimension`, string values with a decimal point or comma, a sparse
//! `value` object keyed by the flat cell index or `[]` for no data, and the
//! `tiku_vtype` dimension carrying `v`, `ci_lower`, `ci_upper`, `n`), or
//! standard JSON-stat 2.0 as Statistics Finland's PxWeb returns it (`id`,
//! `size`, dense `value` array of numbers and nulls at the top level).
//! Out: one observation per cell with the source key `cube:CUBE:MEASURE`.
//! Dimension roles (area, period, sex, group, measure) come from the input's
//! `dimensions` table or are recognised by their usual names.
//! Guarantees: sizes are checked against every dimension's categories
//! before any value is read; an absent cell is not an observation (THL
//! leaves unpublished cells out), a cell with only `n` is an observation with a null value; each
//! bad value or category is rejected with its JSON path.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{reject_duplicates, FileError, Parsed};
use crate::catalog::cube_key;
use crate::config::CubeInput;
use crate::observation::{Observation, Sex, ALL_GROUPS};
use crate::period::Period;
use crate::text::{decode_utf8, excerpt, parse_number};

/// The value-type dimension of THL cubes requested with `ci` and `n`.
pub(super) const VTYPE: &str = "tiku_vtype";

/// Usual dimension names (lowercase) for each role, in Finnish, Swedish
/// and English; THL cube nodes' stages use the same words. Shared with
/// [`super::thl_cube`].
pub(super) const AREA_NAMES: [&str; 15] = [
    "area",
    "alue",
    "alueet",
    "region",
    "kunta",
    "municipality",
    "maakunta",
    "maa",
    "country",
    "hyvinvointialue",
    "wellbeingservicescounty",
    "sairaanhoitopiiri",
    "healthcaredistrict",
    "område",
    "kommun",
];
pub(super) const PERIOD_NAMES: [&str; 9] = [
    "year",
    "vuosi",
    "vuodet",
    "time",
    "aika",
    "period",
    "tilastovuosi",
    "vuosineljännes",
    "år",
];
pub(super) const SEX_NAMES: [&str; 4] = ["sex", "sukupuoli", "gender", "kön"];
pub(super) const GROUP_NAMES: [&str; 10] = [
    "grade",
    "luokka",
    "group",
    "ryhmä",
    "age",
    "ikä",
    "ikäryhmä",
    "kouluaste",
    "luokka-aste",
    "årskurs",
];
pub(super) const MEASURE_NAMES: [&str; 8] = [
    "measure",
    "mittari",
    "indicator",
    "indikaattori",
    "tiedot",
    "contentscode",
    "muuttuja",
    "mått",
];

/// The dataset inside THL's `{"dataset": …}` wrapper (or the root, for
/// standard JSON-stat 2.0) and its JSON path prefix.
pub(super) fn dataset_of(root: &Value) -> (&Value, &'static str) {
    match root.get("dataset") {
        Some(d @ Value::Object(_)) => (d, "$.dataset"),
        _ => (root, "$"),
    }
}

/// One dimension: its id, where it sits in the ids, its category codes in
/// index order and their labels.
pub(super) struct Dim {
    pub id: String,
    pub codes: Vec<String>,
    pub labels: BTreeMap<String, String>,
}

/// A JSON-stat dataset's dimensions and non-empty values, checked against
/// each other.
pub(super) struct Cube<'a> {
    pub dims: Vec<Dim>,
    pub values: Values<'a>,
    /// Position of THL's `tiku_vtype` dimension, when present.
    pub vtype: Option<usize>,
}

/// The cells of a cube: coordinates (with the value type set to 0) -> value
/// type (`v`, `ci_lower`, `ci_upper`, `n`) -> (flat index, value).
pub(super) type Cells<'a> = BTreeMap<Vec<usize>, BTreeMap<String, (u64, &'a Value)>>;

/// Reads `dimension`, `id`, `size` and `value` of a dataset (`dataset` is
/// the object inside THL's `{"dataset": …}` wrapper, or the root).
pub(super) fn read_cube<'a>(
    dataset: &'a Value,
    at: &dyn Fn(&str) -> String,
) -> Result<Cube<'a>, FileError> {
    let dimension = dataset
        .get("dimension")
        .and_then(Value::as_object)
        .ok_or_else(|| FileError::new(at(".dimension"), "missing: not a JSON-stat dataset"))?;
    let (ids, sizes) = ids_and_sizes(dataset, dimension, at)?;
    let dims = read_dims(dimension, ids, sizes, at)?;
    // Checked: a product that overflows u64 is named as such, not wrapped.
    let cell_count = dims
        .iter()
        .try_fold(1u64, |acc, d| acc.checked_mul(d.codes.len() as u64))
        .ok_or_else(|| {
            FileError::new(
                at(".size"),
                "the sizes multiply to more than 2^64 cells: wrong JSON-stat sizes",
            )
        })?;
    let values = read_values(dataset.get("value"), cell_count, at)?;
    let vtype = dims.iter().position(|d| d.id == VTYPE);
    Ok(Cube {
        dims,
        values,
        vtype,
    })
}

/// The dataset's dimension ids and sizes, as many of each.
fn ids_and_sizes<'a>(
    dataset: &'a Value,
    dimension: &'a Map<String, Value>,
    at: &dyn Fn(&str) -> String,
) -> Result<(&'a [Value], &'a [Value]), FileError> {
    // THL puts id and size inside `dimension` (JSON-stat 1.x style); the
    // 2.0 standard puts them at the top of the dataset. Accept both.
    let ids = dataset
        .get("id")
        .or_else(|| dimension.get("id"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            FileError::new(
                at(".id"),
                "missing: JSON-stat needs the list of dimension ids",
            )
        })?;
    let sizes = dataset
        .get("size")
        .or_else(|| dimension.get("size"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            FileError::new(
                at(".size"),
                "missing: JSON-stat needs the size of each dimension",
            )
        })?;
    if ids.len() != sizes.len() {
        return Err(FileError::new(
            at(".size"),
            format!(
                "{} dimension ids but {} sizes: the file is inconsistent",
                ids.len(),
                sizes.len()
            ),
        ));
    }
    Ok((ids, sizes))
}

/// Each dimension in id order, checked to have as many categories as its
/// size says.
fn read_dims(
    dimension: &Map<String, Value>,
    ids: &[Value],
    sizes: &[Value],
    at: &dyn Fn(&str) -> String,
) -> Result<Vec<Dim>, FileError> {
    let mut dims = Vec::with_capacity(ids.len());
    for (position, (id, size)) in ids.iter().zip(sizes).enumerate() {
        let id = id.as_str().ok_or_else(|| {
            FileError::new(at(&format!(".id[{position}]")), "dimension id is not text")
        })?;
        let size = size.as_u64().ok_or_else(|| {
            FileError::new(
                at(&format!(".size[{position}]")),
                "size is not a whole number",
            )
        })?;
        let dim = read_dimension(dimension, id, at)?;
        if dim.codes.len() as u64 != size {
            return Err(FileError::new(
                at(&format!(".size[{position}]")),
                format!(
                    "dimension '{id}' has size {size} but {} categories: wrong JSON-stat sizes",
                    dim.codes.len()
                ),
            ));
        }
        dims.push(dim);
    }
    Ok(dims)
}

impl<'a> Cube<'a> {
    /// Groups the flat indices by cell (all dimensions but the value type).
    pub fn cells(&self) -> Cells<'a> {
        let dims = &self.dims;
        // Strides for row-major order: the last dimension varies fastest.
        let mut strides = vec![1u64; dims.len()];
        for i in (0..dims.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * dims[i + 1].codes.len() as u64;
        }
        let mut cells: Cells<'a> = BTreeMap::new();
        for (&index, &value) in &self.values.cells {
            let mut coords = Vec::with_capacity(dims.len());
            let mut rest = index;
            for stride in &strides {
                coords.push((rest / stride) as usize);
                rest %= stride;
            }
            let kind = match self.vtype {
                Some(v) => dims[v].codes[coords[v]].clone(),
                None => "v".to_string(),
            };
            if let Some(v) = self.vtype {
                coords[v] = 0;
            }
            cells
                .entry(coords)
                .or_default()
                .insert(kind, (index, value));
        }
        cells
    }

    /// An unknown value type (neither v, ci_lower, ci_upper nor n) is data
    /// we would otherwise lose without a word.
    pub fn reject_unknown_value_types<T>(
        &self,
        parsed: &mut Parsed<T>,
        at: &dyn Fn(&str) -> String,
    ) {
        if let Some(v) = self.vtype {
            for code in &self.dims[v].codes {
                if !matches!(code.as_str(), "v" | "ci_lower" | "ci_upper" | "n") {
                    parsed.reject(
                        at(&format!(".dimension.{VTYPE}")),
                        VTYPE,
                        format!(
                            "unknown value type '{}': hyte reads v, ci_lower, ci_upper and n",
                            excerpt(code)
                        ),
                    );
                }
            }
        }
    }
}

/// The numbers of one cell by value type; a bad number names its place.
pub(super) fn cell_numbers(
    parts: &BTreeMap<String, (u64, &Value)>,
    values: &Values,
    at: &dyn Fn(&str) -> String,
) -> Result<[Option<f64>; 4], (&'static str, String)> {
    let number = |kind: &'static str| -> Result<Option<f64>, (&'static str, String)> {
        match parts.get(kind) {
            None => Ok(None),
            Some((index, value)) => cell_number(value)
                .map_err(|reason| (kind, format!("{reason} at {}", at(&values.path(*index))))),
        }
    };
    Ok([
        number("v")?,
        number("ci_lower")?,
        number("ci_upper")?,
        number("n")?,
    ])
}

pub fn parse(
    bytes: &[u8],
    file: &str,
    input: &CubeInput,
) -> Result<Parsed<Observation>, FileError> {
    let text = decode_utf8(bytes).map_err(|e| FileError::new(file, e))?;
    let root: Value = serde_json::from_str(text).map_err(|e| {
        FileError::new(
            format!("{file}:{}", e.line()),
            format!("not valid JSON ({e}); is the download complete?"),
        )
    })?;
    let (dataset, prefix) = dataset_of(&root);
    let at = |path: &str| format!("{file}#{prefix}{path}");
    let cube = read_cube(dataset, &at)?;
    let dims = &cube.dims;
    let roles =
        assign_roles(dims, input).map_err(|reason| FileError::new(at(".dimension"), reason))?;

    let cube_name = input.name.clone();
    let mut parsed = Parsed::default();
    let cells = cube.cells();
    parsed.read = cells.len();

    for (coords, parts) in &cells {
        let code = |role: Option<usize>| role.map(|d| dims[d].codes[coords[d]].as_str());
        let first_index = parts.values().map(|(i, _)| *i).min().unwrap_or(0);
        let location = at(&cube.values.path(first_index));
        let row = (|| -> Result<Observation, (&'static str, String)> {
            let area_code = code(roles.area).unwrap_or_default();
            let area = input
                .area_map
                .get(area_code)
                .cloned()
                .unwrap_or_else(|| area_code.to_string());
            let period_code = code(roles.period).unwrap_or_default();
            let period: Period = period_code
                .parse()
                .map_err(|e: crate::period::PeriodError| ("period", format!("category {e}")))?;
            let sex = match roles.sex {
                Some(d) => sex_of(&dims[d], coords[d]).map_err(|e| ("sex", e))?,
                None => Sex::Total,
            };
            let group = code(roles.group).unwrap_or(ALL_GROUPS).to_string();
            let measure = match (&input.measure, code(roles.measure)) {
                (_, Some(m)) => m.to_string(),
                (Some(m), None) => m.clone(),
                (None, None) => String::new(),
            };
            let [value, ci_lower, ci_upper, n] = cell_numbers(parts, &cube.values, &at)?;
            Ok(Observation {
                indicator: cube_key(&cube_name, &measure),
                area,
                period,
                sex,
                group,
                value,
                count: None,
                n,
                ci_lower,
                ci_upper,
                source: location.clone(),
            })
        })();
        match row {
            Ok(observation) => parsed.rows.push(observation),
            Err((field, reason)) => parsed.reject(location.clone(), field, reason),
        }
    }
    cube.reject_unknown_value_types(&mut parsed, &at);
    reject_duplicates(&mut parsed);
    Ok(parsed)
}

fn read_dimension(
    dimension: &Map<String, Value>,
    id: &str,
    at: &dyn Fn(&str) -> String,
) -> Result<Dim, FileError> {
    let path = format!(".dimension.{id}.category");
    let category = dimension
        .get(id)
        .and_then(|d| d.get("category"))
        .and_then(Value::as_object)
        .ok_or_else(|| {
            FileError::new(
                at(&path),
                format!("dimension '{id}' is listed in id but has no category"),
            )
        })?;
    let labels: BTreeMap<String, String> = category
        .get("label")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let codes = match category.get("index") {
        Some(Value::Array(codes)) => codes
            .iter()
            .map(|c| c.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                FileError::new(at(&format!("{path}.index")), "category codes must be text")
            })?,
        Some(Value::Object(index)) => {
            let mut slots: Vec<Option<String>> = vec![None; index.len()];
            for (code, position) in index {
                let slot = position
                    .as_u64()
                    .and_then(|p| slots.get_mut(p as usize))
                    .filter(|s| s.is_none())
                    .ok_or_else(|| {
                        FileError::new(
                            at(&format!("{path}.index.{code}")),
                            format!("position {position} is out of range or used twice"),
                        )
                    })?;
                *slot = Some(code.clone());
            }
            slots.into_iter().flatten().collect()
        }
        // JSON-stat allows a single category with only a label.
        None if labels.len() == 1 => labels.keys().cloned().collect(),
        _ => {
            return Err(FileError::new(
                at(&format!("{path}.index")),
                format!("dimension '{id}' has no category index"),
            ))
        }
    };
    Ok(Dim {
        id: id.to_string(),
        codes,
        labels,
    })
}

#[derive(Debug, Default)]
struct Roles {
    area: Option<usize>,
    period: Option<usize>,
    sex: Option<usize>,
    group: Option<usize>,
    measure: Option<usize>,
}

fn assign_roles(dims: &[Dim], input: &CubeInput) -> Result<Roles, String> {
    let configured = &input.dimensions;
    let find =
        |explicit: &Option<String>, names: &[&str], role: &str| -> Result<Option<usize>, String> {
            match explicit {
                Some(id) => dims
                    .iter()
                    .position(|d| &d.id == id)
                    .map(Some)
                    .ok_or_else(|| {
                        format!(
                        "dimensions.{role} = '{id}' but the file has no such dimension (it has {})",
                        ids(dims)
                    )
                    }),
                None => Ok(dims
                    .iter()
                    .position(|d| names.contains(&d.id.to_lowercase().as_str()))),
            }
        };
    let roles = Roles {
        area: find(&configured.area, &AREA_NAMES, "area")?,
        period: find(&configured.period, &PERIOD_NAMES, "period")?,
        sex: find(&configured.sex, &SEX_NAMES, "sex")?,
        group: find(&configured.group, &GROUP_NAMES, "group")?,
        measure: find(&configured.measure, &MEASURE_NAMES, "measure")?,
    };
    for (role, found) in [("area", roles.area), ("period", roles.period)] {
        if found.is_none() {
            return Err(format!(
                "no dimension for the {role} role among {}: name it in the input's `dimensions = {{ {role} = \"…\" }}`",
                ids(dims)
            ));
        }
    }
    if roles.measure.is_none() && input.measure.is_none() {
        return Err(format!(
            "no measure dimension among {}: name it with `dimensions = {{ measure = \"…\" }}` or give the input a fixed `measure = \"…\"`",
            ids(dims)
        ));
    }
    let used = [
        roles.area,
        roles.period,
        roles.sex,
        roles.group,
        roles.measure,
    ];
    for (position, dim) in dims.iter().enumerate() {
        if dim.id != VTYPE && !used.contains(&Some(position)) && dim.codes.len() > 1 {
            return Err(format!(
                "dimension '{}' has {} categories and no role: name it in `dimensions = {{ group = \"{}\" }}` or filter the cube to one category",
                dim.id,
                dim.codes.len(),
                dim.id
            ));
        }
    }
    Ok(roles)
}

fn ids(dims: &[Dim]) -> String {
    dims.iter()
        .map(|d| d.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sex from a category code or, failing that, its label.
fn sex_of(dim: &Dim, position: usize) -> Result<Sex, String> {
    let code = &dim.codes[position];
    let label = dim.labels.get(code).map(String::as_str).unwrap_or_default();
    Sex::recognise(code)
        .or_else(|| Sex::recognise(label))
        .ok_or_else(|| {
            format!(
                "category '{}' ('{}') is not a sex hyte knows: use codes total, female, male or not_reported",
                excerpt(code),
                excerpt(label)
            )
        })
}

/// The non-empty values, by flat index, and how to name their place.
pub(super) struct Values<'a> {
    cells: BTreeMap<u64, &'a Value>,
    dense: bool,
}

impl Values<'_> {
    /// The number at a flat index; `None` when the cell is empty.
    pub fn number_at(&self, index: u64) -> Result<Option<f64>, String> {
        self.cells.get(&index).map_or(Ok(None), |v| cell_number(v))
    }

    pub fn path(&self, index: u64) -> String {
        if self.dense {
            format!(".value[{index}]")
        } else {
            format!(".value[\"{index}\"]")
        }
    }
}

fn read_values<'a>(
    value: Option<&'a Value>,
    cell_count: u64,
    at: &dyn Fn(&str) -> String,
) -> Result<Values<'a>, FileError> {
    let mut cells = BTreeMap::new();
    match value {
        Some(Value::Array(items)) => {
            // `[]` is THL's cube with no data; otherwise a dense array.
            if !items.is_empty() && items.len() as u64 != cell_count {
                return Err(FileError::new(
                    at(".value"),
                    format!(
                        "{} values but the sizes multiply to {cell_count}: wrong JSON-stat sizes or a truncated file",
                        items.len()
                    ),
                ));
            }
            for (index, item) in items.iter().enumerate() {
                if !item.is_null() {
                    cells.insert(index as u64, item);
                }
            }
            Ok(Values { cells, dense: true })
        }
        Some(Value::Object(items)) => {
            for (key, item) in items {
                let index = key
                    .parse::<u64>()
                    .ok()
                    .filter(|i| *i < cell_count)
                    .ok_or_else(|| {
                        FileError::new(
                            at(&format!(".value[\"{key}\"]")),
                            format!(
                                "cell index '{}' is outside 0..{cell_count}: wrong JSON-stat sizes",
                                excerpt(key)
                            ),
                        )
                    })?;
                if !item.is_null() {
                    cells.insert(index, item);
                }
            }
            Ok(Values {
                cells,
                dense: false,
            })
        }
        _ => Err(FileError::new(
            at(".value"),
            "missing: JSON-stat needs a value array or object",
        )),
    }
}

fn cell_number(value: &Value) -> Result<Option<f64>, String> {
    match value {
        Value::Number(n) => n
            .as_f64()
            .filter(|v| v.is_finite())
            // `+ 0.0`: a JSON -0 is 0, as in `parse_number`.
            .map(|v| Some(v + 0.0))
            .ok_or_else(|| format!("{n} is not finite")),
        // THL marks an empty cell as absent; some exports write ".." or "".
        Value::String(s) if s.trim().is_empty() || s.trim() == ".." => Ok(None),
        Value::String(s) => parse_number(s).map(Some),
        other => Err(format!("{} is not a number", excerpt(&other.to_string()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(area_map: &[(&str, &str)]) -> CubeInput {
        CubeInput {
            name: "ktk".into(),
            area_map: area_map
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            ..CubeInput::default()
        }
    }

    /// THL style: wrapper, id/size inside dimension, sparse string values.
    const THL: &str = r#"{"dataset": {"version": "2.0", "class": "dataset", "label": "KTK",
      "dimension": {"id": ["area", "year", "sex", "measure", "tiku_vtype"], "size": [2, 1, 2, 1, 4],
        "area": {"category": {"index": {"444": 0, "358": 1}, "label": {"444": "Lohja", "358": "Koko maa"}}},
        "year": {"category": {"index": {"2023": 0}}},
        "sex": {"category": {"index": {"1": 0, "2": 1}, "label": {"1": "Pojat", "2": "Tytöt"}}},
        "measure": {"category": {"index": {"bullied_weekly": 0}}},
        "tiku_vtype": {"category": {"index": {"v": 0, "ci_lower": 1, "ci_upper": 2, "n": 3}}}},
      "value": {"0": "12.3", "1": "10.1", "2": "14,6", "3": "412", "7": "25", "8": "7,9"}}}"#;

    #[test]
    fn reads_thl_cube_with_ci_and_n() {
        let parsed = parse(
            THL.as_bytes(),
            "cube.json",
            &input(&[("444", "kunta.444"), ("358", "maa.358")]),
        )
        .unwrap();
        assert!(parsed.rejections.is_empty(), "{:?}", parsed.rejections);
        assert_eq!(parsed.read, 3);
        let boys = &parsed.rows[0];
        assert_eq!(boys.indicator, "cube:ktk:bullied_weekly");
        assert_eq!((boys.area.as_str(), boys.sex), ("kunta.444", Sex::Male));
        assert_eq!(
            (boys.value, boys.ci_lower, boys.ci_upper, boys.n),
            (Some(12.3), Some(10.1), Some(14.6), Some(412.0))
        );
        assert_eq!(boys.source, "cube.json#$.dataset.value[\"0\"]");
        // Only n published: a suppressed value, not a zero.
        let girls = &parsed.rows[1];
        assert_eq!(
            (girls.sex, girls.value, girls.n),
            (Sex::Female, None, Some(25.0))
        );
        // Cell 2 (area 358, boys): only the value, with a decimal comma.
        assert_eq!(
            (parsed.rows[2].area.as_str(), parsed.rows[2].value),
            ("maa.358", Some(7.9))
        );
    }

    #[test]
    fn empty_cube_has_no_rows() {
        let text = THL.replace(
            r#"{"0": "12.3", "1": "10.1", "2": "14,6", "3": "412", "7": "25", "8": "7,9"}"#,
            "[]",
        );
        let parsed = parse(text.as_bytes(), "cube.json", &input(&[])).unwrap();
        assert_eq!((parsed.rows.len(), parsed.read), (0, 0));
    }

    #[test]
    fn wrong_sizes_are_located() {
        let text = THL.replace("\"size\": [2, 1, 2, 1, 4]", "\"size\": [3, 1, 2, 1, 4]");
        let err = parse(text.as_bytes(), "cube.json", &input(&[])).unwrap_err();
        assert_eq!(err.location, "cube.json#$.dataset.size[0]");
        assert!(err.reason.contains("wrong JSON-stat sizes"), "{err}");
        let text = THL.replace("\"8\": \"7,9\"", "\"99\": \"7,9\"");
        let err = parse(text.as_bytes(), "cube.json", &input(&[])).unwrap_err();
        assert_eq!(err.location, "cube.json#$.dataset.value[\"99\"]");
    }

    #[test]
    fn bad_value_rejects_its_cell_only() {
        let text = THL.replace("\"10.1\"", "\"ten\"");
        let parsed = parse(text.as_bytes(), "cube.json", &input(&[])).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        let got = parsed.rejections[0].to_string();
        assert!(
            got.contains("field 'ci_lower'")
                && got.contains("value[\"1\"]")
                && got.contains("'ten' is not a number"),
            "{got}"
        );
    }

    /// Standard JSON-stat 2.0 as PxWeb returns it: top-level id/size, dense
    /// numeric values with nulls, index as an object.
    #[test]
    fn reads_standard_jsonstat_2() {
        let text = r#"{"version":"2.0","class":"dataset","label":"Population",
          "id":["Alue","Vuosi","Tiedot"],"size":[1,2,1],
          "dimension":{"Alue":{"category":{"index":{"444":0},"label":{"444":"Lohja"}}},
                       "Vuosi":{"category":{"index":["2022","2023"]}},
                       "Tiedot":{"category":{"index":{"vaesto":0},"label":{"vaesto":"Väestö"}}}},
          "value":[46000,null]}"#;
        let parsed = parse(text.as_bytes(), "px.json", &input(&[("444", "kunta.444")])).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        let row = &parsed.rows[0];
        assert_eq!(
            (row.indicator.as_str(), row.area.as_str(), row.value),
            ("cube:ktk:vaesto", "kunta.444", Some(46000.0))
        );
        assert_eq!(row.source, "px.json#$.value[0]");
        let short = text.replace("[46000,null]", "[46000]");
        let err = parse(short.as_bytes(), "px.json", &input(&[])).unwrap_err();
        assert!(err.reason.contains("sizes multiply to 2"), "{err}");
    }

    #[test]
    fn unassigned_dimension_is_explained() {
        let text = THL.replace("\"sex\"", "\"gizmo\"");
        let err = parse(text.as_bytes(), "cube.json", &input(&[])).unwrap_err();
        assert!(
            err.reason
                .contains("dimension 'gizmo' has 2 categories and no role"),
            "{err}"
        );
    }
}
