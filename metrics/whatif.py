"""Money in the funnel: what-if scenarios and leaks ranked by the revenue a step would add back.

Both rest on the driver decomposition revenue = traffic × conversion × AOV, with conversion the product of the step
rates down to the money stage (orders, conversions or deals). Changing one step's rate while holding the others
fixed scales every later stage by the same factor, so a what-if and a leak are the same arithmetic: a leak is the
what-if "this step back at its reference rate". Orders are priced at the order value of the driver decomposition
(net revenue per counted order, as metrics.drivers), so a scenario that changes nothing reproduces the revenue KPI
exactly and traffic × conversion × order value = revenue in every scenario.

Repeat orders are orders too: a step after the money stage counts only when it is `repeat_orders`, and its extra
repeat orders are added to the orders (at the same AOV).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd

from metrics.dataset import Dataset
from metrics.funnel import (
    ALL,
    MIN_COUNT,
    NOT_SET,
    Breakdown,
    DateRange,
    FunnelResult,
    FunnelSpec,
    PeriodArg,
    as_range,
    breakdown,
    default_stages,
    funnel,
    previous_period,
)
from metrics.ingest.model import Issue

Basis = Literal["baseline", "best_segment", "target"]

LEAK_COLUMNS: Final[tuple[str, ...]] = (
    "rank", "stage", "from_stage", "step", "dimension", "segment", "basis", "reference", "current_rate",
    "reference_rate", "gap_pp", "denominator", "extra_orders", "extra_revenue", "summary",
)


# --------------------------------------------------------------------------------------------------- what-if


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A scenario against the current funnel.

    `stages` has `stage, label, count, new_count, rate, new_rate`. `orders` is the money stage's count plus any
    extra repeat orders; `revenue` = orders × `aov`, where `aov` is the order value of the driver decomposition
    (net revenue per counted order, `FunnelResult.order_value`, unless overridden), so `traffic` × `conversion` ×
    `aov` = revenue: returns scale with orders, as they do in `metrics.drivers`.
    """

    stages: pd.DataFrame
    traffic: float
    conversion: float | None
    aov: float | None
    orders: float
    revenue: float | None
    base_orders: float
    base_revenue: float | None
    issues: tuple[Issue, ...] = ()

    @property
    def delta_orders(self) -> float:
        return self.orders - self.base_orders

    @property
    def delta_revenue(self) -> float | None:
        if self.revenue is None or self.base_revenue is None:
            return None
        return self.revenue - self.base_revenue


def what_if(
    current: FunnelResult,
    rates: Mapping[str, float] | None = None,
    traffic: float | None = None,
    aov: float | None = None,
) -> WhatIf:
    """Orders and revenue if some step rates (`rates[stage] = new rate_from_previous`), the top-stage count
    (`traffic`) or the order value (`aov`, net revenue per order) changed, every other rate held at its current value.

    A rate equal to the current one is treated as unchanged, so feeding the current rates back reproduces the
    current orders and revenue to the cent (no float drift through the chain).
    """
    rates = dict(rates or {})
    issues = _rate_issues(current, rates)
    counts = [s.count for s in current.stages]
    if not counts:
        return WhatIf(pd.DataFrame(), 0.0, None, aov, 0.0, None, 0.0, current.revenue, tuple(issues))
    new_counts, new_rates = _propagate(current, rates, traffic)
    money_index = _money_index(current)
    base_orders = _orders_at(current, counts, money_index, [s.rate_from_previous for s in current.stages])
    orders = _orders_at(current, new_counts, money_index, new_rates)
    base_value = current.order_value
    value = aov if aov is not None else base_value
    base_revenue = current.revenue if base_value is not None else None
    if value is None:
        revenue = None
    elif aov is None and orders == base_orders:
        revenue = base_revenue  # nothing changed: the revenue KPI itself, not a product that may drift a cent
    else:
        revenue = orders * value
    frame = pd.DataFrame({
        "stage": [s.role for s in current.stages],
        "label": [s.label for s in current.stages],
        "count": counts,
        "new_count": new_counts,
        "rate": [s.rate_from_previous for s in current.stages],
        "new_rate": new_rates,
    })
    frame[["rate", "new_rate"]] = frame[["rate", "new_rate"]].astype("float64")
    top = new_counts[0]
    conversion = orders / top if top else None
    return WhatIf(frame, top, conversion, value, orders, revenue, base_orders, base_revenue, tuple(issues))


def _rate_issues(current: FunnelResult, rates: Mapping[str, float]) -> list[Issue]:
    issues = []
    roles = current.roles
    for role, value in rates.items():
        if role not in roles:
            issues.append(Issue("warning", f"The funnel has no {role!r} stage; that change is ignored.", code="whatif_unknown_stage"))
        elif roles and role == roles[0]:
            issues.append(Issue("warning", "The top stage has no rate; change traffic instead.", code="whatif_top_rate"))
        elif value < 0:
            issues.append(Issue("warning", f"A rate cannot be negative ({role}); that change is ignored.", code="whatif_negative"))
    return issues


def _propagate(
    current: FunnelResult, rates: Mapping[str, float], traffic: float | None
) -> tuple[list[float], list[float | None]]:
    """New count per stage: unchanged prefix keeps the exact counts, then count[k] = count[k-1] × rate[k]."""
    stages = current.stages
    new_counts = [traffic if traffic is not None else stages[0].count]
    new_rates: list[float | None] = [None]
    changed = traffic is not None and traffic != stages[0].count
    for k in range(1, len(stages)):
        old_rate = stages[k].rate_from_previous
        wanted = rates.get(stages[k].role)
        rate = wanted if wanted is not None and wanted >= 0 else old_rate
        changed = changed or rate != old_rate
        new_rates.append(rate)
        if not changed:
            new_counts.append(stages[k].count)
        else:
            new_counts.append(new_counts[k - 1] * rate if rate is not None else 0.0)
    return new_counts, new_rates


def _money_index(current: FunnelResult) -> int | None:
    money = current.money_stage
    return current.roles.index(money) if money is not None else None


def _orders_at(
    current: FunnelResult, counts: Sequence[float], money_index: int | None, rates: Sequence[float | None]
) -> float:
    """Money-stage count plus repeat orders beyond what the money stage already holds."""
    if money_index is None:
        return 0.0
    orders = counts[money_index]
    roles = current.roles
    if "repeat_orders" in roles[money_index + 1:]:
        k = roles.index("repeat_orders")
        base_rate = current.stages[k].rate_from_previous
        new_rate = rates[k]
        if base_rate is not None and new_rate is not None and new_rate != base_rate:
            orders += counts[k - 1] * (new_rate - base_rate)
    return orders


# --------------------------------------------------------------------------------------------------- leaks


@dataclass(frozen=True, slots=True)
class Leaks:
    """Leaks ranked by money: one row per (step, segment, basis) where the step is below its reference.

    Columns (`LEAK_COLUMNS`): `rank`; `stage` (the step's target role) and `from_stage`; `step` ("Leads → Deals");
    `dimension`/`segment` ("All" for the whole funnel); `basis` (baseline = previous period, best_segment = the
    best comparable segment, target = the team's target); `reference` in words; `current_rate` and
    `reference_rate` (step conversion, fractions); `gap_pp`; `denominator` (count at `from_stage`);
    `extra_orders` (units gained at the money stage: orders, conversions or deals, repeat orders for the repeat
    step); `extra_revenue` (extra_orders × the segment's order value, net revenue per order; NaN without revenue); `summary` (one sentence).
    Ranked by extra_revenue, then extra_orders. Small segments and steps whose denominator is below `min_count`
    are neither judged nor used as references: their rates are noise. Nor is "(not set)" a reference.
    """

    frame: pd.DataFrame
    min_count: int
    period: DateRange | None
    previous: DateRange | None

    def top(self, n: int = 3) -> list[dict[str, object]]:
        """The n biggest leaks as plain records (None for missing values), for the PDCA tracker and exec summary."""
        head = self.frame.head(n).astype(object)
        return head.where(head.notna(), None).to_dict("records")


def rank_leaks(
    dataset: Dataset,
    spec: FunnelSpec | None = None,
    period: PeriodArg | None = None,
    previous: PeriodArg | None = None,
    by: str | None = None,
    targets: Mapping[str, float] | None = None,
    min_count: int = MIN_COUNT,
) -> Leaks:
    """Every step × segment × basis where conversion is below its reference, with the money it would add back.

    `previous` defaults to the equal-length period before `period`; with no period there is no baseline.
    `targets` maps a stage role to a target step rate. With `by`, the segments of that dimension are judged
    (and compared with each other); without it, the whole funnel is.
    """
    spec = spec or default_stages(dataset)
    period, previous = as_range(period), as_range(previous)
    previous = previous or (previous_period(period) if period else None)
    scopes = _scopes(dataset, spec, period, by, min_count)
    before = _scopes(dataset, spec, previous, by, min_count) if previous else {}
    rows: list[dict[str, object]] = []
    best = _best_rates(scopes, min_count) if by else {}
    for segment, result in scopes.items():
        references = _references(segment, result, before.get(segment), best, targets or {}, min_count, previous)
        rows.extend(_leak_rows(by or "", segment, result, references, min_count))
    return Leaks(_rank(rows), min_count, period, previous)


def _scopes(
    dataset: Dataset, spec: FunnelSpec, period: DateRange | None, by: str | None, min_count: int
) -> dict[str, FunnelResult]:
    """The funnels to judge: the whole funnel, or every non-small segment of `by`."""
    if by is None:
        return {ALL: funnel(dataset, spec, period)}
    split: Breakdown = breakdown(dataset, by, spec, period, min_count)
    keep = split.segments.loc[~split.segments["small"], "segment"]
    return {str(s): split.funnel(str(s)) for s in keep}


def _best_rates(scopes: Mapping[str, FunnelResult], min_count: int) -> dict[str, list[tuple[float, str]]]:
    """Per step, every comparable segment's rate, best first (a segment's reference is the best other one).

    "(not set)" is never a reference: rows with a blank channel are not a channel anyone can copy.
    """
    out: dict[str, list[tuple[float, str]]] = {}
    for segment, result in scopes.items():
        if segment == NOT_SET:
            continue
        for k in range(1, len(result.stages)):
            prev, stage = result.stages[k - 1], result.stages[k]
            if stage.rate_from_previous is not None and prev.count >= min_count:
                out.setdefault(stage.role, []).append((stage.rate_from_previous, segment))
    for values in out.values():
        values.sort(key=lambda v: (-v[0], v[1]))
    return out


@dataclass(frozen=True, slots=True)
class _Reference:
    basis: Basis
    rate: float
    text: str


def _references(
    segment: str,
    result: FunnelResult,
    before: FunnelResult | None,
    best: Mapping[str, list[tuple[float, str]]],
    targets: Mapping[str, float],
    min_count: int,
    previous: DateRange | None,
) -> dict[str, list[_Reference]]:
    refs: dict[str, list[_Reference]] = {}
    for k in range(1, len(result.stages)):
        role = result.stages[k].role
        found = refs.setdefault(role, [])
        if before is not None and role in before.roles:
            i = before.roles.index(role)
            rate = before.stages[i].rate_from_previous
            if i > 0 and rate is not None and before.stages[i - 1].count >= min_count:
                found.append(_Reference("baseline", rate, f"previous period {_period_text(previous)}"))
        others = [(rate, seg) for rate, seg in best.get(role, []) if seg != segment]
        if others:
            found.append(_Reference("best_segment", others[0][0], f"best segment: {others[0][1]}"))
        if role in targets:
            found.append(_Reference("target", float(targets[role]), "target"))
    return refs


def _leak_rows(
    dimension: str, segment: str, result: FunnelResult, refs: Mapping[str, list[_Reference]], min_count: int
) -> list[dict[str, object]]:
    rows = []
    aov = result.order_value
    money = result.money_stage
    money_index = result.roles.index(money) if money else len(result.stages)
    for k in range(1, len(result.stages)):
        prev, stage = result.stages[k - 1], result.stages[k]
        rate = stage.rate_from_previous
        if rate is None or prev.count < min_count:
            continue
        for ref in refs.get(stage.role, []):
            if ref.rate <= rate:
                continue
            scenario = what_if(result, rates={stage.role: ref.rate})
            extra = scenario.delta_orders
            if extra <= 0:
                continue
            revenue = extra * aov if aov is not None else None
            unit = (result.stages[money_index] if k <= money_index else stage).label.lower()
            step = f"{prev.label} → {stage.label}"
            rows.append({
                "stage": stage.role, "from_stage": prev.role, "step": step,
                "dimension": dimension, "segment": segment, "basis": ref.basis, "reference": ref.text,
                "current_rate": rate, "reference_rate": ref.rate, "gap_pp": (ref.rate - rate) * 100,
                "denominator": prev.count, "extra_orders": extra, "extra_revenue": revenue,
                "summary": _summary(step, dimension, segment, rate, ref, extra, unit, revenue),
            })
    return rows


def _summary(
    step: str, dimension: str, segment: str, rate: float, ref: _Reference, extra: float, unit: str,
    revenue: float | None,
) -> str:
    where = f" ({dimension} = {segment})" if dimension else ""
    money = f" and {revenue:,.0f} in revenue" if revenue is not None else ""
    return f"{step}{where} converts {rate:.1%} vs {ref.rate:.1%} ({ref.text}); closing the gap adds {extra:,.1f} {unit}{money}."


def _rank(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[c for c in LEAK_COLUMNS if c != "rank"])
    if frame.empty:
        return pd.DataFrame(columns=list(LEAK_COLUMNS))
    for column in ("current_rate", "reference_rate", "gap_pp", "denominator", "extra_orders", "extra_revenue"):
        frame[column] = frame[column].astype("float64")
    frame = frame.sort_values(
        ["extra_revenue", "extra_orders", "stage", "segment", "basis"],
        ascending=[False, False, True, True, True],
        na_position="last",
        kind="stable",
    ).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame[list(LEAK_COLUMNS)]


def _period_text(period: DateRange | None) -> str:
    if period is None:
        return ""
    start, end = period
    return f"{start or '…'} – {end or '…'}"
