//! Tables as CSV, Parquet and Arrow IPC.
//!
//! In: a polars [`DataFrame`], a table name and the CSV style. Out:
//! `tables/NAME.csv`, `tables/NAME.parquet` and `tables/NAME.arrow` as
//! bytes. Guarantees: the CSV is UTF-8 with a header and an empty field for
//! null: `,` separated with a decimal point (standard), or `;` separated with
//! a decimal comma and a BOM (excel-fi, for Excel with Finnish settings); Parquet (zstd) and Arrow IPC (uncompressed, file format) carry the
//! same columns and types and open in pyarrow, polars and R's arrow (the
//! Arrow file uses the oldest layout: large strings, not string views); the
//! bytes depend only on the frame.

use std::io::Cursor;

use polars::prelude::*;

use super::OutputFile;
use crate::config::CsvStyle;

/// Renders one table in the three formats.
pub fn render(name: &str, frame: &DataFrame, style: CsvStyle) -> PolarsResult<Vec<OutputFile>> {
    let mut frame = frame.clone();
    let mut csv = Vec::new();
    let writer = CsvWriter::new(&mut csv).include_header(true);
    let mut writer = match style {
        CsvStyle::Standard => writer,
        CsvStyle::ExcelFi => writer
            .with_separator(b';')
            .with_decimal_comma(true)
            .include_bom(true),
    };
    writer.finish(&mut frame)?;
    let mut parquet = Cursor::new(Vec::new());
    ParquetWriter::new(&mut parquet)
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::full())
        .finish(&mut frame)?;
    let mut arrow = Cursor::new(Vec::new());
    // The oldest Arrow layout (large strings, not string views) opens in
    // older pyarrow, R arrow and BI tools too.
    IpcWriter::new(&mut arrow)
        .with_compat_level(CompatLevel::oldest())
        .finish(&mut frame)?;
    Ok(vec![
        OutputFile {
            path: format!("tables/{name}.csv"),
            bytes: csv,
        },
        OutputFile {
            path: format!("tables/{name}.parquet"),
            bytes: parquet.into_inner(),
        },
        OutputFile {
            path: format!("tables/{name}.arrow"),
            bytes: arrow.into_inner(),
        },
    ])
}
