#!/usr/bin/env python3
"""National-scale end-to-end benchmark of hyte (issue 10).

    python3 benches/national.py generate --size small --out DIR
    python3 benches/national.py reference DIR [--threads N]
    python3 benches/national.py compare DIR
    python3 benches/national.py bench --size national --threads 2 [--repeat K]

`generate` writes a deterministic, synthetic national Sotkanet table (same
arguments give byte-identical files) with everything hyte needs to run on
it: sotkanet.csv (Sotkanet /csv shape), regions.json (Sotkanet /regions
shape), indicators/national.toml (catalog), hyte.toml (config), and
observations.parquet (the same data as hyte's observation table, the input
of the python-polars reference in benches/reference_trends.py).

`bench` runs hyte and the reference one after the other on the same data and
prints a Markdown table with the wall times, peak RSS and their ratio. See
benches/README.md, "National scale, end to end (issue 10)".

Only polars and the standard library are used; the random numbers are a
small integer hash written as polars expressions (no numpy), so the data do
not depend on any generator's stream.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REAL_REGIONS = ROOT / "data-samples" / "sotkanet" / "regions.json"
GENERATOR_VERSION = 1

SIZES = {  # indicators, municipalities (data regions), years
    "tiny": (5, 20, 6),
    "small": (20, 350, 26),
    "national": (200, 350, 26),
    "full": (2000, 350, 26),
}
LAST_YEAR = 2025
FIRST_INDICATOR = 90001  # no collision with indicators/sotkanet.toml
FIRST_SYNTHETIC_REGION = 3001  # real /regions ids are 2..1061
LOHJA, UUSIMAA, COUNTRY = 202, 488, 658  # real Sotkanet ids (regions.json)
SEXES = ["total", "female", "male"]  # the order of the real download
DIMENSIONS = ["equality", "care", "participation", "health", "safety", "learning", "leisure"]
POLARITIES = ["higher_is_better", "higher_is_worse", "neutral"]
UNPUBLISHED = 0.03
CHUNK_ROWS = 2_000_000

# --- deterministic noise: a counter-based hash in Int64 polars arithmetic ---

M31 = 2_147_483_647  # every product below stays under 2^62


def _mix(e: pl.Expr) -> pl.Expr:
    e = (e * 48271 + 11) % M31
    e = e.xor(e // 32768)
    e = (e * 69621 + 12345) % M31
    e = e.xor(e // 8192)
    return (e * 48271 + 7) % M31


def uniform(key: pl.Expr, stream: int, seed: int) -> pl.Expr:
    """A uniform number in (0, 1) from an integer key < 2^31 and a stream."""
    start = ((key * 1_103_515_245) % M31 + stream * 40503 + seed * 92821 + 1) % M31
    return (_mix(start).cast(pl.Float64) + 0.5) / 2_147_483_648.0


def normal(key: pl.Expr, stream: int, seed: int) -> pl.Expr:
    """About N(0, 1): the sum of four uniforms, centred and scaled (Irwin-Hall).
    Only + − × ÷ on floats, so the bytes never depend on a libm."""
    total = sum((uniform(key, stream + i, seed) for i in range(4)), pl.lit(0.0))
    return (total - 2.0) * 3.0**0.5


# --- regions ---------------------------------------------------------------


def data_regions(municipalities: int) -> list[dict]:
    """The regions the data covers: Lohja, Uusimaa, the whole country (real
    ids and codes) and municipalities - 3 synthetic KUNTA regions with codes
    that no real municipality has."""
    real = json.loads(REAL_REGIONS.read_text(encoding="utf-8"))
    taken = {r["code"] for r in real if r["category"] == "KUNTA"}
    free = [f"{c:03d}" for c in range(1, 1000) if f"{c:03d}" not in taken]
    if not 3 <= municipalities <= 3 + len(free):
        sys.exit(f"--municipalities must be 3..{3 + len(free)} (3-digit codes left free by the real ones)")
    regions = [
        {"id": LOHJA, "key": "kunta.444", "population": 45_000},
        {"id": UUSIMAA, "key": "maakunta.01", "population": 1_720_000},
        {"id": COUNTRY, "key": "maa.358", "population": 5_600_000},
    ]
    for i, code in enumerate(free[: municipalities - 3]):
        # populations 800..60 000, spread deterministically (log-uniform-ish)
        population = int(800 * 75 ** (((i * 7919) % 997) / 996))
        regions.append(
            {"id": FIRST_SYNTHETIC_REGION + i, "key": f"kunta.{code}", "code": code, "population": population}
        )
    return regions


def regions_json(regions: list[dict]) -> bytes:
    """The real dump, byte for byte, with the synthetic municipalities added
    before its closing bracket in the dump's own layout (CRLF, `} ,`)."""
    text = REAL_REGIONS.read_bytes()
    head, sep, _ = text.rpartition(b"}\r\n]")
    assert sep, "unexpected layout of data-samples/sotkanet/regions.json"
    entries = []
    for r in regions:
        if "code" not in r:
            continue
        name = f"Kunta {r['code']} (synthetic)"
        entries.append(
            "{\r\n"
            f'"id": {r["id"]},\r\n"code": "{r["code"]}",\r\n"category": "KUNTA",\r\n'
            f'"title": {{\r\n"fi": "{name}",\r\n"en": "{name}",\r\n"sv": "{name}"\r\n}}\r\n,\r\n'
            f'"memberOf": [{COUNTRY}]\r\n'
        )
    return head + b"}" + b"".join(b" ,\r\n" + e.encode() + b"}" for e in entries) + b"\r\n]"


# --- the table ---------------------------------------------------------------


def table(indicators: range, regions: list[dict], years: int, seed: int) -> pl.LazyFrame:
    """One row per indicator × region × year × sex, in the order of the real
    download (indicator, region, year, sex total/female/male), with the CSV
    fields and the observation-table columns side by side. Every number
    depends on the row's place in the whole table only, so the table can be
    made in slices of indicators."""
    m = len(regions)
    per_indicator = m * years * 3
    first_year = LAST_YEAR - years + 1
    k = pl.col("k")
    sex = k % 3
    year_index = (k // 3) % years
    region = (k // (3 * years)) % m
    indicator = k // (3 * years * m)
    series = indicator * m + region  # one level and slope per indicator × region
    level = 5.0 + 55.0 * uniform(series, 1, seed)
    slope = (uniform(series, 2, seed) - 0.5) * 0.8  # percentage points per year
    sex_gap = (uniform(series, 3, seed) - 0.5) * 6.0
    population = region.replace_strict(list(range(m)), [r["population"] for r in regions], return_dtype=pl.Float64)
    sd = 0.2 + 40.0 / population.sqrt() * (0.5 + uniform(series, 4, seed))  # small places are noisier
    share = 0.05 + 0.25 * uniform(indicator, 5, seed)  # the indicator's denominator: a share of the population
    sex_sign = pl.when(sex == 1).then(1.0).when(sex == 2).then(-1.0).otherwise(0.0)
    value = level + sex_sign * sex_gap + slope * (year_index.cast(pl.Float64) - years / 2) + sd * normal(k, 10, seed)
    tenths = (value.clip(0.1, 99.9) * 10.0 + 0.5).floor().cast(pl.Int64)
    published = uniform(k, 20, seed) >= UNPUBLISHED
    denominator = population * share * pl.when(sex == 0).then(1.0).otherwise(0.5)
    count = (tenths.cast(pl.Float64) / 1000.0 * denominator + 0.5).floor().cast(pl.Int64).clip(lower_bound=5)
    indicator_id = (indicator + FIRST_INDICATOR).cast(pl.String)
    year = (year_index + first_year).cast(pl.String)
    sex_name = sex.replace_strict([0, 1, 2], SEXES, return_dtype=pl.String)
    return (
        pl.LazyFrame()
        .select(pl.int_range(indicators.start * per_indicator, indicators.stop * per_indicator, dtype=pl.Int64).alias("k"))
        .select(
            # CSV fields
            indicator_id.alias("indicator"),
            region.replace_strict(list(range(m)), [str(r["id"]) for r in regions], return_dtype=pl.String).alias("region"),
            year.alias("year"),
            sex_name.alias("gender"),
            pl.when(published).then(pl.format("{}.{}", tenths // 10, tenths % 10)).alias("primary value"),
            pl.when(published).then(count.cast(pl.String)).alias("absolute value"),
            # observation-table columns
            pl.format("sotkanet.{}", indicator_id).alias("o_indicator"),
            region.replace_strict(list(range(m)), [r["key"] for r in regions], return_dtype=pl.String).alias("area"),
            year.alias("period"),
            sex_name.alias("sex"),
            pl.lit("all").alias("group"),
            *(pl.lit(None, dtype=pl.Float64).alias(c) for c in ("n", "ci_lower", "ci_upper")),
            pl.format("sotkanet.csv:{}", k + 2).alias("source"),
        )
        # Parsed from the CSV text, as hyte does: tenths / 10.0 is not always
        # the double nearest to "44.8" (polars may multiply by 0.1 instead).
        .with_columns(
            pl.col("primary value").cast(pl.Float64).alias("value"),
            pl.col("absolute value").cast(pl.Float64).alias("count"),
        )
    )


CSV_COLUMNS = ["indicator", "region", "year", "gender", "primary value", "absolute value"]
OBSERVATION_COLUMNS = ["indicator", "area", "period", "sex", "group", "value", "count", "n", "ci_lower", "ci_upper", "source"]


def catalog_toml(indicators: int, seed: int) -> str:
    lines = [
        "# Synthetic indicators for the national-scale benchmark (issue 10).",
        f"# Written by benches/national.py generate --indicators {indicators} --seed {seed}: not THL data.",
        "",
    ]
    for i in range(indicators):
        sid = FIRST_INDICATOR + i
        lines += [
            "[[indicator]]",
            f'id = "sotkanet.{sid}"',
            f'title = {{ fi = "Synteettinen indikaattori {sid} (synteettinen)", '
            f'sv = "Syntetisk indikator {sid} (syntetisk)", en = "Synthetic indicator {sid} (synthetic)" }}',
            f'dimension = "{DIMENSIONS[i % 7]}"',
            f'polarity = "{POLARITIES[i % 3]}"',
            'unit = "percent"',
            "decimals = 1",
            f"source = {{ sotkanet = {sid} }}",
            'provenance = "benches/national.py: synthetic benchmark data, not THL data"',
            "",
        ]
    return "\n".join(lines)


HYTE_TOML = """\
# Synthetic national-scale benchmark (issue 10), written by benches/national.py.
language = "fi"
csv = "standard"
output = "out"
catalog = "indicators"

[trends]
alpha = 0.05
recent_years = 4
min_points = 4

[[area]]
key = "kunta.444"
name = { fi = "Lohja", sv = "Lojo", en = "Lohja" }
kind = "municipality"
parent = "maakunta.01"
reference = true

[[area]]
key = "maakunta.01"
name = { fi = "Uusimaa", sv = "Nyland", en = "Uusimaa" }
kind = "region"
parent = "maa.358"
reference = true

[[area]]
key = "maa.358"
name = { fi = "Koko maa", sv = "Hela landet", en = "Whole country" }
kind = "country"
reference = true

[[input]]
kind = "sotkanet-csv"
path = "sotkanet.csv"
regions = "regions.json"

# A peer group, so that the bench runs the compare stage's group means too
# (synthetic municipality codes of this generator; members without data
# are allowed).
[[comparison_group]]
name = "Peer group (synthetic)"
members = ["kunta.444", "kunta.001", "kunta.002", "kunta.003", "kunta.004", "kunta.006", "kunta.007", "kunta.008", "kunta.011", "kunta.012"]
"""


def generate(indicators: int, municipalities: int, years: int, out: Path, seed: int) -> dict:
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    (out / ".stamp.json").unlink(missing_ok=True)
    regions = data_regions(municipalities)
    ids = [r["id"] for r in json.loads(regions_json(regions))]
    assert len(ids) == len(set(ids)), "region ids collide"
    (out / "regions.json").write_bytes(regions_json(regions))
    (out / "indicators").mkdir(exist_ok=True)
    (out / "indicators" / "national.toml").write_text(catalog_toml(indicators, seed), encoding="utf-8")
    (out / "hyte.toml").write_text(HYTE_TOML, encoding="utf-8")
    # Slices of about 2 M rows keep the full size (54.6 M rows) in a few GB:
    # the CSV is appended slice by slice, the Parquet parts are joined at the end.
    step = max(1, CHUNK_ROWS // (len(regions) * years * 3))
    rows = unpublished = 0
    with tempfile.TemporaryDirectory(dir=out) as tmp, open(out / "sotkanet.csv", "wb") as csv:
        parts = []
        for first in range(0, indicators, step):
            frame = table(range(first, min(first + step, indicators)), regions, years, seed).collect()
            frame.select(CSV_COLUMNS).write_csv(
                csv, include_header=first == 0, separator=";", line_terminator="\r\n", null_value="",
                quote_style="necessary",
            )
            frame = frame.drop(CSV_COLUMNS[:1]).rename({"o_indicator": "indicator"}).select(OBSERVATION_COLUMNS)
            rows, unpublished = rows + frame.height, unpublished + frame["value"].null_count()
            parts.append(Path(tmp) / f"part-{first:06d}.parquet")
            frame.write_parquet(parts[-1], statistics=False)
            del frame
        pl.scan_parquet(parts).sink_parquet(
            out / "observations.parquet", compression="zstd", statistics=False, row_group_size=1 << 20
        )
    stamp = stamp_of(indicators, municipalities, years, seed)
    stamp["observations"] = rows
    stamp["unpublished"] = unpublished
    (out / ".stamp.json").write_text(json.dumps(stamp, indent=1) + "\n")
    stamp["seconds"] = time.perf_counter() - started
    return stamp


def stamp_of(indicators: int, municipalities: int, years: int, seed: int) -> dict:
    return {
        "generator": GENERATOR_VERSION,
        "polars": pl.__version__,
        "indicators": indicators,
        "municipalities": municipalities,
        "years": years,
        "seed": seed,
    }


def stamp_matches(out: Path, indicators: int, municipalities: int, years: int, seed: int) -> bool:
    try:
        stamp = json.loads((out / ".stamp.json").read_text())
    except (OSError, ValueError):
        return False
    wanted = stamp_of(indicators, municipalities, years, seed)
    return all(stamp.get(k) == v for k, v in wanted.items())


def print_written(out: Path, stamp: dict) -> None:
    for f in ["sotkanet.csv", "regions.json", "observations.parquet", "indicators/national.toml", "hyte.toml"]:
        print(f"  {out / f}  {(out / f).stat().st_size / 1e6:,.2f} MB")
    print(
        f"  {stamp['observations']:,} observations ({stamp['indicators']} indicators × "
        f"{stamp['municipalities']} regions × {stamp['years']} years × 3 sexes), "
        f"{stamp['unpublished']:,} unpublished; generated in {stamp['seconds']:.1f} s"
    )


# --- the reference -----------------------------------------------------------


def reference(data: Path, write: Path | None = None) -> dict:
    sys.dont_write_bytecode = True  # no __pycache__ in benches/
    sys.path.insert(0, str(HERE))
    import reference_trends

    started = time.perf_counter()
    observations = pl.read_parquet(data / "observations.parquet")
    read = time.perf_counter()
    result = reference_trends.trends(observations.lazy())
    computed = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result.write_parquet(write or Path(tmp) / "trends.parquet")
    done = time.perf_counter()
    return {
        "observations": observations.height,
        "series": result.height,
        "read_s": round(read - started, 3),
        "compute_s": round(computed - read, 3),
        "write_s": round(done - computed, 3),
        "wall_s": round(done - started, 3),
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "threads": pl.thread_pool_size(),
    }


def compare(data: Path) -> dict:
    """The reference's slopes against hyte's out/current/tables/trends.parquet."""
    sys.dont_write_bytecode = True  # no __pycache__ in benches/
    sys.path.insert(0, str(HERE))
    import reference_trends

    ours = reference_trends.trends(pl.scan_parquet(data / "observations.parquet"))
    hyte = pl.read_parquet(data / "out" / "current" / "tables" / "trends.parquet")
    columns = ["n_points", "slope_per_year", "slope_ci_lower", "slope_ci_upper", "slope_p_value"]
    joined = ours.join(
        hyte.select(*reference_trends.KEYS, *columns), on=reference_trends.KEYS, how="full", suffix="_hyte", coalesce=True
    )
    report = {"reference_series": ours.height, "hyte_series": hyte.height, "unmatched": joined.filter(
        pl.col("n_points").is_null() | pl.col("n_points_hyte").is_null()).height}
    observed = data / "out" / "current" / "tables" / "observations.parquet"
    if observed.exists():  # observations.parquet is hyte's observation table, status aside
        keys = ["indicator", "area", "period", "sex", "group", "source"]
        # hyte writes its key columns as Enums (dictionary-encoded): compare the texts.
        theirs = pl.read_parquet(observed).drop("status")
        theirs = theirs.with_columns(pl.col(c).cast(pl.String) for c in keys[:5]).sort(keys)
        report["observations_equal"] = theirs.equals(pl.read_parquet(data / "observations.parquet").sort(keys))
    for c in columns:
        a, b = pl.col(c).cast(pl.Float64), pl.col(f"{c}_hyte").cast(pl.Float64)
        report[f"{c}_max_abs_diff"] = joined.select((a - b).abs().max()).item()
        report[f"{c}_null_mismatches"] = joined.filter(a.is_null() != b.is_null()).height
    return report


# --- the bench ---------------------------------------------------------------


def measured(command: list[str], env: dict | None = None, cwd: Path | None = None) -> dict:
    """Wall seconds (perf_counter), peak RSS (MiB) and exit code of a command."""
    timer = shutil.which("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        prefix = [timer, "-f", "%e %M", "-o", tf.name] if timer else []
        started = time.perf_counter()
        done = subprocess.run(prefix + command, env=env, cwd=cwd, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if timer:
            fields = tf.read().split()
            peak_kib = int(fields[-1]) if fields else 0
        else:  # the largest child so far, which is at least this one
            peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"wall_s": wall, "peak_mib": peak_kib / 1024, "rc": done.returncode, "stdout": done.stdout, "stderr": done.stderr}


def bench(args: argparse.Namespace) -> None:
    indicators, municipalities, years = SIZES[args.size]
    data = Path(args.data) if args.data else ROOT / "target" / "bench-data" / args.size
    if stamp_matches(data, indicators, municipalities, years, args.seed):
        print(f"reusing {data} (stamp matches)")
        # The config is cheap and may have changed since the data were made.
        (data / "hyte.toml").write_text(HYTE_TOML, encoding="utf-8")
    else:
        print(f"generating {data} ...")
        print_written(data, generate(indicators, municipalities, years, data, args.seed))
    hyte = str(Path(args.hyte).resolve())
    version = subprocess.run([hyte, "--version"], capture_output=True, text=True).stdout.strip()
    env = dict(os.environ, POLARS_MAX_THREADS=str(args.threads))
    best_hyte = best_ref = None
    for attempt in range(args.repeat):
        shutil.rmtree(data / "out", ignore_errors=True)
        # Run inside DATA with relative paths: hyte's `source` column is then
        # "sotkanet.csv:LINE", as in observations.parquet.
        h = measured([hyte, "run", "--config", "hyte.toml", "--out", "out", "--threads", str(args.threads)], cwd=data)
        if h["rc"] not in (0, 3):
            sys.stderr.write(h["stdout"][-4000:] + h["stderr"][-4000:])
            sys.exit(f"hyte failed with exit code {h['rc']}")
        r = measured([sys.executable, str(Path(__file__).resolve()), "reference", str(data),
                      "--threads", str(args.threads)], env=env)
        if r["rc"] != 0:
            sys.stderr.write(r["stderr"][-4000:])
            sys.exit(f"the reference failed with exit code {r['rc']}")
        r["inner"] = json.loads(r["stdout"].strip().splitlines()[-1])
        print(f"run {attempt + 1}/{args.repeat}: hyte {h['wall_s']:.2f} s {h['peak_mib']:.0f} MiB (exit {h['rc']}), "
              f"reference {r['wall_s']:.2f} s {r['peak_mib']:.0f} MiB")
        best_hyte = h if best_hyte is None or h["wall_s"] < best_hyte["wall_s"] else best_hyte
        best_ref = r if best_ref is None or r["wall_s"] < best_ref["wall_s"] else best_ref
    observations = json.loads((data / ".stamp.json").read_text())["observations"]
    memory = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    print()
    print(f"{version}, --threads {args.threads}, best of {args.repeat}; {os.cpu_count()} cores, "
          f"{memory / 1024**2:.0f} GiB, {platform.processor() or platform.machine()}, {datetime.date.today()}; "
          f"polars {pl.__version__}; hyte exit code {best_hyte['rc']}")
    print()
    print("| size | observations | hyte s | hyte peak MiB | reference s | reference peak MiB | hyte / reference |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.size} | {observations:,} | {best_hyte['wall_s']:.2f} | {best_hyte['peak_mib']:,.0f} | "
          f"{best_ref['wall_s']:.2f} | {best_ref['peak_mib']:,.0f} | {best_hyte['wall_s'] / best_ref['wall_s']:.1f} |")
    inner = best_ref["inner"]
    print()
    print(f"reference inside its process: read {inner['read_s']} s, compute {inner['compute_s']} s, "
          f"write {inner['write_s']} s ({inner['series']:,} series, {inner['threads']} polars threads)")
    if args.compare:
        print("check against hyte's tables/trends.parquet:", json.dumps(compare(data)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="write a synthetic national Sotkanet table and a config for it")
    g.add_argument("--size", choices=SIZES, help="preset: " + ", ".join(f"{k} = {'×'.join(map(str, v))}" for k, v in SIZES.items()))
    g.add_argument("--indicators", type=int, default=200)
    g.add_argument("--municipalities", type=int, default=350, help="regions in the data, Lohja, Uusimaa and the country included")
    g.add_argument("--years", type=int, default=26, help=f"years ending at {LAST_YEAR}")
    g.add_argument("--out", required=True)
    g.add_argument("--seed", type=int, default=1)
    r = sub.add_parser("reference", help="time the python-polars reference on DIR/observations.parquet")
    r.add_argument("data")
    r.add_argument("--threads", type=int, help="POLARS_MAX_THREADS (must be set before polars starts: bench sets it)")
    r.add_argument("--write", help="keep the per-series table at this path")
    c = sub.add_parser("compare", help="compare the reference with DIR/out/current/tables/trends.parquet")
    c.add_argument("data")
    b = sub.add_parser("bench", help="generate (if missing), run hyte and the reference, print the table")
    b.add_argument("--size", choices=SIZES, default="national")
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--hyte", default=str(ROOT / "target" / "release" / "hyte"))
    b.add_argument("--data", help="data folder [default: target/bench-data/SIZE]")
    b.add_argument("--repeat", type=int, default=1, help="take the best of K runs")
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--no-compare", dest="compare", action="store_false", help="skip the check against hyte's trends")
    args = parser.parse_args()

    if args.command == "generate":
        if args.size:
            args.indicators, args.municipalities, args.years = SIZES[args.size]
        out = Path(args.out)
        print(f"writing {out}")
        print_written(out, generate(args.indicators, args.municipalities, args.years, out, args.seed))
    elif args.command == "reference":
        if args.threads and os.environ.get("POLARS_MAX_THREADS") != str(args.threads):
            # polars sizes its pool at import: run again with the variable set
            env = dict(os.environ, POLARS_MAX_THREADS=str(args.threads))
            os.execve(sys.executable, [sys.executable, *sys.argv], env)
        print(json.dumps(reference(Path(args.data), Path(args.write) if args.write else None)))
    elif args.command == "compare":
        print(json.dumps(compare(Path(args.data)), indent=1))
    else:
        bench(args)


if __name__ == "__main__":
    main()
