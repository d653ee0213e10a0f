"""Revenue drivers: LMDI effects sum exactly to the change; fallbacks keep them exact; per-channel splits."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.dataset import Dataset, Fact
from metrics.drivers import log_mean, revenue_drivers, split_change
from metrics.periods import Period

positive = st.floats(min_value=0.01, max_value=1e7, allow_nan=False, allow_infinity=False)
count = st.floats(min_value=1, max_value=1e6, allow_nan=False, allow_infinity=False)
anything = st.floats(min_value=-1e6, max_value=1e7, allow_nan=False, allow_infinity=False)


class TestSplit:
    @given(s0=count, o0=count, r0=positive, s1=count, o1=count, r1=positive)
    def test_lmdi_effects_sum_to_the_change_to_the_cent(self, s0: float, o0: float, r0: float, s1: float, o1: float, r1: float) -> None:
        effects = split_change(s0, o0, r0, s1, o1, r1)
        assert effects.method == "lmdi"
        assert abs(effects.traffic + effects.conversion + effects.order_value - (r1 - r0)) < 0.005

    @given(s0=st.one_of(st.none(), st.just(0.0), count), o0=st.one_of(st.just(0.0), count), r0=anything,
           s1=st.one_of(st.none(), st.just(0.0), count), o1=st.one_of(st.just(0.0), count), r1=anything)
    def test_any_input_still_sums_exactly(self, s0: float | None, o0: float, r0: float, s1: float | None, o1: float, r1: float) -> None:
        effects = split_change(s0, o0, r0, s1, o1, r1)
        assert all(math.isfinite(x) for x in (effects.traffic, effects.conversion, effects.order_value))
        assert abs(effects.total - (r1 - r0)) < 0.005

    def test_by_hand(self) -> None:
        """Sessions double, conversion and AOV unchanged: the whole change is traffic."""
        effects = split_change(100, 10, 500.0, 200, 20, 1000.0)
        assert effects.traffic == pytest.approx(500.0)
        assert effects.conversion == pytest.approx(0, abs=1e-9) and effects.order_value == pytest.approx(0, abs=1e-9)

    def test_lmdi_formula(self) -> None:
        """effect_x = L(R1, R0) × ln(x1 / x0), checked on round numbers."""
        effects = split_change(100, 10, 500.0, 150, 12, 720.0)
        weight = (720 - 500) / (math.log(720) - math.log(500))
        assert effects.traffic == pytest.approx(weight * math.log(1.5))
        assert effects.conversion == pytest.approx(weight * math.log((12 / 150) / (10 / 100)))
        assert effects.order_value == pytest.approx(weight * math.log(60 / 50))

    def test_new_channel_is_all_traffic(self) -> None:
        effects = split_change(0, 0, 0.0, 50, 5, 250.0)
        assert effects.method == "sequential"
        assert (effects.traffic, effects.conversion, effects.order_value) == pytest.approx((250.0, 0.0, 0.0))

    def test_vanished_channel_is_all_traffic(self) -> None:
        effects = split_change(50, 5, 250.0, 0, 0, 0.0)
        assert (effects.traffic, effects.conversion, effects.order_value) == pytest.approx((-250.0, 0.0, 0.0))

    def test_without_traffic_data_the_orders_effect_is_conversion(self) -> None:
        effects = split_change(None, 10, 500.0, None, 20, 1000.0)
        assert effects.traffic == 0
        assert effects.conversion == pytest.approx(500.0)

    def test_log_mean(self) -> None:
        assert log_mean(5.0, 5.0) == 5.0
        assert log_mean(math.e, 1.0) == pytest.approx(math.e - 1)


def _shop() -> Dataset:
    lines = pd.DataFrame({
        "order_id": ["1", "2", "3", "4", "5", "6"],
        "revenue": [100.0, 50.0, 100.0, 100.0, 80.0, 120.0],
        "channel": ["paid", "organic", "paid", "paid", "organic", "organic"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-08", "2024-01-09", "2024-01-09", "2024-01-10"]),
    })
    sessions = pd.DataFrame({
        "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-08"]),
        "channel": ["paid", "organic", "paid", "organic"],
        "sessions": [10.0, 20.0, 40.0, 20.0],
    })
    return Dataset((Fact("shop.csv", "line", lines), Fact("ga.csv", "aggregate", sessions)))


class TestRevenueDrivers:
    WEEK1 = Period(date(2024, 1, 1), date(2024, 1, 7), "week")
    WEEK2 = Period(date(2024, 1, 8), date(2024, 1, 14), "week")

    def test_overall_and_per_channel(self) -> None:
        report = revenue_drivers(_shop(), self.WEEK2, self.WEEK1)
        assert report.overall is not None
        assert (report.overall.revenue_before, report.overall.revenue_after) == (150.0, 400.0)
        assert (report.overall.sessions_before, report.overall.sessions_after) == (30.0, 60.0)
        assert report.overall.effects.total == pytest.approx(250.0, abs=0.005)
        channels = {s.segment: s for s in report.segments}
        assert set(channels) == {"paid", "organic"}
        paid = channels["paid"]
        # paid: sessions 10 → 40, orders 1 → 2, revenue 100 → 200
        assert (paid.sessions_before, paid.sessions_after, paid.orders_before, paid.orders_after) == (10, 40, 1, 2)
        weight = (200 - 100) / math.log(2)
        assert paid.effects.traffic == pytest.approx(weight * math.log(4))
        assert paid.effects.conversion == pytest.approx(weight * math.log((2 / 40) / (1 / 10)))
        assert paid.effects.order_value == pytest.approx(0, abs=1e-9)
        assert report.segments[0].segment == "organic"  # the bigger change first (+150 vs +100)

    def test_without_orders_it_names_what_is_missing(self) -> None:
        data = Dataset((Fact("ads.csv", "aggregate", pd.DataFrame({"cost": [1.0]})),))
        report = revenue_drivers(data, self.WEEK2, self.WEEK1)
        assert report.overall is None and set(report.missing_roles) == {"revenue", "order_id"}
