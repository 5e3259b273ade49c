//! Charts: each [`Chart`] of the model as SVG and PNG, drawn with plotters.
//!
//! In: the model's charts (lines already split into runs at their gaps).
//! Out: `charts/STEM.svg` and `charts/STEM.png`, titled, and the untitled
//! inline SVG the HTML report embeds. Guarantees: text is drawn with the
//! bundled DejaVu Sans, never a system font, so ä, ö and å render the same
//! on a machine with no fonts; every SVG carries `role="img"` and its text
//! alternative; a chart that cannot be drawn is an [`ExportError`] naming
//! it, never a silently missing file.

use plotters::prelude::*;

use super::{ExportError, Exporter, OutputFile};
use crate::i18n::Language;
use crate::report::model::{Chart, ChartPoint, MarkShape, ReportModel};

/// The chart size in pixels.
pub const CHART_SIZE: (u32, u32) = (640, 300);

/// Every chart of the report as its own SVG and PNG file.
pub struct Charts {
    pub size: (u32, u32),
}

impl Default for Charts {
    fn default() -> Charts {
        Charts { size: CHART_SIZE }
    }
}

impl Exporter for Charts {
    fn render(&self, model: &ReportModel) -> Result<Vec<OutputFile>, ExportError> {
        let mut out = Vec::new();
        for chart in all_charts(model) {
            let svg = svg(chart, model.language, Some(&chart.title), self.size)?;
            out.push(OutputFile {
                path: format!("{}.svg", chart.stem),
                bytes: accessible(&svg, &chart.alt).into_bytes(),
            });
            out.push(OutputFile {
                path: format!("{}.png", chart.stem),
                bytes: png(chart, model.language, self.size)?,
            });
        }
        Ok(out)
    }
}

/// Every chart of the model, in report order.
pub fn all_charts(model: &ReportModel) -> impl Iterator<Item = &Chart> {
    model
        .dimensions
        .iter()
        .flat_map(|d| &d.charts)
        .chain(&model.shift.share_chart)
        .chain(&model.shift.volume_charts)
}

/// A chart as the HTML report embeds it: untitled (the caption is HTML
/// text), with its text alternative.
pub fn inline_svg(chart: &Chart, language: Language) -> Result<String, ExportError> {
    Ok(accessible(
        &svg(chart, language, None, CHART_SIZE)?,
        &chart.alt,
    ))
}

/// Gives an SVG a text alternative and a role.
fn accessible(svg: &str, label: &str) -> String {
    svg.replacen(
        "<svg ",
        &format!(
            "<svg role=\"img\" aria-label=\"{}\" ",
            super::html::escape(label)
        ),
        1,
    )
}

/// The error of one chart.
fn failed(chart: &Chart, cause: impl std::fmt::Display) -> ExportError {
    ExportError::Chart {
        stem: chart.stem.clone(),
        title: chart.title.clone(),
        cause: cause.to_string(),
    }
}

/// Registers the bundled font once: every chart's text is laid out with it,
/// never with a system font.
fn register_font() -> Result<(), String> {
    static REGISTERED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(
                "sans-serif",
                FontStyle::Normal,
                include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
            )
            .map_err(|_| "the bundled font DejaVuSans.ttf could not be loaded".to_string())
        })
        .clone()
}

/// A chart as an SVG string.
fn svg(
    chart: &Chart,
    language: Language,
    caption: Option<&str>,
    size: (u32, u32),
) -> Result<String, ExportError> {
    register_font().map_err(|e| failed(chart, e))?;
    let mut svg = String::new();
    draw(
        SVGBackend::with_string(&mut svg, size).into_drawing_area(),
        chart,
        language,
        caption,
    )
    .map_err(|e| failed(chart, e))?;
    Ok(svg)
}

/// A chart as PNG bytes, its title drawn in with the bundled font.
fn png(chart: &Chart, language: Language, size: (u32, u32)) -> Result<Vec<u8>, ExportError> {
    register_font().map_err(|e| failed(chart, e))?;
    let (width, height) = size;
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    draw(
        BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area(),
        chart,
        language,
        Some(&chart.title),
    )
    .map_err(|e| failed(chart, e))?;
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(&rgb))
        .map_err(|e| failed(chart, format!("PNG encoding: {e}")))?;
    Ok(bytes)
}

/// The x and y ranges of a chart (its points, intervals and marks),
/// padded. The model never gives a chart without points.
fn chart_range(chart: &Chart) -> (f64, f64, f64, f64) {
    let (mut x0, mut x1) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
    let marks = chart.marks.iter().map(|m| (m.x, m.y, None));
    let points = chart
        .lines
        .iter()
        .flat_map(|l| l.runs.iter().flatten().copied());
    for (x, y, ci) in points.chain(marks) {
        x0 = x0.min(x);
        x1 = x1.max(x);
        let (lo, hi) = ci.unwrap_or((y, y));
        y0 = y0.min(lo.min(y));
        y1 = y1.max(hi.max(y));
    }
    if x0 == x1 {
        x0 -= 0.5;
        x1 += 0.5;
    }
    let pad = ((y1 - y0) * 0.08).max(0.5);
    let low = if y0 >= 0.0 {
        (y0 - pad).max(0.0)
    } else {
        y0 - pad
    };
    (x0, x1, low, y1 + pad)
}

/// Draws a line chart on any plotters backend. `caption` is drawn inside
/// the chart (for the standalone files); the inline charts leave it to the
/// escaped HTML caption.
fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    chart: &Chart,
    language: Language,
    caption: Option<&str>,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let error = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    if chart.lines.iter().all(|l| l.runs.is_empty()) {
        return Err("the chart has no point to draw".into());
    }
    let (x0, x1, y0, y1) = chart_range(chart);
    root.fill(&WHITE).map_err(error)?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(56);
    if let Some(caption) = caption {
        builder.caption(caption, ("sans-serif", 15));
    }
    let mut plot = builder
        .build_cartesian_2d(x0 - 0.3..x1 + 0.3, y0..y1)
        .map_err(error)?;
    plot.configure_mesh()
        .max_light_lines(0)
        .bold_line_style(RGBColor(230, 230, 230))
        .x_labels(((x1 - x0).round() as usize + 2).min(14))
        .label_style(("sans-serif", 12))
        .x_label_formatter(&|x| {
            if (x.fract()).abs() < 1e-9 {
                format!("{x:.0}")
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| language.number(*y, chart.decimals))
        .draw()
        .map_err(error)?;
    for line in &chart.lines {
        let (r, g, b) = line.colour;
        let colour = RGBColor(r, g, b);
        let dx = line.offset;
        for run in &line.runs {
            draw_run(&mut plot, run, colour, dx).map_err(error)?;
        }
    }
    for mark in &chart.marks {
        let (r, g, b) = mark.colour;
        let style = RGBColor(r, g, b).stroke_width(2);
        let at = (mark.x, mark.y);
        match mark.shape {
            MarkShape::Ring => plot.draw_series(std::iter::once(Circle::new(at, 6, style))),
            MarkShape::Cross => plot.draw_series(std::iter::once(Cross::new(at, 6, style))),
            MarkShape::Triangle => {
                plot.draw_series(std::iter::once(TriangleMarker::new(at, 6, style)))
            }
        }
        .map_err(error)?;
    }
    root.present().map_err(error)
}

/// One run of a line: its segment, its points and their intervals.
fn draw_run<DB: DrawingBackend>(
    plot: &mut ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    run: &[ChartPoint],
    colour: RGBColor,
    dx: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    plot.draw_series(LineSeries::new(
        run.iter().map(|(x, y, _)| (*x + dx, *y)),
        ShapeStyle::from(&colour).stroke_width(2),
    ))?;
    plot.draw_series(
        run.iter()
            .map(|(x, y, _)| Circle::new((*x + dx, *y), 3, colour.filled())),
    )?;
    for (x, _, ci) in run {
        if let Some((lo, hi)) = ci {
            plot.draw_series(std::iter::once(PathElement::new(
                vec![(*x + dx, *lo), (*x + dx, *hi)],
                colour.stroke_width(1),
            )))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{ChartKey, ChartLine};

    fn chart() -> Chart {
        Chart {
            stem: "charts/x".into(),
            title: "Kiusattu".into(),
            alt: "Viivakuva: Kiusattu".into(),
            decimals: 1,
            lines: vec![ChartLine {
                label: "Harju".into(),
                colour: (0, 114, 178),
                offset: 0.0,
                runs: vec![vec![
                    (2019.0, 10.0, Some((8.0, 12.0))),
                    (2021.0, 11.0, None),
                ]],
            }],
            key: ChartKey::Indicator(None),
            marks: Vec::new(),
        }
    }

    #[test]
    fn a_chart_is_an_accessible_svg_and_a_png() {
        let svg = inline_svg(&chart(), Language::Fi).unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"Viivakuva: Kiusattu\" "));
        let png = png(&chart(), Language::Fi, CHART_SIZE).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }

    /// The plan's marks (a target beyond the data) widen the chart's
    /// ranges so that they are drawn inside it.
    #[test]
    fn marks_are_inside_the_chart() {
        use crate::report::model::{Mark, MarkShape};
        let mut marked = chart();
        marked.marks.push(Mark {
            x: 2027.0,
            y: 4.0,
            shape: MarkShape::Cross,
            colour: (0, 0, 0),
        });
        let (x0, x1, y0, y1) = chart_range(&marked);
        assert_eq!((x0, x1), (2019.0, 2027.0));
        assert!(y0 < 4.0 && y1 > 12.0, "{y0} {y1}");
        let svg = inline_svg(&marked, Language::Fi).unwrap();
        assert!(svg.len() > inline_svg(&chart(), Language::Fi).unwrap().len());
    }

    /// A chart that cannot be drawn fails with its name and the cause
    /// (issue 11): here the PNG encoder refuses a zero-sized image.
    #[test]
    fn a_chart_that_cannot_be_drawn_is_an_error_naming_it() {
        let error = png(&chart(), Language::Fi, (0, 0)).unwrap_err().to_string();
        assert!(
            error.starts_with("drawing the chart charts/x (Kiusattu) failed: "),
            "{error}"
        );
        let mut empty = chart();
        empty.lines[0].runs.clear();
        let error = inline_svg(&empty, Language::Fi).unwrap_err().to_string();
        assert!(error.contains("no point to draw"), "{error}");
    }
}
