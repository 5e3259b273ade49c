//! THL open data cubes as the cube service serves them: `fact_X.json`
//! (JSON-stat), `fact_X.js` (the same as JSONP) and `fact_X.csv`.
//!
//! In: the fact file and, optionally, its companion dimension tree
//! `fact_X.dimensions.json` ([`super::thl_dimensions`]). Category keys in a
//! fact file are THL's **surrogate ids** (`"445222"`), never codes: the
//! tree gives each key its `code` and `stage`. Without the tree, the labels
//! are all there is: a year label is the year, and area, sex, group and
//! measure labels are mapped by the input's `labels` tables.
//! Out: one observation per cell, source key `cube:CUBE:MEASURE`.
//!
//! How each role is resolved (docs/FORMATS.md §THL cubes):
//! - area: with the tree, `(stage, code)` → `kunta.444`, `maakunta.01`,
//!   `maa.358`, the way Sotkanet regions are keyed; `labels.area` may
//!   override by area key, code or label. Without it, `labels.area` by label.
//! - period: the node's code (tree) or the label: a year.
//! - sex: `labels.sex` by label or code, else recognised from the label
//!   ("Tytöt", "Pojat", "Sukupuoli yhteensä", "Ei tiedossa" …). THL's
//!   "sex not reported" category becomes `not_reported`, its own group.
//! - group: `labels.group` by label or code, else the node's code (tree).
//! - measure: the node's `code` (tree), else the surrogate id itself;
//!   `labels.measure` may map a label to the catalog's measure code. Code
//!   first because the code is the measure's identity in THL's source
//!   tables, while surrogate ids are numbers the server assigns when it
//!   loads a cube.
//!
//! Guarantees: a category that cannot be resolved is rejected once, naming
//! the dimension, the label and the number of cells it holds, with the fix;
//! a fact key missing from the dimension file fails the file, naming both
//! files; the CSV export has no confidence limits and no n, and the file's
//! report says so.

use std::collections::BTreeMap;

use super::jsonstat::{
    cell_numbers, dataset_of, read_cube, Cube, AREA_NAMES, GROUP_NAMES, MEASURE_NAMES,
    PERIOD_NAMES, SEX_NAMES, VTYPE,
};
use super::thl_dimensions::DimensionTree;
use super::thl_json::{parse_lenient, strip_jsonp};
use super::{reject_duplicates, FileError, Parsed};
use crate::catalog::cube_key;
use crate::config::{CubeInput, DimensionRoles, LabelMaps};
use crate::observation::{Observation, Sex, ALL_GROUPS};
use crate::period::Period;
use crate::text::{decode_utf8, excerpt, parse_number};

/// Said in the file's report when the fact file is the CSV export.
pub const CSV_HAS_NO_N: &str = "THL cube CSV: the export carries no confidence limits and no n, so survey results from it have none; download fact_X.json with `ci` and `n` for them";

/// One category of a dimension, with what the dimension tree says of it.
#[derive(Debug, Clone)]
struct Category {
    /// The key in the fact file: a surrogate id (JSON) or a code or label (CSV).
    key: String,
    label: String,
    code: Option<String>,
    stage: Option<String>,
}

/// One dimension of the fact file.
#[derive(Debug)]
struct CubeDim {
    /// The cube's own dimension id (JSON) or its label (CSV header).
    id: String,
    /// The dimension's label from the tree, when there is one.
    label: String,
    categories: Vec<Category>,
}

/// Which dimension plays which role (positions into the dimensions).
#[derive(Debug, Default, Clone, Copy)]
struct Roles {
    area: Option<usize>,
    period: Option<usize>,
    sex: Option<usize>,
    group: Option<usize>,
    measure: Option<usize>,
}

/// Which of the service's shapes a fact file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `fact_X.json`, or `fact_X.js` (the same wrapped as JSONP).
    JsonStat,
    /// `fact_X.csv`: values only.
    Csv,
}

/// Reads a fact file in any of its three shapes, recognised by content.
pub fn parse(
    bytes: &[u8],
    file: &str,
    input: &CubeInput,
    tree: Option<&DimensionTree>,
) -> Result<(Parsed<Observation>, Shape), FileError> {
    let text = decode_utf8(bytes).map_err(|e| FileError::new(file, e))?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with("thl.pivot.fromJsonStat") {
        Ok((parse_json(text, file, input, tree)?, Shape::JsonStat))
    } else {
        Ok((
            super::thl_cube_csv::parse(text, file, input, tree)?,
            Shape::Csv,
        ))
    }
}

fn parse_json(
    text: &str,
    file: &str,
    input: &CubeInput,
    tree: Option<&DimensionTree>,
) -> Result<Parsed<Observation>, FileError> {
    let body = strip_jsonp(text, "thl.pivot.fromJsonStat");
    let root = parse_lenient(body).map_err(|e| {
        FileError::new(
            format!("{file}:{}", e.line()),
            format!("not valid JSON ({e}); is the download complete?"),
        )
    })?;
    let (dataset, prefix) = dataset_of(&root);
    let at = |path: &str| format!("{file}#{prefix}{path}");
    let cube = read_cube(dataset, &at)?;
    let dims =
        cube_dims(&cube, tree, file).map_err(|(path, reason)| FileError::new(at(&path), reason))?;
    let roles = assign_roles(
        &dims,
        &input.dimensions,
        input.measure.is_some(),
        cube.vtype,
    )
    .map_err(|reason| FileError::new(at(".dimension"), reason))?;
    let resolved = Resolved::new(&dims, &roles, input, tree.is_some());

    let mut parsed = Parsed::default();
    let cells = cube.cells();
    parsed.read = cells.len();
    let mut unresolved = Unresolved::default();
    for (coords, parts) in &cells {
        let first_index = parts.values().map(|(i, _)| *i).min().unwrap_or(0);
        let location = at(&cube.values.path(first_index));
        let Some(key) = resolved.cell(coords, &mut unresolved) else {
            continue;
        };
        match cell_numbers(parts, &cube.values, &at) {
            Ok([value, ci_lower, ci_upper, n]) => parsed.rows.push(Observation {
                value,
                n,
                ci_lower,
                ci_upper,
                source: location,
                ..key
            }),
            Err((field, reason)) => parsed.reject(location, field, reason),
        }
    }
    unresolved.report(&dims, &at(".dimension"), &mut parsed);
    cube.reject_unknown_value_types(&mut parsed, &at);
    reject_duplicates(&mut parsed);
    Ok(parsed)
}

/// The fact file's dimensions with their categories resolved through the
/// tree. `Err` is (JSON path, reason).
fn cube_dims(
    cube: &Cube,
    tree: Option<&DimensionTree>,
    fact_file: &str,
) -> Result<Vec<CubeDim>, (String, String)> {
    let mut out = Vec::with_capacity(cube.dims.len());
    for dim in &cube.dims {
        let mut categories: Vec<Category> = dim
            .codes
            .iter()
            .map(|key| Category {
                key: key.clone(),
                label: dim.labels.get(key).cloned().unwrap_or_default(),
                code: None,
                stage: None,
            })
            .collect();
        let mut label = String::new();
        if let (Some(tree), false) = (tree, dim.id == VTYPE) {
            let path = format!(".dimension.{}.category.index", dim.id);
            let tree_dim = tree.dimension(&dim.id).ok_or_else(|| {
                (
                    path.clone(),
                    format!(
                        "dimension '{}' is not in the dimension file {} (it has {}): download the dimension file of the same cube",
                        dim.id, tree.file, tree.ids()
                    ),
                )
            })?;
            let keys: Vec<&str> = dim.codes.iter().map(String::as_str).collect();
            let kind = tree_dim.key_kind(&keys).map_err(|missing| {
                (
                    format!("{path}.{missing}"),
                    format!(
                        "category '{}' ('{}') of dimension '{}' is in {fact_file} but not in the dimension file {}: download both files of the same cube at the same time",
                        excerpt(missing),
                        excerpt(dim.labels.get(missing).map_or("", String::as_str)),
                        dim.id,
                        tree.file
                    ),
                )
            })?;
            for category in &mut categories {
                if let Some(node) = tree_dim.node(&category.key, kind) {
                    category.code = node.code.clone();
                    category.stage = Some(node.stage.clone());
                    if category.label.is_empty() {
                        category.label = node.label.clone();
                    }
                }
            }
            label = tree_dim.label.clone();
        }
        out.push(CubeDim {
            id: dim.id.clone(),
            label,
            categories,
        });
    }
    Ok(out)
}

/// Whether a dimension's id, label or the stages of its categories name a role.
fn names_role(dim: &CubeDim, words: &[&str]) -> bool {
    let id = dim.id.to_lowercase();
    let label = dim.label.to_lowercase();
    let base = id.trim_end_matches(|c: char| c.is_ascii_digit());
    words.contains(&base)
        || words.contains(&label.as_str())
        || (!dim.categories.is_empty()
            && dim.categories.iter().any(|c| {
                c.stage
                    .as_deref()
                    .is_some_and(|s| words.contains(&s.to_lowercase().as_str()))
            })
            && !dim.categories.iter().any(|c| c.stage.is_none()))
}

/// Decides which dimension plays which role: the configured `dimensions`
/// first, then the dimensions' names, a sex dimension by its labels, and the
/// one dimension left with several categories as the group. `Err` says which
/// role could not be placed and how to name it.
fn assign_roles(
    dims: &[CubeDim],
    configured: &DimensionRoles,
    fixed_measure: bool,
    vtype: Option<usize>,
) -> Result<Roles, String> {
    let finder = RoleFinder { dims, vtype };
    let mut roles = Roles {
        area: finder.find(&configured.area, &AREA_NAMES, "area")?,
        period: finder.find(&configured.period, &PERIOD_NAMES, "period")?,
        sex: finder.find(&configured.sex, &SEX_NAMES, "sex")?,
        group: finder.find(&configured.group, &GROUP_NAMES, "group")?,
        measure: finder.find(&configured.measure, &MEASURE_NAMES, "measure")?,
    };
    // A sex dimension is also recognised by its categories' labels.
    if roles.sex.is_none() && configured.sex.is_none() {
        roles.sex = finder.sex_by_labels(&roles);
    }
    finder.require(&roles, fixed_measure)?;
    match (finder.unassigned(&roles).as_slice(), roles.group) {
        ([], _) => {}
        // The one dimension left with several categories is the group
        // (school level, age): unambiguous.
        ([one], None) if configured.group.is_none() => roles.group = Some(*one),
        ([first, ..], _) => return Err(finder.no_role(*first)),
    }
    Ok(roles)
}

/// The dimensions [`assign_roles`] chooses among, the value-type dimension
/// (never a role) set aside.
struct RoleFinder<'a> {
    dims: &'a [CubeDim],
    vtype: Option<usize>,
}

impl RoleFinder<'_> {
    /// The dimensions' ids, for messages: `"a, b, c"`.
    fn ids(&self) -> String {
        self.dims
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The dimension for one role: the configured one (by id or label), else
    /// the one whose names say `words`, `None` when none does. `Err` when
    /// the configured one is not there or several dimensions could be it.
    fn find(
        &self,
        explicit: &Option<String>,
        words: &[&str],
        role: &str,
    ) -> Result<Option<usize>, String> {
        let dims = self.dims;
        if let Some(id) = explicit {
            return dims
                .iter()
                .position(|d| &d.id == id || (!d.label.is_empty() && &d.label == id))
                .map(Some)
                .ok_or_else(|| {
                    format!(
                        "dimensions.{role} = '{id}' but the file has no such dimension (it has {})",
                        self.ids()
                    )
                });
        }
        let candidates: Vec<usize> = (0..dims.len())
            .filter(|&i| Some(i) != self.vtype && names_role(&dims[i], words))
            .collect();
        match candidates.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => Err(format!(
                "dimensions {} could each be the {role}: name the right one with `dimensions = {{ {role} = \"…\" }}`",
                many.iter().map(|&i| format!("'{}'", dims[i].id)).collect::<Vec<_>>().join(" and ")
            )),
        }
    }

    /// The only dimension without a role (sex aside) whose categories, more
    /// than one, are all recognised as sexes; `None` unless exactly one is.
    fn sex_by_labels(&self, roles: &Roles) -> Option<usize> {
        let used = [roles.area, roles.period, roles.group, roles.measure];
        let by_labels: Vec<usize> = (0..self.dims.len())
            .filter(|&i| {
                Some(i) != self.vtype
                    && !used.contains(&Some(i))
                    && self.dims[i].categories.len() > 1
                    && self.dims[i]
                        .categories
                        .iter()
                        .all(|c| Sex::recognise(&c.label).is_some())
            })
            .collect();
        match by_labels.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// `Err` when the area or the period has no dimension, or the measure
    /// has none and the input gives no fixed measure.
    fn require(&self, roles: &Roles, fixed_measure: bool) -> Result<(), String> {
        for (role, found) in [("area", roles.area), ("period", roles.period)] {
            if found.is_none() {
                return Err(format!(
                    "no dimension for the {role} role among {}: name it in the input's `dimensions = {{ {role} = \"…\" }}`",
                    self.ids()
                ));
            }
        }
        if roles.measure.is_none() && !fixed_measure {
            return Err(format!(
                "no measure dimension among {}: name it with `dimensions = {{ measure = \"…\" }}` or give the input a fixed `measure = \"…\"`",
                self.ids()
            ));
        }
        Ok(())
    }

    /// The dimensions with several categories and no role.
    fn unassigned(&self, roles: &Roles) -> Vec<usize> {
        let used = [
            roles.area,
            roles.period,
            roles.sex,
            roles.group,
            roles.measure,
        ];
        (0..self.dims.len())
            .filter(|&i| {
                Some(i) != self.vtype
                    && !used.contains(&Some(i))
                    && self.dims[i].categories.len() > 1
            })
            .collect()
    }

    /// The error for a dimension with several categories left without a role.
    fn no_role(&self, position: usize) -> String {
        let dim = &self.dims[position];
        format!(
            "dimension '{}' has {} categories and no role: name it in `dimensions = {{ group = \"{}\" }}` or filter the cube to one category",
            dim.id,
            dim.categories.len(),
            dim.id
        )
    }
}

/// The Sotkanet-style area key prefix for a THL stage.
fn area_prefix(stage: &str) -> String {
    let stage = stage.to_lowercase();
    match stage.as_str() {
        "municipality" | "kunta" | "kommun" => "kunta".into(),
        "region" | "maakunta" | "landskap" => "maakunta".into(),
        "country" | "maa" | "koko maa" | "land" => "maa".into(),
        "wellbeingservicescounty" | "hyvinvointialue" | "hva" | "välfärdsområde" => {
            "hyvinvointialue".into()
        }
        "healthcaredistrict" | "sairaanhoitopiiri" | "shp" => "sairaanhoitopiiri".into(),
        _ => stage,
    }
}

/// What a cell's categories mean, computed once per category.
struct Resolved {
    /// Per dimension position: per category, the resolved part or why not.
    area: Vec<Result<String, String>>,
    period: Vec<Result<Period, String>>,
    sex: Vec<Result<Sex, String>>,
    group: Vec<Result<String, String>>,
    measure: Vec<Result<String, String>>,
    roles: Roles,
    cube: String,
    fixed_measure: Option<String>,
}

/// Categories that could not be resolved, with the number of cells each held.
#[derive(Default)]
struct Unresolved {
    /// (dimension position, category position) -> (reason, cells).
    by_category: BTreeMap<(usize, usize), (String, usize)>,
}

impl Unresolved {
    fn report(self, dims: &[CubeDim], location: &str, parsed: &mut Parsed<Observation>) {
        for ((d, _), (reason, cells)) in self.by_category {
            parsed.reject(
                location.to_string(),
                &dims[d].id,
                format!(
                    "{reason}; {cells} cell{} not read",
                    if cells == 1 { "" } else { "s" }
                ),
            );
        }
    }
}

impl Resolved {
    /// Resolves every category of each role's dimension once: its area key,
    /// period, sex, group and measure, or why it cannot be.
    fn new(dims: &[CubeDim], roles: &Roles, input: &CubeInput, has_tree: bool) -> Self {
        let labels = &input.labels;
        let no_tree_hint = if has_tree {
            ""
        } else {
            " (without the cube's dimension file, labels are all hyte has: give `dimension_file = \"fact_X.dimensions.json\"` to use THL's codes)"
        };
        Resolved {
            area: per_category(dims, roles.area, |c, dim| {
                resolve_area(c, input, dim, no_tree_hint)
            }),
            period: per_category(dims, roles.period, resolve_period),
            sex: per_category(dims, roles.sex, |c, dim| resolve_sex(c, labels, dim)),
            group: per_category(dims, roles.group, |c, dim| {
                resolve_group(c, labels, dim, no_tree_hint)
            }),
            measure: per_category(dims, roles.measure, |c, _| {
                Ok(mapped(&labels.measure, c, None)
                    .or_else(|| c.code.clone())
                    .unwrap_or_else(|| c.key.clone()))
            }),
            roles: *roles,
            cube: input.name.clone(),
            fixed_measure: input.measure.clone(),
        }
    }

    /// The observation's key fields for a cell, or `None` (recorded in
    /// `unresolved`) when one of its categories cannot be resolved.
    fn cell(&self, coords: &[usize], unresolved: &mut Unresolved) -> Option<Observation> {
        // Every role is looked at before giving up, so that each category
        // that cannot be resolved is counted.
        let area = part(self.roles.area, &self.area, coords, unresolved);
        let period = part(self.roles.period, &self.period, coords, unresolved);
        let sex = part(self.roles.sex, &self.sex, coords, unresolved);
        let group = part(self.roles.group, &self.group, coords, unresolved);
        let measure = part(self.roles.measure, &self.measure, coords, unresolved);
        let (Ok(area), Ok(period), Ok(sex), Ok(group), Ok(measure)) =
            (area, period, sex, group, measure)
        else {
            return None;
        };
        let measure = measure
            .or_else(|| self.fixed_measure.clone())
            .unwrap_or_default();
        Some(Observation {
            indicator: cube_key(&self.cube, &measure),
            area: area?,
            period: period?,
            sex: sex.unwrap_or(Sex::Total),
            group: group.unwrap_or_else(|| ALL_GROUPS.to_string()),
            value: None,
            count: None,
            n: None,
            ci_lower: None,
            ci_upper: None,
            source: String::new(),
        })
    }
}

/// `resolve` applied to each category of the role's dimension, with the
/// dimension's id; empty when the cube has no dimension for the role.
fn per_category<T>(
    dims: &[CubeDim],
    role: Option<usize>,
    resolve: impl Fn(&Category, &str) -> Result<T, String>,
) -> Vec<Result<T, String>> {
    let Some(d) = role else {
        return Vec::new();
    };
    let dim = &dims[d];
    dim.categories.iter().map(|c| resolve(c, &dim.id)).collect()
}

/// A category's entry in a `labels` map: by the key derived from the tree,
/// its code, its label or its key in the fact file, in that order.
fn mapped(map: &BTreeMap<String, String>, c: &Category, derived: Option<&str>) -> Option<String> {
    derived
        .and_then(|k| map.get(k))
        .or_else(|| c.code.as_ref().and_then(|k| map.get(k)))
        .or_else(|| map.get(&c.label))
        .or_else(|| map.get(&c.key))
        .cloned()
}

/// An area category's area key: the input's `area_map`, then `labels.area`,
/// then the key derived from the node's stage and code.
fn resolve_area(
    c: &Category,
    input: &CubeInput,
    area_dim: &str,
    no_tree_hint: &str,
) -> Result<String, String> {
    let derived = match (&c.stage, &c.code) {
        (Some(stage), Some(code)) => Some(format!("{}.{code}", area_prefix(stage))),
        _ => None,
    };
    mapped(&input.area_map, c, derived.as_deref())
        .or_else(|| mapped(&input.labels.area, c, derived.as_deref()))
        .or(derived)
        .ok_or_else(|| {
            format!(
                "area '{}' of dimension '{area_dim}' is not mapped to an area: add `labels.area = {{ \"{}\" = \"kunta.NNN\" }}` to the input{no_tree_hint}",
                excerpt(&c.label),
                excerpt(&c.label)
            )
        })
}

/// A period category's period: the node's code, else its label.
fn resolve_period(c: &Category, period_dim: &str) -> Result<Period, String> {
    let text = c.code.as_deref().unwrap_or(c.label.trim());
    text.parse::<Period>().map_err(|_| {
        format!(
            "period '{}' of dimension '{period_dim}' is not a year or quarter: filter the cube to single years",
            excerpt(if c.label.is_empty() { text } else { &c.label })
        )
    })
}

/// A sex category's sex: `labels.sex` by label or code, else recognised
/// from the label or the code.
fn resolve_sex(c: &Category, labels: &LabelMaps, sex_dim: &str) -> Result<Sex, String> {
    let configured = labels
        .sex
        .get(&c.label)
        .or_else(|| c.code.as_ref().and_then(|k| labels.sex.get(k)))
        .copied();
    configured
        .or_else(|| Sex::recognise(&c.label))
        .or_else(|| c.code.as_deref().and_then(Sex::recognise))
        .ok_or_else(|| {
            format!(
                "sex category '{}' of dimension '{sex_dim}' is not recognised: add `labels.sex = {{ \"{}\" = \"female\" }}` (female, male, total or not_reported) to the input",
                excerpt(&c.label),
                excerpt(&c.label)
            )
        })
}

/// A group category's group: `labels.group`, else the node's code.
fn resolve_group(
    c: &Category,
    labels: &LabelMaps,
    group_dim: &str,
    no_tree_hint: &str,
) -> Result<String, String> {
    mapped(&labels.group, c, None).or_else(|| c.code.clone()).ok_or_else(|| {
        format!(
            "group '{}' of dimension '{group_dim}' is not mapped: add `labels.group = {{ \"{}\" = \"8-9\" }}` to the input{no_tree_hint}",
            excerpt(&c.label),
            excerpt(&c.label)
        )
    })
}

/// A cell's resolved category for one role: `Ok(None)` when the cube has no
/// dimension for the role, `Err` (recorded in `unresolved`) when the
/// category cannot be resolved.
fn part<T: Clone>(
    role: Option<usize>,
    table: &[Result<T, String>],
    coords: &[usize],
    unresolved: &mut Unresolved,
) -> Result<Option<T>, ()> {
    let Some(d) = role else {
        return Ok(None);
    };
    match &table[coords[d]] {
        Ok(v) => Ok(Some(v.clone())),
        Err(reason) => {
            note(unresolved, d, coords[d], reason);
            Err(())
        }
    }
}

fn note(unresolved: &mut Unresolved, dim: usize, category: usize, reason: &str) {
    unresolved
        .by_category
        .entry((dim, category))
        .or_insert_with(|| (reason.to_string(), 0))
        .1 += 1;
}

/// The CSV reader's view of this module: resolve (dimension, categories)
/// pairs it collected the same way as the JSON's.
pub(super) mod shared {
    use super::*;

    /// One CSV dimension: its header label and, per category, (code, label).
    pub struct CsvDim {
        pub header: String,
        pub categories: Vec<(Option<String>, String)>,
    }

    /// Resolves the categories of CSV dimensions once, gives each row's
    /// observation key and counts the categories it could not resolve.
    pub struct CsvResolver {
        dims: Vec<CubeDim>,
        resolved: Resolved,
        unresolved: Unresolved,
    }

    impl CsvResolver {
        pub fn new(
            csv_dims: Vec<CsvDim>,
            input: &CubeInput,
            tree: Option<&DimensionTree>,
        ) -> Result<Self, String> {
            let mut dims = Vec::with_capacity(csv_dims.len());
            for csv_dim in csv_dims {
                let tree_dim = tree.and_then(|t| t.dimension_by_label(&csv_dim.header));
                let categories = csv_dim
                    .categories
                    .into_iter()
                    .map(|(code, label)| {
                        // The CSV gives codes (with `sc`) and labels, never
                        // surrogate ids: find the node by code and label.
                        let node = tree_dim.and_then(|t| {
                            t.nodes.iter().find(|n| {
                                n.label == label
                                    && (code.is_none() || n.code.as_deref() == code.as_deref())
                            })
                        });
                        Category {
                            key: code.clone().unwrap_or_else(|| label.clone()),
                            code: code.or_else(|| node.and_then(|n| n.code.clone())),
                            stage: node.map(|n| n.stage.clone()),
                            label,
                        }
                    })
                    .collect();
                dims.push(CubeDim {
                    id: tree_dim.map_or_else(|| csv_dim.header.clone(), |t| t.id.clone()),
                    label: csv_dim.header,
                    categories,
                });
            }
            let roles = assign_roles(&dims, &input.dimensions, input.measure.is_some(), None)?;
            let resolved = Resolved::new(&dims, &roles, input, tree.is_some());
            Ok(CsvResolver {
                dims,
                resolved,
                unresolved: Unresolved::default(),
            })
        }

        /// The observation key of a row whose categories are at `coords`.
        pub fn cell(&mut self, coords: &[usize]) -> Option<Observation> {
            self.resolved.cell(coords, &mut self.unresolved)
        }

        /// Records the unresolved categories as rejections.
        pub fn report(self, location: &str, parsed: &mut Parsed<Observation>) {
            self.unresolved.report(&self.dims, location, parsed);
        }
    }

    /// A CSV value: empty is unpublished, otherwise a number.
    pub fn csv_value(text: &str) -> Result<Option<f64>, String> {
        let text = text.trim();
        if text.is_empty() || text == ".." {
            Ok(None)
        } else {
            parse_number(text).map(Some)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn parse(
        bytes: &[u8],
        file: &str,
        input: &CubeInput,
        tree: Option<&DimensionTree>,
    ) -> Result<Parsed<Observation>, FileError> {
        super::parse(bytes, file, input, tree).map(|(parsed, shape)| {
            assert_eq!(shape, Shape::JsonStat);
            parsed
        })
    }
    use crate::ingest::thl_dimensions;

    pub(crate) fn input(labels: LabelMaps) -> CubeInput {
        CubeInput {
            name: "ktk".into(),
            labels,
            ..CubeInput::default()
        }
    }

    /// A fact file in the served shape: surrogate-id keys, Finnish labels,
    /// `tiku_vtype`, a "sex not reported" category, sparse string values.
    /// Values are made up; the shape is THL's (JsonStatExporter).
    pub(crate) const FACT: &str = r#"{
"dataset": {
"version": "2.0",
"class": "dataset",
"label": "Kouluterveyskysely",
"dimension": {
"id": ["alue","vuosi","sukupuoli","luokka","measure","tiku_vtype"],
"size": [2,1,3,1,1,4]
,
"alue" : {
"category": {
"index": {
"445300": 0,
"445222": 1},
"label": {
"445300": "Lohja",
"445222": "Koko maa"}
}
},
"vuosi" : {"category": {"index": {"500023": 0}, "label": {"500023": "2023"}}},
"sukupuoli" : {"category": {"index": {"600001": 0, "600002": 1, "600009": 2}, "label": {"600001": "Pojat", "600002": "Tytöt", "600009": "Sukupuoli ei tiedossa"}}},
"luokka" : {"category": {"index": {"700089": 0}, "label": {"700089": "8. ja 9. lk"}}},
"measure" : {"category": {"index": {"800101": 0}, "label": {"800101": "Koulukiusattu vähintään kerran viikossa, %"}}}
,"tiku_vtype": { "category": { "index": { "v": 0, "ci_lower": 1, "ci_upper": 2, "n": 3 } } }
},
"value": {
"0": "7,9","1": "6.1","2": "9.7","3": "412",
"4": "6.5","5": "4.9","6": "8.1","7": "398",
"8": "12.0","9": "5.1","10": "18.9","11": "25",
"12": "7.1","13": "7.0","14": "7.2","15": "45210"
}
}
}"#;

    pub(crate) const TREE: &str = r#"thl.pivot.loadDimensions(
[
{"id":"alue","label":"Alue","children": [
 {"id":"1","sid":"445222","label":"Koko maa","stage":"maa","code":"358","sort":1,"children": [
  {"id":"2","sid":"445193","label":"Uusimaa","stage":"maakunta","code":"01","sort":2,"children": [
   {"id":"3","sid":"445300","label":"Lohja","stage":"kunta","code":"444","sort":3,"children": []}]}]}]},
{"id":"vuosi","label":"Vuosi","children": [{"id":"10","sid":"500023","label":"2023","stage":"vuosi","code":"2023","sort":1,"children": []}]},
{"id":"sukupuoli","label":"Sukupuoli","children": [
 {"id":"20","sid":"600000","label":"Sukupuolet yhteensä","stage":"kaikki","code":"total","sort":1,"children": [
  {"id":"21","sid":"600001","label":"Pojat","stage":"sukupuoli","code":"1","sort":2,"children": []},
  {"id":"22","sid":"600002","label":"Tytöt","stage":"sukupuoli","code":"2","sort":3,"children": []},
  {"id":"23","sid":"600009","label":"Sukupuoli ei tiedossa","stage":"sukupuoli","code":"9","sort":4,"children": []}]}]},
{"id":"luokka","label":"Luokka-aste","children": [{"id":"30","sid":"700089","label":"8. ja 9. lk","stage":"luokka","code":"8-9","sort":1,"children": []}]},
{"id":"measure","label":"Mittari","children": [{"id":"40","sid":"800101","label":"Koulukiusattu vähintään kerran viikossa, %","stage":"leaf","code":"bullied_weekly","sort":1,"children": []}]}
]
);"#;

    fn tree() -> DimensionTree {
        thl_dimensions::parse(TREE.as_bytes(), "fact_ktk.dimensions.json").unwrap()
    }

    #[test]
    fn served_cube_with_dimension_file() {
        let t = tree();
        let parsed = parse(
            FACT.as_bytes(),
            "fact_ktk.json",
            &input(LabelMaps::default()),
            Some(&t),
        )
        .unwrap();
        assert!(parsed.rejections.is_empty(), "{:?}", parsed.rejections);
        assert_eq!((parsed.read, parsed.rows.len()), (4, 4));
        let boys = &parsed.rows[0];
        assert_eq!(boys.indicator, "cube:ktk:bullied_weekly");
        assert_eq!(
            (
                boys.area.as_str(),
                boys.period,
                boys.sex,
                boys.group.as_str()
            ),
            ("kunta.444", Period::Year(2023), Sex::Male, "8-9")
        );
        assert_eq!(
            (boys.value, boys.ci_lower, boys.ci_upper, boys.n),
            (Some(7.9), Some(6.1), Some(9.7), Some(412.0))
        );
        assert_eq!(boys.source, "fact_ktk.json#$.dataset.value[\"0\"]");
        assert_eq!(
            (parsed.rows[1].sex, parsed.rows[1].n),
            (Sex::Female, Some(398.0))
        );
        // The "sex not reported" category is its own group, not girls or boys.
        assert_eq!(
            (parsed.rows[2].sex, parsed.rows[2].n),
            (Sex::NotReported, Some(25.0))
        );
        assert_eq!(parsed.rows[3].area, "maa.358");
    }

    #[test]
    fn jsonp_variant_reads_the_same() {
        let t = tree();
        let js = format!("thl.pivot.fromJsonStat(\n{FACT}\n);\n");
        let a = parse(
            FACT.as_bytes(),
            "f.json",
            &input(LabelMaps::default()),
            Some(&t),
        )
        .unwrap();
        let b = parse(
            js.as_bytes(),
            "f.json",
            &input(LabelMaps::default()),
            Some(&t),
        )
        .unwrap();
        assert_eq!(a.rows, b.rows);
    }

    #[test]
    fn labels_without_dimension_file() {
        let mut labels = LabelMaps::default();
        labels.area.insert("Lohja".into(), "kunta.444".into());
        labels.area.insert("Koko maa".into(), "maa.358".into());
        labels.group.insert("8. ja 9. lk".into(), "8-9".into());
        labels.measure.insert(
            "Koulukiusattu vähintään kerran viikossa, %".into(),
            "bullied_weekly".into(),
        );
        let parsed = parse(
            FACT.as_bytes(),
            "fact_ktk.json",
            &input(labels.clone()),
            None,
        )
        .unwrap();
        assert!(parsed.rejections.is_empty(), "{:?}", parsed.rejections);
        let with_tree = parse(
            FACT.as_bytes(),
            "fact_ktk.json",
            &input(LabelMaps::default()),
            Some(&tree()),
        )
        .unwrap();
        assert_eq!(parsed.rows, with_tree.rows);

        // A label the config does not map: one rejection naming it and its cells.
        labels.area.remove("Koko maa");
        let parsed = parse(FACT.as_bytes(), "fact_ktk.json", &input(labels), None).unwrap();
        assert_eq!(parsed.rows.len(), 3);
        assert_eq!(parsed.rejections.len(), 1);
        let got = parsed.rejections[0].to_string();
        assert!(
            got.contains("field 'alue'")
                && got.contains("area 'Koko maa'")
                && got.contains("1 cell not read")
                && got.contains("labels.area"),
            "{got}"
        );
    }

    #[test]
    fn key_missing_from_dimension_file_fails_the_file() {
        let fact = FACT.replace("\"445222\"", "\"445999\"");
        let err = parse(
            fact.as_bytes(),
            "fact_ktk.json",
            &input(LabelMaps::default()),
            Some(&tree()),
        )
        .unwrap_err();
        assert_eq!(
            err.location,
            "fact_ktk.json#$.dataset.dimension.alue.category.index.445999"
        );
        assert!(
            err.reason.contains("'Koko maa'") && err.reason.contains("fact_ktk.dimensions.json"),
            "{err}"
        );
    }

    #[test]
    fn unknown_sex_label_is_rejected_by_name() {
        let fact = FACT.replace("Sukupuoli ei tiedossa", "Kolmas");
        let parsed = parse(
            fact.as_bytes(),
            "f.json",
            &input(LabelMaps::default()),
            Some(&tree()),
        )
        .unwrap();
        assert_eq!(parsed.rows.len(), 3);
        let got = parsed.rejections[0].to_string();
        assert!(
            got.contains("sex category 'Kolmas'") && got.contains("labels.sex"),
            "{got}"
        );
        let mut labels = LabelMaps::default();
        labels.sex.insert("Kolmas".into(), Sex::NotReported);
        let parsed = parse(fact.as_bytes(), "f.json", &input(labels), Some(&tree())).unwrap();
        assert!(parsed.rejections.is_empty());
    }

    #[test]
    fn ambiguous_roles_name_the_dimensions() {
        let fact = FACT.replace("\"luokka\"", "\"vuodet\"");
        let err = parse(
            fact.as_bytes(),
            "f.json",
            &input(LabelMaps::default()),
            None,
        )
        .unwrap_err();
        assert!(
            err.reason
                .contains("'vuosi' and 'vuodet' could each be the period"),
            "{err}"
        );
    }

    #[test]
    fn node_ids_work_like_surrogate_ids() {
        // `search=id` keys categories by node id; the tree has both.
        let fact = FACT
            .replace("\"445300\"", "\"3\"")
            .replace("\"445222\"", "\"1\"");
        let parsed = parse(
            fact.as_bytes(),
            "f.json",
            &input(LabelMaps::default()),
            Some(&tree()),
        )
        .unwrap();
        assert_eq!(parsed.rows[0].area, "kunta.444");
    }
}
