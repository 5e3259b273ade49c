//! Periods: a calendar year (`2023`) or a quarter (`2025Q3`).
//!
//! In: the period text of any input. Out: a [`Period`] that sorts in time
//! order, prints back to the same canonical text and converts to a decimal
//! time for regressions. Guarantees: parsing is strict (no silent
//! truncation: `2023Q5`, `23` and `2023-1` are errors) and `to_string`
//! round-trips.

use std::fmt;
use std::str::FromStr;

/// A reporting period. Periods sort in time order; a year sorts before the
/// quarters of the same year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year(i32),
    Quarter(i32, u8),
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Period {
    /// (year, 0 for a year or the quarter number).
    fn sort_key(self) -> (i32, u8) {
        match self {
            Period::Year(y) => (y, 0),
            Period::Quarter(y, q) => (y, q),
        }
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Quarter(y, _) => y,
        }
    }

    /// Decimal time in years: `Y` for a year, `Y + (q − 1)/4` for quarter q.
    pub fn decimal_time(self) -> f64 {
        match self {
            Period::Year(y) => f64::from(y),
            Period::Quarter(y, q) => f64::from(y) + f64::from(q - 1) / 4.0,
        }
    }

    pub fn is_quarter(self) -> bool {
        matches!(self, Period::Quarter(..))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y}Q{q}"),
        }
    }
}

/// Why a period text was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a period: write a year like 2023 or a quarter like 2025Q3")]
pub struct PeriodError {
    pub text: String,
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || PeriodError {
            text: text.to_string(),
        };
        let trimmed = text.trim();
        let parse_year = |s: &str| -> Option<i32> {
            (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
                .filter(|y| (1900..=2200).contains(y))
        };
        if let Some((y, q)) = trimmed.split_once(['Q', 'q']) {
            let year = parse_year(y).ok_or_else(err)?;
            let quarter: u8 = match q {
                "1" => 1,
                "2" => 2,
                "3" => 3,
                "4" => 4,
                _ => return Err(err()),
            };
            Ok(Period::Quarter(year, quarter))
        } else {
            parse_year(trimmed).map(Period::Year).ok_or_else(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_years_and_quarters() {
        assert_eq!("2023".parse(), Ok(Period::Year(2023)));
        assert_eq!("2025Q3".parse(), Ok(Period::Quarter(2025, 3)));
        assert_eq!("2025q1".parse::<Period>().unwrap().to_string(), "2025Q1");
        for bad in [
            "", "23", "2023Q5", "2023Q0", "2023-1", "20x3", "2023Q", "12345",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn decimal_time_follows_the_documented_rule() {
        assert_eq!(Period::Year(2021).decimal_time(), 2021.0);
        assert_eq!(Period::Quarter(2021, 1).decimal_time(), 2021.0);
        assert_eq!(Period::Quarter(2021, 3).decimal_time(), 2021.5);
        assert_eq!(Period::Quarter(2021, 4).decimal_time(), 2021.75);
    }

    #[test]
    fn sorts_in_time_order() {
        let mut periods: Vec<Period> = ["2020Q2", "2019", "2020", "2019Q4", "2020Q1"]
            .iter()
            .map(|p| p.parse().unwrap())
            .collect();
        periods.sort();
        let text: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
        assert_eq!(text, ["2019", "2019Q4", "2020", "2020Q1", "2020Q2"]);
    }
}
