"""Reporting periods: days, weeks (Monday start unless told otherwise) and months, and the periods to compare with.

A weekly PDCA meeting compares this week with last week and with the same week a month or a year before; a
period the data does not fully cover (the current week on a Wednesday, the first month of an export) is flagged
`partial`, so nobody reads a half week as a drop.

Comparison rules (documented because calendars disagree):
- previous: the period just before, same grain.
- a month before: months shift by one calendar month; weeks by 4 weeks (same weekday alignment); days by one
  calendar month, clamped to the month's last day (31 March → 28/29 February).
- a year before: months by 12 months; weeks by 52 weeks (same weekday, as retail calendars do); days by one
  calendar year (29 February → 28 February).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from metrics.dataset import Dataset

Grain = Literal["day", "week", "month", "custom"]
Comparison = Literal["previous", "month_before", "year_before"]


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive date range. `partial` is True when the data covers only part of it."""

    start: date
    end: date
    grain: Grain = "custom"
    partial: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        match self.grain:
            case "day":
                return self.start.isoformat()
            case "week":
                return f"{self.start.isoformat()} – {self.end.isoformat()}"
            case "month":
                return self.start.strftime("%Y-%m")
            case "custom":
                return f"{self.start.isoformat()} – {self.end.isoformat()}"


def period_of(day: date, grain: Grain, week_start: int = 0) -> Period:
    """The day, week (starting on `week_start`, 0 = Monday … 6 = Sunday) or month that contains `day`."""
    match grain:
        case "day":
            return Period(day, day, "day")
        case "week":
            start = day - timedelta(days=(day.weekday() - week_start) % 7)
            return Period(start, start + timedelta(days=6), "week")
        case "month":
            last = calendar.monthrange(day.year, day.month)[1]
            return Period(day.replace(day=1), day.replace(day=last), "month")
        case "custom":
            raise ValueError("a custom period has no natural span; build Period(start, end) directly")


def periods_between(start: date, end: date, grain: Grain, week_start: int = 0) -> list[Period]:
    """Every period of the grain that touches [start, end], in order; the first and last are flagged partial
    when [start, end] does not cover them fully."""
    if end < start:
        return []
    periods: list[Period] = []
    current = period_of(start, grain, week_start)
    while current.start <= end:
        periods.append(flag_partial(current, start, end))
        current = period_of(current.end + timedelta(days=1), grain, week_start)
    return periods


def flag_partial(period: Period, covered_from: date, covered_to: date) -> Period:
    """The period, marked partial when the data's dates [covered_from, covered_to] do not span all of it."""
    partial = covered_from > period.start or covered_to < period.end
    return replace(period, partial=partial)


def previous(period: Period) -> Period:
    """The period just before, of the same grain (a custom range: the same number of days just before)."""
    match period.grain:
        case "day" | "week" | "month":
            return replace(period_of(period.start - timedelta(days=1), period.grain, period.start.weekday()), partial=False)
        case "custom":
            return Period(period.start - timedelta(days=period.days), period.start - timedelta(days=1), "custom")


def compare_to(period: Period, comparison: Comparison) -> Period:
    """The period to compare with (see the module docstring for the calendar rules)."""
    match comparison:
        case "previous":
            return previous(period)
        case "month_before":
            return _shift(period, months=1, weeks=4)
        case "year_before":
            return _shift(period, months=12, weeks=52)


def latest(start: date, end: date, grain: Grain, week_start: int = 0, count: int = 1) -> list[Period]:
    """The last `count` periods of the grain up to `end` (never before `start`), flagged partial where the data
    does not cover them. Used for trends: the last eight weeks, say."""
    return periods_between(start, end, grain, week_start)[-count:]


def _shift(period: Period, months: int, weeks: int) -> Period:
    match period.grain:
        case "week":
            delta = timedelta(weeks=weeks)
            return Period(period.start - delta, period.end - delta, "week")
        case "month":
            start = _minus_months(period.start, months)
            return period_of(start, "month")
        case "day":
            day = _minus_months(period.start, months)
            return Period(day, day, "day")
        case "custom":
            return Period(_minus_months(period.start, months), _minus_months(period.end, months), "custom")


def _minus_months(day: date, months: int) -> date:
    """Same day of the month `months` earlier, clamped to that month's last day."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def data_periods(dataset: Dataset, grain: Grain, week_start: int = 0) -> list[Period]:
    """The periods a dataset's dates span, partial ones flagged; empty when no fact has dates."""
    bounds = dataset.date_range()
    if bounds is None:
        return []
    return periods_between(bounds[0], bounds[1], grain, week_start)
