//! Languages of the reports and the words they need.
//!
//! In: a language choice. Out: localized names and number formatting.
//! Guarantees: Finnish and Swedish use a decimal comma, English a point.

use serde::Deserialize;

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Fi,
    Sv,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Fi => "fi",
            Language::Sv => "sv",
            Language::En => "en",
        }
    }

    /// Formats a number with the given decimals in this language's style.
    pub fn number(self, value: f64, decimals: u8) -> String {
        let text = format!("{value:.prec$}", prec = usize::from(decimals));
        // `-0.0` would print a misleading minus sign.
        let text = if text
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            text.trim_start_matches('-').to_string()
        } else {
            text
        };
        match self {
            Language::Fi | Language::Sv => text.replace('.', ","),
            Language::En => text,
        }
    }

    /// [`Language::number`] with the whole part in groups of three: a
    /// no-break space in Finnish and Swedish (150 000), a comma in English
    /// (150,000). For sums of money, where 150000 is hard to read.
    pub fn grouped(self, value: f64, decimals: u8) -> String {
        let text = self.number(value, decimals);
        let (sign, rest) = text
            .strip_prefix('-')
            .map_or(("", text.as_str()), |r| ("-", r));
        let split = rest.find([',', '.']).unwrap_or(rest.len());
        let (whole, fraction) = rest.split_at(split);
        let separator = match self {
            Language::Fi | Language::Sv => '\u{a0}',
            Language::En => ',',
        };
        let mut grouped = String::new();
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(separator);
            }
            grouped.push(digit);
        }
        format!("{sign}{grouped}{fraction}")
    }
}

/// A text in the three languages hyte reports in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub fi: String,
    pub sv: String,
    pub en: String,
}

impl Localized {
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Fi => &self.fi,
            Language::Sv => &self.sv,
            Language::En => &self.en,
        }
    }

    /// The first language whose text is empty, if any.
    pub fn first_empty(&self) -> Option<&'static str> {
        [("fi", &self.fi), ("sv", &self.sv), ("en", &self.en)]
            .into_iter()
            .find(|(_, text)| text.trim().is_empty())
            .map(|(code, _)| code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_numbers() {
        assert_eq!(Language::Fi.grouped(150000.0, 0), "150\u{a0}000");
        assert_eq!(Language::En.grouped(1234567.5, 1), "1,234,567.5");
        assert_eq!(Language::Sv.grouped(-999.0, 0), "-999");
        assert_eq!(Language::Fi.grouped(-1000.25, 2), "-1\u{a0}000,25");
    }

    #[test]
    fn decimal_comma_in_finnish_and_swedish() {
        assert_eq!(Language::Fi.number(12.345, 1), "12,3");
        assert_eq!(Language::Sv.number(12.35, 2), "12,35");
        assert_eq!(Language::En.number(12.345, 1), "12.3");
        assert_eq!(Language::Fi.number(-0.04, 1), "0,0");
        assert_eq!(Language::En.number(46963.0, 0), "46963");
    }
}
