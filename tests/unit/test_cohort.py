"""First vs repeat orders and monthly cohort retention on a hand-built shop (every figure worked out by hand)."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from metrics.cohort import cohort_retention, first_vs_repeat
from metrics.funnel import funnel
from tests.unit.funnel_builders import ad_report, dataset, order_lines

NAN = float("nan")


def lines() -> list[tuple[object, ...]]:
    """Four customers over January–April 2024, plus two orders without a customer id."""
    return [
        ("a1", "A", "2024-01-05", 10.0),
        ("a2", "A", "2024-02-10", 20.0),
        ("a3", "A", "2024-04-01", 30.0),
        ("b1", "B", "2024-01-20", 5.0),
        ("b2", "B", "2024-01-25", 5.0),  # a second order in the cohort month itself
        ("c1", "C", "2024-02-03", 40.0),
        ("Cc2", "C", "2024-03-03", -40.0),  # a cancellation: not a counted order
        ("d2", "D", "2024-03-05 10:00", 99.0),  # same moment as d1: the tie goes to the smaller id, d1
        ("d1", "D", "2024-03-05 10:00", 10.0),
        ("n1", None, "2024-03-07", 15.0),
        ("n2", "  ", "2024-03-08", 25.0),  # a blank id typed as spaces
    ]


def shop():
    return dataset(order_lines(lines()))


def assert_table(actual: pd.DataFrame, expected: dict[str, list[float]]) -> None:
    """Compares a cohort table row by row, NaN meaning "not observable yet", with a readable failure."""
    assert list(actual.index) == list(expected)
    for cohort, values in expected.items():
        row = actual.loc[cohort].tolist()
        assert len(row) == len(values), cohort
        for month, (got, want) in enumerate(zip(row, values, strict=True)):
            if math.isnan(want):
                assert math.isnan(got), f"{cohort} month {month}: expected not observable, got {got}"
            else:
                assert got == pytest.approx(want), f"{cohort} month {month}: {got} != {want}"


class TestFirstVsRepeat:
    def test_whole_data(self) -> None:
        split = first_vs_repeat(shop())
        assert split is not None
        # first: a1, b1, c1, d1 (10 + 5 + 40 + 10); repeat: a2, a3, b2, d2 (20 + 30 + 5 + 99); unknown: n1, n2.
        assert (split.first_orders, split.repeat_orders, split.unknown_orders) == (4, 4, 2)
        assert (split.first_revenue, split.repeat_revenue, split.unknown_revenue) == (65.0, 154.0, 40.0)
        # customers A, B, C, D; A, B and D have two or more counted orders.
        assert (split.customers, split.repeat_customers, split.repeat_purchase_rate) == (4, 3, 0.75)
        assert split.blank_customer_lines == 2

    def test_period_judges_first_orders_over_all_data(self) -> None:
        split = first_vs_repeat(shop(), (date(2024, 3, 1), date(2024, 3, 31)))
        assert split is not None
        # March: d1 (D's first), d2 (repeat), n1, n2; Cc2 is not counted.
        assert (split.first_orders, split.repeat_orders, split.unknown_orders) == (1, 1, 2)
        assert (split.first_revenue, split.repeat_revenue) == (10.0, 99.0)
        assert (split.customers, split.repeat_customers) == (1, 1)
        assert split.blank_customer_lines == 2

    def test_agrees_with_the_funnel_repeat_stage(self) -> None:
        split = first_vs_repeat(shop())
        assert split is not None
        assert funnel(shop()).stage("repeat_orders").count == split.repeat_orders

    def test_no_order_lines_means_no_split(self) -> None:
        assert first_vs_repeat(dataset(ad_report([{"orders": 3}]))) is None
        assert cohort_retention(dataset(ad_report([{"orders": 3}]))) is None


class TestCohortRetention:
    def test_shares_by_hand(self) -> None:
        table = cohort_retention(shop())
        assert table is not None
        # 2024-01 = {A, B}: Jan both; Feb A; Mar nobody; Apr A.   2024-02 = {C}: the March order was cancelled.
        # 2024-03 = {D}. The data ends in April, so later months are not observable (NaN), not 0.
        assert_table(table.retention, {
            "2024-01": [1.0, 0.5, 0.0, 0.5],
            "2024-02": [1.0, 0.0, 0.0, NAN],
            "2024-03": [1.0, 0.0, NAN, NAN],
        })
        assert table.sizes.to_dict() == {"2024-01": 2, "2024-02": 1, "2024-03": 1}
        assert (table.customers, table.blank_customer_lines, table.blank_customer_orders) == (4, 2, 2)

    def test_long_form_has_observable_cells_only(self) -> None:
        table = cohort_retention(shop())
        assert table is not None
        long = table.long()
        assert list(long.columns) == ["cohort", "months_since", "customers", "active", "share"]
        assert len(long) == 4 + 3 + 2
        row = long[(long["cohort"] == "2024-01") & (long["months_since"] == 3)].iloc[0]
        assert (row["customers"], row["active"], row["share"]) == (2, 1, 0.5)

    def test_max_months_caps_the_columns(self) -> None:
        table = cohort_retention(shop(), max_months=1)
        assert table is not None
        assert_table(table.retention, {"2024-01": [1.0, 0.5], "2024-02": [1.0, 0.0], "2024-03": [1.0, 0.0]})
