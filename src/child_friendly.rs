//! The UNICEF Child Friendly Municipality self-assessment (issue 14):
//! the levels the city gives the model's indicators at each assessment,
//! and their change since the previous one.
//!
//! In: the rows of the city's assessment file
//! ([`crate::ingest::child_friendly_csv`]): per assessment year and model
//! indicator its theme, the level (1–4 in the current model, 1–5 where
//! the city used a five-step scale) and the one of the seven dimensions
//! the city files it under. Out: [`Item`]s, one per indicator and
//! assessment, in dimension, indicator and year order, each with the
//! previous assessment of the same indicator. Guarantees: a change is
//! given only between two assessments of the same indicator on the same
//! scale; nothing is averaged across indicators (the levels are ordinal).
//!
//! The format is hyte's own: UNICEF's digital service, where the
//! assessments are recorded, documents no export (it is behind a login),
//! so the city copies its levels into this file. docs/PLAN.md describes it.

use crate::domain::Dimension;

/// The assessment file as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessments {
    /// The file and the sha256 of its bytes (for the manifest).
    pub fingerprint: (String, String),
    pub levels: Vec<Level>,
}

/// One indicator's level at one assessment, as the city recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub year: i32,
    /// The model's indicator number or id, as the city writes it ("22").
    pub item: String,
    /// The model's theme area (yhdenvertaisuus, lapsen etu, osallisuus …).
    pub theme: String,
    pub dimension: Dimension,
    pub level: u8,
    /// The scale's top level: 4, or 5 for a five-step scale.
    pub scale: u8,
    /// The indicator's wording (optional).
    pub text: String,
    /// `file:line`.
    pub source: String,
}

/// An assessment with the previous one of the same indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub current: Level,
    /// The previous assessment's year and level, on the same scale.
    pub previous: Option<(i32, u8)>,
}

impl Item {
    /// Levels gained (negative: lost) since the previous assessment.
    pub fn change(&self) -> Option<i32> {
        self.previous
            .map(|(_, level)| i32::from(self.current.level) - i32::from(level))
    }
}

/// Every assessment with its predecessor, in dimension, indicator and
/// year order. An indicator whose scale changed between assessments has
/// no predecessor across the change.
pub fn items(levels: &[Level]) -> Vec<Item> {
    let mut sorted: Vec<&Level> = levels.iter().collect();
    sorted.sort_by(|a, b| {
        (a.dimension, natural(&a.item), a.year).cmp(&(b.dimension, natural(&b.item), b.year))
    });
    let mut out: Vec<Item> = Vec::with_capacity(sorted.len());
    for level in sorted {
        let previous = out
            .last()
            .map(|i| &i.current)
            .filter(|p| {
                p.item == level.item && p.dimension == level.dimension && p.scale == level.scale
            })
            .map(|p| (p.year, p.level));
        out.push(Item {
            current: level.clone(),
            previous,
        });
    }
    out
}

/// Sorts "9" before "22": numbers by value, other ids after them by text.
fn natural(item: &str) -> (u64, &str) {
    (item.parse::<u64>().unwrap_or(u64::MAX), item)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(year: i32, item: &str, level: u8, scale: u8) -> Level {
        Level {
            year,
            item: item.into(),
            theme: "osallisuus".into(),
            dimension: Dimension::Participation,
            level,
            scale,
            text: String::new(),
            source: "a.csv:2".into(),
        }
    }

    #[test]
    fn each_assessment_is_compared_with_the_previous_one_of_its_indicator() {
        let items = items(&[
            level(2024, "22", 3, 4),
            level(2021, "61", 2, 4),
            level(2021, "22", 1, 4),
            level(2024, "61", 2, 4),
            level(2018, "9", 4, 5),
            level(2021, "9", 2, 4),
        ]);
        type View<'a> = (&'a str, i32, Option<(i32, u8)>, Option<i32>);
        let view: Vec<View> = items
            .iter()
            .map(|i| {
                (
                    i.current.item.as_str(),
                    i.current.year,
                    i.previous,
                    i.change(),
                )
            })
            .collect();
        assert_eq!(
            view,
            vec![
                ("9", 2018, None, None),
                // The scale changed from 1–5 to 1–4: no change is given.
                ("9", 2021, None, None),
                ("22", 2021, None, None),
                ("22", 2024, Some((2021, 1)), Some(2)),
                ("61", 2021, None, None),
                ("61", 2024, Some((2021, 2)), Some(0)),
            ]
        );
    }
}
