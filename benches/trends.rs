//! Benchmarks of the trend stage: the per-series kernel and the whole stage
//! on a large generated observation table (default 5 million rows; set
//! HYTE_BENCH_ROWS to change). Run with `cargo bench --bench trends`;
//! results and the machine they came from are in benches/README.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use hyte::catalog::{parse_files, Catalog};
use hyte::export::frames::trends_frame;
use hyte::observation::{Observation, Sex};
use hyte::period::Period;
use hyte::trends::{compute, series_stats, Point, TrendSettings};

const INDICATORS: usize = 20;

fn catalog() -> Catalog {
    let mut text = String::new();
    for i in 0..INDICATORS {
        let (polarity, unit) = if i % 2 == 0 {
            ("higher_is_worse", "percent")
        } else {
            ("higher_is_better", "per_1000")
        };
        text.push_str(&format!(
            "[[indicator]]\nid = \"bench.i{i}\"\ntitle = {{ fi = \"I{i}\", sv = \"I{i}\", en = \"I{i}\" }}\ndimension = \"health\"\npolarity = \"{polarity}\"\nunit = \"{unit}\"\ndecimals = 1\nsource = {{ cube = \"bench\", measure = \"i{i}\" }}\n\n"
        ));
    }
    parse_files(&[("bench.toml".into(), text)]).expect("bench catalog")
}

/// A deterministic table: indicators × areas × 3 sexes × 10 survey-like
/// rounds (every second year, one round in seven suppressed), about `rows`
/// observations in all.
fn observations(rows: usize) -> Vec<Observation> {
    const ROUNDS: usize = 10;
    let areas = (rows / (INDICATORS * 3 * ROUNDS)).max(1);
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut out = Vec::with_capacity(areas * INDICATORS * 3 * ROUNDS);
    for area in 0..areas {
        for indicator in 0..INDICATORS {
            for sex in Sex::ALL {
                let base = 5.0 + 40.0 * next();
                let slope = next() - 0.5;
                for round in 0..ROUNDS {
                    let suppressed = next() < 1.0 / 7.0;
                    let value =
                        (base + slope * round as f64 + 2.0 * (next() - 0.5)).clamp(0.0, 100.0);
                    out.push(Observation {
                        indicator: format!("bench.i{indicator}"),
                        area: format!("area.{area:05}"),
                        period: Period::Year(2007 + 2 * round as i32),
                        sex,
                        group: "8-9".into(),
                        value: (!suppressed).then_some(value),
                        count: None,
                        n: Some(100.0 + (400.0 * next()).round()),
                        ci_lower: None,
                        ci_upper: None,
                        source: format!("bench.json#{}", out.len()),
                    });
                }
            }
        }
    }
    hyte::observation::sort_rows(&mut out);
    out
}

fn kernel(c: &mut Criterion) {
    let settings = TrendSettings::default();
    let survey: Vec<Point> = (0..5)
        .map(|i| Point {
            period: Period::Year(2017 + 2 * i),
            value: Some(10.0 + i as f64),
            n: Some(400.0),
            ci_lower: None,
            ci_upper: None,
            source: "b",
        })
        .collect();
    let quarterly: Vec<Point> = (0..27)
        .map(|i| Point {
            period: Period::Quarter(2019 + i / 4, (i % 4 + 1) as u8),
            value: Some(20.0 + (i % 4) as f64 + 0.3 * i as f64),
            n: None,
            ci_lower: None,
            ci_upper: None,
            source: "b",
        })
        .collect();
    c.bench_function("kernel: survey series, 5 rounds with n", |b| {
        b.iter(|| series_stats(black_box(&survey), true, &settings))
    });
    c.bench_function("kernel: quarterly series, 27 quarters", |b| {
        b.iter(|| series_stats(black_box(&quarterly), false, &settings))
    });
}

fn stage(c: &mut Criterion) {
    let rows: usize = std::env::var("HYTE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000_000);
    let catalog = catalog();
    let table = hyte::table::ObservationTable::from_rows(&observations(rows));
    let settings = TrendSettings::default();
    let mut group = c.benchmark_group("trend stage");
    group.sample_size(10);
    group.bench_function(format!("compute, {} observations", table.len()), |b| {
        b.iter(|| compute(black_box(&table), &catalog, &[], &settings).expect("no duplicates"))
    });
    group.bench_function(
        format!("compute + trends table, {} observations", table.len()),
        |b| {
            b.iter_batched(
                || (),
                |_| {
                    let trends = compute(&table, &catalog, &[], &settings).expect("no duplicates");
                    trends_frame(&trends).expect("frame")
                },
                BatchSize::PerIteration,
            )
        },
    );
    group.finish();
}

criterion_group!(benches, kernel, stage);
criterion_main!(benches);
