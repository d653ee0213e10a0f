"""Ingest benchmark: full `metrics.ingest.ingest` against bare readers, on 100k- and 500k-line workbooks.

Not a test: it prints ratios against named baselines so a regression in any ingest stage is visible in numbers.
The workbooks are built once from the UCI Online Retail parquet (../shared/realdata) and cached under
benchmarks/.cache/ (gitignored), because writing 500k rows with openpyxl takes longer than reading them.

Goals (from the ingest issue):
- xlsx full ingest ≥ 10× faster than `pandas.read_excel(engine="openpyxl")` alone;
- xlsx full ingest ≤ 2× the fastest bare read (`pandas.read_excel(engine="calamine")` or raw calamine);
- csv full ingest ≤ 3× bare `pandas.read_csv`.

Run: `.venv/bin/python benchmarks/ingest.py [--sizes 100000,500000] [--skip-openpyxl] [--profile]`.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PARQUET = REPO.parent / "shared" / "realdata" / "online_retail" / "online_retail.parquet"
CACHE = REPO / "benchmarks" / ".cache"


def build_files(rows: int) -> tuple[Path, Path]:
    """Writes (once) an xlsx and a csv holding the first `rows` order lines; returns both paths."""
    CACHE.mkdir(parents=True, exist_ok=True)
    xlsx_path = CACHE / f"online_retail_{rows}.xlsx"
    csv_path = CACHE / f"online_retail_{rows}.csv"
    if xlsx_path.exists() and csv_path.exists():
        return xlsx_path, csv_path
    frame = pd.read_parquet(PARQUET).head(rows)
    frame.to_csv(csv_path, index=False, encoding="utf-8")
    _write_xlsx(frame, xlsx_path)
    return xlsx_path, csv_path


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """openpyxl write-only mode streams rows, so building 500k lines stays within a few hundred MB."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Online Retail")
    sheet.append(list(frame.columns))
    columns = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns]
    for row in zip(*columns, strict=True):
        sheet.append(list(row))
    tmp = path.with_suffix(".tmp")
    workbook.save(tmp)
    tmp.rename(path)


def timed(function: Callable[[], object], repeat: int = 1) -> float:
    """Best wall time of `repeat` runs: the least noisy figure on a shared machine."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def raw_calamine(data: bytes) -> list[list[object]]:
    """The floor: calamine's own list of lists, no DataFrame."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return workbook.get_sheet_by_index(0).to_python()


def ratio_line(label: str, ours: float, base_label: str, base: float, goal: str) -> str:
    return f"  {label:<34} {ours:7.2f}s  vs {base_label:<32} {base:7.2f}s  ratio {ours / base:5.2f}x  ({goal})"


def bench_size(rows: int, skip_openpyxl: bool, repeat: int) -> None:
    from metrics.ingest import ingest
    from metrics.ingest import readers as ingest_readers
    from metrics.ingest.model import Limits

    xlsx_path, csv_path = build_files(rows)
    xlsx = xlsx_path.read_bytes()
    csv = csv_path.read_bytes()
    print(f"\n== {rows:,} lines: xlsx {len(xlsx) / 1e6:.1f} MB, csv {len(csv) / 1e6:.1f} MB ==")
    check = ingest(xlsx, xlsx_path.name)
    used = sum(s.rows_used for s in check.sources)
    print(f"  ingest sanity: {len(check.sources)} source(s), rows_used {used:,}, errors "
          f"{sum(i.severity == 'error' for i in check.all_issues())}")

    t_ingest = timed(lambda: ingest(xlsx, xlsx_path.name), repeat)
    t_readers = timed(lambda: ingest_readers.read(xlsx, xlsx_path.name, Limits()), repeat)
    t_pd_cal = timed(lambda: pd.read_excel(io.BytesIO(xlsx), engine="calamine"), repeat)
    t_raw = timed(lambda: raw_calamine(xlsx), repeat)
    fastest_label, fastest = min(
        [("pandas.read_excel(calamine)", t_pd_cal), ("raw calamine to_python()", t_raw)], key=lambda p: p[1]
    )
    print(ratio_line("xlsx readers.read (ours, stage 2)", t_readers, fastest_label, fastest, "info"))
    print(ratio_line("xlsx full ingest", t_ingest, fastest_label, fastest, "goal ≤ 2x"))
    if not skip_openpyxl:
        t_openpyxl = timed(lambda: pd.read_excel(io.BytesIO(xlsx), engine="openpyxl"), 1)
        print(f"  {'xlsx full ingest':<34} {t_ingest:7.2f}s  vs {'pandas.read_excel(openpyxl)':<32} "
              f"{t_openpyxl:7.2f}s  speed-up {t_openpyxl / t_ingest:5.1f}x  (goal ≥ 10x)")

    t_csv_ingest = timed(lambda: ingest(csv, csv_path.name), repeat)
    t_csv_readers = timed(lambda: ingest_readers.read(csv, csv_path.name, Limits()), repeat)
    t_csv_pd = timed(lambda: pd.read_csv(io.BytesIO(csv)), repeat)
    print(ratio_line("csv readers.read (ours, stage 2)", t_csv_readers, "pandas.read_csv", t_csv_pd, "info"))
    print(ratio_line("csv full ingest", t_csv_ingest, "pandas.read_csv", t_csv_pd, "goal ≤ 3x"))


def profile(rows: int) -> None:
    """Where full ingest spends its time: the top functions by cumulative time, for the lead."""
    from metrics.ingest import ingest

    xlsx_path, csv_path = build_files(rows)
    for path in (xlsx_path, csv_path):
        data = path.read_bytes()
        profiler = cProfile.Profile()
        profiler.enable()
        ingest(data, path.name)
        profiler.disable()
        print(f"\n== profile: ingest({path.name}) ==")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,500000")
    parser.add_argument("--skip-openpyxl", action="store_true", help="skip the slow openpyxl baseline")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print cProfile of full ingest on the first size")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.build_only:
        for rows in sizes:
            print(build_files(rows))
        return
    if args.profile:
        profile(sizes[0])
        return
    for rows in sizes:
        bench_size(rows, args.skip_openpyxl, args.repeat)


if __name__ == "__main__":
    main()
