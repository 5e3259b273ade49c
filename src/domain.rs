//! The domain's closed vocabularies as types: what the catalog, the config
//! and every stage agree on.
//!
//! In: nothing (definitions only). Out: enums whose text forms (the keys in
//! `indicators/*.toml`, `hyte.toml` and the output tables) are derived once
//! by strum, and the configured [`Area`]. Guarantees: a value outside a
//! vocabulary is rejected where it is read (with the list of allowed keys
//! from [`VariantNames`]), so no stage compares these strings by hand.

use serde::Deserialize;
use strum::{EnumString, IntoStaticStr, VariantArray, VariantNames};

use crate::i18n::{Language, Localized};

/// Gives each vocabulary its `key()`: the text form in the catalog, the
/// config and the tables (`Dimension::Care.key() == "care"`), from strum's
/// `IntoStaticStr`, instead of a hand-written `match` per enum.
macro_rules! keyed {
    ($($vocabulary:ty),*) => {$(
        impl $vocabulary {
            pub fn key(self) -> &'static str {
                self.into()
            }
        }
    )*};
}
pub(crate) use keyed;

keyed!(Dimension, Polarity, ServiceLevel, Unit, Measure, CellStatus);

/// Parses a vocabulary value, or says which keys are allowed.
pub fn parse_key<T: std::str::FromStr + VariantNames>(text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("use one of {}", T::VARIANTS.join(", ")))
}

/// The seven dimensions of wellbeing as children's rights, in plan order.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    IntoStaticStr,
    EnumString,
    VariantNames,
    VariantArray,
    strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum Dimension {
    Equality,
    Care,
    Participation,
    Health,
    Safety,
    Learning,
    Leisure,
}

impl Dimension {
    /// Every dimension, in plan order.
    pub const ALL: &'static [Dimension] = <Dimension as VariantArray>::VARIANTS;

    pub fn name(self, language: Language) -> &'static str {
        use Dimension::*;
        use Language::*;
        match (self, language) {
            (Equality, Fi) => "yhdenvertaisuus",
            (Equality, Sv) => "likabehandling",
            (Equality, En) => "equality",
            (Care, Fi) => "hoiva ja huolenpito",
            (Care, Sv) => "omsorg",
            (Care, En) => "care and nurture",
            (Participation, Fi) => "osallisuus",
            (Participation, Sv) => "delaktighet",
            (Participation, En) => "participation",
            (Health, Fi) => "terveys",
            (Health, Sv) => "hälsa",
            (Health, En) => "health",
            (Safety, Fi) => "turvallisuus",
            (Safety, Sv) => "trygghet",
            (Safety, En) => "safety",
            (Learning, Fi) => "oppiminen ja onnistuminen",
            (Learning, Sv) => "lärande och framgång",
            (Learning, En) => "learning and success",
            (Leisure, Fi) => "liikunta ja harrastukset",
            (Leisure, Sv) => "motion och fritid",
            (Leisure, En) => "exercise and hobbies",
        }
    }
}

/// Which direction of change is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr, EnumString, VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum Polarity {
    HigherIsBetter,
    HigherIsWorse,
    Neutral,
}

/// Level of a service in the shift from specialist to basic services.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, IntoStaticStr, EnumString, VariantNames,
)]
#[strum(serialize_all = "snake_case")]
pub enum ServiceLevel {
    Basic,
    Intermediate,
    Specialist,
}

/// What an indicator's numbers are. The unit decides the privacy rule (a
/// percentage needs its respondents, a count its cases), the range check
/// and whether a two-proportion test applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr, EnumString, VariantNames)]
pub enum Unit {
    #[strum(serialize = "percent")]
    Percent,
    #[strum(serialize = "per_1000")]
    Per1000,
    #[strum(serialize = "per_100000")]
    Per100000,
    #[strum(serialize = "count")]
    Count,
    #[strum(serialize = "euro")]
    Euro,
    #[strum(serialize = "index")]
    Index,
}

impl Unit {
    /// Counts and euros add up over areas, quarters and sexes (the lines
    /// of secondary suppression); rates and percentages do not.
    pub fn is_additive(self) -> bool {
        matches!(self, Unit::Count | Unit::Euro)
    }
}

/// The measures a local service file carries, one column each.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    IntoStaticStr,
    EnumString,
    VariantNames,
    VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum Measure {
    /// Distinct clients in the period: the basis of the shift.
    Clients,
    Visits,
    CostEur,
}

impl Measure {
    /// Every measure, in column order.
    pub const ALL: &'static [Measure] = <Measure as VariantArray>::VARIANTS;
}

/// Why a cell is (not) shown.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum CellStatus {
    Published,
    /// Arrived without a value (suppressed or missing at the source).
    NotPublished,
    /// Below the minimum n or count.
    SuppressedSmall,
    /// Suppressed so that another suppressed cell cannot be derived.
    SuppressedComplementary,
}

impl CellStatus {
    pub fn is_published(self) -> bool {
        self == CellStatus::Published
    }
}

/// What kind of area a key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    SchoolArea,
    Municipality,
    WellbeingCounty,
    Region,
    Country,
}

/// An area the config declares: a school area, the municipality or a
/// reference (region, wellbeing county, country).
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub key: String,
    pub name: Localized,
    pub kind: AreaKind,
    pub parent: Option<String>,
    /// Shown as a reference line and compared against (Lohja, region, country).
    pub reference: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_catalog_spellings() {
        assert_eq!(Dimension::Care.key(), "care");
        assert_eq!(Polarity::HigherIsWorse.key(), "higher_is_worse");
        assert_eq!(Unit::Per100000.key(), "per_100000");
        assert_eq!(Measure::CostEur.key(), "cost_eur");
        assert_eq!(Dimension::ALL.len(), 7);
        assert_eq!(parse_key::<Unit>("per_1000"), Ok(Unit::Per1000));
        assert_eq!(
            parse_key::<ServiceLevel>("tertiary"),
            Err("use one of basic, intermediate, specialist".to_string())
        );
        for d in Dimension::ALL {
            assert_eq!(parse_key::<Dimension>(d.key()), Ok(*d));
        }
    }
}
