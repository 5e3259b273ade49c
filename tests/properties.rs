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
        let input = hyte::config::Input {
            kind: hyte::config::InputKind::Jsonstat,
            path: "c.json".into(),
            regions: None,
            cube: Some("ktk".into()),
            measure: None,
            area_map: Default::default(),
            dimensions: Default::default(),
            declared_at: "t".into(),
        };
        let _ = hyte::ingest::jsonstat::parse(text.as_bytes(), "c.json", &input);
    }
}
