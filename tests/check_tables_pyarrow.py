"""Checks that hyte's Parquet and Arrow IPC tables open in pyarrow and in
(Python) polars, with the documented columns and the same rows as the CSV.

Usage: python3 tests/check_tables_pyarrow.py OUT_DIR
Run by .ci/run after `cargo run --release -- run`; needs `pip install pyarrow polars`.
"""
import csv
import pathlib
import sys

import polars as pl
import pyarrow.feather as feather
import pyarrow.parquet as pq

EXPECTED = ["indicator", "area", "period", "sex", "group", "value", "count", "n",
            "ci_lower", "ci_upper", "source", "status"]


KEYS = ["indicator", "area", "period", "sex", "group", "status"]


def plain(table):
    """The table with dictionary-encoded columns decoded to their text."""
    import pyarrow as pa
    columns = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c
               for c in table.columns]
    return pa.table(columns, names=table.column_names)


def main(out: pathlib.Path) -> int:
    tables = sorted({p.stem for p in (out / "tables").glob("*.parquet")})
    if not tables:
        print(f"no tables in {out / 'tables'}", file=sys.stderr)
        return 1
    for name in tables:
        base = out / "tables" / name
        parquet = pq.read_table(base.with_suffix(".parquet"))
        arrow = feather.read_table(base.with_suffix(".arrow"))
        with open(base.with_suffix(".csv"), newline="", encoding="utf-8-sig") as f:
            csv_rows = sum(1 for _ in csv.reader(f)) - 1
        assert parquet.num_rows == arrow.num_rows == csv_rows, (name, parquet.num_rows, arrow.num_rows, csv_rows)
        assert parquet.column_names == arrow.column_names, name
        parquet, arrow_table = plain(parquet), arrow
        arrow = plain(arrow)
        assert parquet.equals(arrow.cast(parquet.schema)), f"{name}: parquet and arrow differ"
        pl_parquet = pl.read_parquet(base.with_suffix(".parquet"))
        pl_arrow = pl.read_ipc(base.with_suffix(".arrow"))
        assert pl_parquet.equals(pl_arrow), name
        if name == "observations":
            assert parquet.column_names == EXPECTED, parquet.column_names
            import pyarrow as pa
            for key in KEYS:
                kind = arrow_table.schema.field(key).type
                assert pa.types.is_dictionary(kind), (key, kind)
        print(f"{name}: {parquet.num_rows} rows, {len(parquet.column_names)} columns: pyarrow and polars agree")
    return 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "out")))
