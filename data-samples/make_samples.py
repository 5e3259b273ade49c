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
    lines = ["area;year;age_group;population"]
    for area in sorted(pop):
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

    # Public cube: Lohja = sum of its published-round areas; Uusimaa and country generated.
    reg_offset = {(m, g): rng.gauss(0.0, 0.05) + (0.06 if m == "anxiety" else 0.0)
                  for m in MEASURE_CODES for g, _ in GRADES}
    values = {}
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
                    for si, (sex, _) in enumerate(SEXES):
                        if sex == "total":
                            pos = sum(v[0] for v in cell.values())
                            n = sum(v[1] for v in cell.values())
                        else:
                            pos, n = cell[sex]
                        publish(values, rng, cell_index(ai, yi, si, gi, mi), pos, n)
    public_file = jsonstat(
        "Kouluterveyskysely: Lohja, Uusimaa, koko maa (SYNTEETTINEN ESIMERKKIAINEISTO / SYNTHETIC SAMPLE)",
        cube_dims(PUBLIC_AREAS), values)
    return areas_file, public_file, {"omitted": sorted(omitted)}


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


def sotka_denominators(pop: dict, region: int, year: int) -> dict:
    if region == 202:
        d = pop["kunta.444"][year]
        p06, p712, p1317 = d["0-6"], d["7-12"], d["13-17"]
    else:
        a, b = OTHER_POP_0_17[region]
        tot = a + (b - a) * (year - 2015) / 9
        p06, p712, p1317 = round(tot * 0.37), round(tot * 0.34), round(tot * 0.29)
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

FILES = [
    "survey/ktk_school_areas.json",
    "survey/ktk_public.json",
    "sotkanet/indicators.csv",
    "sotkanet/regions.json",
    "local/services.csv",
    "local/population.csv",
]


def generate(out: str, verbose: bool = True) -> None:
    master = random.Random(SEED)
    # One sub-generator per file, drawn in a fixed order, so that files are independent.
    seeds = {name: master.getrandbits(64) for name in ("population", "survey", "sotkanet", "services")}
    pop = make_population(random.Random(seeds["population"]))
    areas_json, public_json, sinfo = make_survey(random.Random(seeds["survey"]))
    sotka, n_sotka = sotkanet_csv(random.Random(seeds["sotkanet"]), pop)
    services, n_serv, _ = services_csv(random.Random(seeds["services"]))
    popcsv = population_csv(pop)
    data = {
        "survey/ktk_school_areas.json": areas_json,
        "survey/ktk_public.json": public_json,
        "sotkanet/indicators.csv": sotka,
        "sotkanet/regions.json": regions_bytes(),
        "local/services.csv": services,
        "local/population.csv": popcsv,
    }
    for name in FILES:
        write_bytes(os.path.join(out, name), data[name])
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
