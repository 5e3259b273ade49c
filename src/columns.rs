//! Column builders for the tables the stages write.
//!
//! In: a slice of rows and a function per column. Out: a polars [`Column`]
//! with nulls where the function gives `None`. Guarantees: one column type
//! per kind (text, f64 number, u32 count), so every table uses the same
//! Arrow types.

use polars::prelude::*;

pub fn text<T>(name: &str, rows: &[T], f: impl Fn(&T) -> Option<String>) -> Column {
    Column::new(
        name.into(),
        rows.iter().map(f).collect::<Vec<Option<String>>>(),
    )
}

pub fn number<T>(name: &str, rows: &[T], f: impl Fn(&T) -> Option<f64>) -> Column {
    Column::new(
        name.into(),
        rows.iter().map(f).collect::<Vec<Option<f64>>>(),
    )
}

pub fn whole<T>(name: &str, rows: &[T], f: impl Fn(&T) -> u32) -> Column {
    Column::new(name.into(), rows.iter().map(f).collect::<Vec<u32>>())
}

/// A whole-number column with nulls.
pub fn whole_or_null<T>(name: &str, rows: &[T], f: impl Fn(&T) -> Option<u32>) -> Column {
    Column::new(
        name.into(),
        rows.iter().map(f).collect::<Vec<Option<u32>>>(),
    )
}

pub fn flag<T>(name: &str, rows: &[T], f: impl Fn(&T) -> bool) -> Column {
    Column::new(name.into(), rows.iter().map(f).collect::<Vec<bool>>())
}
