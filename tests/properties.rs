//! Property tests of invariants.

use hyte::observation::{sort_rows, Observation, Sex};
use hyte::period::Period;
use proptest::prelude::*;

fn observation() -> impl Strategy<Value = Observation> {
    (
        prop::sample::select(vec!["a", "b", "c"]),
        prop::sample::select(vec!["kunta.444", "lohja.harju"]),
        2015i32..2026,
        prop::option::of(0u8..4),
        prop::sample::select(vec![Sex::Total, Sex::Female, Sex::Male]),
        prop::option::of(0.0f64..100.0),
        0u32..1000,
    )
        .prop_map(
            |(indicator, area, year, quarter, sex, value, line)| Observation {
                indicator: indicator.into(),
                area: area.into(),
                period: match quarter {
                    Some(q) => Period::Quarter(year, q + 1),
                    None => Period::Year(year),
                },
                sex,
                group: "all".into(),
                value,
                count: None,
                n: None,
                ci_lower: None,
                ci_upper: None,
                source: format!("f.csv:{line}"),
            },
        )
}

proptest! {
    /// Shuffling the input rows changes no output byte.
    #[test]
    fn table_order_does_not_depend_on_input_order(rows in prop::collection::vec(observation(), 0..60), seed in any::<u64>()) {
        let mut sorted = rows.clone();
        sort_rows(&mut sorted);
        let mut shuffled = rows;
        // A deterministic Fisher–Yates shuffle driven by the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        sort_rows(&mut shuffled);
        prop_assert_eq!(sorted, shuffled);
    }

    /// Periods print back to what parses, and order follows decimal time.
    #[test]
    fn periods_round_trip(year in 1900i32..2200, quarter in prop::option::of(1u8..=4)) {
        let period = match quarter { Some(q) => Period::Quarter(year, q), None => Period::Year(year) };
        prop_assert_eq!(period.to_string().parse::<Period>().unwrap(), period);
        let next = Period::Quarter(year + 1, 1);
        prop_assert!(period < next && period.decimal_time() < next.decimal_time());
    }

    /// No parser panics on arbitrary bytes, and every line is either
    /// accepted or rejected: nothing vanishes.
    #[test]
    fn sotkanet_csv_accounts_for_every_line(body in prop::collection::vec("[0-9;a-z.,\\r -]{0,30}", 0..20)) {
        let regions = hyte::ingest::sotkanet_regions::parse(br#"[{"id":202,"code":"444","category":"KUNTA"}]"#, "r.json").unwrap();
        let text = format!("indicator;region;year;gender;primary value;absolute value\n{}", body.join("\n"));
        if let Ok(parsed) = hyte::ingest::sotkanet_csv::parse(text.as_bytes(), "p.csv", &regions) {
            prop_assert_eq!(parsed.rows.len() + parsed.rejections.len(), parsed.read);
        }
    }

    #[test]
    fn jsonstat_never_panics(text in "\\PC{0,200}") {
        let input = hyte::config::CubeInput {
            name: "ktk".into(),
            ..Default::default()
        };
        let _ = hyte::ingest::jsonstat::parse(text.as_bytes(), "c.json", &input);
    }
}

mod trend_invariants {
    use hyte::catalog::parse_files;
    use hyte::export::frames::trends_frame;
    use hyte::observation::{Observation, Sex};
    use hyte::period::Period;
    use hyte::stats::least_squares;
    use hyte::trends::{compute, TrendSettings};
    use proptest::prelude::*;

    /// Distinct decimal times: years and quarters between 2010 and 2030.
    fn times() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::btree_set(0u32..80, 2..20).prop_map(|set| {
            set.into_iter()
                .map(|q| 2010.0 + f64::from(q) / 4.0)
                .collect()
        })
    }

    proptest! {
        #[test]
        fn a_constant_series_has_slope_zero(xs in times(), c in -1e6f64..1e6) {
            let points: Vec<(f64, f64)> = xs.iter().map(|&x| (x, c)).collect();
            let fit = least_squares(&points).unwrap();
            prop_assert_eq!(fit.slope, 0.0);
            if points.len() >= 3 {
                prop_assert_eq!(fit.p_value, Some(1.0));
            }
        }

        #[test]
        fn adding_a_constant_leaves_the_slope_unchanged(
            xs in times(),
            ys in prop::collection::vec(-1000.0f64..1000.0, 20),
            c in -1e4f64..1e4,
        ) {
            let points: Vec<(f64, f64)> = xs.iter().zip(&ys).map(|(&x, &y)| (x, y)).collect();
            let shifted: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (x, y + c)).collect();
            let (a, b) = (least_squares(&points).unwrap(), least_squares(&shifted).unwrap());
            let scale = 1.0 + a.slope.abs() + c.abs() * 1e-6;
            prop_assert!((a.slope - b.slope).abs() <= 1e-9 * scale, "{} vs {}", a.slope, b.slope);
        }

        /// Shuffling the input rows changes no byte of the trends table.
        #[test]
        fn trends_do_not_depend_on_row_order(
            values in prop::collection::vec(prop::option::of(0.0f64..100.0), 1..80),
            seed in any::<u64>(),
        ) {
            let catalog = parse_files(&[("c.toml".into(), CATALOG.into())]).unwrap();
            let rows: Vec<Observation> = values
                .iter()
                .enumerate()
                .map(|(i, value)| Observation {
                    indicator: ["a", "b"][i % 2].into(),
                    area: ["kunta.444", "lohja.harju"][(i / 2) % 2].into(),
                    period: Period::Year(2000 + (i / 4) as i32),
                    sex: Sex::Total,
                    group: "all".into(),
                    value: *value,
                    count: None,
                    n: Some(100.0),
                    ci_lower: None,
                    ci_upper: None,
                    source: format!("f.csv:{i}"),
                })
                .collect();
            let mut shuffled = rows.clone();
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                shuffled.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let settings = TrendSettings::default();
            let csv = |rows: &[Observation]| {
                let table = hyte::table::ObservationTable::from_rows(rows);
                let trends = compute(&table, &catalog, &[], &settings).unwrap();
                let frame = trends_frame(&trends).unwrap();
                hyte::export::tables::render("t", &frame, Default::default()).unwrap()
            };
            prop_assert_eq!(csv(&rows), csv(&shuffled));
        }
    }

    const CATALOG: &str = r#"
[[indicator]]
id = "a"
title = { fi = "A", sv = "A", en = "A" }
dimension = "health"
polarity = "higher_is_worse"
unit = "percent"
decimals = 1
source = { cube = "t", measure = "a" }

[[indicator]]
id = "b"
title = { fi = "B", sv = "B", en = "B" }
dimension = "leisure"
polarity = "higher_is_better"
unit = "percent"
decimals = 1
source = { cube = "t", measure = "b" }
"#;
}

mod shift_invariants {
    use hyte::catalog::parse_files;
    use hyte::config::{Area, AreaKind};
    use hyte::i18n::Localized;
    use hyte::observation::{Observation, Sex};
    use hyte::period::Period;
    use hyte::shift::compute;
    use hyte::totals::derive_totals;
    use hyte::trends::{TrendSettings, Trends};
    use proptest::prelude::*;

    const CATALOG: &str = r#"
[[indicator]]
id = "b"
title = { fi = "B", sv = "B", en = "B" }
dimension = "care"
polarity = "neutral"
unit = "count"
decimals = 0
source = { service = "basic_service", measure = "clients" }
service_level = "basic"

[[indicator]]
id = "s"
title = { fi = "S", sv = "S", en = "S" }
dimension = "care"
polarity = "neutral"
unit = "count"
decimals = 0
source = { service = "specialist_service", measure = "clients" }
service_level = "specialist"
"#;

    proptest! {
        /// Multiplying every volume by a constant changes no share and no
        /// verdict: the share is a ratio.
        #[test]
        fn scaling_volumes_changes_no_share_or_verdict(
            volumes in prop::collection::vec((1u32..200, 1u32..50), 28),
            factor in 0.01f64..1000.0,
        ) {
            let catalog = parse_files(&[("c.toml".into(), CATALOG.into())]).unwrap();
            let areas = vec![Area {
                key: "x".into(),
                name: Localized { fi: "X".into(), sv: "X".into(), en: "X".into() },
                kind: AreaKind::SchoolArea,
                parent: None,
                reference: false,
            }];
            let rows = |scale: f64| -> Vec<Observation> {
                volumes
                    .iter()
                    .enumerate()
                    .flat_map(|(i, (basic, specialist))| {
                        [("b", *basic), ("s", *specialist)].map(|(id, v)| Observation {
                            indicator: id.into(),
                            area: "x".into(),
                            period: Period::Quarter(2018 + (i / 4) as i32, (i % 4 + 1) as u8),
                            sex: Sex::Total,
                            group: "all".into(),
                            value: Some(f64::from(v) * scale),
                            count: None,
                            n: None,
                            ci_lower: None,
                            ci_upper: None,
                            source: format!("s:{i}"),
                        })
                    })
                    .collect()
            };
            let run = |scale: f64| {
                let obs = rows(scale);
                compute(&obs, &derive_totals(&obs, &catalog, &areas), &[], &catalog, &areas, &Trends::default(), &TrendSettings::default())
            };
            let (one, scaled) = (run(1.0), run(factor));
            for (a, b) in one.rows.iter().zip(&scaled.rows) {
                let (x, y) = (a.share_clients().unwrap(), b.share_clients().unwrap());
                prop_assert!((x - y).abs() < 1e-12, "{x} vs {y}");
            }
            let verdicts = |s: &hyte::shift::Shift| s.summaries.iter().map(|s| s.verdict).collect::<Vec<_>>();
            prop_assert_eq!(verdicts(&one), verdicts(&scaled));
        }
    }
}
