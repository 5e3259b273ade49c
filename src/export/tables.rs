//! Tables as CSV, Parquet and Arrow IPC.
//!
//! In: the run's results ([`write_all`]: the protected observation table,
//! the trends, comparisons and shift, as [`frames`] builds them), or one
//! frame ([`render`]). Out: `tables/NAME.csv`, `tables/NAME.parquet` and
//! `tables/NAME.arrow`, streamed batch by batch into the staging folder (a
//! national table never is whole in memory as bytes). Guarantees: the CSV is UTF-8 with a header and an empty field for
//! null: `,` separated with a decimal point (standard), or `;` separated with
//! a decimal comma and a BOM (excel-fi, for Excel with Finnish settings); Parquet (zstd) and Arrow IPC (uncompressed, file format) carry the
//! same columns and types and open in pyarrow, polars and R's arrow (the
//! Arrow file uses the oldest layout: large strings, not string views); the
//! bytes depend only on the frame.

use std::io::Cursor;

use polars::prelude::*;

use super::csv_cells::safe_for_spreadsheets;
use super::{frames, OutputFile};
use crate::config::CsvStyle;
use crate::output::{OutputError, StagedFile, Staging};
use crate::report::ReportInput;
use std::sync::Arc;

/// Rows of the observation table per output batch: small enough that a
/// batch's text columns stay some tens of megabytes, large enough that the
/// Parquet row groups compress well.
const OUTPUT_BATCH_ROWS: usize = 500_000;

/// Every table of a run, streamed into the staging folder in CSV, Parquet and Arrow.
pub fn write_all(staging: &mut Staging, input: &ReportInput) -> Result<(), TableError> {
    let ReportInput {
        config,
        validated,
        trends,
        comparisons,
        shift,
        ..
    } = input;
    let table = &validated.table;
    // Sources are written relative to the config's folder: the tables do
    // not carry this machine's folder names, and they are shorter.
    let file_names: Vec<String> = table
        .files
        .texts()
        .iter()
        .map(|name| {
            std::path::Path::new(name)
                .strip_prefix(&config.base_dir)
                .map_or_else(|_| name.clone(), |p| p.display().to_string())
        })
        .collect();
    let batches = (0..table.len()).step_by(OUTPUT_BATCH_ROWS).map(|start| {
        let rows = start..(start + OUTPUT_BATCH_ROWS).min(table.len());
        frames::with_status(
            table.frame_with_files(rows.clone(), &file_names)?,
            &table.columns.status[rows],
        )
    });
    let empty = table
        .frame(0..0)
        .and_then(|frame| frames::with_status(frame, &[]))
        .map_err(building("observations"))?;
    write_batches(staging, "observations", config.csv_style, &empty, batches)?;
    // The trends table has a row per series: a national run has millions.
    let series_batches = trends
        .series
        .chunks(OUTPUT_BATCH_ROWS / 4)
        .map(frames::series_frame);
    let empty = frames::series_frame(&[]).map_err(building("trends"))?;
    write_batches(staging, "trends", config.csv_style, &empty, series_batches)?;
    let small_tables = [
        ("dimensions", frames::dimensions_frame(trends)),
        ("comparisons", frames::comparisons_frame(comparisons)),
        ("shift", frames::shift_frame(shift)),
        ("shift_summary", frames::summary_frame(shift)),
        (
            "rejections",
            frames::rejections_frame(input.files, validated),
        ),
    ];
    // The reasons in English whatever the report's language: a table is
    // data, read by scripts as much as by people.
    let reasons = crate::report::plan::Reasons::new(input, crate::i18n::Language::En);
    let plan_table = input
        .plan
        .map(|(_, rows)| ("plan_status", frames::plan_frame(rows, |r| reasons.text(r))));
    let assessment_table = input
        .child_friendly
        .map(|items| ("child_friendly", frames::child_friendly_frame(items)));
    let small_tables = small_tables
        .into_iter()
        .chain(plan_table)
        .chain(assessment_table);
    for (name, frame) in small_tables {
        let frame = frame.map_err(building(name))?;
        write_batches(
            staging,
            name,
            config.csv_style,
            &frame.clear(),
            std::iter::once(Ok(frame)),
        )?;
    }
    Ok(())
}

/// The error of building a table's frame.
fn building(table: &str) -> impl FnOnce(PolarsError) -> TableError + '_ {
    move |source| TableError::Polars {
        table: table.to_string(),
        source,
    }
}

/// Why a table could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("writing tables/{table}: {source}")]
    Polars { table: String, source: PolarsError },
}

/// Streams a table into `tables/NAME.{csv,parquet,arrow}` in the staging
/// folder, one batch at a time: no file is ever whole in memory. Each
/// format has its own writer thread fed through a bounded channel, so the
/// next batch is built while the last is written (at most two batches wait
/// per writer); each file is still written in batch order, so the bytes do
/// not depend on timing. The writer threads are plain threads, not rayon
/// tasks: polars writers run on polars' own pool and must not be called
/// from inside rayon. `empty` gives the schema (and the header of a table
/// without rows). The CSV bytes are the same as [`render`]'s; the Parquet
/// file has a row group and the Arrow file a record batch per batch.
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
    let schema = empty.schema().clone();
    let files = [
        staging.create(&format!("tables/{name}.csv"))?,
        staging.create(&format!("tables/{name}.parquet"))?,
        staging.create(&format!("tables/{name}.arrow"))?,
    ];
    let written: Vec<Result<StagedFile, PolarsError>> = std::thread::scope(|scope| {
        let mut senders = Vec::new();
        let mut writers = Vec::new();
        for (format, file) in [Format::Csv, Format::Parquet, Format::Arrow]
            .into_iter()
            .zip(files)
        {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Arc<DataFrame>>(1);
            senders.push(sender);
            let schema = &schema;
            writers.push(scope.spawn(move || write_format(format, file, schema, style, receiver)));
        }
        let mut failed = None;
        for batch in batches {
            let batch = match batch {
                Ok(mut batch) => {
                    batch.align_chunks();
                    Arc::new(batch)
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            };
            // A writer that stopped has an error to report below.
            if senders.iter().any(|s| s.send(Arc::clone(&batch)).is_err()) {
                break;
            }
        }
        drop(senders);
        let mut results: Vec<Result<StagedFile, PolarsError>> = writers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    Err(PolarsError::ComputeError("a table writer panicked".into()))
                })
            })
            .collect();
        if let Some(e) = failed {
            results.push(Err(e));
        }
        results
    });
    let mut closed = Vec::new();
    for result in written {
        closed.push(result.map_err(polars)?);
    }
    for file in closed {
        staging.close(file)?;
    }
    Ok(())
}

/// The CSV writer for a style: header always; excel-fi with `;`, a
/// decimal comma and a BOM.
fn csv_writer<W: std::io::Write>(out: W, style: CsvStyle) -> CsvWriter<W> {
    let writer = CsvWriter::new(out).include_header(true);
    match style {
        CsvStyle::Standard => writer,
        CsvStyle::ExcelFi => writer
            .with_separator(b';')
            .with_decimal_comma(true)
            .include_bom(true),
    }
}

/// Parquet: zstd, full column statistics.
fn parquet_writer<W: std::io::Write>(out: W) -> ParquetWriter<W> {
    ParquetWriter::new(out)
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::full())
}

/// Arrow IPC in the oldest layout (large strings, not string views): it
/// opens in older pyarrow, R arrow and BI tools too.
fn ipc_writer<W: std::io::Write>(out: W) -> IpcWriter<W> {
    IpcWriter::new(out).with_compat_level(CompatLevel::oldest())
}

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Parquet,
    Arrow,
}

/// One writer thread: every batch from `batches` into `file`, in order.
fn write_format(
    format: Format,
    mut file: StagedFile,
    schema: &Schema,
    style: CsvStyle,
    batches: std::sync::mpsc::Receiver<Arc<DataFrame>>,
) -> Result<StagedFile, PolarsError> {
    match format {
        Format::Csv => {
            let mut csv = csv_writer(&mut file, style).batched(schema)?;
            for batch in batches {
                csv.write_batch(safe_for_spreadsheets(&batch)?.as_ref())?;
            }
            csv.finish()?;
        }
        Format::Parquet => {
            let mut parquet = parquet_writer(&mut file).batched(schema)?;
            for batch in batches {
                parquet.write_batch(&batch)?;
            }
            parquet.finish()?;
        }
        Format::Arrow => {
            // Each dictionary-encoded (Enum) column gets its own id.
            let arrow_schema = schema.to_arrow(CompatLevel::oldest());
            let fields =
                polars_arrow::io::ipc::write::default_ipc_fields(arrow_schema.iter_values());
            let mut arrow = ipc_writer(&mut file).batched(schema, fields)?;
            for batch in batches {
                arrow.write_batch(&batch)?;
            }
            arrow.finish()?;
        }
    }
    file.sync()?;
    Ok(file)
}

/// Renders one table in the three formats.
pub fn render(name: &str, frame: &DataFrame, style: CsvStyle) -> PolarsResult<Vec<OutputFile>> {
    let mut csv = Vec::new();
    csv_writer(&mut csv, style).finish(&mut safe_for_spreadsheets(frame)?.into_owned())?;
    let mut frame = frame.clone();
    let mut parquet = Cursor::new(Vec::new());
    parquet_writer(&mut parquet).finish(&mut frame)?;
    let mut arrow = Cursor::new(Vec::new());
    ipc_writer(&mut arrow).finish(&mut frame)?;
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
