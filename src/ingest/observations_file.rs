//! Parquet and Arrow IPC files of the observation table itself.
//!
//! In: a file with the columns of the observation table (as `hyte run`
//! writes them; `indicator` may hold catalog ids or source keys). Out: its
//! rows, read as columns straight into the observation table.
//! Guarantees: a missing or mistyped column fails the file with the
//! column named; a row with an empty key cell or a bad period is rejected
//! with its row number; nulls stay null.

use std::io::Cursor;

use polars::prelude::*;

use super::{Appended, FileError, Rejection};
use crate::observation::{read_frame, FrameError};
use crate::table::TableBuilder;

pub fn read_parquet(
    bytes: Vec<u8>,
    file: &str,
    table: &mut TableBuilder,
) -> Result<Appended, FileError> {
    let frame = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| FileError::new(file, format!("not a readable Parquet file ({e})")))?;
    append(&frame, file, table)
}

pub fn read_arrow(
    bytes: Vec<u8>,
    file: &str,
    table: &mut TableBuilder,
) -> Result<Appended, FileError> {
    let frame = IpcReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| FileError::new(file, format!("not a readable Arrow IPC file ({e})")))?;
    append(&frame, file, table)
}

/// The frame's columns go straight into the table; a cell given twice is
/// rejected by the validate stage, which sees every file.
fn append(frame: &DataFrame, file: &str, table: &mut TableBuilder) -> Result<Appended, FileError> {
    let (accepted, bad) =
        read_frame(frame, file, table).map_err(|e| FileError::new(file, e.to_string()))?;
    let rejections = bad
        .into_iter()
        .filter_map(|bad| match bad {
            FrameError::BadCell {
                row,
                column,
                reason,
            } => Some(Rejection {
                location: format!("{file}#row{row}"),
                field: column,
                reason,
            }),
            _ => None,
        })
        .collect();
    Ok(Appended {
        read: frame.height(),
        accepted: accepted.len(),
        rejections,
        ..Appended::default()
    })
}
