#!/usr/bin/env python3
"""Deterministic SYNTHETIC sample data for hyte (Lohja children's wellbeing indicators).

Everything written here is made up by this script, except `sotkanet/regions.json`,
which is a byte-for-byte copy of a real Sotkanet /regions dump (THL, CC BY 4.0).
See README.md in this folder for what each file is and which trends are built in.

Usage:
    python3 data-samples/make_samples.py [--out DIR]   # (re)generate (default: this folder)
    python3 data-samples/make_samples.py --check       # regenerate in a temp dir, compare, exit 1 on any difference

Standard library only (Python 3.11). Deterministic: one fixed seed, fixed iteration
order, integer arithmetic for all published roundings, no time/locale dependence.
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
import math
import os
import random
import shutil
import sys
import tempfile

SEED = 20261122

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------
# Areas
# ---------------------------------------------------------------------------------------------

SCHOOL_AREAS = [  # (key, label), sorted by key
    ("lohja.anttila", "Anttila"),
    ("lohja.harju", "Harju"),
    ("lohja.jarnefelt", "Järnefelt"),
    ("lohja.kallhagen", "Källhagen"),
    ("lohja.mantynummi", "Mäntynummi"),
    ("lohja.nummi_pusula", "Nummi-Pusula"),
]
AREA_KEYS = [k for k, _ in SCHOOL_AREAS]
SHORT = {k: k.split(".", 1)[1] for k in AREA_KEYS}

PUBLIC_AREAS = [("444", "Lohja"), ("01", "Uusimaa"), ("358", "Koko maa")]

# ---------------------------------------------------------------------------------------------
# Small deterministic helpers
# ---------------------------------------------------------------------------------------------


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def round_half_up(x: float, ndigits: int = 0) -> float:
    f = 10 ** ndigits
    return math.floor(x * f + 0.5) / f


def fmt1(x: float) -> str:
    """One decimal, half up, never '-0.0'."""
    tenths = math.floor(x * 10 + 0.5)
    if tenths < 0:
        tenths = 0
    return f"{tenths // 10}.{tenths % 10}"


def pct1_exact(pos: int, n: int) -> str:
    """100*pos/n with one decimal, rounded half up with integer arithmetic."""
    tenths = (2000 * pos + n) // (2 * n)
    return f"{tenths // 10}.{tenths % 10}"


def binomial(rng: random.Random, n: int, p: float) -> int:
    if n <= 0:
        return 0
    if n <= 3000:
        return sum(1 for _ in range(n) if rng.random() < p)
    x = round(n * p + math.sqrt(n * p * (1 - p)) * rng.gauss(0.0, 1.0))
    return min(max(x, 0), n)


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 500:
        return max(0, round(lam + math.sqrt(lam) * rng.gauss(0.0, 1.0)))
    limit = math.exp(-lam)
    k, prod = 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def counted(rng: random.Random, lam: float, k: float = 1.0) -> int:
    """A count around lam: Poisson (k = 1) or less dispersed (k < 1, normal approximation)."""
    if k >= 1.0:
        return poisson(rng, lam)
    return max(0, round(lam + k * math.sqrt(lam) * rng.gauss(0.0, 1.0)))


def wilson(pos: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = pos / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half) / denom, 100 * (centre + half) / denom


def write_bytes(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------------------------------------
# Population model (shared by population.csv, services.csv sizes and Sotkanet denominators)
# ---------------------------------------------------------------------------------------------

# Lohja children by age group in 2015 and yearly change factor.
LOHJA_POP_2015 = {"0-6": 3250, "7-12": 3200, "13-17": 2600}
LOHJA_POP_GROWTH = {"0-6": 0.980, "7-12": 0.992, "13-17": 1.003}
# Share of Lohja's children living in each school area, per age group (each column sums to 1).
AREA_SHARE = {
    "lohja.anttila": {"0-6": 0.215, "7-12": 0.210, "13-17": 0.205},
    "lohja.harju": {"0-6": 0.250, "7-12": 0.240, "13-17": 0.235},
    "lohja.jarnefelt": {"0-6": 0.180, "7-12": 0.180, "13-17": 0.180},
    "lohja.kallhagen": {"0-6": 0.048, "7-12": 0.050, "13-17": 0.050},
    "lohja.mantynummi": {"0-6": 0.205, "7-12": 0.200, "13-17": 0.200},
    "lohja.nummi_pusula": {"0-6": 0.102, "7-12": 0.120, "13-17": 0.130},
}
AGE_GROUPS = ["0-6", "7-12", "13-17"]


def make_population(rng: random.Random) -> dict:
    """pop[area][year][age] for years 2015..2025, areas = school areas + kunta.444 (= sum)."""
    pop: dict = {k: {} for k in AREA_KEYS + ["kunta.444"]}
    for year in range(2015, 2026):
        tot = {"0-6": 0, "7-12": 0, "13-17": 0}
        for area in AREA_KEYS:
            pop[area][year] = {}
            for age in AGE_GROUPS:
                base = LOHJA_POP_2015[age] * LOHJA_POP_GROWTH[age] ** (year - 2015)
                val = round(base * AREA_SHARE[area][age] * (1 + rng.uniform(-0.012, 0.012)))
                pop[area][year][age] = val
                tot[age] += val
        pop["kunta.444"][year] = tot
    for area in pop:
        for year in pop[area]:
            d = pop[area][year]
            d["0-17"] = d["0-6"] + d["7-12"] + d["13-17"]
    return pop


def population_csv(pop: dict) -> bytes:
    """School areas only: Lohja as a whole (kunta.444) comes from population/statfin_11re.json."""
    lines = ["area;year;age_group;population"]
    for area in sorted(a for a in pop if a != "kunta.444"):
        for year in range(2019, 2026):
            for age in ["0-6", "7-12", "13-17", "0-17"]:
                lines.append(f"{area};{year};{age};{pop[area][year][age]}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Survey cube (THL JSON-stat, cube `ktk`)
# ---------------------------------------------------------------------------------------------

YEARS = [2017, 2019, 2021, 2023, 2025]
SEXES = [("total", "Sukupuolet yhteensä"), ("female", "Tytöt"), ("male", "Pojat")]
GRADES = [("4-5", "4. ja 5. luokka"), ("8-9", "8. ja 9. luokka")]
VTYPES = [("v", "Arvo (%)"), ("ci_lower", "Luottamusvälin alaraja"),
          ("ci_upper", "Luottamusvälin yläraja"), ("n", "Vastaajien lukumäärä")]

# code, Finnish label, national % per round for grade 4-5 (None = not asked) and 8-9,
# female logit shift (male gets the opposite), fraction of respondents in the denominator.
MEASURES = [
    ("health_fair_poor", "Kokee terveydentilansa keskinkertaiseksi tai huonoksi, %",
     None, [16.0, 17.0, 20.0, 21.0, 20.0], 0.30, 1.0),
    ("no_close_friend", "Ei yhtään läheistä ystävää, %",
     None, [9.0, 9.0, 10.5, 10.0, 9.5], -0.05, 1.0),
    ("anxiety", "Kohtalainen tai vaikea ahdistuneisuus, %",
     None, [11.0, 12.5, 17.0, 15.5, 14.0], 0.55, 1.0),
    ("depressive_feelings", "Masentuneisuus, %",
     None, [12.0, 13.0, 17.0, 16.0, 15.0], 0.45, 1.0),
    ("bullied_weekly", "Koulukiusattuna vähintään kerran viikossa, %",
     [9.0, 9.5, 10.5, 10.0, 9.5], [6.5, 6.5, 7.5, 7.0, 7.0], -0.10, 1.0),
    ("bullying_not_addressed", "Kiusaamiseen ei ole puututtu koulun aikuisten toimesta, % kiusatuista",
     None, [45.0, 44.0, 42.0, 41.0, 40.0], 0.00, 0.30),
    ("talk_parents_difficult", "Keskusteluvaikeuksia vanhempien kanssa, %",
     None, [8.0, 8.0, 9.5, 9.5, 9.0], 0.35, 1.0),
    ("important_part_of_school", "Kokee itsensä tärkeäksi osaksi kouluyhteisöä, %",
     [68.0, 67.0, 64.0, 65.0, 66.0], [50.0, 49.0, 46.0, 47.0, 48.0], -0.05, 1.0),
    ("cannot_influence_school", "Ei tiedä miten voi vaikuttaa koulun asioihin, %",
     None, [42.0, 40.0, 41.0, 39.0, 38.0], 0.00, 1.0),
    ("views_not_considered", "Oppilaiden mielipiteitä ei huomioida koulutyön kehittämisessä, %",
     None, [40.0, 38.0, 39.0, 37.0, 36.0], 0.10, 1.0),
    ("likes_school", "Pitää koulunkäynnistä, %",
     [71.0, 70.0, 68.0, 69.0, 70.0], [47.0, 45.0, 42.0, 44.0, 45.0], 0.18, 1.0),
    ("school_burnout", "Koulu-uupumuksen kokemus, %",
     None, [14.0, 15.0, 17.5, 17.0, 16.0], 0.45, 1.0),
    ("hobby_weekly", "Harrastaa vähintään kerran viikossa, %",
     [93.0, 93.0, 89.0, 92.0, 92.5], [88.0, 88.0, 83.0, 86.5, 87.0], 0.05, 1.0),
    ("hobby_too_expensive", "Kokee kiinnostavan harrastuksen liian kalliiksi, %",
     None, [13.0, 14.0, 15.0, 17.0, 18.0], 0.15, 1.0),
    ("breathless_exercise_max_1h",
     "Harrastaa hengästyttävää liikuntaa vapaa-ajalla korkeintaan tunnin viikossa, %",
     None, [20.0, 20.5, 23.0, 21.5, 21.0], 0.15, 1.0),
    ("family_finances_poor", "Kokee perheen taloudellisen tilanteen huonoksi, %",
     None, [5.0, 5.0, 5.5, 6.5, 7.0], 0.10, 1.0),
]
MEASURE_CODES = [m[0] for m in MEASURES]
MEASURE_INFO = {m[0]: m for m in MEASURES}


def national_pct(measure: str, grade: str, year_idx: int) -> float | None:
    info = MEASURE_INFO[measure]
    series = info[2] if grade == "4-5" else info[3]
    return None if series is None else series[year_idx]


# Built-in area trends, logit change per survey round (5 rounds: 2017..2025, centred on 2021),
# and level offsets (logit). Grades: both unless the measure is asked only in 8-9.
AREA_SLOPE = {
    ("lohja.harju", "anxiety"): 0.24,               # clearly worsening
    ("lohja.harju", "depressive_feelings"): 0.12,   # worsening
    ("lohja.harju", "school_burnout"): 0.10,        # worsening
    ("lohja.mantynummi", "bullied_weekly"): -0.27,  # clearly improving (both grades)
    ("lohja.mantynummi", "bullying_not_addressed"): -0.12,  # improving
    ("lohja.nummi_pusula", "hobby_weekly"): -0.14,  # worsening (higher is better)
    ("lohja.nummi_pusula", "hobby_too_expensive"): 0.13,    # worsening
    ("lohja.nummi_pusula", "family_finances_poor"): 0.12,   # worsening
    ("lohja.nummi_pusula", "breathless_exercise_max_1h"): 0.10,  # worsening
    ("lohja.jarnefelt", "likes_school"): 0.12,      # improving (higher is better)
    ("lohja.jarnefelt", "no_close_friend"): -0.10,  # improving
    ("lohja.anttila", "cannot_influence_school"): -0.13,    # improving
    ("lohja.anttila", "views_not_considered"): -0.12,       # improving
    ("lohja.anttila", "important_part_of_school"): 0.10,    # improving (higher is better)
}
AREA_LEVEL = {
    ("lohja.harju", "anxiety"): 0.20,
    ("lohja.mantynummi", "bullied_weekly"): 0.10,
    ("lohja.kallhagen", "bullied_weekly"): -0.20,
    ("lohja.kallhagen", "likes_school"): 0.20,
    ("lohja.kallhagen", "important_part_of_school"): 0.20,
    ("lohja.nummi_pusula", "breathless_exercise_max_1h"): 0.25,
    ("lohja.nummi_pusula", "hobby_weekly"): -0.15,
}

# Respondents per school area and grade in a typical round (both sexes and 'other' together).
AREA_RESPONDENTS = {
    "lohja.anttila": {"4-5": 205, "8-9": 200},
    "lohja.harju": {"4-5": 235, "8-9": 222},
    "lohja.jarnefelt": {"4-5": 170, "8-9": 168},
    "lohja.kallhagen": {"4-5": 44, "8-9": 42},
    "lohja.mantynummi": {"4-5": 192, "8-9": 190},
    "lohja.nummi_pusula": {"4-5": 108, "8-9": 112},
}
ROUND_PARTICIPATION = [0.93, 1.02, 0.90, 1.00, 0.97]  # 2021: pandemic round, lower response

PUBLIC_RESPONDENTS = {"01": {"4-5": 27500, "8-9": 25000}, "358": {"4-5": 100000, "8-9": 90000}}

# Whole rounds an area did not take part in: (area, year, grade).
NON_PARTICIPATION = [("lohja.kallhagen", 2017, "4-5"), ("lohja.jarnefelt", 2019, "4-5")]
PROTECTED = {("lohja.harju", "anxiety"), ("lohja.mantynummi", "bullied_weekly")}

MIN_N_PUBLISH = 30


def jsonstat(label: str, dims: list[tuple[str, str, list[tuple[str, str]]]], values: dict) -> bytes:
    dim_obj: dict = {"id": [d[0] for d in dims], "size": [len(d[2]) for d in dims]}
    for did, dlabel, cats in dims:
        dim_obj[did] = {
            "label": dlabel,
            "category": {
                "index": {code: i for i, (code, _) in enumerate(cats)},
                "label": {code: lab for code, lab in cats},
            },
        }
    ds = {"dataset": {"version": "2.0", "class": "dataset", "label": label,
                      "dimension": dim_obj,
                      "value": {str(k): values[k] for k in sorted(values)}}}
    return json.dumps(ds, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def cube_dims(areas: list[tuple[str, str]]) -> list:
    return [
        ("area", "Alue", areas),
        ("year", "Vuosi", [(str(y), str(y)) for y in YEARS]),
        ("sex", "Sukupuoli", SEXES),
        ("grade", "Luokka-aste", GRADES),
        ("measure", "Mittari", [(m[0], m[1]) for m in MEASURES]),
        ("tiku_vtype", "Arvotyyppi", VTYPES),
    ]


def cell_index(a: int, y: int, s: int, g: int, m: int) -> int:
    sizes = [len(YEARS), len(SEXES), len(GRADES), len(MEASURES)]
    idx = a
    for v, size in zip((y, s, g, m), sizes):
        idx = idx * size + v
    return idx


def publish(values: dict, rng: random.Random, base_index: int, pos: int, n: int,
            min_n: int = MIN_N_PUBLISH) -> None:
    """Write v, ci_lower, ci_upper, n of one cell (only n when n < min_n)."""
    values[4 * base_index + 3] = str(n)
    if n < min_n:
        return
    lo, hi = wilson(pos, n)
    for k, s in ((0, pct1_exact(pos, n)), (1, fmt1(lo)), (2, fmt1(hi))):
        if rng.random() < 0.10:  # THL output sometimes uses a decimal comma
            s = s.replace(".", ",")
        values[4 * base_index + k] = s


def make_survey(rng: random.Random) -> tuple[bytes, bytes, dict]:
    # Random level offsets and small slopes for everything not designed explicitly.
    offset: dict = {}
    slope: dict = {}
    for area in AREA_KEYS:
        for m in MEASURE_CODES:
            for g, _ in GRADES:
                offset[(area, m, g)] = rng.gauss(0.0, 0.10) + AREA_LEVEL.get((area, m), 0.0)
                slope[(area, m, g)] = AREA_SLOPE.get((area, m), rng.gauss(0.0, 0.025))

    # A few single cells (all sexes) that an area did not publish at all.
    omitted: set = set()
    candidates = [(a, y, g, m) for a in AREA_KEYS for y in YEARS for g, _ in GRADES
                  for m in MEASURE_CODES if national_pct(m, g, 0) is not None
                  and (a, m) not in PROTECTED]
    for c in rng.sample(candidates, 5):
        omitted.add(c)
    for a, y, g in NON_PARTICIPATION:
        for m in MEASURE_CODES:
            omitted.add((a, y, g, m))

    # Underlying counts: counts[(area, year, grade, measure)] = {sex: (pos, n)}, sex incl. 'other'.
    counts: dict = {}
    for area in AREA_KEYS:
        for yi, year in enumerate(YEARS):
            for g, _ in GRADES:
                resp = AREA_RESPONDENTS[area][g] * ROUND_PARTICIPATION[yi] * rng.uniform(0.92, 1.08)
                f_share = rng.uniform(0.47, 0.51)
                o_share = rng.uniform(0.005, 0.025)
                base_n = {"female": round(resp * f_share), "other": round(resp * o_share)}
                base_n["male"] = round(resp) - base_n["female"] - base_n["other"]
                for m in MEASURE_CODES:
                    nat = national_pct(m, g, yi)
                    if nat is None:
                        continue
                    info = MEASURE_INFO[m]
                    x = (logit(nat / 100) + offset[(area, m, g)]
                         + slope[(area, m, g)] * (yi - 2))
                    cell = {}
                    for sex in ("female", "male", "other"):
                        sx = {"female": info[4], "male": -info[4], "other": 0.0}[sex]
                        p = expit(x + sx)
                        frac = info[5]
                        if frac < 1.0:  # denominator is a subgroup (e.g. the bullied)
                            frac *= rng.uniform(0.85, 1.15)
                        n = round(base_n[sex] * frac * (1 - rng.uniform(0.0, 0.03)))
                        cell[sex] = (binomial(rng, n, p), n)
                    counts[(area, year, g, m)] = cell

    # School-area cube
    values: dict = {}
    for ai, area in enumerate(AREA_KEYS):
        for yi, year in enumerate(YEARS):
            for si, (sex, _) in enumerate(SEXES):
                for gi, (g, _) in enumerate(GRADES):
                    for mi, m in enumerate(MEASURE_CODES):
                        key = (area, year, g, m)
                        if key not in counts or key in omitted:
                            continue
                        c = counts[key]
                        if sex == "total":
                            pos = sum(v[0] for v in c.values())
                            n = sum(v[1] for v in c.values())
                        else:
                            pos, n = c[sex]
                        publish(values, rng, cell_index(ai, yi, si, gi, mi), pos, n)
    areas_file = jsonstat(
        "Kouluterveyskysely: Lohjan yläkoulualueet (SYNTEETTINEN ESIMERKKIAINEISTO / SYNTHETIC SAMPLE)",
        cube_dims(SCHOOL_AREAS), values)

    # Public results: Lohja = sum of its published-round areas; Uusimaa and country generated.
    # The random draws are made in the same order as before the files took THL's served shape
    # (publish() into a throw-away dict keeps the decimal-comma draws), so every number is the
    # same as in the earlier ktk_public.json. The counts, 'other' (sex not reported) included,
    # are returned and written in THL's shapes by thl_public_files().
    reg_offset = {(m, g): rng.gauss(0.0, 0.05) + (0.06 if m == "anxiety" else 0.0)
                  for m in MEASURE_CODES for g, _ in GRADES}
    values = {}
    public: dict = {}  # (area code, year, grade, measure) -> {sex: (pos, n)}, sex incl. 'other'
    for ai, (code, _) in enumerate(PUBLIC_AREAS):
        for yi, year in enumerate(YEARS):
            for gi, (g, _) in enumerate(GRADES):
                if code != "444":
                    resp = PUBLIC_RESPONDENTS[code][g] * rng.uniform(0.95, 1.05)
                    base_n = {"female": round(resp * 0.49), "other": round(resp * 0.015)}
                    base_n["male"] = round(resp) - base_n["female"] - base_n["other"]
                for mi, m in enumerate(MEASURE_CODES):
                    nat = national_pct(m, g, yi)
                    if nat is None:
                        continue
                    if code == "444":
                        cell = {"female": [0, 0], "male": [0, 0], "other": [0, 0]}
                        for area in AREA_KEYS:
                            key = (area, year, g, m)
                            if key in omitted:
                                continue
                            for sex, (p_, n_) in counts[key].items():
                                cell[sex][0] += p_
                                cell[sex][1] += n_
                    else:
                        info = MEASURE_INFO[m]
                        x = logit(nat / 100) + (reg_offset[(m, g)] if code == "01" else 0.0)
                        cell = {}
                        for sex in ("female", "male", "other"):
                            sx = {"female": info[4], "male": -info[4], "other": 0.0}[sex]
                            n = round(base_n[sex] * info[5] * (1 - rng.uniform(0.0, 0.02)))
                            cell[sex] = [binomial(rng, n, expit(x + sx)), n]
                    public[(code, year, g, m)] = {sex: (pn[0], pn[1]) for sex, pn in cell.items()}
                    for si, (sex, _) in enumerate(SEXES):
                        if sex == "total":
                            pos = sum(v[0] for v in cell.values())
                            n = sum(v[1] for v in cell.values())
                        else:
                            pos, n = cell[sex]
                        publish(values, rng, cell_index(ai, yi, si, gi, mi), pos, n)
    return areas_file, public, {"omitted": sorted(omitted)}


# ---------------------------------------------------------------------------------------------
# Public survey results in THL's served shapes (cube `ktk`): fact_ktk.json (JsonStatExporter),
# fact_ktk.dimensions.json (DimensionTreeExporter) and fact_ktk.csv (CsvExporter with `sc`).
# The ids, stages, sids and codes of the real ktk cube are not known to the project: the ones
# below are MADE UP in THL's shape (see README.md).
# ---------------------------------------------------------------------------------------------

# Tree node: (key, label, stage, code or None, children). `key` is this script's own handle.
KTK_TREE = [
    ("alue", "Alue", [
        ("358", "Koko maa", "maa", "358", [
            ("01", "Uusimaa", "maakunta", "01", [
                ("444", "Lohja", "kunta", "444", []),
            ]),
        ]),
    ]),
    ("vuosi", "Vuosi", [
        ("all", "Kaikki vuodet", "root", None,
         [(str(y), str(y), "vuosi", str(y), []) for y in YEARS]),
    ]),
    ("sukupuoli", "Sukupuoli", [
        ("total", "Sukupuolet yhteensä", "kaikki", "total", [
            ("male", "Pojat", "sukupuoli", "1", []),
            ("female", "Tytöt", "sukupuoli", "2", []),
            ("other", "Sukupuoli ei tiedossa", "sukupuoli", "9", []),
        ]),
    ]),
    ("luokka", "Luokka-aste", [
        ("4-5", "4. ja 5. lk", "luokka", "4-5", []),
        ("8-9", "8. ja 9. lk", "luokka", "8-9", []),
    ]),
    ("measure", "Mittari", [
        ("all", "Kaikki mittarit", "root", None,
         [(m[0], m[1], "leaf", m[0], []) for m in MEASURES]),
    ]),
]
# Categories the fact file shows, per dimension, in order (keys of KTK_TREE nodes).
KTK_FACT_KEYS = {
    "alue": [c for c, _ in PUBLIC_AREAS],
    "vuosi": [str(y) for y in YEARS],
    "sukupuoli": ["total", "male", "female", "other"],
    "luokka": [g for g, _ in GRADES],
    "measure": MEASURE_CODES,
}
KTK_LABEL = "Kouluterveyskysely: Lohja, Uusimaa, koko maa (SYNTEETTINEN ESIMERKKIAINEISTO / SYNTHETIC SAMPLE)"


def ktk_nodes() -> dict:
    """Number the tree in preorder: dimension d (1-based), node s (1-based) gets the internal
    id "d" + "%03d" % s (e.g. "1001") and the surrogate id 500000 + 1000 * d + s (e.g. 501001).
    Returns {dim id: {key: node dict}} with id, sid, label, stage, code, sort, children."""
    out: dict = {}
    for d, (dim, _, roots) in enumerate(KTK_TREE, start=1):
        seq = [0]
        nodes: dict = {}

        def number(raw: tuple, sort: int) -> dict:
            key, label, stage, code, children = raw
            seq[0] += 1
            node = {"id": f"{d}{seq[0]:03d}", "sid": 500000 + 1000 * d + seq[0], "label": label,
                    "stage": stage, "code": code, "sort": sort, "children": []}
            nodes[key] = node
            node["children"] = [number(c, i) for i, c in enumerate(children, start=1)]
            return node

        out[dim] = {"roots": [number(r, i) for i, r in enumerate(roots, start=1)], "nodes": nodes}
    return out


def dimension_tree_bytes(tree: dict) -> bytes:
    """Text exactly as fi.thl.pivot.export.DimensionTreeExporter prints it (PrintWriter, LF)."""
    w: list = []

    def attribute(name: str, value, comma: bool, number: bool = False) -> bool:
        if value is None:
            return comma
        if comma:
            w.append(",\n")
        if number:
            w.append(f'\t"{name}":{value}')
        else:
            text = str(value).replace('"', '\\"').replace("\r", "\\n").replace("\n", "\\n")
            w.append(f'\t"{name}":"{text}"')
        return True

    def node(n: dict, first: bool) -> None:
        if not first:
            w.append(",\n")
        w.append("{\n")
        c = attribute("id", n["id"], False)
        c = attribute("sid", n["sid"], c, number=True)  # int getSurrogateId(): a bare number
        c = attribute("label", n["label"], c)
        c = attribute("stage", n["stage"], c)
        c = attribute("code", n["code"], c)
        c = attribute("sort", n["sort"], c, number=True)
        if n["children"]:
            w.append(',\n\t"children": [\n')
            for i, ch in enumerate(n["children"]):
                node(ch, i == 0)
            w.append("]")
        else:
            w.append(',\n\t"children": []\n')
        w.append("\n}")

    w.append("thl.pivot.loadDimensions(\n")
    w.append("[\n")
    for i, (dim, label, _) in enumerate(KTK_TREE):
        if i:
            w.append(",\n")
        w.append("{\n")
        c = attribute("id", dim, False)
        attribute("label", label, c)
        w.append(',\n\t"children": [\n')
        for j, root in enumerate(tree[dim]["roots"]):
            node(root, j == 0)
        w.append("]}")
    w.append("]\n")
    w.append(");\n")
    return "".join(w).encode("utf-8")


def ktk_cells(public: dict) -> list:
    """Every cell of the fact file's cross product in row-major order:
    (keys per dimension, (v, ci_lower, ci_upper, n) or None when not published)."""
    out = []
    for code in KTK_FACT_KEYS["alue"]:
        for year in YEARS:
            for sex in KTK_FACT_KEYS["sukupuoli"]:
                for g in KTK_FACT_KEYS["luokka"]:
                    for m in MEASURE_CODES:
                        keys = (code, str(year), sex, g, m)
                        c = public.get((code, year, g, m))
                        if c is None:
                            out.append((keys, None))
                            continue
                        if sex == "total":
                            pos = sum(v[0] for v in c.values())
                            n = sum(v[1] for v in c.values())
                        else:
                            pos, n = c[sex]
                        if n < MIN_N_PUBLISH:  # not published: THL writes nothing, n neither
                            out.append((keys, None))
                            continue
                        lo, hi = wilson(pos, n)
                        out.append((keys, (pct1_exact(pos, n), fmt1(lo), fmt1(hi), str(n))))
    return out


def thl_fact_json_bytes(tree: dict, cells: list) -> bytes:
    """Text exactly as fi.thl.pivot.export.JsonStatExporter prints it with ci and n, keys = sids."""
    dims = [d for d, _, _ in KTK_TREE]
    esc = lambda t: t.replace('"', '\\"')  # noqa: E731  (the exporter escapes only quotes)
    w = ["{\n", '"dataset": {\n', '"version": "2.0",\n', '"class": "dataset",\n',
         f'"label": "{esc(KTK_LABEL)}",\n', '"dimension": {\n']
    ids = [f'"{d}"' for d in dims] + ['"tiku_vtype"']
    sizes = [str(len(KTK_FACT_KEYS[d])) for d in dims] + ["4"]
    w += ['"id": [\n', ",".join(ids), "\n]"]
    w += [",\n", '"size": [\n', ",".join(sizes), "\n]"]
    for d in dims:
        nodes = tree[d]["nodes"]
        keys = KTK_FACT_KEYS[d]
        w.append(f',\n"{d}" : {{\n')
        w.append('"category": {\n')
        w.append('"index": {')
        w.append(",".join(f'\n"{nodes[k]["sid"]}": {i}' for i, k in enumerate(keys)) + "\n")
        w.append("},\n")
        w.append('"label": {')
        w.append(",".join(f'\n"{nodes[k]["sid"]}": "{esc(nodes[k]["label"])}"' for k in keys) + "\n")
        w.append("}\n")
        w.append("}\n}")
    w.append(',"tiku_vtype": { "category": { "index": { "v": 0, "ci_lower": 1, "ci_upper": 2, "n": 3 } } }\n')
    w.append("\n}")
    count = 0
    for pos, (_, val) in enumerate(cells):
        if val is None:
            continue
        w.append(",\n" if count else ',\n"value": {\n')
        w.append(",".join(f'"{4 * pos + k}": "{esc(s)}"' for k, s in enumerate(val)))
        count += 1
    w.append("\n}\n" if count else ',\n"value": []\n')
    w.append("}\n")
    w.append("}\n")
    return "".join(w).encode("utf-8")


def csv_field(s: str) -> str:
    """superCSV EXCEL_NORTH_EUROPE_PREFERENCE: quote only a field with ; \" or a line break."""
    if any(ch in s for ch in ';"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def thl_fact_csv_bytes(tree: dict, cells: list) -> bytes:
    """CsvExporter with `sc` (codes), all five dimensions as rows: code;label per dimension, val."""
    dims = [(d, label) for d, label, _ in KTK_TREE]
    header = []
    for _, label in dims:
        header += [label, label]
    lines = [";".join(csv_field(h) for h in header + ["val"])]
    for keys, val in cells:
        row = []
        for (d, _), k in zip(dims, keys):
            node = tree[d]["nodes"][k]
            row += [node["code"] or "", node["label"]]
        row.append("" if val is None else val[0].replace(",", "."))
        lines.append(";".join(csv_field(f) for f in row))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def thl_public_files(public: dict) -> tuple[bytes, bytes, bytes, int]:
    tree = ktk_nodes()
    cells = ktk_cells(public)
    n_pub = sum(1 for _, v in cells if v is not None)
    return (thl_fact_json_bytes(tree, cells), dimension_tree_bytes(tree),
            thl_fact_csv_bytes(tree, cells), n_pub)


# ---------------------------------------------------------------------------------------------
# Sotkanet CSV
# ---------------------------------------------------------------------------------------------

SOTKA_REGIONS = [202, 488, 658]  # Lohja, Uusimaa, whole country (Sotkanet internal ids)
SOTKA_YEARS = list(range(2015, 2025))

# indicator: (denominator, per, {region: (level 2015, level 2024)}, has absolute value)
SOTKA = {
    4: ("0-17", 1000, {202: (3.9, 3.5), 488: (3.7, 4.4), 658: (3.6, 4.3)}, True),
    191: ("0-17", 100, {202: (1.60, 1.38), 488: (1.30, 1.42), 658: (1.40, 1.56)}, True),
    228: (None, 100, {202: (9.5, 8.9), 488: (10.5, 9.8), 658: (11.8, 10.2)}, False),
    423: ("families", 100, {202: (8.0, 6.5), 488: (8.5, 6.8), 658: (9.5, 7.0)}, True),
    694: ("7-18", 1000, {202: (1150, 1420), 488: (1200, 1290), 658: (1250, 1320)}, True),
    1086: ("0-17", 100, {202: (6.8, 7.3), 488: (6.4, 8.1), 658: (6.2, 7.9)}, True),
    1243: ("0-17", 1000, {202: (26.0, 39.0), 488: (29.0, 30.0), 658: (31.0, 31.5)}, True),
    1245: ("0-17", 100, {202: (6.6, 6.0), 488: (5.4, 6.2), 658: (5.6, 6.4)}, True),
    2453: ("0-7", 1000, {202: (1620, 1840), 488: (1700, 1690), 658: (1750, 1720)}, True),
    2483: ("0-12", 1000, {202: (135, 175), 488: (150, 245), 658: (140, 230)}, True),
    2484: ("13-17", 1000, {202: (500, 610), 488: (560, 870), 658: (520, 820)}, True),
    2911: ("families", 100, {202: (1.6, 3.4), 488: (1.7, 2.3), 658: (2.0, 2.6)}, True),
}
SOTKA_BY_SEX = {191: 1.06, 1086: 0.98}  # male/female rate ratio
# Yearly counts of persons (stocks) move less from year to year than Poisson noise would:
# noise sd = factor * sqrt(expected count).
SOTKA_NOISE = {191: 0.4, 1245: 0.5, 1086: 0.6, 423: 0.5}
SOTKA_COVID_2020 = {694: 0.92, 2453: 0.96}
# (indicator, region or None = all, year): primary value not published
SOTKA_EMPTY = {(1243, None, 2024), (228, None, 2024), (2911, 202, 2017), (4, 202, 2016)}

OTHER_POP_0_17 = {488: (345000, 336000), 658: (1070000, 995000)}


def other_child_groups(region: int, year: int) -> tuple[int, int, int]:
    """Children 0-6, 7-12, 13-17 of Uusimaa (488) or the country (658): a straight line through
    OTHER_POP_0_17 (2015, 2024), continued past 2024."""
    a, b = OTHER_POP_0_17[region]
    tot = a + (b - a) * (year - 2015) / 9
    return round(tot * 0.37), round(tot * 0.34), round(tot * 0.29)


def sotka_denominators(pop: dict, region: int, year: int) -> dict:
    if region == 202:
        d = pop["kunta.444"][year]
        p06, p712, p1317 = d["0-6"], d["7-12"], d["13-17"]
    else:
        p06, p712, p1317 = other_child_groups(region, year)
    tot = p06 + p712 + p1317
    return {"0-17": tot, "0-12": p06 + p712, "13-17": p1317, "0-7": round(p06 * 8 / 7),
            "7-18": round((p712 + p1317) * 12 / 11), "families": round(tot / 1.78)}


def sotkanet_csv(rng: random.Random, pop: dict) -> tuple[bytes, int]:
    rows = ["indicator;region;year;gender;primary value;absolute value"]
    for ind in sorted(SOTKA):
        denom_key, per, levels, has_abs = SOTKA[ind]
        for region in SOTKA_REGIONS:
            start, end = levels[region]
            for year in SOTKA_YEARS:
                rate = start + (end - start) * (year - 2015) / 9
                rate *= SOTKA_COVID_2020.get(ind, 1.0) if year == 2020 else 1.0
                empty = (ind, None, year) in SOTKA_EMPTY or (ind, region, year) in SOTKA_EMPTY
                genders = ["total"] + (["female", "male"] if ind in SOTKA_BY_SEX else [])
                out: dict = {}
                if denom_key is None:
                    noise = 0.15 if region == 202 else 0.05
                    out["total"] = (fmt1(rate + rng.gauss(0.0, noise)), "")
                else:
                    den = sotka_denominators(pop, region, year)[denom_key]
                    if ind in SOTKA_BY_SEX:
                        r = SOTKA_BY_SEX[ind]
                        den_m = round(den * 0.512)
                        den_f = den - den_m
                        # rate = (r*rf*den_m + rf*den_f)/den
                        rf = rate * den / (r * den_m + den_f)
                        k = SOTKA_NOISE.get(ind, 1.0)
                        ab_f = counted(rng, rf / per * den_f, k)
                        ab_m = counted(rng, r * rf / per * den_m, k)
                        for g, ab, d in (("female", ab_f, den_f), ("male", ab_m, den_m),
                                         ("total", ab_f + ab_m, den)):
                            out[g] = (fmt1(ab / d * per), str(ab))
                    else:
                        ab = counted(rng, rate / per * den, SOTKA_NOISE.get(ind, 1.0))
                        out["total"] = (fmt1(ab / den * per), str(ab) if has_abs else "")
                for g in genders:
                    pv, av = ("", "") if empty else out[g]
                    rows.append(f"{ind};{region};{year};{g};{pv};{av}")
    return ("\r\n".join(rows) + "\r\n").encode("utf-8"), len(rows) - 1


# ---------------------------------------------------------------------------------------------
# Statistics Finland PxWeb, table 11re (population 31 Dec by area, age, sex), JSON-stat 2,
# as the API answers after the 8 June 2026 change of the px files.
# ---------------------------------------------------------------------------------------------

PX_YEARS = list(range(2019, 2026))  # = the years of population.csv
PX_AREAS = [("SSS", "KOKO MAA"), ("MK01", "Uusimaa"), ("KU444", "Lohja")]
PX_AGES = [("SSS", "Yhteensä")] + [(f"{a:03d}", str(a)) for a in range(100)] + [("100-", "100 -")]
PX_NULL = ("KU444", "100-", 2019)  # one cell PxWeb marks "." (value null)
# Adults (18+) per area: (2019, 2025), synthetic; 0-17 of MK01 and SSS follow OTHER_POP_0_17.
PX_ADULTS = {"SSS": (4_480_000, 4_640_000), "MK01": (1_350_000, 1_450_000), "KU444": (37_400, 37_650)}
PX_CHILD_TOTALS = {"SSS": 658, "MK01": 488}  # Sotkanet region whose children's path is used


def split_exact(total: int, weights: list) -> list:
    """Integers proportional to weights that sum exactly to total (largest remainder, ties to
    the first)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def adult_profile(age: int) -> float:
    """Relative size of a one-year age class 18..100+ (synthetic, roughly Finland's shape)."""
    if age < 25:
        return 0.88
    if age < 65:
        return 1.0 + 0.08 * math.sin((age - 25) / 40 * math.pi)
    if age < 75:
        return 1.05
    if age < 100:
        return 1.05 * math.exp(-(((age - 74) / 13) ** 2))
    return 1.05 * math.exp(-((26 / 13) ** 2)) * 0.8  # 100 and over together


def statfin_11re_json(pop: dict) -> bytes:
    rng = random.Random(f"{SEED}-statfin-11re")  # own generator: no other file changes
    data: dict = {}  # (area, age code, year) -> int or None
    for area, _ in PX_AREAS:
        for yi, year in enumerate(PX_YEARS):
            if area == "KU444":
                groups = {g: pop["kunta.444"][year][g] for g in AGE_GROUPS}
            else:
                p06, p712, p1317 = other_child_groups(PX_CHILD_TOTALS[area], year)
                groups = {"0-6": p06, "7-12": p712, "13-17": p1317}
            ages: dict = {}
            for g, (lo, hi) in (("0-6", (0, 6)), ("7-12", (7, 12)), ("13-17", (13, 17))):
                span = list(range(lo, hi + 1))
                # births fell in the 2010s: the youngest classes are a little smaller
                w = [(1.0 - 0.012 * (hi - a) if g == "0-6" else 1.0) * (1 + rng.uniform(-0.04, 0.04))
                     for a in span]
                for a, v in zip(span, split_exact(groups[g], w)):
                    ages[a] = v
            a0, a1 = PX_ADULTS[area]
            adults = round(a0 + (a1 - a0) * yi / (len(PX_YEARS) - 1))
            w = [adult_profile(a) * (1 + rng.uniform(-0.03, 0.03)) for a in range(18, 101)]
            for a, v in zip(range(18, 101), split_exact(adults, w)):
                ages[a] = v
            for code, _ in PX_AGES[1:]:
                a = 100 if code == "100-" else int(code)
                data[(area, code, year)] = None if (area, code, year) == PX_NULL else ages[a]
            data[(area, "SSS", year)] = sum(v for (ar, c, y), v in data.items()
                                            if ar == area and y == year and c != "SSS" and v is not None)
    values: list = []
    status: dict = {}
    for area, _ in PX_AREAS:
        for code, _ in PX_AGES:
            for year in PX_YEARS:
                v = data[(area, code, year)]
                if v is None:
                    status[str(len(values))] = "."
                values.append(v)
    elim = {"elimination": True, "eliminationValueCode": "SSS", "show": "value"}

    def dim(label: str, cats: list, ext: dict, unit: dict | None = None) -> dict:
        cat: dict = {"index": {c: i for i, (c, _) in enumerate(cats)},
                     "label": {c: lab for c, lab in cats}}
        if unit is not None:
            cat["unit"] = unit
        return {"label": label, "category": cat, "extension": ext}

    ds = {
        "version": "2.0",
        "class": "dataset",
        "label": "Väestö 31.12. muuttujina Alue, Ikä, Sukupuoli, Vuosi ja Tiedot",
        "source": "Tilastokeskus",
        "updated": "2026-04-01T05:00:00Z",
        "id": ["alue_23_20260101", "ikaryhma_10_20180101", "sukupuoli_9_20180101",
               "timeperiod_y", "contentscode"],
        "size": [len(PX_AREAS), len(PX_AGES), 1, len(PX_YEARS), 1],
        "role": {"time": ["timeperiod_y"], "geo": ["alue_23_20260101"], "metric": ["contentscode"]},
        "dimension": {
            "alue_23_20260101": dim("Alue", PX_AREAS, elim),
            "ikaryhma_10_20180101": dim("Ikä", PX_AGES, elim),
            "sukupuoli_9_20180101": dim("Sukupuoli", [("SSS", "Yhteensä")], elim),
            "timeperiod_y": dim("Vuosi", [(str(y), str(y)) for y in PX_YEARS], {"show": "value"}),
            "contentscode": dim("Tiedot", [("vaerak-vaesto", "Väestö 31.12.")], {"show": "value"},
                                {"vaerak-vaesto": {"base": "lukumäärä", "decimals": 0}}),
        },
        "value": values,
        "status": status,
    }
    return json.dumps(ds, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Sotkanet /indicators/{id} metadata for the indicators of sotkanet/indicators.csv
# (the shape of reference-data/sotkanet/indicators_metadata_2025.json; texts SYNTHETIC)
# ---------------------------------------------------------------------------------------------

# id: (title fi, sv, en (copied from indicators/sotkanet.toml), unit, decimals, age group, producer)
SOTKA_META = {
    4: ("Mielenterveyden häiriöihin sairaalahoitoa saaneet 0 - 17-vuotiaat / 1 000 vastaavanikäistä",
        "0 - 17-åringar som vårdats på sjukhus för psykiska störningar / 1 000 i samma åldrar",
        "Hospital care for mental disorders, recipients aged 0-17 per 1000 persons of the same age",
        "per_1000", 1, "0-17", "thl", "care_register"),
    191: ("Kodin ulkopuolelle sijoitetut 0 - 17-vuotiaat, % vastaavanikäisestä väestöstä (THL)",
          "0 - 17-åringar som placerats utanför hemmet, % av befolkningen i samma ålder (THL)",
          "Placements outside the home for those aged 0-17, as % of total population of same age (THL)",
          "percent", 1, "0-17", "thl", "child_welfare"),
    228: ("Lasten pienituloisuusaste", "Risk för fattigdom bland barn",
          "At-risk-of-poverty-rate for children", "percent", 1, "0-17", "sf", "income"),
    423: ("Toimeentulotukea saaneet lapsiperheet, % lapsiperheistä",
          "Barnfamiljer som fått utkomststöd, % av barnfamiljerna",
          "Social assistance, recipient families with children, as % of all families with children",
          "percent", 1, None, "thl", "social_assistance"),
    694: ("Perusterveydenhuollon kouluterveydenhuollon käynnit / 1 000 7 - 18-vuotiasta",
          "Skolhälsovårdsbesök inom primärvården totalt / 1 000 barn i åldrarna 7-18 år",
          "School-health-care visits in primary health care per 1000 persons aged 7-18",
          "per_1000", 1, "7-18", "thl", "primary_care"),
    1086: ("0 - 17-vuotiaat lapset, joista on tehty lastensuojeluilmoitus, % vastaavanikäisestä väestöstä (THL)",
           "0 - 17-åriga barn om vilka en barnskyddsanmälan gjorts, % av befolkningen i samma ålder (THL)",
           "Children aged 0-17 subject to a child welfare notification, as % of total population of same age (THL)",
           "percent", 1, "0-17", "thl", "child_welfare"),
    1243: ("Kasvatus- ja perheneuvonnan asiakkaat vuoden aikana / 1 000 alle 18-vuotiasta",
           "Uppfostrings- och familjerådgivningens klienter under året / 1 000 under 18 år",
           "Child guidance and family counselling, clients per 1000 persons under 18, during year",
           "per_1000", 1, "0-17", "sf", "municipal_finances"),
    1245: ("Lastensuojelun avohuollollisten tukitoimien piirissä 0 - 17-vuotiaita vuoden aikana, % vastaavanikäisestä väestöstä (THL)",
           "0 - 17-åringar som omfattas av stödåtgärder inom barnskyddets öppenvård, % av befolkningen i samma ålder (THL)",
           "Support in community care as part of a child welfare intervention, recipients aged 0-17 during year, as % of total population of same age (THL)",
           "percent", 1, "0-17", "thl", "child_welfare"),
    2453: ("Perusterveydenhuollon lastenneuvolan käynnit yhteensä / 1 000 0 - 7-vuotiasta",
           "Besök på barnrådgivningsbyrå inom primärvården totalt / 1 000 barn i åldrarna 0 - 7 år",
           "Child-health-clinic visits in primary health care per 1000 persons aged 0 - 7",
           "per_1000", 1, "0-7", "thl", "primary_care"),
    2483: ("Erikoissairaanhoidon avohoitokäynnit, lastenpsykiatria / 1 000 0 - 12-vuotiasta",
           "Öppenvårdsbesök inom den specialiserade sjukvården, barnpsykiatri / 1 000 i åldrarna 0 - 12 år",
           "Outpatient visits in specialised health care, child psychiatry, per 1000 persons aged 0-12",
           "per_1000", 1, "0-12", "thl", "care_register"),
    2484: ("Erikoissairaanhoidon avohoitokäynnit, nuorisopsykiatria / 1 000 13 - 17-vuotiasta",
           "Öppenvårdsbesök inom den specialiserade sjukvården, ungdomspsykiatri / 1 000 i åldrarna 13 - 17 år",
           "Outpatient visits in specialised health care, adolescent psychiatry, per 1000 persons aged 13-17",
           "per_1000", 1, "13-17", "thl", "care_register"),
    2911: ("Kodinhoitoapua vuoden aikana saaneita lapsiperheitä, % lapsiperheistä",
           "Barnfamiljer som fått hemvårdshjälp under året, % av barnfamiljer",
           "Home help, recipient families with children in services as % of families",
           "percent", 1, None, "sf", "municipal_finances"),
}
# primaryValueType per catalog unit; PROS and PER100000 titles as in the real 2025 metadata,
# PER1000 titles written by analogy (not seen in a real file).
SOTKA_VALUE_TYPE = {
    "percent": {"code": "PROS", "title": {"fi": "Prosenttia", "en": "Percent", "sv": "Procent"}},
    "per_1000": {"code": "PER1000", "title": {"fi": "Tuhatta asukasta kohden",
                                               "en": "Per 1 000 inhabitants",
                                               "sv": "Per tusen invånare"}},
    "per_100000": {"code": "PER100000", "title": {"fi": "Sataa tuhatta asukasta kohden",
                                                   "en": "Per 100 000 inhabitants",
                                                   "sv": "Per hundratusen invånare"}},
}
SOTKA_ORG = {  # as in the real 2025 metadata
    "thl": {"id": 2, "title": {"fi": "Terveyden ja hyvinvoinnin laitos (THL)",
                               "en": "Finnish institute for Health and Welfare (THL)",
                               "sv": "Institutet för hälsa och välfärd (THL)"}},
    "sf": {"id": 3, "title": {"fi": "Tilastokeskus", "en": "Statistics Finland",
                              "sv": "Statistikcentralen"}},
}
SOTKA_SOURCE = {  # (fi, en, sv) source titles; plausible, not copied from Sotkanet
    "care_register": ("Hoitoilmoitusrekisteri (THL)", "Care Register for Health Care (THL)",
                      "Vårdanmälningsregistret (THL)"),
    "child_welfare": ("Lastensuojelu (THL)", "Child welfare (THL)", "Barnskydd (THL)"),
    "income": ("Tulonjakotilasto (Tilastokeskus)", "Income distribution statistics (Statistics Finland)",
               "Inkomstfördelningsstatistik (Statistikcentralen)"),
    "social_assistance": ("Toimeentulotuki (THL)", "Social assistance (THL)", "Utkomststöd (THL)"),
    "primary_care": ("Perusterveydenhuollon avohoidon hoitoilmoitus (THL)",
                     "Register of Primary Health Care Visits (THL)",
                     "Registret över öppenvårdsbesök inom primärvården (THL)"),
    "municipal_finances": ("Kuntien talous- ja toimintatilasto (Tilastokeskus)",
                           "Statistics on local government finances and activities (Statistics Finland)",
                           "Statistik över kommunernas ekonomi och verksamhet (Statistikcentralen)"),
}
SOTKA_AGE_TITLE = {  # classification "age" titles (fi, en, sv)
    "0-17": ("0 - 17-vuotiaat", "Aged 0 - 17", "0 - 17 år"),
    "0-7": ("0 - 7-vuotiaat", "Aged 0 - 7", "0 - 7 år"),
    "0-12": ("0 - 12-vuotiaat", "Aged 0 - 12", "0 - 12 år"),
    "13-17": ("13 - 17-vuotiaat", "Aged 13 - 17", "13 - 17 år"),
    "7-18": ("7 - 18-vuotiaat", "Aged 7 - 18", "7 - 18 år"),
}
SYNTH = {"fi": "Synteettinen esimerkki (hyte, data-samples): ei THL:n julkaisemaa tekstiä.",
         "en": "Synthetic example (hyte, data-samples): not text published by THL.",
         "sv": "Syntetiskt exempel (hyte, data-samples): inte text publicerad av THL."}


def fsv(fi: str, en: str, sv: str) -> dict:
    return {"fi": fi, "en": en, "sv": sv}


def sotkanet_metadata_json() -> bytes:
    out = []
    for ind in sorted(SOTKA):
        t_fi, t_sv, t_en, unit, decimals, age, producer, source = SOTKA_META[ind]
        org = SOTKA_ORG[producer]
        classifications: dict = {}
        if age is not None:
            classifications["age"] = {"title": fsv(*SOTKA_AGE_TITLE[age]), "values": []}
        classifications["region"] = {
            "title": fsv("Kunta, maakunta, koko maa", "Municipality, region, whole country",
                         "Kommun, landskap, hela landet"),
            "values": ["Maa", "Kunta", "Maakunta"]}
        if ind in SOTKA_BY_SEX:
            classifications["sex"] = {"title": fsv("Miehet, naiset, yhteensä", "Male, female, combined",
                                                   "Män, kvinnor, totalt"),
                                      "values": ["male", "female", "total"]}
        else:
            classifications["sex"] = {"title": fsv("Yhteensä", "Combined", "Totalt"), "values": ["total"]}
        src = SOTKA_SOURCE[source]
        out.append({
            "id": ind,
            "data-updated": "2025-04-29",
            "range": {"start": SOTKA_YEARS[0], "end": SOTKA_YEARS[-1]},
            "title": {"fi": t_fi, "en": t_en, "sv": t_sv},
            "description": fsv(
                f"<p>{SYNTH['fi']}</p>Indikaattori ilmaisee otsikon mukaisen luvun kunnittain "
                f"ja vuosittain.<br /><br />Väestösuhteutus on tehty vuoden lopun väestöllä.",
                f"<p>{SYNTH['en']}</p>The indicator gives the figure named in its title by "
                f"municipality and year.<br /><br />Population proportions use the population at year end.",
                f"<p>{SYNTH['sv']}</p>Indikatorn visar det tal som rubriken anger per kommun "
                f"och år.<br /><br />Befolkningsrelationen baserar sig på folkmängden vid årets slut."),
            "interpretation": fsv("", "", ""),
            "limits": fsv(
                f"{SYNTH['fi']} Alle viiden tapauksen lukuja ei julkaista kuntakohtaisesti. ",
                f"{SYNTH['en']} Figures of fewer than five cases are not published per municipality. ",
                f"{SYNTH['sv']} Tal som baserar sig på färre än fem fall publiceras inte per kommun. "),
            "legislation": fsv("", "", ""),
            "notices": fsv("", "", ""),
            "primaryValueType": SOTKA_VALUE_TYPE[unit],
            "decimals": decimals,
            "classifications": classifications,
            "organization": org,
            "subjects": [],
            "sources": [{"organization": org, "title": fsv(*src),
                         "description": fsv(SYNTH["fi"], SYNTH["en"], SYNTH["sv"])}],
            "groups": [],
        })
    return (json.dumps(out, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Local service statistics
# ---------------------------------------------------------------------------------------------

# service: (level, clients per quarter for an area of size 1.0 in 2019, visits per client,
#           season kind)
SERVICES = [
    ("family_work", "basic", 21.0, 5.5, "clinic"),
    ("school_curator", "basic", 68.0, 2.8, "school"),
    ("school_psychologist", "basic", 27.0, 2.5, "school"),
    ("child_health_clinic", "basic", 150.0, 1.5, "clinic"),
    ("family_counselling", "basic", 16.0, 3.0, "clinic"),
    ("child_welfare_open_care", "intermediate", 28.0, 3.0, "none"),
    ("child_welfare_placements", "specialist", 6.5, None, "none"),
    ("specialist_psychiatry", "specialist", 15.0, 4.0, "clinic"),
]
# (clients factor, visits-per-client factor) per quarter
SEASON = {
    "school": {1: (1.05, 1.0), 2: (1.0, 1.0), 3: (0.60, 0.83), 4: (1.05, 1.0)},
    "clinic": {1: (1.0, 1.0), 2: (1.0, 1.0), 3: (0.86, 0.93), 4: (1.02, 1.0)},
    "none": {1: (1.0, 1.0), 2: (1.0, 1.0), 3: (1.0, 1.0), 4: (1.0, 1.0)},
}
AREA_SIZE = {"lohja.anttila": 1.0, "lohja.harju": 1.12, "lohja.jarnefelt": 0.86,
             "lohja.kallhagen": 0.24, "lohja.mantynummi": 0.95, "lohja.nummi_pusula": 0.58}
# Yearly log-change of volumes from 2019 on: (basic, specialist, intermediate)
SERVICE_TREND = {
    "lohja.anttila": (0.0, 0.0, 0.0),
    "lohja.harju": (0.060, -0.120, -0.02),
    "lohja.jarnefelt": (0.0, 0.0, 0.0),
    "lohja.kallhagen": (0.0, 0.0, 0.0),
    "lohja.mantynummi": (0.050, -0.100, -0.015),
    "lohja.nummi_pusula": (-0.040, 0.110, 0.03),
}
PLACEMENT_AR = 0.7
PLACEMENT_SD = 0.12
PERIODS = [(y, q) for y in range(2019, 2026) for q in (1, 2, 3, 4) if (y, q) <= (2025, 3)]


def services_csv(rng: random.Random) -> tuple[bytes, int, list]:
    # Missing exports: one whole area-quarter and a few single cells.
    missing_all = {("lohja.jarnefelt", 2020, 2)}
    cells = [(a, p, s[0]) for a in AREA_KEYS for p in PERIODS for s in SERVICES]
    missing_cells = set(rng.sample(cells, 6))
    missing_visits = set(rng.sample(cells, 4))
    rows = ["area;period;service;clients;visits;cost_eur"]
    for area in AREA_KEYS:
        size = AREA_SIZE[area]
        tb, ts, ti = SERVICE_TREND[area]
        noisy = area == "lohja.kallhagen"
        in_care = None  # log-deviation of the placement stock, carried over quarter to quarter
        for (year, q) in PERIODS:
            t = (year - 2019) + (q - 1) / 4
            for svc, level, base, vpc, season in SERVICES:
                trend = {"basic": tb, "specialist": ts, "intermediate": ti}[level]
                if svc == "child_health_clinic":
                    trend *= 0.4  # universal service, demand mostly demographic
                cf, vf = SEASON[season][q]
                demog = 0.99 ** t
                lam = base * size * cf * demog * math.exp(trend * t)
                if noisy:
                    lam *= rng.uniform(0.6, 1.4)
                if svc == "child_welfare_placements":
                    # a stock of children placed outside the home: smooth, autocorrelated
                    # deviation (AR(1) on the log scale) around the expected level
                    in_care = (0.0 if in_care is None else PLACEMENT_AR * in_care) \
                        + rng.gauss(0.0, PLACEMENT_SD)
                    clients = round_int(lam * math.exp(in_care))
                else:
                    clients = poisson(rng, lam)
                if vpc is None:
                    visits = "-"
                elif clients == 0:
                    visits = "0"
                else:
                    visits = str(poisson(rng, clients * vpc * vf))
                if svc == "family_work":
                    v = int(visits) if visits.isdigit() else 0
                    cents = round(v * rng.uniform(98.0, 118.0) * 100)
                elif svc == "child_welfare_placements":
                    cents = round(clients * rng.uniform(19000.0, 26000.0) * 100)
                else:
                    cents = None
                if cents is None:
                    cost = "-"
                else:
                    r = rng.random()
                    if r < 0.15:
                        cost = f"{cents // 100},{cents % 100:02d}"
                    elif r < 0.30:
                        cost = str(round_int(cents / 100))
                    else:
                        cost = f"{cents // 100}.{cents % 100:02d}"
                cl = str(clients)
                key = (area, (year, q), svc)
                if (area, year, q) in missing_all or key in missing_cells:
                    cl = ""
                    visits = "" if visits != "-" else "-"
                    cost = "" if cost != "-" else "-"
                elif key in missing_visits and visits != "-":
                    visits = ""
                rows.append(f"{area};{year}Q{q};{svc};{cl};{visits};{cost}")
    info = sorted(missing_cells | missing_visits)
    return ("\n".join(rows) + "\n").encode("utf-8"), len(rows) - 1, info


def round_int(x: float) -> int:
    return math.floor(x + 0.5)


# ---------------------------------------------------------------------------------------------
# Real Sotkanet regions dump (copied, verified by hash)
# ---------------------------------------------------------------------------------------------

REGIONS_SHA256 = "47e4e7eafda50933e3c8b88b0824bfb18bdcffc55e1ba98312856779324710af"
REGIONS_SOURCES = [
    os.environ.get("HYTE_SOTKA_REGIONS", ""),
    os.path.join(HERE, "..", "..", "shared", "reference-data", "sotkanet", "SotkaRegions.json"),
    os.path.join(HERE, "..", "shared", "reference-data", "sotkanet", "SotkaRegions.json"),
    "/work/shared/reference-data/sotkanet/SotkaRegions.json",
    os.path.join(HERE, "sotkanet", "regions.json"),  # checked-in copy (fresh clone)
]


def regions_bytes() -> bytes:
    for src in REGIONS_SOURCES:
        if src and os.path.isfile(src):
            with open(src, "rb") as f:
                data = f.read()
            if hashlib.sha256(data).hexdigest() == REGIONS_SHA256:
                return data
    sys.exit("make_samples: SotkaRegions.json (sha256 %s) not found; set HYTE_SOTKA_REGIONS"
             % REGIONS_SHA256)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

# ---- child-friendly municipality self-assessment (hyte's own format) -----------------------
#
# UNICEF's Child Friendly Municipality model: the city's coordination group rates each process
# indicator of the model at a level 1-4 ("toteutuu vähän tai ei lainkaan" ... "toteutuu
# erinomaisesti") in its digital service, which documents no export. The city copies the levels
# into this file (docs/PLAN.md). The themes are the model's; the indicator numbers 9, 22 and 61
# appear on the model's public indicator pages; the other numbers, every wording (paraphrased)
# and EVERY LEVEL ARE MADE UP. No randomness: a fixed table.
CHILD_FRIENDLY = [
    # item, theme, dimension, text, levels in 2021, 2023, 2025
    ("9", "yhdenvertaisuus", "equality",
     "Haavoittuvassa asemassa olevien lasten näkökulma toiminnan suunnittelussa", (1, 2, 2)),
    ("14", "yhdenvertaisuus", "equality", "Harrastusten maksuttomuus ja saavutettavuus", (2, 2, 3)),
    ("22", "lapsen etu", "care", "Ohjeet lapsen edun ensisijaiseen huomioon ottamiseen", (1, 2, 3)),
    ("27", "lapsen etu", "care", "Lapsivaikutusten arviointi päätöksenteossa", (2, 3, 3)),
    ("38", "oikeus elämään ja kehittymiseen", "health", "Mielenterveyden tuki kouluissa", (2, 2, 2)),
    ("41", "oikeus elämään ja kehittymiseen", "safety", "Kiusaamisen ehkäisyn toimintamalli", (3, 3, 2)),
    ("47", "oikeus elämään ja kehittymiseen", "learning", "Oppimisen tuki varhaiskasvatuksesta alkaen", (2, 3, 3)),
    ("61", "osallisuus", "participation", "Osallisuus lasten arjen kasvuympäristöissä", (2, 2, 3)),
    ("65", "osallisuus", "participation", "Lasten ja nuorten osallistuva budjetointi", (1, 1, 2)),
]


def child_friendly_csv() -> bytes:
    """The self-assessment file as Excel saves "CSV UTF-8" in a Finnish locale: BOM, ';', CRLF."""
    lines = ["year;item;theme;dimension;level;scale;text"]
    for year_idx, year in enumerate((2021, 2023, 2025)):
        for item, theme, dimension, text, levels in CHILD_FRIENDLY:
            lines.append(f"{year};{item};{theme};{dimension};{levels[year_idx]};4;{text}")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


FILES = [
    "survey/ktk_school_areas.json",
    "survey/fact_ktk.json",
    "survey/fact_ktk.dimensions.json",
    "survey/fact_ktk.csv",
    "sotkanet/indicators.csv",
    "sotkanet/indicators_metadata.json",
    "sotkanet/regions.json",
    "population/statfin_11re.json",
    "local/services.csv",
    "local/population.csv",
    "local/child_friendly.csv",
]
# Files earlier versions wrote; generate() removes them from the output folder.
REMOVED_FILES = ["survey/ktk_public.json"]


def generate(out: str, verbose: bool = True) -> None:
    master = random.Random(SEED)
    # One sub-generator per file, drawn in a fixed order, so that files are independent.
    seeds = {name: master.getrandbits(64) for name in ("population", "survey", "sotkanet", "services")}
    pop = make_population(random.Random(seeds["population"]))
    areas_json, public, sinfo = make_survey(random.Random(seeds["survey"]))
    fact_json, fact_dims, fact_csv, _ = thl_public_files(public)
    sotka, n_sotka = sotkanet_csv(random.Random(seeds["sotkanet"]), pop)
    services, n_serv, _ = services_csv(random.Random(seeds["services"]))
    popcsv = population_csv(pop)
    data = {
        "survey/ktk_school_areas.json": areas_json,
        "survey/fact_ktk.json": fact_json,
        "survey/fact_ktk.dimensions.json": fact_dims,
        "survey/fact_ktk.csv": fact_csv,
        "sotkanet/indicators.csv": sotka,
        "sotkanet/indicators_metadata.json": sotkanet_metadata_json(),
        "sotkanet/regions.json": regions_bytes(),
        "population/statfin_11re.json": statfin_11re_json(pop),
        "local/services.csv": services,
        "local/population.csv": popcsv,
        "local/child_friendly.csv": child_friendly_csv(),
    }
    for name in FILES:
        write_bytes(os.path.join(out, name), data[name])
    for name in REMOVED_FILES:
        path = os.path.join(out, name)
        if os.path.isfile(path):
            os.remove(path)
            if verbose:
                print(f"removed {path}")
    if verbose:
        for name in FILES:
            print(f"wrote {os.path.join(out, name)} ({len(data[name])} bytes)")
        omitted = [o for o in sinfo["omitted"] if (o[0], o[1], o[2]) not in
                   {(a, y, g) for a, y, g in NON_PARTICIPATION}]
        print("survey: whole rounds not taken part in:", NON_PARTICIPATION)
        print("survey: single omitted cells:", omitted)


def check(against: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        generate(tmp, verbose=False)
        bad = []
        for name in FILES:
            a, b = os.path.join(tmp, name), os.path.join(against, name)
            if not os.path.isfile(b):
                bad.append(f"missing: {b}")
            elif not filecmp.cmp(a, b, shallow=False):
                bad.append(f"differs: {b}")
        for name in REMOVED_FILES:
            if os.path.exists(os.path.join(against, name)):
                bad.append(f"obsolete, remove: {os.path.join(against, name)}")
    if bad:
        for line in bad:
            print(line, file=sys.stderr)
        print("make_samples --check: FAILED (regenerate with python3 data-samples/make_samples.py)",
              file=sys.stderr)
        return 1
    print(f"make_samples --check: OK, {len(FILES)} files identical to a fresh generation")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=HERE, help="output folder (default: this script's folder)")
    ap.add_argument("--check", action="store_true",
                    help="generate into a temp dir and compare with the files in --out; exit 1 on any difference")
    args = ap.parse_args()
    if args.check:
        return check(args.out)
    generate(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
