//! THL cube dimension trees: `fact_X.dimensions.json`, the only way from a
//! cube's surrogate ids to real codes.
//!
//! In: the text THL's cube server writes for `fact_X.dimensions.json`
//! (`thl.pivot.loadDimensions([...]);`, JSONP even under `.json`; a bare
//! JSON array is accepted too): one object per dimension `{id, label,
//! children}`, each node `{id, sid, label, stage, code, sort, decimals?,
//! uri?, properties?, children}` nested by hierarchy to any depth.
//! Out: a [`DimensionTree`] that looks a category key up by `sid` (the key
//! of `search=su`, THL's default) or by node `id` (`search=id`) and gives
//! the node's `code`, `stage` and `label`.
//! Guarantees: every node of every depth is indexed; a node without `sid`
//! or `id` is an error naming its JSON path; `sid`, `id` and `sort` are
//! accepted as text or numbers (THL writes some attributes unquoted).
//!
//! Facts from THL's server source (THLfi/tiku, `DimensionTreeExporter`):
//! labels only have `"` and line breaks escaped, so a label with a tab or a
//! backslash makes the file invalid JSON; [`super::thl_json::parse_lenient`]
//! repairs exactly those two cases. A `code` is written only when the node
//! has one, and hidden measure nodes are left out.

use std::collections::HashMap;

use serde_json::Value;

use super::thl_json::{parse_lenient, strip_jsonp};
use super::FileError;
use crate::text::decode_utf8;

/// One node of a dimension, flattened out of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub sid: String,
    pub label: String,
    pub stage: String,
    pub code: Option<String>,
    /// 0 for the dimension's top nodes.
    pub depth: usize,
}

/// One dimension of the tree.
#[derive(Debug, Clone, Default)]
pub struct TreeDimension {
    pub id: String,
    pub label: String,
    pub nodes: Vec<Node>,
    by_sid: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
}

/// Which attribute of a node the fact file's category keys are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `sid`: surrogate ids, what `search=su` (the default) returns.
    Sid,
    /// `id`: internal node ids, what `search=id` returns.
    Id,
}

impl TreeDimension {
    pub fn node(&self, key: &str, kind: KeyKind) -> Option<&Node> {
        let index = match kind {
            KeyKind::Sid => self.by_sid.get(key),
            KeyKind::Id => self.by_id.get(key),
        };
        index.map(|&i| &self.nodes[i])
    }

    /// How a fact file's keys name this dimension's nodes: surrogate ids
    /// when every key is a `sid`, else node ids when every key is an `id`;
    /// otherwise the first key found under neither.
    pub fn key_kind<'k>(&self, keys: &[&'k str]) -> Result<KeyKind, &'k str> {
        for kind in [KeyKind::Sid, KeyKind::Id] {
            if keys.iter().all(|k| self.node(k, kind).is_some()) {
                return Ok(kind);
            }
        }
        Err(keys
            .iter()
            .find(|k| self.node(k, KeyKind::Sid).is_none())
            .copied()
            .unwrap_or_default())
    }
}

/// The whole dimension file.
#[derive(Debug, Clone, Default)]
pub struct DimensionTree {
    pub file: String,
    pub dimensions: Vec<TreeDimension>,
}

impl DimensionTree {
    /// The tree dimension for a fact file's dimension id. THL's JSON-stat
    /// export gives a dimension that stands on the rows or columns twice a
    /// numeric suffix (`area`, `area1`); such ids find their dimension too.
    pub fn dimension(&self, fact_id: &str) -> Option<&TreeDimension> {
        self.dimensions
            .iter()
            .find(|d| d.id == fact_id)
            .or_else(|| {
                let base = fact_id.trim_end_matches(|c: char| c.is_ascii_digit());
                self.dimensions.iter().find(|d| d.id == base)
            })
    }

    /// The tree dimension whose label is `label` (the CSV export names its
    /// columns by dimension label, not id).
    pub fn dimension_by_label(&self, label: &str) -> Option<&TreeDimension> {
        self.dimensions.iter().find(|d| d.label == label)
    }

    pub fn ids(&self) -> String {
        self.dimensions
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub fn parse(bytes: &[u8], file: &str) -> Result<DimensionTree, FileError> {
    let text = decode_utf8(bytes).map_err(|e| FileError::new(file, e))?;
    let body = strip_jsonp(text, "thl.pivot.loadDimensions");
    let root = parse_lenient(body).map_err(|e| {
        FileError::new(
            format!("{file}:{}", e.line()),
            format!(
                "not a THL dimension file ({e}): expected `thl.pivot.loadDimensions([...]);` as fact_X.dimensions.json serves it; is the download complete?"
            ),
        )
    })?;
    let Value::Array(items) = root else {
        return Err(FileError::new(
            format!("{file}#$"),
            "expected a list of dimensions: `thl.pivot.loadDimensions([{\"id\": …, \"children\": […]}, …]);`",
        ));
    };
    let mut dimensions = Vec::with_capacity(items.len());
    for (position, item) in items.iter().enumerate() {
        let path = format!("$[{position}]");
        let id = text_attr(item, "id")
            .ok_or_else(|| FileError::new(format!("{file}#{path}.id"), "dimension has no id"))?;
        let mut dimension = TreeDimension {
            id,
            label: text_attr(item, "label").unwrap_or_default(),
            ..TreeDimension::default()
        };
        add_children(item, &path, 0, file, &mut dimension)?;
        dimensions.push(dimension);
    }
    Ok(DimensionTree {
        file: file.to_string(),
        dimensions,
    })
}

/// Indexes the `children` of `parent` (depth first), recursing to any depth.
fn add_children(
    parent: &Value,
    path: &str,
    depth: usize,
    file: &str,
    dimension: &mut TreeDimension,
) -> Result<(), FileError> {
    let children = match parent.get("children") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(children)) => children,
        Some(_) => {
            return Err(FileError::new(
                format!("{file}#{path}.children"),
                "children must be a list of nodes",
            ))
        }
    };
    for (position, child) in children.iter().enumerate() {
        let here = format!("{path}.children[{position}]");
        let missing = |attr: &str| {
            FileError::new(
                format!("{file}#{here}.{attr}"),
                format!(
                    "node of dimension '{}' has no {attr}: every node needs id and sid",
                    dimension.id
                ),
            )
        };
        let node = Node {
            id: text_attr(child, "id").ok_or_else(|| missing("id"))?,
            sid: text_attr(child, "sid").ok_or_else(|| missing("sid"))?,
            label: text_attr(child, "label").unwrap_or_default(),
            stage: text_attr(child, "stage").unwrap_or_default(),
            code: text_attr(child, "code").filter(|c| !c.is_empty()),
            depth,
        };
        let index = dimension.nodes.len();
        dimension.by_sid.entry(node.sid.clone()).or_insert(index);
        dimension.by_id.entry(node.id.clone()).or_insert(index);
        dimension.nodes.push(node);
        add_children(child, &here, depth + 1, file, dimension)?;
    }
    Ok(())
}

/// An attribute as text: THL writes strings quoted and numbers bare.
fn text_attr(value: &Value, name: &str) -> Option<String> {
    match value.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape DimensionTreeExporter writes: JSONP, tab-indented
    /// attributes, `sort` as a bare number, nesting three levels deep.
    pub(crate) const TREE: &str = "thl.pivot.loadDimensions(\n[\n{\n\t\"id\":\"alue\",\n\t\"label\":\"Alue\",\n\t\"children\": [\n{\n\t\"id\":\"1001\",\n\t\"sid\":\"445222\",\n\t\"label\":\"Koko maa\",\n\t\"stage\":\"maa\",\n\t\"code\":\"358\",\n\t\"sort\":1,\n\t\"children\": [\n{\n\t\"id\":\"1002\",\n\t\"sid\":\"445193\",\n\t\"label\":\"Uusimaa\",\n\t\"stage\":\"maakunta\",\n\t\"code\":\"01\",\n\t\"sort\":2,\n\t\"children\": [\n{\n\t\"id\":\"1003\",\n\t\"sid\":\"445300\",\n\t\"label\":\"Lohja\",\n\t\"stage\":\"kunta\",\n\t\"code\":\"444\",\n\t\"sort\":3,\n\t\"children\": []\n}]\n}]\n}]},\n{\n\t\"id\":\"vuosi\",\n\t\"label\":\"Vuosi\",\n\t\"children\": [\n{\n\t\"id\":\"2001\",\n\t\"sid\":\"500001\",\n\t\"label\":\"Kaikki vuodet\",\n\t\"stage\":\"root\",\n\t\"sort\":1,\n\t\"children\": [\n{\n\t\"id\":\"2002\",\n\t\"sid\":\"500023\",\n\t\"label\":\"2023\",\n\t\"stage\":\"vuosi\",\n\t\"code\":\"2023\",\n\t\"sort\":2,\n\t\"children\": []\n}]\n}]}\n]\n);\n";

    #[test]
    fn indexes_nodes_at_every_depth() {
        let tree = parse(TREE.as_bytes(), "fact_ktk.dimensions.json").unwrap();
        assert_eq!(tree.ids(), "alue, vuosi");
        let area = tree.dimension("alue").unwrap();
        let lohja = area.node("445300", KeyKind::Sid).unwrap();
        assert_eq!(
            (lohja.code.as_deref(), lohja.stage.as_str(), lohja.depth),
            (Some("444"), "kunta", 2)
        );
        assert_eq!(area.node("1003", KeyKind::Id), Some(lohja));
        assert_eq!(area.key_kind(&["445222", "445300"]), Ok(KeyKind::Sid));
        assert_eq!(area.key_kind(&["1001", "1003"]), Ok(KeyKind::Id));
        assert_eq!(area.key_kind(&["445222", "9"]), Err("9"));
        // A node without a code (the "all years" root) has none.
        let years = tree.dimension("vuosi").unwrap();
        assert_eq!(years.node("500001", KeyKind::Sid).unwrap().code, None);
        // A repeated dimension's numbered id finds its dimension.
        assert_eq!(tree.dimension("vuosi1").unwrap().id, "vuosi");
    }

    #[test]
    fn bare_json_and_unescaped_tab_are_read() {
        let bare = r#"[{"id":"sukupuoli","label":"Sukupuoli","children":[{"id":1,"sid":7,"label":"Tytöt	(a)","stage":"sukupuoli","code":"2","sort":1,"children":[]}]}]"#;
        let tree = parse(bare.as_bytes(), "d.json").unwrap();
        let node = tree.dimensions[0].node("7", KeyKind::Sid).unwrap();
        assert_eq!((node.id.as_str(), node.label.as_str()), ("1", "Tytöt\t(a)"));
    }

    #[test]
    fn node_without_sid_is_located() {
        let text = r#"[{"id":"alue","children":[{"id":"1","label":"A","children":[{"id":"2","label":"B"}]}]}]"#;
        let err = parse(text.as_bytes(), "d.json").unwrap_err();
        assert_eq!(err.location, "d.json#$[0].children[0].sid");
        assert!(err.reason.contains("dimension 'alue'"), "{err}");
    }

    #[test]
    fn truncated_file_is_an_error_with_line() {
        let err = parse(&TREE.as_bytes()[..200], "d.json").unwrap_err();
        assert!(err.location.starts_with("d.json:"), "{err}");
        assert!(err.reason.contains("loadDimensions"), "{err}");
    }
}
