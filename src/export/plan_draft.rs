//! `plan-draft.toml`: the four-yearly update's starting point, as a plan
//! file the coordinators edit into the next plan.
//!
//! In: a [`Draft`], the config (area names, language) and the catalog
//! (indicator titles). Out: TOML text in the plan file's format
//! (docs/PLAN.md): the next plan period, one goal per dimension with
//! something to say, a target per proposed indicator and group with its
//! areas, the latest value as the baseline and the direction that is an
//! improvement; comments list the previous plan's targets with their final
//! status and why each indicator is proposed. Guarantees: the text parses
//! as a plan with the same catalog and areas (a test checks it); every
//! text value is TOML-quoted by the toml crate; only presents the draft.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::domain::Polarity;
use crate::i18n::Language;
use crate::period::Period;
use crate::report::draft::{Draft, Proposal, Why};

/// The comments' words, per language.
struct DraftWords {
    head: &'static str,
    how: &'static str,
    name: &'static str,
    previous: &'static str,
    consider: &'static str,
    worsening: &'static str,
    /// "the worst of {of} school areas in {period}".
    worst_school_area: &'static str,
    /// "rank {rank} of {of} municipalities in {period} (the worst quarter)".
    worst_quarter: &'static str,
    title: &'static str,
    baseline: &'static str,
    aim: &'static str,
}

const FI: DraftWords = DraftWords {
    head: "Seuraavan lasten ja nuorten hyvinvointisuunnitelman luonnos {period}, kirjoittanut `hyte plan --draft`.",
    how: "Ehdotukset tulevat aineistosta: heikentyneet indikaattorit, koulualueiden heikoin arvo ja kuntien heikoin neljännes. Mikään ei ole päätetty: muokkaa, poista ja täydennä; `hyte validate` tarkistaa tiedoston. Lähtötaso on viimeisin julkaistu arvo.",
    name: "Lasten ja nuorten hyvinvointisuunnitelma {period} (luonnos)",
    previous: "Edellisen suunnitelman tavoitteet ja niiden tila:",
    consider: "Harkittavat indikaattorit:",
    worsening: "heikentynyt",
    worst_school_area: "koulualueiden heikoin ({of} aluetta, {period})",
    worst_quarter: "sija {rank}/{of} kunnista ({period}, heikoin neljännes)",
    title: "Luonnos: kirjoita tavoite",
    baseline: "viimeisin arvo",
    aim: "tai: value = …",
};

const SV: DraftWords = DraftWords {
    head: "Utkast till nästa plan för barns och ungas välfärd {period}, skrivet av `hyte plan --draft`.",
    how: "Förslagen kommer från data: indikatorer som försämrats, det sämsta värdet bland skolområdena och den sämsta fjärdedelen av kommunerna. Inget är beslutat: redigera, stryk och komplettera; `hyte validate` kontrollerar filen. Utgångsläget är det senaste publicerade värdet.",
    name: "Plan för barns och ungas välfärd {period} (utkast)",
    previous: "Den föregående planens mål och deras läge:",
    consider: "Indikatorer att överväga:",
    worsening: "försämrats",
    worst_school_area: "sämst av skolområdena ({of} områden, {period})",
    worst_quarter: "plats {rank}/{of} bland kommunerna ({period}, sämsta fjärdedelen)",
    title: "Utkast: skriv målet",
    baseline: "senaste värde",
    aim: "eller: value = …",
};

const EN: DraftWords = DraftWords {
    head: "A draft of the next children and young people's wellbeing plan {period}, written by `hyte plan --draft`.",
    how: "The proposals come from the data: indicators that worsened, the worst value of the school areas and the worst quarter of the municipalities. Nothing is decided: edit, remove and add; `hyte validate` checks the file. The baseline is the latest published value.",
    name: "Children and young people's wellbeing plan {period} (draft)",
    previous: "The previous plan's targets and where they stand:",
    consider: "Indicators to consider:",
    worsening: "worsened",
    worst_school_area: "the worst of the school areas ({of} areas, {period})",
    worst_quarter: "rank {rank} of {of} municipalities ({period}, the worst quarter)",
    title: "Draft: write the goal",
    baseline: "latest value",
    aim: "or: value = …",
};

fn words(language: Language) -> &'static DraftWords {
    match language {
        Language::Fi => &FI,
        Language::Sv => &SV,
        Language::En => &EN,
    }
}

/// A TOML string literal.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The draft as a plan file.
pub fn render(draft: &Draft, config: &Config, catalog: &Catalog) -> String {
    let language = config.language;
    let w = words(language);
    let period = format!("{}–{}", draft.first_year, draft.last_year);
    let area_name = |key: &str| {
        config
            .area(key)
            .map_or(key.to_string(), |a| a.name.get(language).to_string())
    };
    let title = |id: &str| {
        catalog
            .get(id)
            .map_or(id.to_string(), |i| i.title.get(language).to_string())
    };
    let mut toml = String::new();
    for line in [w.head.replace("{period}", &period), w.how.to_string()] {
        let _ = writeln!(toml, "# {line}");
    }
    let name = |words: &DraftWords| quoted(&words.name.replace("{period}", &period));
    let _ = writeln!(
        toml,
        "\n[plan]\nname = {{ fi = {}, sv = {}, en = {} }}\nperiod = \"{}-{}\"",
        name(&FI),
        name(&SV),
        name(&EN),
        draft.first_year,
        draft.last_year
    );
    for d in &draft.dimensions {
        let _ = writeln!(
            toml,
            "\n# ---- {} ----",
            crate::report::phrases::capitalize(d.dimension.name(language))
        );
        if !d.previous.is_empty() {
            let _ = writeln!(toml, "# {}", w.previous);
            for p in &d.previous {
                let _ = writeln!(
                    toml,
                    "#   {} · {} · {} · {}: {} ({})",
                    p.goal,
                    p.subject,
                    area_name(&p.area),
                    p.aim,
                    p.status_text,
                    p.reason
                );
            }
        }
        if !d.proposals.is_empty() {
            let _ = writeln!(toml, "# {}", w.consider);
            for p in &d.proposals {
                let why: Vec<String> = p.why.iter().map(|why| reason(why, w)).collect();
                let group = if p.group == crate::observation::ALL_GROUPS {
                    String::new()
                } else {
                    format!(" ({})", p.group)
                };
                let _ = writeln!(
                    toml,
                    "#   {}{group} · {}: {}; {} {} ({})",
                    title(&p.indicator),
                    area_name(&p.area),
                    why.join("; "),
                    w.baseline,
                    language.number(p.baseline.1, decimals(catalog, &p.indicator)),
                    p.baseline.0
                );
            }
        }
        let key = d.dimension.key();
        let _ = writeln!(
            toml,
            "[[goal]]\nid = \"{key}\"\ndimension = \"{key}\"\ntitle = {{ fi = {}, sv = {}, en = {} }}",
            quoted(FI.title),
            quoted(SV.title),
            quoted(EN.title)
        );
        for (target, proposals) in targets(&d.proposals) {
            let (indicator, group, baseline) = target;
            let by = match baseline {
                Period::Quarter(..) => Period::Quarter(draft.last_year, 4),
                Period::Year(_) => Period::Year(draft.last_year),
            };
            let areas: Vec<String> = proposals.iter().map(|p| quoted(&p.area)).collect();
            let values: Vec<String> = proposals
                .iter()
                .map(|p| {
                    format!(
                        "{} {}",
                        area_name(&p.area),
                        language.number(p.baseline.1, decimals(catalog, indicator))
                    )
                })
                .collect();
            let direction = match proposals[0].polarity {
                Polarity::HigherIsWorse => "decrease",
                _ => "increase",
            };
            let _ = writeln!(toml, "\n[[goal.target]]\nindicator = {}", quoted(indicator));
            if group != crate::observation::ALL_GROUPS {
                let _ = writeln!(toml, "group = {}", quoted(group));
            }
            let _ = writeln!(
                toml,
                "areas = [{}]\nbaseline = \"{baseline}\" # {}: {}\ndirection = \"{direction}\" # {}\nby = \"{by}\"",
                areas.join(", "),
                w.baseline,
                values.join(", "),
                w.aim
            );
        }
    }
    toml
}

fn decimals(catalog: &Catalog, id: &str) -> u8 {
    catalog.get(id).map_or(1, |i| i.decimals)
}

fn reason(why: &Why, w: &DraftWords) -> String {
    match why {
        Why::Worsening => w.worsening.to_string(),
        Why::WorstSchoolArea { of, period } => w
            .worst_school_area
            .replace("{of}", &of.to_string())
            .replace("{period}", &period.to_string()),
        Why::WorstQuarter { rank, of, period } => w
            .worst_quarter
            .replace("{rank}", &rank.to_string())
            .replace("{of}", &of.to_string())
            .replace("{period}", &period.to_string()),
    }
}

/// (indicator, group, baseline period): the proposals one target takes.
type TargetKey<'a> = (&'a str, &'a str, Period);

/// The proposals grouped into targets: one per indicator, group and
/// baseline period, with its areas in the draft's order.
fn targets(proposals: &[Proposal]) -> Vec<(TargetKey<'_>, Vec<&Proposal>)> {
    let mut out: Vec<(TargetKey, Vec<&Proposal>)> = Vec::new();
    let mut index: BTreeMap<TargetKey, usize> = BTreeMap::new();
    for p in proposals {
        let key = (p.indicator.as_str(), p.group.as_str(), p.baseline.0);
        match index.get(&key) {
            Some(&i) => out[i].1.push(p),
            None => {
                index.insert(key, out.len());
                out.push((key, vec![p]));
            }
        }
    }
    out
}
