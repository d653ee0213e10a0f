"""Periods: calendar spans, week starts, comparisons and partial-period flags."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.dataset import Dataset, Fact
from metrics.periods import Period, compare_to, data_periods, latest, period_of, periods_between, previous


class TestPeriodOf:
    @pytest.mark.parametrize(
        ("day", "grain", "week_start", "start", "end"),
        [
            (date(2024, 1, 10), "day", 0, date(2024, 1, 10), date(2024, 1, 10)),
            (date(2024, 1, 10), "week", 0, date(2024, 1, 8), date(2024, 1, 14)),   # a Wednesday → Monday 8th
            (date(2024, 1, 8), "week", 0, date(2024, 1, 8), date(2024, 1, 14)),
            (date(2024, 1, 14), "week", 0, date(2024, 1, 8), date(2024, 1, 14)),   # Sunday ends the week
            (date(2024, 1, 14), "week", 6, date(2024, 1, 14), date(2024, 1, 20)),  # Sunday-start weeks
            (date(2024, 1, 1), "week", 0, date(2024, 1, 1), date(2024, 1, 7)),
            (date(2023, 12, 31), "week", 0, date(2023, 12, 25), date(2023, 12, 31)),
            (date(2024, 2, 15), "month", 0, date(2024, 2, 1), date(2024, 2, 29)),  # leap year
            (date(2023, 2, 15), "month", 0, date(2023, 2, 1), date(2023, 2, 28)),
        ],
    )
    def test_span(self, day: date, grain: str, week_start: int, start: date, end: date) -> None:
        period = period_of(day, grain, week_start)  # type: ignore[arg-type]
        assert (period.start, period.end) == (start, end)


class TestComparisons:
    @pytest.mark.parametrize(
        ("period", "comparison", "start", "end"),
        [
            (period_of(date(2024, 1, 10), "week"), "previous", date(2024, 1, 1), date(2024, 1, 7)),
            (period_of(date(2024, 1, 10), "week"), "month_before", date(2023, 12, 11), date(2023, 12, 17)),
            (period_of(date(2024, 1, 10), "week"), "year_before", date(2023, 1, 9), date(2023, 1, 15)),
            (period_of(date(2024, 3, 5), "month"), "previous", date(2024, 2, 1), date(2024, 2, 29)),
            (period_of(date(2024, 1, 5), "month"), "previous", date(2023, 12, 1), date(2023, 12, 31)),
            (period_of(date(2024, 3, 5), "month"), "year_before", date(2023, 3, 1), date(2023, 3, 31)),
            (period_of(date(2024, 3, 31), "day"), "month_before", date(2024, 2, 29), date(2024, 2, 29)),
            (period_of(date(2024, 2, 29), "day"), "year_before", date(2023, 2, 28), date(2023, 2, 28)),
            (period_of(date(2024, 1, 1), "day"), "previous", date(2023, 12, 31), date(2023, 12, 31)),
            (Period(date(2024, 1, 11), date(2024, 1, 20)), "previous", date(2024, 1, 1), date(2024, 1, 10)),
        ],
    )
    def test_compare_to(self, period: Period, comparison: str, start: date, end: date) -> None:
        other = compare_to(period, comparison)  # type: ignore[arg-type]
        assert (other.start, other.end) == (start, end)
        assert other.grain == period.grain

    def test_previous_keeps_a_sunday_week_start(self) -> None:
        week = period_of(date(2024, 1, 16), "week", week_start=6)
        assert previous(week).start == date(2024, 1, 7) and previous(week).start.weekday() == 6


class TestPartial:
    def test_first_and_last_weeks_flagged_when_data_covers_part(self) -> None:
        weeks = periods_between(date(2024, 1, 3), date(2024, 1, 24), "week")
        assert [(w.start, w.partial) for w in weeks] == [
            (date(2024, 1, 1), True), (date(2024, 1, 8), False), (date(2024, 1, 15), False), (date(2024, 1, 22), True),
        ]

    def test_whole_months(self) -> None:
        months = periods_between(date(2024, 1, 1), date(2024, 3, 31), "month")
        assert [m.label for m in months] == ["2024-01", "2024-02", "2024-03"]
        assert not any(m.partial for m in months)

    def test_latest_and_dataset_periods(self) -> None:
        frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-03", "2024-02-10"]), "revenue": [1.0, 2.0]})
        data = Dataset((Fact("a.csv", "aggregate", frame),))
        months = data_periods(data, "month")
        assert [(m.label, m.partial) for m in months] == [("2024-01", True), ("2024-02", True)]
        assert [w.start for w in latest(date(2024, 1, 3), date(2024, 2, 10), "week", count=2)] == [
            date(2024, 1, 29), date(2024, 2, 5)]
        assert data_periods(Dataset((Fact("b.csv", "entity", pd.DataFrame({"x": [1]})),)), "week") == []
