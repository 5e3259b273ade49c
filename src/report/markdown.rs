//! `report.md`: the first report, per dimension, for e-mail and intranets.
//!
//! In: [`ReportInput`]. Out: Markdown text in the configured language: for
//! each of the seven dimensions, each indicator's latest published value per
//! configured area (with its period), then data quality. Guarantees: text
//! from inputs and the catalog is escaped (no raw HTML, no broken table
//! cells); a cell shows the latest published value with its period (a star
//! when a later period was not published), a dash when none was, never
//! as zero; the output depends only on the inputs.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::phrases::{self, capitalize, deciding_p, format_p};
use super::ReportInput;
use crate::catalog::{Dimension, Indicator};
use crate::i18n::Language;
use crate::observation::{Observation, Sex};
use crate::trends::{Basis, Direction};

pub(super) struct Words {
    pub(super) title: &'static str,
    pub(super) intro: &'static str,
    pub(super) indicator: &'static str,
    pub(super) group: &'static str,
    pub(super) no_data: &'static str,
    pub(super) suppressed_note: &'static str,
    pub(super) quality: &'static str,
    pub(super) files: &'static str,
    pub(super) rows_read: &'static str,
    pub(super) rejected: &'static str,
    pub(super) unknown: &'static str,
    pub(super) outside: &'static str,
    pub(super) file_failed: &'static str,
    pub(super) synthetic_hint: &'static str,
    pub(super) overview: &'static str,
    pub(super) overview_intro: &'static str,
    pub(super) area: &'static str,
    pub(super) changes: &'static str,
    pub(super) changes_intro: &'static str,
    pub(super) improving: &'static str,
    pub(super) worsening: &'static str,
    pub(super) none: &'static str,
    pub(super) all_groups: &'static str,
    pub(super) per_year: &'static str,
    pub(super) privacy: &'static str,
    pub(super) privacy_counts: [&'static str; 3],
    pub(super) shift: &'static str,
    pub(super) shift_intro: &'static str,
    pub(super) share: &'static str,
    pub(super) slope: &'static str,
    pub(super) verdict: &'static str,
    pub(super) drivers: &'static str,
    pub(super) verdicts: [&'static str; 4],
    pub(super) local: &'static str,
    pub(super) sotkanet: &'static str,
    pub(super) comparison: &'static str,
    pub(super) comparison_intro: &'static str,
    /// Column heads: value, rank among municipalities, percentile, group
    /// mean, gap to it.
    pub(super) comparison_heads: [&'static str; 5],
}

pub(super) fn words(language: Language) -> Words {
    match language {
        Language::Fi => Words {
            title: "Lasten ja nuorten hyvinvointi: indikaattorit lapsen oikeuksien ulottuvuuksittain",
            intro: "Taulukoissa viimeisin julkaistu arvo alueittain (suluissa ajanjakso). Luvut ovat koko ikäryhmästä (sukupuolet yhteensä).",
            indicator: "Indikaattori",
            group: "Ryhmä",
            no_data: "Ei aineistoa tässä ulottuvuudessa.",
            suppressed_note: "– = ei julkaistu (tieto puuttuu tai se on salattu pienen määrän vuoksi). * = myöhemmän jakson arvoa ei ole julkaistu.",
            quality: "Aineiston laatu",
            files: "Tiedosto",
            rows_read: "rivejä luettu",
            rejected: "hylätty",
            unknown: "Luettelosta puuttuvat lähteet (tiedot säilytetty havaintotaulukossa)",
            outside: "Havaintoja alueilta, joita ei ole määritelty (säilytetty taulukossa)",
            file_failed: "tiedostoa ei voitu lukea",
            synthetic_hint: "Hylkäysten syyt rivi riviltä: manifest.json.",
            overview: "Ulottuvuudet yhdellä silmäyksellä",
            overview_intro: "Indikaattorien suunta alueittain: ↑ parantunut, ↓ heikentynyt, → ennallaan, ? liian vähän tietoa (tilastollinen merkitsevyys 5 %, ks. docs/STATISTICS.md).",
            area: "Alue",
            changes: "Selvimmät muutokset alueittain",
            changes_intro: "Tilastollisesti merkitsevät muutokset, selvimmät ensin (enintään kolme kumpaankin suuntaan).",
            improving: "Parantunut",
            worsening: "Heikentynyt",
            none: "ei merkitseviä muutoksia",
            all_groups: "kaikki",
            per_year: "vuodessa",
            privacy: "Tietosuoja: pieniä ryhmiä ei julkaista. Prosenttiosuutta ei näytetä alle {min_n} vastaajan joukosta eikä lukumäärää 1–{max_small} tapauksesta; lisäksi salataan solut, joista salattu luku voitaisiin laskea vähentämällä (ks. docs/PRIVACY.md).",
            privacy_counts: ["ei julkaistu lähteessä", "salattu pienen määrän vuoksi", "salattu, jottei salattua lukua voi päätellä"],
            shift: "Painopiste erityispalveluista peruspalveluihin",
            shift_intro: "Peruspalvelujen osuus asiakkaista (perus / (perus + erityis)) kalenterivuosittain; vain kokonaiset vuodet (kaikki neljännekset julkaistu), jotta kesän notkahdus ei näytä muutokselta. Jos kokonaisia vuosia on liian vähän, neljänneksiä verrataan vain samoihin neljänneksiin muina vuosina. Kulmakerroin prosenttiyksikköinä vuodessa, 95 %:n luottamusväli.",
            share: "Perustason osuus",
            slope: "Muutos / vuosi",
            verdict: "Arvio",
            drivers: "Suurimmat vaikuttajat",
            verdicts: ["kohti peruspalveluja", "kohti erityispalveluja", "ei selvää muutosta", "liian vähän tietoa"],
            local: "paikalliset asiakasmäärät",
            sotkanet: "Sotkanet-indikaattorit",
            comparison: "Vertailu muihin kuntiin",
            comparison_intro: "Viimeisin arvo, sija kaikkien kuntien joukossa, joilla on arvo samalta vuodelta (1 = suurin arvo; onko suuri hyvä, riippuu indikaattorista), persentiili (kuinka monella prosentilla muista kunnista arvo on pienempi) ja vertailuryhmän keskiarvo (kunta itse pois lukien).",
            comparison_heads: ["Arvo", "Sija", "Persentiili", "Vertailuryhmä", "Ero"],
        },
        Language::Sv => Words {
            title: "Barns och ungas välfärd: indikatorer enligt barnets rättigheter",
            intro: "Senaste publicerade värde per område (period inom parentes). Siffrorna gäller hela åldersgruppen (båda könen).",
            indicator: "Indikator",
            group: "Grupp",
            no_data: "Inga data i denna dimension.",
            suppressed_note: "– = inte publicerat (uppgift saknas eller skyddas på grund av litet antal). * = värdet för en senare period är inte publicerat.",
            quality: "Datakvalitet",
            files: "Fil",
            rows_read: "rader lästa",
            rejected: "avvisade",
            unknown: "Källor som saknas i katalogen (data sparade i observationstabellen)",
            outside: "Observationer från områden som inte definierats (sparade i tabellen)",
            file_failed: "filen kunde inte läsas",
            synthetic_hint: "Orsakerna till avvisade rader: manifest.json.",
            overview: "Dimensionerna i korthet",
            overview_intro: "Indikatorernas riktning per område: ↑ förbättrats, ↓ försämrats, → oförändrat, ? för lite data (statistisk signifikans 5 %, se docs/STATISTICS.md).",
            area: "Område",
            changes: "De tydligaste förändringarna per område",
            changes_intro: "Statistiskt signifikanta förändringar, de tydligaste först (högst tre i vardera riktningen).",
            improving: "Förbättrats",
            worsening: "Försämrats",
            none: "inga signifikanta förändringar",
            all_groups: "alla",
            per_year: "per år",
            privacy: "Dataskydd: små grupper publiceras inte. En andel visas inte om den bygger på färre än {min_n} svarande, och inte heller ett antal på 1–{max_small} fall; dessutom skyddas celler ur vilka ett skyddat tal kunde räknas fram genom subtraktion (se docs/PRIVACY.md).",
            privacy_counts: ["inte publicerade vid källan", "skyddade på grund av litet antal", "skyddade så att ett skyddat tal inte kan härledas"],
            shift: "Tyngdpunkten från specialtjänster till bastjänster",
            shift_intro: "Bastjänsternas andel av klienterna (bas / (bas + special)) per kalenderår; endast hela år (alla fyra kvartal publicerade), så att sommarsvackan inte ser ut som en förändring. Finns det för få hela år jämförs kvartal bara med samma kvartal andra år. Lutning i procentenheter per år, 95 % konfidensintervall.",
            share: "Andel bastjänster",
            slope: "Förändring / år",
            verdict: "Bedömning",
            drivers: "Största orsaker",
            verdicts: ["mot bastjänster", "mot specialtjänster", "ingen tydlig förändring", "för lite data"],
            local: "lokala klientantal",
            sotkanet: "Sotkanet-indikatorer",
            comparison: "Jämförelse med andra kommuner",
            comparison_intro: "Senaste värde, placering bland alla kommuner med ett värde för samma år (1 = högsta värdet; om högt är bra beror på indikatorn), percentil (hur många procent av de andra kommunerna har ett lägre värde) och jämförelsegruppens medelvärde (kommunen själv inte medräknad).",
            comparison_heads: ["Värde", "Placering", "Percentil", "Jämförelsegrupp", "Skillnad"],
        },
        Language::En => Words {
            title: "Children's and young people's wellbeing: indicators by child-rights dimension",
            intro: "Latest published value per area (period in brackets). Figures cover the whole group (both sexes).",
            indicator: "Indicator",
            group: "Group",
            no_data: "No data in this dimension.",
            suppressed_note: "– = not published (missing, or suppressed because the group is small). * = a later period's value was not published.",
            quality: "Data quality",
            files: "File",
            rows_read: "rows read",
            rejected: "rejected",
            unknown: "Sources missing from the catalog (data kept in the observation table)",
            outside: "Observations for areas not declared in the config (kept in the table)",
            file_failed: "the file could not be read",
            synthetic_hint: "Reasons for each rejected row: manifest.json.",
            overview: "The dimensions at a glance",
            overview_intro: "Direction of the indicators per area: ↑ improving, ↓ worsening, → stable, ? too little data (significance level 5 %, see docs/STATISTICS.md).",
            area: "Area",
            changes: "The clearest changes per area",
            changes_intro: "Statistically significant changes, clearest first (at most three each way).",
            improving: "Improving",
            worsening: "Worsening",
            none: "no significant changes",
            all_groups: "all",
            per_year: "per year",
            privacy: "Privacy: small groups are not published. A percentage from fewer than {min_n} respondents and a count of 1–{max_small} cases are not shown, nor any cell from which a suppressed figure could be derived by subtraction (see docs/PRIVACY.md).",
            privacy_counts: ["not published at the source", "suppressed as small", "suppressed so that no small cell can be derived"],
            shift: "Shift from specialist to basic services",
            shift_intro: "Basic services' share of clients (basic / (basic + specialist)) per calendar year; complete years only (all four quarters published), so that the summer dip does not look like a shift. With too few complete years, quarters are compared only with the same quarter of other years. Slope in percentage points per year with its 95 % confidence interval.",
            share: "Basic share",
            slope: "Change / year",
            verdict: "Verdict",
            drivers: "Main drivers",
            verdicts: ["toward basic services", "toward specialist services", "no clear shift", "insufficient data"],
            local: "local client counts",
            sotkanet: "Sotkanet indicators",
            comparison: "Compared with other municipalities",
            comparison_intro: "Latest value, rank among all municipalities with a value for the same year (1 = highest value; whether high is good depends on the indicator), percentile (the share of other municipalities with a lower value) and the comparison group's mean (the municipality itself left out).",
            comparison_heads: ["Value", "Rank", "Percentile", "Comparison group", "Gap"],
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

    // Per (indicator, group, area) among total-sex rows: the latest
    // published row, and whether a later period went unpublished. Rows are
    // sorted by period, so later rows overwrite earlier ones.
    let mut latest: BTreeMap<(&str, &str, &str), (Option<&Observation>, bool)> = BTreeMap::new();
    for row in input.rows {
        if row.sex == Sex::Total {
            let entry = latest
                .entry((&row.indicator, &row.group, &row.area))
                .or_default();
            if row.value.is_some() {
                *entry = (Some(row), false);
            } else {
                entry.1 = true;
            }
        }
    }
    let areas = &input.config.areas;
    overview(&mut md, input, &w);
    clearest_changes(&mut md, input, &w);
    comparison_section(&mut md, input, &w);
    shift_section(&mut md, input, &w);

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
                let group_label = if group == crate::observation::ALL_GROUPS {
                    w.all_groups
                } else {
                    group
                };
                let mut line = format!(
                    "| {} | {} |",
                    escape(indicator.title.get(language)),
                    escape(group_label)
                );
                for area in areas {
                    let cell = match latest.get(&(indicator.id.as_str(), group, area.key.as_str()))
                    {
                        Some((Some(row), later_unpublished)) => format!(
                            " {} ({}){} |",
                            language.number(row.value.unwrap_or_default(), indicator.decimals),
                            row.period,
                            if *later_unpublished { " *" } else { "" }
                        ),
                        Some((None, _)) => " – |".to_string(),
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
    let _ = writeln!(md, "{}\n", phrases::privacy_text(&w, input));
    for (label, count) in phrases::privacy_counts(&w, input) {
        let _ = writeln!(md, "- {label}: {count}");
    }
    md.push('\n');
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
    let cited = phrases::sotkanet_sources(input, language);
    if !cited.is_empty() {
        let _ = writeln!(
            md,
            "## {}\n",
            match language {
                Language::Fi => "Lähteet",
                Language::Sv => "Källor",
                Language::En => "Sources",
            }
        );
        for source in &cited {
            let _ = writeln!(
                md,
                "- {} <{}>",
                escape(&phrases::sotkanet_source_text(source, language)),
                source.url
            );
        }
        md.push('\n');
    }
    md
}

/// The area × dimension matrix of direction counts.
fn overview(md: &mut String, input: &ReportInput, w: &Words) {
    let language = input.config.language;
    let _ = writeln!(md, "## {}\n\n{}\n", w.overview, w.overview_intro);
    let mut header = format!("| {} |", w.area);
    let mut rule = "|---|".to_string();
    for &dimension in Dimension::ALL {
        let _ = write!(header, " {} |", capitalize(dimension.name(language)));
        rule.push_str("---|");
    }
    let _ = writeln!(md, "{header}\n{rule}");
    for area in &input.config.areas {
        let _ = write!(md, "| {} |", escape(area.name.get(language)));
        for &dimension in Dimension::ALL {
            let cell = input
                .trends
                .dimensions
                .iter()
                .find(|d| d.area == area.key && d.dimension == dimension);
            let text = cell
                .and_then(phrases::direction_counts)
                .unwrap_or_else(|| "–".to_string());
            let _ = write!(md, " {text} |");
        }
        md.push('\n');
    }
    md.push('\n');
}

/// Per area of interest with ranked series: where each indicator stands
/// among all municipalities, and against each comparison group.
fn comparison_section(md: &mut String, input: &ReportInput, w: &Words) {
    let language = input.config.language;
    let tables = phrases::comparison_tables(input);
    if tables.is_empty() {
        return;
    }
    let _ = writeln!(md, "## {}\n\n{}\n", w.comparison, w.comparison_intro);
    let [value_head, rank_head, percentile_head, group_head, gap_head] = w.comparison_heads;
    for (area, rows) in tables {
        let _ = writeln!(md, "### {}\n", escape(area.name.get(language)));
        let _ = writeln!(
            md,
            "| {} | {value_head} | {rank_head} | {percentile_head} | {group_head} | {gap_head} |\n|---|---:|---:|---:|---|---:|",
            w.indicator
        );
        for row in rows {
            let group = row
                .group
                .map(|g| format!(" ({})", escape(g)))
                .unwrap_or_default();
            let _ = writeln!(
                md,
                "| {}{group} | {} | {} | {} | {} | {} |",
                escape(row.indicator.title.get(language)),
                row.value,
                row.rank,
                row.percentile,
                escape(&row.groups),
                row.gaps
            );
        }
        md.push('\n');
    }
}

/// Per area, the most clearly improving and worsening indicators.
fn clearest_changes(md: &mut String, input: &ReportInput, w: &Words) {
    let language = input.config.language;
    let _ = writeln!(md, "## {}\n\n{}\n", w.changes, w.changes_intro);
    for area in &input.config.areas {
        let _ = writeln!(md, "### {}\n", escape(area.name.get(language)));
        for (label, wanted) in [
            (w.improving, Direction::Improving),
            (w.worsening, Direction::Worsening),
        ] {
            let picked = phrases::clearest(input, &area.key, wanted);
            if picked.is_empty() {
                let _ = writeln!(md, "- {label}: {}", w.none);
                continue;
            }
            let _ = writeln!(md, "- {label}:");
            for series in picked.into_iter().take(3) {
                let Some(indicator) = input.catalog.get(&series.indicator) else {
                    continue;
                };
                let group = if series.group == crate::observation::ALL_GROUPS {
                    String::new()
                } else {
                    format!(" ({})", escape(&series.group))
                };
                let stats = &series.stats;
                let value = |v: Option<f64>| {
                    v.map(|v| language.number(v, indicator.decimals))
                        .unwrap_or_else(|| "–".into())
                };
                let period =
                    |p: Option<crate::period::Period>| p.map(|p| p.to_string()).unwrap_or_default();
                let movement = match stats.basis {
                    Some(Basis::LatestChange) => format!(
                        "{} ({}) → {} ({})",
                        value(stats.previous_value),
                        period(stats.previous_period),
                        value(stats.latest_value),
                        period(stats.last_period)
                    ),
                    basis => {
                        let fit = if basis == Some(Basis::RecentSlope) {
                            stats.recent_slope
                        } else {
                            stats.slope
                        };
                        let slope = fit.map(|f| f.slope).unwrap_or_default();
                        format!(
                            "{} ({}), {}{} {}",
                            value(stats.latest_value),
                            period(stats.last_period),
                            if slope > 0.0 { "+" } else { "" },
                            language.number(slope, indicator.decimals + 1),
                            w.per_year
                        )
                    }
                };
                let _ = writeln!(
                    md,
                    "  - {}{}: {}, {}",
                    escape(indicator.title.get(language)),
                    group,
                    movement,
                    format_p(deciding_p(series), language)
                );
            }
        }
        md.push('\n');
    }
}

/// The shift from specialist to basic services, per area.
fn shift_section(md: &mut String, input: &ReportInput, w: &Words) {
    if input.shift.summaries.is_empty() {
        return;
    }
    let language = input.config.language;
    let _ = writeln!(md, "## {}\n\n{}\n", w.shift, w.shift_intro);
    let _ = writeln!(
        md,
        "| {} | {} | {} | {} | {} |\n|---|---|---|---|---|",
        w.area, w.share, w.slope, w.verdict, w.drivers
    );
    for summary in &input.shift.summaries {
        let name = input
            .config
            .area(&summary.area)
            .map(|a| a.name.get(language).to_string())
            .unwrap_or_else(|| summary.area.clone());
        let basis = if summary.basis == crate::shift::ShiftBasis::Local {
            w.local
        } else {
            w.sotkanet
        };
        let share = phrases::share_text(summary, language);
        let slope = phrases::slope_text(summary, language);
        let verdict = phrases::verdict_text(w, summary.verdict);
        let drivers = drivers_text(summary, input.catalog, language);
        let _ = writeln!(
            md,
            "| {} ({}) | {} | {} | {} | {} |",
            escape(&name),
            basis,
            share,
            slope,
            verdict,
            drivers
        );
    }
    md.push('\n');
}

/// The drivers of a shift verdict in the report's language: service titles
/// with their contribution in percentage points, or the Sotkanet indicators
/// that moved (↑ rising, ↓ falling).
fn drivers_text(
    summary: &crate::shift::ShiftSummary,
    catalog: &crate::catalog::Catalog,
    language: Language,
) -> String {
    use crate::catalog::Source;
    let service_title = |service: &str| {
        catalog
            .indicators
            .iter()
            .find(|i| matches!(&i.source, Source::Service { service: s, measure } if s == service && *measure == crate::catalog::Measure::Clients))
            .map(|i| i.title.get(language).to_string())
            .unwrap_or_else(|| service.to_string())
    };
    let mut parts: Vec<String> = summary
        .drivers
        .iter()
        .take(3)
        .map(|d| {
            let pp = d.contribution * 100.0;
            format!(
                "{} {}{} pp",
                escape(&service_title(&d.service)),
                if pp > 0.0 { "+" } else { "" },
                language.number(pp, 1)
            )
        })
        .collect();
    parts.extend(summary.movements.iter().map(|(id, movement)| {
        let title = catalog
            .get(id)
            .map(|i| i.title.get(language).to_string())
            .unwrap_or_else(|| id.clone());
        let arrow = match movement {
            crate::trends::Movement::Rising => "↑",
            crate::trends::Movement::Falling => "↓",
            _ => "→",
        };
        format!("{} {arrow}", escape(&title))
    }));
    parts.join("; ")
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
