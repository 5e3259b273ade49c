//! THL cube CSV export (`fact_X.csv`), with or without the `sc` flag.
//!
//! In: what THL's cube server writes (THLfi/tiku `CsvExporter`): `;`
//! separated with `"` quoting (Excel's north-European style), a header of
//! dimension **labels** (column dimensions first, then row dimensions) and
//! a last column `val`; with `sc` every dimension has a code column before
//! its label column, both headed by the dimension's label. Values use a
//! decimal point; an unpublished cell is empty. An empty cube is the
//! header `val` alone.
//! Out: one observation per line, resolved like the JSON-stat
//! ([`super::thl_cube`]): by code and stage through the dimension file when
//! one is given, else by label. Guarantees: the CSV carries no confidence
//! limits and no n, and never invents them; a line with the wrong number of
//! fields or a bad value is rejected with its line; quoted fields with `;`
//! or doubled quotes are read whole.

use super::csv_rows::{check_shape, records, NumberedRecord};
use super::thl_cube::shared::{csv_value, CsvDim, CsvResolver};
use super::thl_dimensions::DimensionTree;
use super::{reject_duplicates, FileError, Parsed};
use crate::config::CubeInput;
use crate::observation::Observation;
use crate::text::excerpt;

/// Where a dimension's columns are: (code column, label column).
struct Columns {
    code: Option<usize>,
    label: usize,
}

/// One data line read in the first pass: its line number, the position of
/// each dimension's category, and the raw `val` field.
type Row = (usize, Vec<usize>, String);

/// Reads a THL cube CSV export: the header, then every line's categories
/// (first pass), then each line resolved to an observation once all the
/// categories are known.
pub fn parse(
    text: &str,
    file: &str,
    input: &CubeInput,
    tree: Option<&DimensionTree>,
) -> Result<Parsed<Observation>, FileError> {
    let mut records = records(text).into_iter();
    let names = read_header(records.next(), file)?;
    let columns = pair_columns(&names);
    let width = names.len();

    // First pass: the categories of every dimension, in order of appearance.
    let mut dims: Vec<CsvDim> = columns
        .iter()
        .map(|(header, _)| CsvDim {
            header: header.clone(),
            categories: Vec::new(),
        })
        .collect();
    let mut parsed = Parsed::default();
    let mut rows: Vec<Row> = Vec::new();
    for (line, record) in records {
        parsed.read += 1;
        let record = match record {
            Ok(r) => r,
            Err(reason) => {
                parsed.reject(format!("{file}:{line}"), "line", reason);
                continue;
            }
        };
        if let Err(reason) = check_shape(&record, width) {
            parsed.reject(format!("{file}:{line}"), "line", reason);
            continue;
        }
        let coords = category_positions(&record, &columns, &mut dims);
        rows.push((line, coords, record[width - 1].to_string()));
    }
    if columns.is_empty() {
        // THL's empty cube: the header `val` and no data.
        return Ok(parsed);
    }
    let resolver = CsvResolver::new(dims, input, tree)
        .map_err(|reason| FileError::new(format!("{file}:1"), reason))?;
    resolve_rows(rows, resolver, file, &mut parsed);
    Ok(parsed)
}

/// The header's column names, trimmed; `Err` when the file is empty, the
/// header cannot be read or does not end in `val`.
fn read_header(first: Option<NumberedRecord>, file: &str) -> Result<Vec<String>, FileError> {
    let header = match first {
        Some((_, Ok(h))) => h,
        Some((line, Err(e))) => {
            return Err(FileError::new(
                format!("{file}:{line}"),
                format!("cannot read the header: {e}"),
            ))
        }
        None => {
            return Err(FileError::new(
                file,
                "the file is empty: a THL cube CSV starts with a header ending in `val`",
            ))
        }
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    if names.last().map(String::as_str) != Some("val") {
        return Err(FileError::new(
            format!("{file}:1"),
            format!(
                "the header `{}` does not end in `val`: not a THL cube CSV (fact_X.csv); is it `;`-separated as THL serves it?",
                excerpt(&names.join(";"))
            ),
        ));
    }
    Ok(names)
}

/// Pairs up the dimension columns (all but the last, `val`): with `sc`,
/// code and label columns share the dimension's label.
fn pair_columns(names: &[String]) -> Vec<(String, Columns)> {
    let mut columns: Vec<(String, Columns)> = Vec::new();
    let mut i = 0;
    while i + 1 < names.len() {
        if i + 2 < names.len() && names[i] == names[i + 1] {
            columns.push((
                names[i].clone(),
                Columns {
                    code: Some(i),
                    label: i + 1,
                },
            ));
            i += 2;
        } else {
            columns.push((
                names[i].clone(),
                Columns {
                    code: None,
                    label: i,
                },
            ));
            i += 1;
        }
    }
    columns
}

/// The position of a record's category in each dimension, adding the
/// categories not seen before.
fn category_positions(
    record: &csv::StringRecord,
    columns: &[(String, Columns)],
    dims: &mut [CsvDim],
) -> Vec<usize> {
    let mut coords = Vec::with_capacity(columns.len());
    for ((_, cols), dim) in columns.iter().zip(dims.iter_mut()) {
        let code = cols.code.map(|c| record[c].trim().to_string());
        let label = record[cols.label].trim().to_string();
        let position = match dim
            .categories
            .iter()
            .position(|(c, l)| *c == code && *l == label)
        {
            Some(p) => p,
            None => {
                dim.categories.push((code, label));
                dim.categories.len() - 1
            }
        };
        coords.push(position);
    }
    coords
}

/// Second pass: each line's observation, or the rejection of its value;
/// then the categories that could not be resolved and the duplicates.
fn resolve_rows(
    rows: Vec<Row>,
    mut resolver: CsvResolver,
    file: &str,
    parsed: &mut Parsed<Observation>,
) {
    for (line, coords, value) in rows {
        let location = format!("{file}:{line}");
        let Some(key) = resolver.cell(&coords) else {
            continue;
        };
        match csv_value(&value) {
            Ok(value) => parsed.rows.push(Observation {
                value,
                source: location,
                ..key
            }),
            Err(reason) => parsed.reject(location, "val", reason),
        }
    }
    resolver.report(&format!("{file}:1"), parsed);
    reject_duplicates(parsed);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LabelMaps;
    use crate::ingest::thl_cube;
    use crate::ingest::thl_dimensions;
    use crate::observation::Sex;
    use crate::period::Period;

    /// What CsvExporter writes with `sc`: code and label per dimension,
    /// headers repeated, `"` quoting, CRLF. Values made up.
    const SC: &str = "Alue;Alue;Vuosi;Vuosi;Sukupuoli;Sukupuoli;Luokka-aste;Luokka-aste;Mittari;Mittari;val\r\n\
444;Lohja;2023;2023;1;Pojat;8-9;8. ja 9. lk;bullied_weekly;\"Koulukiusattu; vähintään kerran viikossa\";7.9\r\n\
444;Lohja;2023;2023;9;Sukupuoli ei tiedossa;8-9;8. ja 9. lk;bullied_weekly;\"Koulukiusattu; vähintään kerran viikossa\";\r\n\
358;Koko maa;2023;2023;2;Tytöt;8-9;8. ja 9. lk;bullied_weekly;\"Koulukiusattu; vähintään kerran viikossa\";6.5\r\n";

    fn tree() -> DimensionTree {
        let tree = thl_cube::tests::TREE.replace(
            "Koulukiusattu vähintään kerran viikossa, %",
            "Koulukiusattu; vähintään kerran viikossa",
        );
        thl_dimensions::parse(tree.as_bytes(), "fact_ktk.dimensions.json").unwrap()
    }

    #[test]
    fn codes_and_labels_with_dimension_file() {
        let t = tree();
        let parsed = parse(
            SC,
            "fact_ktk.csv",
            &thl_cube::tests::input(LabelMaps::default()),
            Some(&t),
        )
        .unwrap();
        assert!(parsed.rejections.is_empty(), "{:?}", parsed.rejections);
        assert_eq!((parsed.read, parsed.rows.len()), (3, 3));
        let boys = &parsed.rows[0];
        assert_eq!(
            (
                boys.indicator.as_str(),
                boys.area.as_str(),
                boys.period,
                boys.sex,
                boys.group.as_str()
            ),
            (
                "cube:ktk:bullied_weekly",
                "kunta.444",
                Period::Year(2023),
                Sex::Male,
                "8-9"
            )
        );
        assert_eq!((boys.value, boys.n, boys.ci_lower), (Some(7.9), None, None));
        assert_eq!(boys.source, "fact_ktk.csv:2");
        assert_eq!(
            (parsed.rows[1].sex, parsed.rows[1].value),
            (Sex::NotReported, None)
        );
        assert_eq!(parsed.rows[2].area, "maa.358");
    }

    #[test]
    fn unbalanced_quote_is_located() {
        let text = SC.replace(
            "\"Koulukiusattu; vähintään kerran viikossa\";6.5",
            "\"Koulukiusattu; vähintään;6.5",
        );
        let parsed = parse(
            &text,
            "f.csv",
            &thl_cube::tests::input(LabelMaps::default()),
            Some(&tree()),
        )
        .unwrap();
        assert_eq!(parsed.rows.len(), 2);
        let got = parsed.rejections[0].to_string();
        assert!(
            got.starts_with("f.csv:4: field 'line'") && got.contains("unbalanced quote"),
            "{got}"
        );
    }

    #[test]
    fn empty_cube_and_wrong_header() {
        let parsed = parse(
            "val\r\n",
            "f.csv",
            &thl_cube::tests::input(LabelMaps::default()),
            None,
        )
        .unwrap();
        assert_eq!((parsed.read, parsed.rows.len()), (0, 0));
        let err = parse(
            "a,b,val\n",
            "f.csv",
            &thl_cube::tests::input(LabelMaps::default()),
            None,
        )
        .unwrap_err();
        assert!(err.reason.contains("does not end in `val`"), "{err}");
    }
}
