//! Messages to the operator: every line hyte prints on stderr, as text
//! for people or as JSON lines for log collectors.
//!
//! In: the `--log-format` and `--quiet` / `--verbose` choices, then
//! messages with a level. Out: stderr lines through `tracing` — in text
//! form `hyte: <message>` (the form the docs quote), in JSON form one
//! object per line with `timestamp`, `level`, `fields.message` and any
//! fields (a stage's `seconds`). Guarantees: control characters in a
//! message are escaped before it is written (a message may quote a file);
//! `--quiet` keeps warnings and errors only, `--verbose` adds each stage's
//! timing; stdout stays for data (the privacy audit, the catalog).

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::registry::LookupSpan;

/// How messages are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// `hyte: message` lines for people.
    #[default]
    Text,
    /// One JSON object per line, for journald, Loki, Elastic and the like.
    Json,
}

/// How much is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    /// Warnings and errors only.
    Quiet,
    #[default]
    Normal,
    /// Also each stage's timing.
    Verbose,
}

impl Verbosity {
    fn level(self) -> Level {
        match self {
            Verbosity::Quiet => Level::WARN,
            Verbosity::Normal => Level::INFO,
            Verbosity::Verbose => Level::DEBUG,
        }
    }
}

/// The text form: `hyte: ` and the message, nothing else (no timestamp: a
/// terminal has none, and cron mails and journald add their own).
struct HyteText;

impl<S, N> FormatEvent<S, N> for HyteText
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write!(writer, "hyte: ")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// Sets up the messages for this process; call once, first thing. A second
/// call (tests in one process) leaves the first in place.
pub fn init(format: LogFormat, verbosity: Verbosity) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(verbosity.level())
        .with_ansi(false);
    let _ = match format {
        LogFormat::Text => builder.event_format(HyteText).try_init(),
        LogFormat::Json => builder.json().with_current_span(false).try_init(),
    };
}

/// Writes each line of `message` at `level`, control characters escaped.
pub fn at(level: Level, message: impl fmt::Display) {
    for line in message.to_string().lines() {
        let line = crate::text::escape_controls(line);
        match level {
            Level::ERROR => tracing::error!("{line}"),
            Level::WARN => tracing::warn!("{line}"),
            Level::INFO => tracing::info!("{line}"),
            _ => tracing::debug!("{line}"),
        }
    }
}

pub fn info(message: impl fmt::Display) {
    at(Level::INFO, message)
}

pub fn warn(message: impl fmt::Display) {
    at(Level::WARN, message)
}

pub fn error(message: impl fmt::Display) {
    at(Level::ERROR, message)
}

/// A finished stage and its wall time (shown with `--verbose`; a field of
/// its own in JSON).
pub fn stage(stage: &str, seconds: f64) {
    let seconds = (seconds * 1000.0).round() / 1000.0;
    tracing::debug!(stage, seconds, "stage done");
}
