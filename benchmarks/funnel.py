"""Times the funnel, the region breakdown and the cohort table on the full Online Retail data (541,909 lines).

Baseline (named "plain groupby"): the same numbers computed directly with the shortest pandas code a reader would
write by hand for this one file (no stage specs, no zero-filling, no period or segment machinery). The ratio says
what the general code costs over it; the target is each call well under 1 s in absolute terms.

The page part (`page_reruns`) uploads the same data through the Data page in AppTest once, then times reruns of the
Funnel page with every result cached, for each view. Its baseline (named "bare page") is an AppTest rerun of a page
that draws only a title: the ratio says what the funnel page costs over Streamlit's own rerun; the target is a
cached rerun ≤ 150 ms in absolute terms.

Run from the repo root: PYTHONPATH=. .venv/bin/python benchmarks/funnel.py [path/to/online_retail.parquet] [--page-only]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from metrics.cohort import cohort_retention
from metrics.dataset import Dataset, Fact
from metrics.funnel import breakdown, funnel

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "online_retail" / "online_retail.parquet"


def load(path: Path) -> Dataset:
    """The parquet mapped to roles by hand (InvoiceNo→order_id, CustomerID→customer_id, …), as ingest would."""
    raw = pd.read_parquet(path)
    frame = pd.DataFrame({
        "order_id": raw["InvoiceNo"],
        "customer_id": raw["CustomerID"],
        "date": raw["InvoiceDate"],
        "region": raw["Country"],
        "revenue": raw["Quantity"] * raw["UnitPrice"],
    })
    return Dataset((Fact("online_retail", "line", frame),))


def baseline_funnel(frame: pd.DataFrame) -> tuple[int, int]:
    orders = frame.groupby("order_id").agg(revenue=("revenue", "sum"), customer=("customer_id", "first"))
    counted = orders[orders["revenue"] > 0]
    known = counted["customer"].notna()
    return len(counted), int(known.sum() - counted.loc[known, "customer"].nunique())


def baseline_month(frame: pd.DataFrame) -> tuple[int, int]:
    """November 2011 orders, repeat = not the customer's first counted order over all the data."""
    orders = frame.groupby("order_id").agg(revenue=("revenue", "sum"), customer=("customer_id", "first"), date=("date", "min"))
    counted = orders[orders["revenue"] > 0].sort_values(["date"])
    repeat = counted["customer"].notna() & counted.duplicated("customer")
    month = (counted["date"] >= "2011-11-01") & (counted["date"] < "2011-12-01")
    return int(month.sum()), int((month & repeat).sum())


def baseline_breakdown(frame: pd.DataFrame) -> pd.Series:
    net = frame.groupby(["region", "order_id"])["revenue"].sum()
    return (net > 0).groupby(level="region").sum()


def baseline_cohorts(frame: pd.DataFrame) -> pd.DataFrame:
    orders = frame.groupby("order_id").agg(revenue=("revenue", "sum"), customer=("customer_id", "first"), date=("date", "min"))
    orders = orders[(orders["revenue"] > 0) & orders["customer"].notna()]
    month = orders["date"].dt.year * 12 + orders["date"].dt.month
    first = month.groupby(orders["customer"]).transform("min")
    cells = pd.DataFrame({"customer": orders["customer"], "cohort": first, "offset": month - first}).drop_duplicates()
    active = cells.groupby(["cohort", "offset"]).size().unstack(fill_value=0)
    return active.div(active[0], axis=0)


def best_of(call: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


REPO = Path(__file__).resolve().parents[1]
PAGE_VIEWS = ("segments", "leaks", "whatif", "trend", "repeat")


def page_reruns(path: Path, repeat: int = 15) -> None:
    """Ingest once through the Data page, then time cached reruns of the Funnel page (each view) in AppTest."""
    from streamlit.testing.v1 import AppTest

    raw = pd.read_parquet(path).drop(columns=["Description"])  # keeps the CSV under the 50 MB upload limit
    payload = raw.to_csv(index=False).encode()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
        data = AppTest.from_file(str(REPO / "pages" / "data.py"), default_timeout=900)
        data.session_state["language"] = "en"
        start = time.perf_counter()
        data.run().file_uploader(key="data_uploader").set_value(("online_retail.csv", payload, "text/csv")).run()
        print(f"page: upload + ingest of {len(raw):,} lines through the Data page: {time.perf_counter() - start:.1f} s")
        app = AppTest.from_file(str(REPO / "pages" / "funnel.py"), default_timeout=900)
        app.session_state["language"] = "en"
        start = time.perf_counter()
        app.run()
        print(f"page: first Funnel page run (cache misses): {time.perf_counter() - start:.1f} s")
        assert not app.exception, [e.value for e in app.exception]
        bare = AppTest.from_string("import streamlit as st\nst.title('Loopboard')\n", default_timeout=60)
        bare.run()
        base = _rerun_times(bare, repeat)
        print(f"{'view':<28}{'median ms':>11}{'best ms':>9}{'ratio':>8}   (baseline = bare page, median {base * 1000:.0f} ms)")
        for view in PAGE_VIEWS:
            app.segmented_control(key="funnel_view").set_value(view).run()  # fills this view's caches
            assert not app.exception, [e.value for e in app.exception]
            times = [_timed(app.run) for _ in range(repeat)]
            median = statistics.median(times)
            print(f"{view:<28}{median * 1000:>11.0f}{min(times) * 1000:>9.0f}{median / base:>8.1f}")


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _rerun_times(app: object, repeat: int) -> float:
    return statistics.median(_timed(app.run) for _ in range(repeat))  # type: ignore[attr-defined]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT
    if "--page-only" in sys.argv:
        page_reruns(path)
        return
    dataset = load(path)
    frame = dataset.facts[0].frame
    print(f"Online Retail: {len(frame):,} lines ({path.name}); best of 5 runs; baseline = plain groupby")

    result = funnel(dataset)
    orders, repeat = baseline_funnel(frame)
    assert (result.stage("orders").count, result.stage("repeat_orders").count) == (orders, repeat)
    november = (date(2011, 11, 1), date(2011, 11, 30))
    in_month = funnel(dataset, period=november)
    assert (in_month.stage("orders").count, in_month.stage("repeat_orders").count) == baseline_month(frame)
    split = breakdown(dataset, "region")
    by_region = split.frame[split.frame["stage"] == "orders"].set_index("segment")["count"]
    assert (by_region.sort_index() == baseline_breakdown(frame).sort_index().astype(float)).all()
    cohorts = cohort_retention(dataset)
    expected = baseline_cohorts(frame).to_numpy()
    assert cohorts is not None and cohorts.retention.shape == expected.shape
    observed = cohorts.retention.notna().to_numpy()
    assert (abs(cohorts.retention.to_numpy()[observed] - expected[observed]) < 1e-12).all()

    cases: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        ("funnel (orders → repeat)", lambda: funnel(dataset), lambda: baseline_funnel(frame)),
        ("funnel, Nov 2011 (+history)", lambda: funnel(dataset, period=november), lambda: baseline_month(frame)),
        ("breakdown by region", lambda: breakdown(dataset, "region"), lambda: baseline_breakdown(frame)),
        ("cohort retention", lambda: cohort_retention(dataset), lambda: baseline_cohorts(frame)),
    ]
    print(f"{'case':<28}{'loopboard s':>13}{'baseline s':>12}{'ratio':>8}")
    for name, ours, base in cases:
        mine, theirs = best_of(ours), best_of(base)
        print(f"{name:<28}{mine:>13.3f}{theirs:>12.3f}{mine / theirs:>8.2f}")
    page_reruns(path)


if __name__ == "__main__":
    main()
