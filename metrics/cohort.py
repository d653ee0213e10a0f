"""Repeat purchase on order lines: first vs repeat orders, and monthly cohort retention.

Article 002 splits orders into first and repeat purchases because they have different levers (acquisition vs
retention). Both views use the same counted orders as the funnel (distinct `order_id` with net revenue > 0) and the
same "first order" (earliest date, ties broken by order id), so their numbers agree with the funnel's
`repeat_orders` stage. Orders without a customer id cannot be attributed to a customer: they are left out of both
views and counted, so the page can say how many.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.dataset import Dataset, Fact
from metrics.funnel import DateRange, PeriodArg, as_range, order_table, repeat_order_keys


@dataclass(frozen=True, slots=True)
class RepeatSplit:
    """Counted orders split into first (a customer's first ever in the data) and repeat, with their revenue.

    `unknown_orders` are counted orders without a customer id. `repeat_purchase_rate` is DESIGN.md's KPI:
    customers with ≥ 2 counted orders (in scope) ÷ customers (in scope); None without customers.
    Revenue figures are None when the data has no revenue.
    """

    first_orders: int
    repeat_orders: int
    unknown_orders: int
    first_revenue: float | None
    repeat_revenue: float | None
    unknown_revenue: float | None
    customers: int
    repeat_customers: int
    repeat_purchase_rate: float | None
    blank_customer_lines: int


@dataclass(frozen=True, slots=True)
class CohortTable:
    """Monthly retention: rows are cohorts (month of the customer's first counted order, "YYYY-MM"), columns are
    months since that first order (0..N), values the share of the cohort's customers with a counted order in that
    month. Month 0 is 1.0 by construction. NaN marks months after the data ends (not yet observable), which is
    different from 0 (observable, nobody came back).
    """

    retention: pd.DataFrame
    active: pd.DataFrame
    sizes: pd.Series
    customers: int
    blank_customer_lines: int
    blank_customer_orders: int

    def long(self) -> pd.DataFrame:
        """`cohort, months_since, customers, active, share` rows, observable cells only (for charts and exports)."""
        share = self.retention.stack().dropna().rename("share")
        active = self.active.stack().rename("active").reindex(share.index)
        frame = pd.concat([active, share], axis=1).rename_axis(["cohort", "months_since"]).reset_index()
        frame.insert(2, "customers", frame["cohort"].map(self.sizes).astype("int64"))
        frame["active"] = frame["active"].astype("int64")
        return frame


def first_vs_repeat(dataset: Dataset, period: PeriodArg | None = None) -> RepeatSplit | None:
    """First vs repeat orders in `period` (whole data when None); first orders are judged over all the data.

    None when no order-line file has customer ids.
    """
    fact = _customer_lines(dataset)
    if fact is None:
        return None
    history = order_table(fact)
    scoped_fact = _scoped(dataset, fact, as_range(period))
    orders = history if scoped_fact is fact else order_table(scoped_fact)
    counted = orders[orders["counted"]]
    known = counted["customer_id"].notna()
    repeat = counted.index.isin(repeat_order_keys(history)) & known.to_numpy()
    first = known.to_numpy() & ~repeat
    has_revenue = bool(orders.attrs.get("has_revenue"))
    per_customer = counted.loc[known, "customer_id"].value_counts()
    return RepeatSplit(
        first_orders=int(first.sum()),
        repeat_orders=int(repeat.sum()),
        unknown_orders=int((~known).sum()),
        first_revenue=_revenue(counted, first, has_revenue),
        repeat_revenue=_revenue(counted, repeat, has_revenue),
        unknown_revenue=_revenue(counted, ~known.to_numpy(), has_revenue),
        customers=len(per_customer),
        repeat_customers=int((per_customer >= 2).sum()),
        repeat_purchase_rate=float((per_customer >= 2).mean()) if len(per_customer) else None,
        blank_customer_lines=_blank_lines(scoped_fact),
    )


def cohort_retention(dataset: Dataset, max_months: int | None = None) -> CohortTable | None:
    """The monthly cohort retention table of the order lines with customer ids (None when there are none).

    `max_months` caps the columns (0..max_months). The last observable month is the last month any line is dated.
    """
    fact = _customer_lines(dataset)
    if fact is None or "date" not in fact.frame.columns:
        return None
    orders = order_table(fact)
    counted = orders[orders["counted"] & orders["date"].notna()]
    known = counted[counted["customer_id"].notna()]
    month = _month_number(known["date"])
    first = month.groupby(known["customer_id"].to_numpy()).transform("min")
    offsets = pd.DataFrame({
        "customer": known["customer_id"].to_numpy(), "cohort": first.to_numpy(), "offset": (month - first).to_numpy(),
    }).drop_duplicates()
    if max_months is not None:
        offsets = offsets[offsets["offset"] <= max_months]
    active = offsets.groupby(["cohort", "offset"]).size().unstack("offset", fill_value=0)
    if active.empty:
        return CohortTable(pd.DataFrame(), pd.DataFrame(), pd.Series(dtype="int64"), 0, _blank_lines(fact), 0)
    width = int(active.columns.max()) if max_months is None else max_months
    active = active.reindex(columns=range(width + 1), fill_value=0)
    sizes = active[0]
    last = int(_month_number(fact.frame["date"].dropna()).max())
    observable = (last - active.index.to_numpy())[:, None] >= np.arange(width + 1)[None, :]
    retention = active.div(sizes, axis=0).where(observable)
    labels = [_month_label(m) for m in active.index]
    retention.index = active.index = sizes.index = pd.Index(labels, name="cohort")
    retention.columns = active.columns = pd.RangeIndex(width + 1, name="months_since")
    return CohortTable(
        retention=retention,
        active=active.where(observable),
        sizes=sizes.astype("int64").rename("customers"),
        customers=int(sizes.sum()),
        blank_customer_lines=_blank_lines(fact),
        blank_customer_orders=int(counted["customer_id"].isna().sum()),
    )


def _customer_lines(dataset: Dataset) -> Fact | None:
    """The largest order-line fact with customer ids."""
    candidates = [f for f in dataset.facts if f.grain == "line" and f.has("order_id", "customer_id")]
    return max(candidates, key=lambda f: len(f.frame)) if candidates else None


def _scoped(dataset: Dataset, fact: Fact, period: DateRange | None) -> Fact:
    if period is None:
        return fact
    index = dataset.facts.index(fact)
    return dataset.between(*period).facts[index]


def _revenue(orders: pd.DataFrame, mask: np.ndarray | pd.Series, has_revenue: bool) -> float | None:
    return float(orders.loc[np.asarray(mask), "revenue"].sum()) if has_revenue else None


def _blank_lines(fact: Fact) -> int:
    ids = fact.frame["customer_id"]
    blank = ids.isna()
    if ids.dtype == "str" or ids.dtype == object:
        blank |= ids.astype("str").str.strip().eq("")
    return int(blank.sum())


def _month_number(dates: pd.Series) -> pd.Series:
    """Months since year 0, so month differences are plain integer subtraction."""
    return dates.dt.year * 12 + dates.dt.month - 1


def _month_label(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"
