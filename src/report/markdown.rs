//! `report.md`: the first report, per dimension, for e-mail and intranets.
//!
//! In: [`ReportInput`]. Out: Markdown text in the configured language: for
//! each of the seven dimensions, each indicator's latest published value per
//! configured area (with its period), then data quality. Guarantees: text
//! from inputs and the catalog is escaped (no raw HTML, no broken table
//! cells); an unpublished latest value shows as a dash with its period, never
//! as zero; the output depends only on the inputs.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::ReportInput;
use crate::catalog::{Dimension, Indicator};
use crate::i18n::Language;
use crate::observation::{Observation, Sex};

struct Words {
    title: &'static str,
    intro: &'static str,
    indicator: &'static str,
    group: &'static str,
    no_data: &'static str,
    suppressed_note: &'static str,
    quality: &'static str,
    files: &'static str,
    rows_read: &'static str,
    rejected: &'static str,
    unknown: &'static str,
    outside: &'static str,
    file_failed: &'static str,
    synthetic_hint: &'static str,
}

fn words(language: Language) -> Words {
    match language {
        Language::Fi => Words {
            title: "Lasten ja nuorten hyvinvointi: indikaattorit lapsen oikeuksien ulottuvuuksittain",
            intro: "Viimeisin julkaistu arvo alueittain (suluissa ajanjakso). Luvut ovat koko ikäryhmästä (sukupuolet yhteensä).",
            indicator: "Indikaattori",
            group: "Ryhmä",
            no_data: "Ei aineistoa tässä ulottuvuudessa.",
            suppressed_note: "– = ei julkaistu (tieto puuttuu tai se on salattu pienen määrän vuoksi).",
            quality: "Aineiston laatu",
            files: "Tiedosto",
            rows_read: "rivejä luettu",
            rejected: "hylätty",
            unknown: "Luettelosta puuttuvat lähteet (tiedot säilytetty havaintotaulukossa)",
            outside: "Havaintoja alueilta, joita ei ole määritelty (säilytetty taulukossa)",
            file_failed: "tiedostoa ei voitu lukea",
            synthetic_hint: "Hylkäysten syyt rivi riviltä: manifest.json.",
        },
        Language::Sv => Words {
            title: "Barns och ungas välfärd: indikatorer enligt barnets rättigheter",
            intro: "Senaste publicerade värde per område (period inom parentes). Siffrorna gäller hela åldersgruppen (båda könen).",
            indicator: "Indikator",
            group: "Grupp",
            no_data: "Inga data i denna dimension.",
            suppressed_note: "– = inte publicerat (uppgift saknas eller skyddas på grund av litet antal).",
            quality: "Datakvalitet",
            files: "Fil",
            rows_read: "rader lästa",
            rejected: "avvisade",
            unknown: "Källor som saknas i katalogen (data sparade i observationstabellen)",
            outside: "Observationer från områden som inte definierats (sparade i tabellen)",
            file_failed: "filen kunde inte läsas",
            synthetic_hint: "Orsakerna till avvisade rader: manifest.json.",
        },
        Language::En => Words {
            title: "Children's and young people's wellbeing: indicators by child-rights dimension",
            intro: "Latest published value per area (period in brackets). Figures cover the whole group (both sexes).",
            indicator: "Indicator",
            group: "Group",
            no_data: "No data in this dimension.",
            suppressed_note: "– = not published (missing, or suppressed because the group is small).",
            quality: "Data quality",
            files: "File",
            rows_read: "rows read",
            rejected: "rejected",
            unknown: "Sources missing from the catalog (data kept in the observation table)",
            outside: "Observations for areas not declared in the config (kept in the table)",
            file_failed: "the file could not be read",
            synthetic_hint: "Reasons for each rejected row: manifest.json.",
        },
    }
}

/// Escapes text for Markdown table cells and paragraphs.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '*' | '_' | '`' | '[' | ']' | '\\' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

pub fn render(input: &ReportInput) -> String {
    let language = input.config.language;
    let w = words(language);
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", w.title);
    let _ = writeln!(md, "{}\n", w.intro);

    // Latest row per (indicator, group, area) among total-sex rows: rows are
    // sorted by period, so the last one wins.
    let mut latest: BTreeMap<(&str, &str, &str), &Observation> = BTreeMap::new();
    for row in &input.validated.observations {
        if row.sex == Sex::Total {
            latest.insert((&row.indicator, &row.group, &row.area), row);
        }
    }
    let areas = &input.config.areas;

    for (number, dimension) in Dimension::ALL.iter().enumerate() {
        let _ = writeln!(
            md,
            "## {}. {}\n",
            number + 1,
            capitalize(dimension.name(language))
        );
        let indicators: Vec<&Indicator> = input.catalog.in_dimension(*dimension).collect();
        let mut lines = Vec::new();
        for indicator in indicators {
            let groups: std::collections::BTreeSet<&str> = latest
                .keys()
                .filter(|(id, _, _)| *id == indicator.id)
                .map(|(_, group, _)| *group)
                .collect();
            for group in groups {
                let mut line = format!(
                    "| {} | {} |",
                    escape(indicator.title.get(language)),
                    escape(group)
                );
                for area in areas {
                    let cell = match latest.get(&(indicator.id.as_str(), group, area.key.as_str()))
                    {
                        Some(row) => match row.value {
                            Some(v) => format!(
                                " {} ({}) |",
                                language.number(v, indicator.decimals),
                                row.period
                            ),
                            None => format!(" – ({}) |", row.period),
                        },
                        None => " |".to_string(),
                    };
                    line.push_str(&cell);
                }
                lines.push(line);
            }
        }
        if lines.is_empty() {
            let _ = writeln!(md, "{}\n", w.no_data);
            continue;
        }
        let mut header = format!("| {} | {} |", w.indicator, w.group);
        let mut rule = "|---|---|".to_string();
        for area in areas {
            let _ = write!(header, " {} |", escape(area.name.get(language)));
            rule.push_str("---:|");
        }
        let _ = writeln!(md, "{header}\n{rule}");
        for line in lines {
            let _ = writeln!(md, "{line}");
        }
        let _ = writeln!(md, "\n{}\n", w.suppressed_note);
    }

    let _ = writeln!(md, "## {}\n", w.quality);
    let _ = writeln!(
        md,
        "| {} | {} | {} |\n|---|---:|---:|",
        w.files, w.rows_read, w.rejected
    );
    for file in input.files {
        match &file.error {
            Some(_) => {
                let _ = writeln!(md, "| {} | – | {} |", escape(&file.path), w.file_failed);
            }
            None => {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} |",
                    escape(&file.path),
                    file.rows_read,
                    file.rejections.len()
                );
            }
        }
    }
    let validation_rejections = input.validated.rejections.len();
    if validation_rejections > 0 {
        let _ = writeln!(md, "| validate | – | {validation_rejections} |");
    }
    let _ = writeln!(md, "\n{}\n", w.synthetic_hint);
    if !input.validated.unknown_sources.is_empty() {
        let _ = writeln!(md, "{}:\n", w.unknown);
        for unknown in &input.validated.unknown_sources {
            let _ = writeln!(
                md,
                "- `{}`: {} ({})",
                unknown.source_key,
                unknown.rows,
                escape(&unknown.first_seen)
            );
        }
        md.push('\n');
    }
    if !input.validated.outside_areas.is_empty() {
        let total: usize = input.validated.outside_areas.values().sum();
        let _ = writeln!(
            md,
            "{}: {} ({} {}).\n",
            w.outside,
            total,
            input.validated.outside_areas.len(),
            match language {
                Language::Fi => "aluetta",
                Language::Sv => "områden",
                Language::En => "areas",
            }
        );
    }
    md
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_and_html() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape("a|b_c"), "a\\|b\\_c");
    }
}
