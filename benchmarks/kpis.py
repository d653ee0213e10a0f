"""Times every catalog KPI for one period on the 541,909-line Online Retail data, against a named baseline.

Baseline ("hand groupby"): one plain pandas pass computing revenue, counted orders and customers for the same
period — the least work anyone would do for three numbers. The engine computes all ~66 catalog KPIs (most of which
the data cannot support and report their missing roles quickly) including its one-off preparation (factorising
order and customer ids) on a fresh Dataset, so "cold" is what a page pays on the first view of an upload.

Then `page_reruns` times the KPI pool page itself with AppTest (cached reruns against a trivial page's rerun).

Run: .venv/bin/python benchmarks/kpis.py [path/to/online_retail.parquet]
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd

from metrics.dataset import Dataset, Fact
from metrics.kpi import clear_cache, evaluate_all
from metrics.periods import Period

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "online_retail" / "online_retail.parquet"
ROLES = {"InvoiceNo": "order_id", "StockCode": "product", "Quantity": "quantity", "InvoiceDate": "date",
         "UnitPrice": "unit_price", "CustomerID": "customer_id", "Country": "region"}
PERIODS = {
    "one month (2011-11)": Period(date(2011, 11, 1), date(2011, 11, 30), "month"),
    "whole data": None,
}


def load(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    return frame.rename(columns=ROLES)[list(ROLES.values())]


def baseline(frame: pd.DataFrame, period: Period | None) -> tuple[float, int, int]:
    """Revenue, counted orders and customers with one plain groupby (the named baseline)."""
    if period is not None:
        days = frame["date"].dt.normalize()
        frame = frame[(days >= pd.Timestamp(period.start)) & (days <= pd.Timestamp(period.end))]
    revenue = frame["quantity"] * frame["unit_price"]
    net = revenue.groupby(frame["order_id"]).sum()
    counted = net[net > 0].index
    customers = frame.loc[frame["order_id"].isin(counted), "customer_id"].nunique()
    return float(revenue.sum()), len(counted), int(customers)


def best_of(runs: int, action: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    frame = load(path)
    print(f"{len(frame):,} order lines from {path.name}")
    for label, period in PERIODS.items():
        base = best_of(3, lambda p=period: baseline(frame, p))

        def cold(p: Period | None = period) -> None:
            clear_cache()
            evaluate_all(Dataset((Fact("online_retail", "line", frame),)), p)

        cold_time = best_of(3, cold)
        dataset = Dataset((Fact("online_retail", "line", frame),))
        evaluate_all(dataset, period)
        warm_time = best_of(3, lambda d=dataset, p=period: evaluate_all(d, p))
        months = [Period(date(2011, m, 1), date(2011, m, 28), "custom") for m in range(1, 13)]
        new_period = best_of(1, lambda d=dataset, ms=months: [evaluate_all(d, m) for m in ms]) / len(months)
        values = evaluate_all(dataset, period)
        measurable = sum(v.available for v in values.values())
        expected = baseline(frame, period)
        got = (values["revenue"].value, values["orders"].value, values["customers"].value)
        print(f"\n{label}: {len(values)} catalog KPIs ({measurable} measurable)")
        print(f"  baseline hand groupby (3 KPIs): {base * 1000:8.1f} ms")
        print(f"  engine, all KPIs, cold:         {cold_time * 1000:8.1f} ms   ratio {cold_time / base:5.2f}× baseline")
        print(f"  engine, all KPIs, warm cache:   {warm_time * 1000:8.1f} ms   ratio {warm_time / base:5.2f}× baseline")
        print(f"  engine, all KPIs, new period on a prepared dataset (trend): {new_period * 1000:6.1f} ms per period")
        print(f"  agreement with baseline: revenue {got[0]:.2f} vs {expected[0]:.2f}, orders {got[1]:.0f} vs "
              f"{expected[1]}, customers {got[2]:.0f} vs {expected[2]}")


TRIVIAL_PAGE = "import streamlit as st\nst.title('baseline')\n"


def page_reruns(path: Path, reruns: int = 5) -> None:
    """The KPI pool page on the whole file through AppTest: one upload and ingest, then timed `at.run()` reruns.

    Named baselines, measured in the same process: the page's own first (uncached) run, and a rerun of a trivial
    one-line page (what AppTest and Streamlit cost for any rerun). The target is a cached rerun ≤ 150 ms.
    """
    import os
    import tempfile

    from streamlit.testing.v1 import AppTest

    from store import engine as store_engine
    from store import repo

    root = Path(__file__).resolve().parents[1]
    folder = Path(tempfile.mkdtemp(prefix="kpi_bench_"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
    csv = load(path).rename(columns={v: k for k, v in ROLES.items()}).to_csv(index=False).encode()
    engine = store_engine.make_engine(os.environ["DATABASE_URL"])
    store_engine.upgrade(engine)
    with store_engine.unit_of_work(store_engine.session_factory(engine)) as session:
        workspace = repo.get_or_create_workspace(session, "default", "default")
        repo.save_source_file(session, workspace.id, "online_retail.csv", csv)
    engine.dispose()
    trivial_path = folder / "trivial.py"
    trivial_path.write_text(TRIVIAL_PAGE)
    trivial = AppTest.from_file(str(trivial_path), default_timeout=600)
    trivial.run()
    trivial_time = best_of(reruns, trivial.run)
    app = AppTest.from_file(str(root / "pages" / "kpi_pool.py"), default_timeout=600)
    app.session_state["language"] = "en"
    app.session_state["goal"] = "grow_online_revenue"
    start = time.perf_counter()
    app.run()
    first = time.perf_counter() - start
    assert not app.exception, [e.value for e in app.exception]
    print(f"\nKPI pool page (AppTest), {len(csv) / 1e6:.1f} MB csv, goal grow_online_revenue, {len(app.metric)} KPI cards")
    print(f"  baseline trivial page rerun:          {trivial_time * 1000:8.1f} ms")
    print(f"  first run (ingest + all KPIs + trend): {first * 1000:8.1f} ms")
    for view in ("tree", "table", "drivers"):
        app.segmented_control(key="kpi_view").set_value(view).run()
        rerun = best_of(reruns, app.run)
        print(f"  cached rerun, {view:<8} view:          {rerun * 1000:8.1f} ms   ratio {rerun / trivial_time:5.1f}× trivial, "
              f"{rerun / first:6.3f}× first run")


if __name__ == "__main__":
    main()
    page_reruns(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
