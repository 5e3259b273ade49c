"""Python-polars reference for hyte's whole-series trend slope (issue 10).

In: an observation table with hyte's columns (indicator, area, period, sex,
group, value, ...; `benches/national.py generate` writes one). Out: one row
per series (indicator, area, sex, group) with

    n_points, slope_per_year, slope_se, slope_ci_lower, slope_ci_upper,
    slope_p_value

computed from the published values only (value not null), time t = the
year as a float. A series with no published value still has its row
(n_points 0), as in hyte's trends table. The statistics are those of
hyte's `stats::least_squares` (src/stats.rs): b = Sxy/Sxx,
RSS = Σ(y − ȳ − b(t − t̄))², se = √(RSS/(n − 2)/Sxx), interval
b ± t₀.₉₇₅(n − 2)·se, two-sided p-value of b/se on Student's t with n − 2
degrees of freedom. As in hyte: fewer than 2 points or no spread in t gives
no slope; 2 points give a slope without interval or p-value; a perfect fit
(se = 0) gives the interval [b, b] and p = 0 (p = 1 when b = 0).

One `group_by().agg` of plain sums (n, Σt, Σy, Σt², Σty, Σy²) gives
Sxx = Σt² − (Σt)²/n, Sxy, Syy and RSS = Syy − Sxy²/Sxx: polars' fast path
(0.4–1.1 s for the 5.46 M rows of the national size on 2 cores, against
9.5 s when centring inside each group). t is shifted by a whole year
first, which is exact and keeps Sxx from losing eight digits; the
remaining cancellation in Syy leaves the results within ~1e-11 of hyte's,
which centres each series (tiny, small and national sizes: slopes ≤ 1e-13,
limits ≤ 1e-11, p-values ≤ 1.2e-11 apart; `national.py compare` prints
them). For the same reason a perfect fit can come out with an RSS of
~1e-13 instead of 0 (an interval of width ~1e-7 and p ≈ 0 instead of
[b, b] and 0); short exact series (5, 6, 7, 9 in 2020, 2021, 2022,
2024) give 0, as in hyte.

Student's t without scipy (which is not installed here): the degrees of
freedom are whole numbers (annual points), so the two-sided tail has the
closed forms of Abramowitz & Stegun 26.7.3/26.7.4, a finite sum of powers
of cos²θ with θ = atan(|t|/√ν). The sum is written as polars expressions,
one term per possible degree of freedom, so the p-values are computed
vectorised in the same query. p = 1 − A loses relative accuracy below about
1e-15 (absolute error ~1e-16): irrelevant at any significance level, but a
p-value of 1e-20 comes out as ~0. The 97.5 % quantile is found once per
distinct df (at most ~26) by bisection on the scalar form of the same
formula. Only annual periods are supported (`period` cast to float).
"""

from __future__ import annotations

import math

import polars as pl

KEYS = ["indicator", "area", "sex", "group"]
T0 = 2000.0  # any whole year: t − T0 is exact


def _tail_terms(df: pl.Expr, c2: pl.Expr, s: pl.Expr, theta: pl.Expr, max_df: int) -> pl.Expr:
    """A(t|ν) = P(|T| < |t|) for integer ν ≥ 1 (A&S 26.7.3 and 26.7.4)."""
    even, odd = pl.lit(0.0), pl.lit(0.0)
    a = b = 1.0  # a_j = Π(2i−1)/(2i), b_j = Π(2i)/(2i+1)
    for j in range(0, max(max_df // 2, 1)):
        if j:
            a *= (2 * j - 1) / (2 * j)
            b *= (2 * j) / (2 * j + 1)
        power = c2.pow(j)
        even = even + pl.when(pl.lit(j) <= df / 2 - 1).then(a * power).otherwise(0.0)
        odd = odd + pl.when(pl.lit(j) <= (df - 3) / 2).then(b * power).otherwise(0.0)
    cos = c2.sqrt()
    return (
        pl.when(df % 2 == 0)
        .then(s * even)
        .when(df == 1)
        .then(2.0 * theta / math.pi)
        .otherwise(2.0 / math.pi * (theta + s * cos * odd))
    )


def t_two_sided_p(t: float, df: int) -> float:
    """Scalar form of the same formula (for the quantiles)."""
    theta = math.atan(abs(t) / math.sqrt(df))
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    if df == 1:
        a = 2 * theta / math.pi
    elif df % 2 == 0:
        term, total = 1.0, 1.0
        for j in range(1, df // 2):
            term *= c2 * (2 * j - 1) / (2 * j)
            total += term
        a = s * total
    else:
        term, total = 1.0, 1.0
        for j in range(1, (df - 3) // 2 + 1):
            term *= c2 * (2 * j) / (2 * j + 1)
            total += term
        a = 2 / math.pi * (theta + s * math.sqrt(c2) * total)
    return min(max(1.0 - a, 0.0), 1.0)


def t_critical_95(df: int) -> float:
    lo, hi = 0.0, 1.0
    while t_two_sided_p(hi, df) > 0.05:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if t_two_sided_p(mid, df) > 0.05 else (lo, mid)
    return 0.5 * (lo + hi)


def trends(observations: pl.LazyFrame) -> pl.DataFrame:
    # t is null where the value is: polars' sums skip both. Shifting t by a
    # whole year is exact and keeps Σt² − (Σt)²/n from losing eight digits.
    t = pl.when(pl.col("value").is_not_null()).then(pl.col("period").cast(pl.Float64) - T0)
    y = pl.col("value")
    n, st, sy = y.count(), t.sum(), y.sum()
    sxx = (t * t).sum() - st * st / n
    sxy = (t * y).sum() - st * sy / n
    syy = (y * y).sum() - sy * sy / n
    fits = (
        observations.group_by(KEYS)
        .agg(n.alias("n_points"), sxx.alias("sxx"), (sxy / sxx).alias("slope"),
             (syy - sxy * sxy / sxx).clip(lower_bound=0.0).alias("rss"))
        .collect()
    )
    max_df = max(int(fits["n_points"].max() or 0) - 2, 1)
    critical = {d: t_critical_95(d) for d in range(1, max_df + 1)}
    df = (pl.col("n_points") - 2).cast(pl.Int64)
    ok = (pl.col("n_points") >= 2) & (pl.col("sxx") > 0)
    slope = pl.when(ok).then(pl.col("slope"))
    se = pl.when(ok & (df >= 1)).then((pl.col("rss") / df / pl.col("sxx")).sqrt())
    q = df.replace_strict(critical, default=None, return_dtype=pl.Float64)
    tstat = pl.col("slope") / pl.col("slope_se")
    c2 = df / (df + tstat * tstat)
    theta = (tstat.abs() / df.cast(pl.Float64).sqrt()).arctan()
    p = (1.0 - _tail_terms(df, c2, theta.sin(), theta, max_df)).clip(0.0, 1.0)
    perfect = pl.col("slope_se") == 0
    return (
        fits.lazy()
        .with_columns(slope.alias("slope"), se.alias("slope_se"))
        .with_columns(
            (pl.col("slope") - pl.when(~perfect).then(q * pl.col("slope_se")).otherwise(0.0))
            .alias("slope_ci_lower"),
            (pl.col("slope") + pl.when(~perfect).then(q * pl.col("slope_se")).otherwise(0.0))
            .alias("slope_ci_upper"),
            pl.when(pl.col("slope_se").is_null())
            .then(None)
            .when(perfect)
            .then(pl.when(pl.col("slope") == 0).then(1.0).otherwise(0.0))
            .otherwise(p)
            .alias("slope_p_value"),
        )
        .select(*KEYS, "n_points", pl.col("slope").alias("slope_per_year"), "slope_se",
                "slope_ci_lower", "slope_ci_upper", "slope_p_value")
        .with_columns(  # no interval without a standard error (2 points)
            pl.when(pl.col("slope_se").is_not_null()).then(pl.col(c)).alias(c)
            for c in ("slope_ci_lower", "slope_ci_upper")
        )
        .collect()
    )


if __name__ == "__main__":
    import sys

    out = trends(pl.scan_parquet(sys.argv[1]))
    print(out.sort(KEYS).head(10))
    print(f"{out.height} series")
