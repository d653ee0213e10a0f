"""Why revenue moved: the change between two periods split into traffic, conversion and order-value effects.

revenue = sessions × (orders ÷ sessions) × (revenue ÷ orders), and the change R1 − R0 is split with the
log-mean Divisia index (LMDI-I): effect_x = L(R1, R0) × ln(x1 / x0), with the logarithmic mean
L(a, b) = (a − b) / (ln a − ln b) and L(a, a) = a. The three effects add up to R1 − R0 exactly in theory; the
floating-point remainder (far below a cent) is added to the largest effect so the sum is exact to the cent.

Revenue here is the `revenue` KPI (net of returns) and orders the `orders` KPI (counted orders), so the
order-value factor is net revenue per counted order and the effects explain exactly the revenue KPI's change.
Traffic is sessions, or visitors when the data has no sessions.

Fallback rule (LMDI needs every factor positive in both periods): when sessions, orders or revenue is zero,
negative or missing in either period (a new channel, a week of only returns), the split is sequential instead:
  traffic    = (S1 − S0) × C0 × A0
  conversion = S1 × (C1 − C0) × A0
  order value = (R1 − R0) − traffic − conversion           (so the three still add up exactly)
where C = orders ÷ sessions and A = revenue ÷ orders, and a ratio that cannot be computed in one period (no
sessions, no orders) takes the other period's value (0 when neither has it). So a brand-new channel's revenue is
all traffic effect and a vanished channel's loss is all traffic effect too.
Without any traffic data, traffic is held constant: the traffic effect is 0 and the conversion effect is the
orders effect (`traffic_measured` is False).

Per-segment splits (by channel) use each segment's own figures; overall effects are computed on the totals and
are not the sum of the segments' effects (they are two views, both exact for their own revenue change).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from metrics.dataset import Dataset
from metrics.kpi import PeriodLike, evaluate

Method = Literal["lmdi", "sequential"]
_TRAFFIC = "first_available(sum(sessions), sum(visitors))"


@dataclass(frozen=True, slots=True)
class Effects:
    """The three effects of one revenue change; they sum to the change exactly (to the cent)."""

    traffic: float
    conversion: float
    order_value: float
    method: Method

    @property
    def total(self) -> float:
        return self.traffic + self.conversion + self.order_value


@dataclass(frozen=True, slots=True)
class DriverSplit:
    """One segment's (or the whole business's, `segment` None) revenue change and its effects."""

    segment: str | None
    revenue_before: float
    revenue_after: float
    sessions_before: float | None
    sessions_after: float | None
    orders_before: float
    orders_after: float
    effects: Effects
    traffic_measured: bool

    @property
    def change(self) -> float:
        return self.revenue_after - self.revenue_before


@dataclass(frozen=True, slots=True)
class DriverReport:
    """The overall split plus one per segment value of `dimension`; `missing_roles` when revenue or orders lack."""

    overall: DriverSplit | None
    segments: tuple[DriverSplit, ...]
    dimension: str | None
    missing_roles: tuple[str, ...] = ()


def log_mean(a: float, b: float) -> float:
    """The logarithmic mean L(a, b) of two positive numbers (a when they are equal)."""
    if a == b:
        return a
    return (a - b) / (math.log(a) - math.log(b))


def split_change(
    sessions0: float | None, orders0: float, revenue0: float, sessions1: float | None, orders1: float, revenue1: float
) -> Effects:
    """Splits revenue1 − revenue0 into traffic, conversion and order-value effects (LMDI-I, or the documented
    fallback). `sessions` None in both periods means no traffic data: traffic is held constant."""
    if sessions0 is None and sessions1 is None:
        sessions0 = sessions1 = 1.0
    s0, s1 = _number(sessions0), _number(sessions1)
    o0, o1, r0, r1 = _number(orders0), _number(orders1), _number(revenue0), _number(revenue1)
    change = r1 - r0
    if min(s0, s1, o0, o1, r0, r1) > 0:
        weight = log_mean(r1, r0)
        raw = [weight * math.log(s1 / s0), weight * math.log((o1 / s1) / (o0 / s0)), weight * math.log((r1 / o1) / (r0 / o0))]
        largest = max(range(3), key=lambda i: abs(raw[i]))
        raw[largest] += change - math.fsum(raw)
        return Effects(raw[0], raw[1], raw[2], "lmdi")
    c0, c1 = _ratio(o0, s0), _ratio(o1, s1)
    a0, a1 = _ratio(r0, o0), _ratio(r1, o1)
    c0, c1 = _fill(c0, c1), _fill(c1, c0)
    a0, a1 = _fill(a0, a1), _fill(a1, a0)
    traffic = (s1 - s0) * c0 * a0
    conversion = s1 * (c1 - c0) * a0
    return Effects(traffic, conversion, change - traffic - conversion, "sequential")


def revenue_drivers(
    dataset: Dataset, current: PeriodLike, before: PeriodLike, by: str | None = "channel"
) -> DriverReport:
    """The revenue change from `before` to `current`, overall and per value of `by` (None: overall only)."""
    overall, missing = _split(dataset, current, before, None, None)
    if overall is None:
        return DriverReport(None, (), by, missing)
    segments: list[DriverSplit] = []
    for value in _segment_values(dataset, by) if by else []:
        split, _ = _split(dataset, current, before, by, value)
        if split is not None:
            segments.append(split)
    segments.sort(key=lambda s: -abs(s.change))
    return DriverReport(overall, tuple(segments), by if segments else None)


def _split(
    dataset: Dataset, current: PeriodLike, before: PeriodLike, by: str | None, value: str | None
) -> tuple[DriverSplit | None, tuple[str, ...]]:
    segment = {by: value} if by is not None and value is not None else None
    figures = {}
    for name, formula in (("revenue", "revenue"), ("orders", "orders"), ("traffic", _TRAFFIC)):
        figures[name] = (evaluate(formula, dataset, before, segment), evaluate(formula, dataset, current, segment))
    missing = tuple(dict.fromkeys(r for name in ("revenue", "orders") for v in figures[name] for r in v.missing_roles))
    if missing:
        return None, missing
    r0, r1 = (v.value or 0.0 for v in figures["revenue"])
    o0, o1 = (v.value or 0.0 for v in figures["orders"])
    traffic_measured = all(v.available for v in figures["traffic"])
    s0, s1 = (v.value or 0.0 for v in figures["traffic"]) if traffic_measured else (None, None)
    effects = split_change(s0, o0, r0, s1, o1, r1)
    return DriverSplit(value, r0, r1, s0, s1, o0, o1, effects, traffic_measured), ()


def _segment_values(dataset: Dataset, dimension: str) -> list[str]:
    """Distinct values of a dimension across facts, one per spelling-insensitive label (the engine's matching)."""
    seen: dict[str, str] = {}
    for fact in dataset.facts:
        if dimension not in fact.frame.columns:
            continue
        for raw in pd.unique(fact.frame[dimension].dropna()):
            label = str(raw).strip()
            if label:
                seen.setdefault(label.casefold(), label)
    return sorted(seen.values())


def _number(value: float | None) -> float:
    return 0.0 if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom > 0 else None


def _fill(own: float | None, other: float | None) -> float:
    if own is not None:
        return own
    return other if other is not None else 0.0
