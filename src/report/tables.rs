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
use crate::output::{OutputError, Staging};

/// Why a table could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("writing tables/{table}: {source}")]
    Polars { table: String, source: PolarsError },
}

/// Streams a table into `tables/NAME.{csv,parquet,arrow}` in the staging
/// folder, one batch at a time: the three files are written side by side
/// and no file is ever whole in memory. `empty` gives the schema (and the
/// header of a table without rows). The bytes are the same as [`render`]'s
/// for the CSV; the Parquet file has a row group and the Arrow file a
/// record batch per batch.
pub fn write_batches(
    staging: &mut Staging,
    name: &str,
    style: CsvStyle,
    empty: &DataFrame,
    batches: impl Iterator<Item = PolarsResult<DataFrame>>,
) -> Result<(), TableError> {
    let polars = |source| TableError::Polars {
        table: name.to_string(),
        source,
    };
    let mut csv_file = staging.create(&format!("tables/{name}.csv"))?;
    let mut parquet_file = staging.create(&format!("tables/{name}.parquet"))?;
    let mut arrow_file = staging.create(&format!("tables/{name}.arrow"))?;
    {
        let schema = empty.schema();
        let writer = CsvWriter::new(&mut csv_file).include_header(true);
        let writer = match style {
            CsvStyle::Standard => writer,
            CsvStyle::ExcelFi => writer
                .with_separator(b';')
                .with_decimal_comma(true)
                .include_bom(true),
        };
        let mut csv = writer.batched(schema).map_err(polars)?;
        let mut parquet = ParquetWriter::new(&mut parquet_file)
            .with_compression(ParquetCompression::Zstd(None))
            .with_statistics(StatisticsOptions::full())
            .batched(schema)
            .map_err(polars)?;
        // Flat columns only: no field is dictionary-encoded in the IPC
        // sense, so every field gets the plain IPC description.
        let fields = (0..schema.len())
            .map(|_| polars_arrow::io::ipc::IpcField {
                fields: Vec::new(),
                dictionary_id: None,
            })
            .collect();
        let mut arrow = IpcWriter::new(&mut arrow_file)
            .with_compat_level(CompatLevel::oldest())
            .batched(schema, fields)
            .map_err(polars)?;
        for batch in batches {
            let mut batch = batch.map_err(polars)?;
            batch.align_chunks();
            csv.write_batch(&batch).map_err(polars)?;
            parquet.write_batch(&batch).map_err(polars)?;
            arrow.write_batch(&batch).map_err(polars)?;
        }
        csv.finish().map_err(polars)?;
        parquet.finish().map_err(polars)?;
        arrow.finish().map_err(polars)?;
    }
    staging.close(csv_file)?;
    staging.close(parquet_file)?;
    staging.close(arrow_file)?;
    Ok(())
}

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
