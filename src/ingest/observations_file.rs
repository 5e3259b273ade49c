//! Parquet and Arrow IPC files of the observation table itself.
//!
//! In: a file with the columns of the observation table (as `hyte run`
//! writes them; `indicator` may hold catalog ids or source keys). Out: its
//! rows. Guarantees: a missing or mistyped column fails the file with the
//! column named; a row with an empty key cell or a bad period is rejected
//! with its row number; nulls stay null.

use std::io::Cursor;

use polars::prelude::*;

use super::{reject_duplicates, FileError, Parsed};
use crate::observation::{from_frame, FrameError, Observation};

pub fn parse_parquet(bytes: Vec<u8>, file: &str) -> Result<Parsed<Observation>, FileError> {
    let frame = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| FileError::new(file, format!("not a readable Parquet file ({e})")))?;
    rows(&frame, file)
}

pub fn parse_arrow(bytes: Vec<u8>, file: &str) -> Result<Parsed<Observation>, FileError> {
    let frame = IpcReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| FileError::new(file, format!("not a readable Arrow IPC file ({e})")))?;
    rows(&frame, file)
}

fn rows(frame: &DataFrame, file: &str) -> Result<Parsed<Observation>, FileError> {
    let read = from_frame(frame, file).map_err(|e| FileError::new(file, e.to_string()))?;
    let mut parsed = Parsed {
        read: frame.height(),
        rows: read.rows,
        rejections: Vec::new(),
    };
    for bad in read.bad {
        if let FrameError::BadCell {
            row,
            column,
            reason,
        } = bad
        {
            parsed.reject(format!("{file}#row{row}"), &column, reason);
        }
    }
    reject_duplicates(&mut parsed);
    Ok(parsed)
}
