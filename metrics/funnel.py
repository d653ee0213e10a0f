"""The funnel breakdown: how many customers reach each journey stage, where they stop, and in which segments.

Revenue is built from behaviour (traffic × conversion × order value, method article 002), so the funnel splits the
journey into the stages the team's data actually has and measures each step's conversion. Everything here is pure:
a `Dataset` in role names goes in, frozen results with named fields come out.

Stage counts (the contract the page, the exports and the command line share):
- measure stages (impressions, clicks, sessions, …, conversions): Σ of that measure over the fact that holds it
  (`Dataset.fact_for`, the same choice the KPI engine makes);
- `leads` / `deals`: Σ of the measure when a report carries it, otherwise the distinct `lead_id`s of the lead / deal
  entity file. A deal is counted when it was won in the period, whether or not its lead was first contacted in the
  same period (and whether or not the lead file lists it): that is DESIGN.md's `deals` measure, so the funnel's
  leads → deals rate equals the `lead_to_deal_rate` KPI. Over a short period the rate can therefore exceed 100 %;
- `orders` on order lines: distinct `order_id` whose net revenue is > 0 (DESIGN.md); otherwise Σ `orders`;
- `repeat_orders`: counted orders that are NOT their customer's first counted order ("orders beyond each
  customer's first"). The first order is found over all the data given, not only the period, so an order in
  March by a customer who first bought in January is a repeat order in March. Orders without a customer id are
  never repeat orders. repeat_orders ≤ orders always, so the funnel stays monotone at that step.

A rate whose denominator is zero has no value: `None` in dataclasses and JSON, NaN in frames — never 0, never an
error. Every requested stage is returned, zero-filled when the data has no rows for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final, Protocol

import numpy as np
import pandas as pd

from metrics.dataset import Dataset, Fact
from metrics.ingest.model import Issue, Severity
from metrics.roles import FUNNEL_ORDER

#: An inclusive date range; either end may be open. The same shape `Dataset.between` takes.
DateRange = tuple[date | None, date | None]


class PeriodLike(Protocol):
    """Anything with inclusive `start` and `end` dates (`metrics.periods.Period` is one)."""

    @property
    def start(self) -> date: ...

    @property
    def end(self) -> date: ...


PeriodArg = DateRange | PeriodLike


def as_range(period: PeriodArg | None) -> DateRange | None:
    """A `(start, end)` tuple from either a tuple or a `Period`, so callers can pass what they hold."""
    if period is None or isinstance(period, tuple):
        return period
    return period.start, period.end

ALL: Final = "All"
NOT_SET: Final = "(not set)"
#: Below this many at the top stage a segment is marked small and not ranked (see `Breakdown`).
MIN_COUNT: Final = 30
#: Stages whose count is money: the last of these in a funnel is where AOV applies.
MONEY_STAGES: Final[tuple[str, ...]] = ("orders", "conversions", "deals")
#: Pairs that count the same step two ways; the default funnel keeps the first one the data has.
_ALTERNATIVES: Final[dict[str, str]] = {"visitors": "sessions", "conversions": "orders"}

STAGE_LABELS: Final[dict[str, dict[str, str]]] = {
    "impressions": {"en": "Impressions", "ko": "노출"},
    "clicks": {"en": "Clicks", "ko": "클릭"},
    "sessions": {"en": "Sessions", "ko": "방문"},
    "visitors": {"en": "Visitors", "ko": "방문자"},
    "signups": {"en": "Sign-ups", "ko": "회원가입"},
    "leads": {"en": "Leads", "ko": "리드"},
    "add_to_cart": {"en": "Add to cart", "ko": "장바구니"},
    "checkouts": {"en": "Checkouts", "ko": "결제 시작"},
    "orders": {"en": "Orders", "ko": "주문"},
    "conversions": {"en": "Conversions", "ko": "전환"},
    "deals": {"en": "Deals", "ko": "계약"},
    "repeat_orders": {"en": "Repeat orders", "ko": "재구매"},
}

STAGE_COLUMNS: Final[tuple[str, ...]] = (
    "stage", "label", "count", "rate_from_previous", "rate_from_top", "drop_off", "drop_off_share",
)


# --------------------------------------------------------------------------------------------------- the spec


@dataclass(frozen=True, slots=True)
class StageSpec:
    """One funnel step: which role it counts and what the user calls it."""

    role: str
    label: str


@dataclass(frozen=True, slots=True)
class FunnelSpec:
    """The stages in the order the user wants them; they may skip, reorder and rename the default ones."""

    stages: tuple[StageSpec, ...]

    @classmethod
    def of(cls, *roles: str, labels: Mapping[str, str] | None = None, lang: str = "en") -> FunnelSpec:
        """Shorthand for tests and the command line: stages by role, labels defaulted."""
        labels = labels or {}
        return cls(tuple(StageSpec(r, labels.get(r) or stage_label(r, lang)) for r in roles))

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(s.role for s in self.stages)

    def validate(self, dataset: Dataset) -> list[Issue]:
        """Every problem with the spec at once (not just the first), as issues the page can list."""
        return [issue for rule in _SPEC_RULES for issue in rule.validate(self, dataset)]


@dataclass(frozen=True, slots=True)
class _SpecRule:
    """One check on a spec, with a stable code the page and tests can match on (PostHog-style rule objects)."""

    code: str
    severity: Severity

    def validate(self, spec: FunnelSpec, dataset: Dataset) -> list[Issue]:
        return [Issue(self.severity, message, code=self.code) for message in _RULE_CHECKS[self.code](spec, dataset)]


def _check_empty(spec: FunnelSpec, dataset: Dataset) -> list[str]:
    return [] if spec.stages else ["The funnel has no stages; add at least two."]


def _check_unknown(spec: FunnelSpec, dataset: Dataset) -> list[str]:
    return [f"“{s.label}” counts {s.role!r}, which is not a funnel stage." for s in spec.stages if s.role not in FUNNEL_ORDER]


def _check_duplicates(spec: FunnelSpec, dataset: Dataset) -> list[str]:
    seen: set[str] = set()
    out = []
    for s in spec.stages:
        if s.role in seen:
            out.append(f"{stage_label(s.role)} appears twice in the funnel; the second one is ignored.")
        seen.add(s.role)
    return out


def _check_available(spec: FunnelSpec, dataset: Dataset) -> list[str]:
    have = available_stages(dataset)
    return [
        f"No uploaded file has {stage_label(s.role).lower()}; “{s.label}” shows 0."
        for s in spec.stages
        if s.role in FUNNEL_ORDER and s.role not in have
    ]


_RULE_CHECKS = {
    "funnel_empty": _check_empty,
    "funnel_unknown_stage": _check_unknown,
    "funnel_duplicate_stage": _check_duplicates,
    "funnel_stage_missing": _check_available,
}
_SPEC_RULES: Final[tuple[_SpecRule, ...]] = (
    _SpecRule("funnel_empty", "error"),
    _SpecRule("funnel_unknown_stage", "error"),
    _SpecRule("funnel_duplicate_stage", "warning"),
    _SpecRule("funnel_stage_missing", "warning"),
)


def stage_label(role: str, lang: str = "en") -> str:
    """The default name of a stage in the UI language (English when the language is unknown)."""
    names = STAGE_LABELS.get(role)
    if names is None:
        return role.replace("_", " ").capitalize()
    return names.get(lang, names["en"])


def available_stages(dataset: Dataset) -> list[str]:
    """Every funnel role some fact of the dataset can count, in canonical order."""
    return [role for role in FUNNEL_ORDER if _supplies(dataset, role)]


def default_stages(dataset: Dataset, lang: str = "en") -> FunnelSpec:
    """The funnel a team gets before touching anything: whatever stages their data has, in journey order.

    Why one of sessions/visitors and one of orders/conversions: each pair counts the same step twice (a visit, a
    purchase), so showing both would add a fake stage with a meaningless rate. The user can add the other back.
    """
    return _default_spec(dataset, lang, _StageCounter(dataset, None, None))


def _default_spec(dataset: Dataset, lang: str, whole_data: _StageCounter) -> FunnelSpec:
    """default_stages with the whole-data counter supplied, so funnel() can reuse it (its order table is the
    expensive part on order lines)."""
    have = available_stages(dataset)
    roles = [r for r in have if _ALTERNATIVES.get(r) not in have]
    counts = whole_data.table(roles).iloc[0].to_dict()  # counts only: no money, no result to build
    return FunnelSpec.of(*nested_roles(roles, counts), lang=lang)


def nested_roles(roles: Sequence[str], counts: Mapping[str, float]) -> list[str]:
    """Keeps the stages that form one journey: walking up from the last stage, a stage stays only when it counts at
    least as many as the stage kept below it.

    Why: a stage smaller than the next one is a side branch, not a step (organic visits never clicked an ad; carts
    filled without signing up), and keeping it shows conversion rates above 100%. The user can add it back.
    """
    kept: list[str] = []
    for role in reversed(roles):
        if not kept or counts.get(role, 0.0) >= counts.get(kept[-1], 0.0):
            kept.append(role)
    return list(reversed(kept))


# --------------------------------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class StageResult:
    """One stage of one funnel. `rate_from_previous` is None for the top stage and when the previous count is 0."""

    role: str
    label: str
    count: float
    rate_from_previous: float | None
    rate_from_top: float | None
    drop_off: float | None
    drop_off_share: float | None


@dataclass(frozen=True, slots=True)
class FunnelResult:
    """A whole funnel for one scope (a period, optionally one segment) plus the money needed for what-ifs.

    `revenue` is net (returns subtract, as the `revenue` KPI); `order_revenue` is the revenue of the counted orders
    (what the `aov` KPI divides). What-ifs and leaks price orders at `order_value` (net revenue per order).
    """

    stages: tuple[StageResult, ...]
    revenue: float | None = None
    order_revenue: float | None = None
    period: DateRange | None = None
    segment: str = ALL
    issues: tuple[Issue, ...] = ()

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(s.role for s in self.stages)

    @property
    def money_stage(self) -> str | None:
        """The stage whose count is paid for: the last orders/conversions/deals stage (else None)."""
        money = [s.role for s in self.stages if s.role in MONEY_STAGES]
        return money[-1] if money else None

    @property
    def aov(self) -> float | None:
        """DESIGN.md's `aov`: revenue of the counted orders ÷ the money stage's count; None without either."""
        money = self.money_stage
        if money is None or self.order_revenue is None:
            return None
        return _ratio(self.order_revenue, self.stage(money).count)

    @property
    def order_value(self) -> float | None:
        """Net revenue per counted order: the order-value factor of revenue = traffic × conversion × order value
        (metrics.drivers uses the same), so the three multiply back to the revenue KPI. Equals `aov` without
        returns."""
        money = self.money_stage
        if money is None or self.revenue is None:
            return None
        return _ratio(self.revenue, self.stage(money).count)

    def stage(self, role: str) -> StageResult:
        for s in self.stages:
            if s.role == role:
                return s
        raise KeyError(f"the funnel has no {role!r} stage")

    def frame(self) -> pd.DataFrame:
        """The stages as a frame with `STAGE_COLUMNS` (a missing rate is NaN here)."""
        rows = [
            (s.role, s.label, s.count, s.rate_from_previous, s.rate_from_top, s.drop_off, s.drop_off_share)
            for s in self.stages
        ]
        frame = pd.DataFrame(rows, columns=list(STAGE_COLUMNS))
        numeric = list(STAGE_COLUMNS[2:])
        frame[numeric] = frame[numeric].astype("float64")
        return frame

    def to_records(self) -> list[dict[str, object]]:
        """DESIGN.md's command-line `funnel` list: stage role, count and the two rates (null when undefined)."""
        return [
            {
                "stage": s.role,
                "count": float(s.count),
                "rate_from_previous": s.rate_from_previous,
                "rate_from_top": s.rate_from_top,
            }
            for s in self.stages
        ]


# --------------------------------------------------------------------------------------------------- public API


def funnel(dataset: Dataset, spec: FunnelSpec | None = None, period: PeriodArg | None = None) -> FunnelResult:
    """The funnel of the whole dataset (or of `period`), stages from `spec` or the defaults."""
    period = as_range(period)
    counter = _StageCounter(dataset, None, period)
    if spec is None:  # defaults are chosen on the whole data: share the counter when that is this funnel's scope
        spec = _default_spec(dataset, "en", counter if period is None else _StageCounter(dataset, None, None))
    stages, issues = _usable_stages(spec, dataset)
    counts = counter.table([s.role for s in stages])
    money = counter.money()
    return _build(stages, counts.iloc[0] if len(counts) else None, money, ALL, period, tuple(issues))


def report_funnel(dataset: Dataset) -> list[dict[str, object]]:
    """Exactly DESIGN.md's CLI `funnel` list for the default stages of the dataset."""
    return funnel(dataset).to_records()


def previous_period(period: DateRange) -> DateRange | None:
    """The period a marketer compares with: the same number of whole calendar months before when `period` is whole
    months (March → February, Q2 → Q1), otherwise the equal-length run of days just before. None if open-ended.
    """
    start, end = period
    if start is None or end is None:
        return None
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        first = pd.Timestamp(start) - pd.DateOffset(months=months)
        return first.date(), start - timedelta(days=1)
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PeriodComparison:
    """This period against the previous one, per stage rate, in percentage points (+2.5 = 2.5 pp better).

    `frame` columns: stage, label, count, previous_count, rate_from_previous, previous_rate_from_previous,
    rate_from_top, previous_rate_from_top, change_pp_from_previous, change_pp_from_top (NaN when either rate is
    missing). `moved_most` is the stage whose step conversion (`rate_from_previous`) changed most in absolute pp;
    None when no stage has a rate in both periods.
    """

    current: FunnelResult
    previous: FunnelResult
    frame: pd.DataFrame
    moved_most: str | None
    moved_most_pp: float | None


def compare_periods(
    dataset: Dataset,
    current: PeriodArg,
    previous: PeriodArg | None = None,
    spec: FunnelSpec | None = None,
) -> PeriodComparison:
    """Both funnels over the same stages, the pp change of each rate, and the stage that moved most."""
    spec = spec or default_stages(dataset)
    current = _close(as_range(current), dataset)  # type: ignore[arg-type]
    previous = as_range(previous) or previous_period(current) or (None, None)
    now = funnel(dataset, spec, current)
    before = funnel(dataset, spec, previous)
    frame = _comparison_frame(now, before)
    moved = frame["change_pp_from_previous"].abs()
    if moved.notna().any():
        row = frame.loc[moved.idxmax()]
        return PeriodComparison(now, before, frame, str(row["stage"]), float(row["change_pp_from_previous"]))
    return PeriodComparison(now, before, frame, None, None)


def _close(period: DateRange, dataset: Dataset) -> DateRange:
    """Fills an open end from the data's own first/last date, so "since March" still has a previous period."""
    start, end = period
    bounds = dataset.date_range()
    if bounds is None:
        return period
    return start or bounds[0], end or bounds[1]


def _comparison_frame(now: FunnelResult, before: FunnelResult) -> pd.DataFrame:
    a, b = now.frame(), before.frame()
    frame = pd.DataFrame({
        "stage": a["stage"], "label": a["label"],
        "count": a["count"], "previous_count": b["count"],
        "rate_from_previous": a["rate_from_previous"], "previous_rate_from_previous": b["rate_from_previous"],
        "rate_from_top": a["rate_from_top"], "previous_rate_from_top": b["rate_from_top"],
    })
    frame["change_pp_from_previous"] = (frame["rate_from_previous"] - frame["previous_rate_from_previous"]) * 100
    frame["change_pp_from_top"] = (frame["rate_from_top"] - frame["previous_rate_from_top"]) * 100
    return frame


@dataclass(frozen=True, slots=True)
class Breakdown:
    """The funnel per segment of one dimension.

    `frame` is long: one row per segment × stage with `STAGE_COLUMNS` plus `segment`, `rate_low`/`rate_high` (the
    95 % Wilson interval of the step rate, NaN when the rate is not a proportion) and `small`.
    `segments` has one row per segment: `segment, top_count, final_count, conversion, revenue, order_revenue, aov,
    small, rank`. A segment is **small** when its top-stage count is below `min_count` (default 30): too few to
    judge, so it is marked and left unranked (`rank` is NA) instead of topping or tailing the list by chance.
    `unsplit` lists the requested stages whose data has no column for the dimension (e.g. sessions from an
    analytics export without `channel`): they are left out rather than shown as a false zero.
    """

    dimension: str
    frame: pd.DataFrame
    segments: pd.DataFrame
    stages: tuple[StageSpec, ...]
    unsplit: tuple[str, ...]
    min_count: int
    period: DateRange | None = None
    issues: tuple[Issue, ...] = field(default=())

    def funnel(self, segment: str) -> FunnelResult:
        """One segment's funnel as a `FunnelResult` (for what-ifs and leak ranking)."""
        rows = self.frame[self.frame["segment"] == segment]
        if rows.empty:
            raise KeyError(f"no segment {segment!r} in the {self.dimension} breakdown")
        meta = self.segments.set_index("segment").loc[segment]
        return FunnelResult(
            stages=tuple(_stage_from_row(r) for r in rows.to_dict("records")),
            revenue=_none_if_nan(meta["revenue"]),
            order_revenue=_none_if_nan(meta["order_revenue"]),
            period=self.period,
            segment=segment,
        )


def breakdown(
    dataset: Dataset,
    dimension: str,
    spec: FunnelSpec | None = None,
    period: PeriodArg | None = None,
    min_count: int = MIN_COUNT,
) -> Breakdown:
    """The funnel of every value of `dimension` (channel, campaign, device, any extra column), in one pass per stage.

    Blank values form their own segment, "(not set)", so the segments add up to the whole. For every segment s,
    `breakdown(...).funnel(s)` equals `funnel(dataset.where(dimension, s))` on the split stages.
    """
    period = as_range(period)
    spec = spec or default_stages(dataset)
    wanted, issues = _usable_stages(spec, dataset)
    counter = _StageCounter(dataset, dimension, period)
    columns = {s.role: counter.count(s.role) for s in wanted}
    stages = tuple(s for s in wanted if columns[s.role] is not None)
    unsplit = tuple(s.role for s in wanted if columns[s.role] is None)
    split = {role: col for role, col in columns.items() if col is not None}
    counts = pd.DataFrame(split, columns=[s.role for s in stages]).fillna(0.0).astype("float64")
    money = counter.money()
    if len(money):
        counts = counts.reindex(counts.index.union(money.index), fill_value=0.0)
    frame = _long_frame(stages, counts)
    segments = _segment_table(stages, counts, money, min_count)
    return Breakdown(dimension, frame, segments, stages, unsplit, min_count, period, tuple(issues))


# --------------------------------------------------------------------------------------------------- assembling


def _usable_stages(spec: FunnelSpec, dataset: Dataset) -> tuple[list[StageSpec], list[Issue]]:
    """Drops unknown and repeated roles (reported), keeps missing ones (they zero-fill)."""
    issues = spec.validate(dataset)
    seen: set[str] = set()
    stages = []
    for s in spec.stages:
        if s.role in FUNNEL_ORDER and s.role not in seen:
            stages.append(s)
            seen.add(s.role)
    return stages, issues


def _build(
    stages: Sequence[StageSpec],
    counts: pd.Series | None,
    money: pd.DataFrame,
    segment: str,
    period: DateRange | None,
    issues: tuple[Issue, ...],
) -> FunnelResult:
    values = [float(counts.get(s.role, 0.0)) if counts is not None else 0.0 for s in stages]
    revenue = order_revenue = None
    if len(money) and segment in money.index:
        revenue = _none_if_nan(money.loc[segment, "revenue"])
        order_revenue = _none_if_nan(money.loc[segment, "order_revenue"])
    return FunnelResult(_stage_results(stages, values), revenue, order_revenue, period, segment, issues)


def _stage_results(stages: Sequence[StageSpec], counts: Sequence[float]) -> tuple[StageResult, ...]:
    out = []
    top = counts[0] if counts else 0.0
    for i, (spec, count) in enumerate(zip(stages, counts, strict=True)):
        if i == 0:
            out.append(StageResult(spec.role, spec.label, count, None, _ratio(count, top), None, None))
            continue
        prev = counts[i - 1]
        rate = _ratio(count, prev)
        drop = prev - count
        out.append(StageResult(spec.role, spec.label, count, rate, _ratio(count, top), drop, _ratio(drop, prev)))
    return tuple(out)


def _long_frame(stages: Sequence[StageSpec], counts: pd.DataFrame) -> pd.DataFrame:
    """Segment × stage rows, computed column-wise (no per-segment Python loop) so 1,000 campaigns stay fast."""
    columns = list(STAGE_COLUMNS) + ["segment", "rate_low", "rate_high"]
    if not stages or counts.empty:
        return pd.DataFrame(columns=columns)
    parts = []
    top = counts[stages[0].role]
    for i, s in enumerate(stages):
        count = counts[s.role]
        prev = counts[stages[i - 1].role] if i else None
        part = pd.DataFrame({"segment": counts.index.astype(str), "stage": s.role, "label": s.label, "count": count.values})
        part["rate_from_top"] = _safe_div(count, top).values
        if prev is None:
            part["rate_from_previous"] = part["drop_off"] = part["drop_off_share"] = np.nan
            part["rate_low"] = part["rate_high"] = np.nan
        else:
            part["rate_from_previous"] = _safe_div(count, prev).values
            part["drop_off"] = (prev - count).values
            part["drop_off_share"] = _safe_div(prev - count, prev).values
            low, high = wilson_interval(count.to_numpy(), prev.to_numpy())
            part["rate_low"], part["rate_high"] = low, high
        part["order"] = i
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame["segment_order"] = frame["segment"].map({seg: n for n, seg in enumerate(counts.index.astype(str))})
    frame = frame.sort_values(["segment_order", "order"], kind="stable").reset_index(drop=True)
    return frame[columns]


def _segment_table(
    stages: Sequence[StageSpec], counts: pd.DataFrame, money: pd.DataFrame, min_count: int
) -> pd.DataFrame:
    table = pd.DataFrame(index=counts.index)
    if stages:
        table["top_count"] = counts[stages[0].role]
        table["final_count"] = counts[stages[-1].role]
    else:
        table["top_count"] = table["final_count"] = 0.0
    table["conversion"] = _safe_div(table["final_count"], table["top_count"])
    money = money.reindex(counts.index) if len(money) else pd.DataFrame(index=counts.index, columns=["revenue", "order_revenue"])
    table["revenue"] = money["revenue"].astype("float64")
    table["order_revenue"] = money["order_revenue"].astype("float64")
    money_roles = [s.role for s in stages if s.role in MONEY_STAGES]
    units = counts[money_roles[-1]] if money_roles else pd.Series(np.nan, index=counts.index)
    table["aov"] = _safe_div(table["order_revenue"], units)
    table["small"] = table["top_count"] < min_count
    ranked = table.loc[~table["small"], "conversion"].rank(ascending=False, method="min")
    table["rank"] = ranked.reindex(table.index).astype("Int64")
    table = table.sort_values(["small", "rank", "top_count"], ascending=[True, True, False], na_position="last")
    table.index = table.index.astype(str)
    return table.rename_axis("segment").reset_index()


def _stage_from_row(row: Mapping[str, object]) -> StageResult:
    return StageResult(
        role=str(row["stage"]),
        label=str(row["label"]),
        count=float(row["count"]),  # type: ignore[arg-type]
        rate_from_previous=_none_if_nan(row["rate_from_previous"]),
        rate_from_top=_none_if_nan(row["rate_from_top"]),
        drop_off=_none_if_nan(row["drop_off"]),
        drop_off_share=_none_if_nan(row["drop_off_share"]),
    )


def wilson_interval(successes: np.ndarray, trials: np.ndarray, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """95 % Wilson score interval per element; NaN where the rate is not a proportion (no trials, or x > n).

    Why Wilson: it stays inside [0, 1] and is honest for the small counts marketers' segments often have.
    """
    x = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    valid = (n > 0) & (x >= 0) & (x <= n)
    n_safe = np.where(valid, n, 1.0)
    p = np.where(valid, x / n_safe, 0.0)
    denom = 1 + z * z / n_safe
    centre = (p + z * z / (2 * n_safe)) / denom
    half = z * np.sqrt(p * (1 - p) / n_safe + z * z / (4 * n_safe * n_safe)) / denom
    return np.where(valid, centre - half, np.nan), np.where(valid, centre + half, np.nan)


# --------------------------------------------------------------------------------------------------- counting


class _StageCounter:
    """Counts stages for one scope, grouped by a dimension (or into the single segment "All").

    Each count is a Series indexed by segment label; None means the data cannot supply that stage for this
    dimension. The order table (the expensive part on order lines) is built once and shared by orders,
    repeat orders and money.
    """

    def __init__(self, dataset: Dataset, by: str | None, period: DateRange | None) -> None:
        self.history = dataset
        self.scoped = dataset.between(*period) if period else dataset
        self.by = by
        self._orders: pd.DataFrame | None = None
        self._orders_built = False

    def table(self, roles: Sequence[str]) -> pd.DataFrame:
        columns = {role: self.count(role) for role in roles}
        present = {r: c for r, c in columns.items() if c is not None}
        frame = pd.DataFrame(present, columns=list(roles)).fillna(0.0)
        if frame.empty:
            frame = pd.DataFrame([[0.0] * len(roles)], columns=list(roles), index=[ALL])
        return frame.astype("float64")

    def count(self, role: str) -> pd.Series | None:
        if role == "orders":
            orders = self.orders()
            if orders is not None:
                return orders.groupby(level="segment", sort=False)["counted"].sum().astype("float64")
        if role == "repeat_orders":
            orders = self.orders()
            if orders is None or "repeat" not in orders.columns:
                return None
            return orders.groupby(level="segment", sort=False)["repeat"].sum().astype("float64")
        measure = self._measure(role)
        if measure is not None or role not in ("leads", "deals"):
            return measure
        return self._entity_count(role.removesuffix("s"))

    def _needed(self, *roles: str) -> list[str]:
        return [*roles, self.by] if self.by else list(roles)

    def _measure(self, role: str) -> pd.Series | None:
        fact = self.scoped.fact_for(self._needed(role))
        if fact is None:
            return None
        values = pd.to_numeric(fact.frame[role], errors="coerce")
        return values.groupby(segment_labels(fact.frame, self.by), sort=False).sum().astype("float64")

    def _entity_count(self, entity: str) -> pd.Series | None:
        fact = _entity_fact(self.scoped, entity, self.by)
        if fact is None:
            return None
        keys = segment_labels(fact.frame, self.by)
        id_role = next((r for r in ("lead_id", "customer_id", "order_id") if r in fact.frame.columns), None)
        if id_role is None:
            return keys.groupby(keys, sort=False).size().astype("float64")
        return fact.frame[id_role].groupby(keys, sort=False).nunique().astype("float64")

    def orders(self) -> pd.DataFrame | None:
        """Counted-order flags per (segment, order_id) in scope, with `repeat` when customer ids exist."""
        if self._orders_built:
            return self._orders
        self._orders_built = True
        index = _line_fact_index(self.history, self.by)
        if index is None:
            return None
        scoped = order_table(self.scoped.facts[index], self.by)
        if "customer_id" in scoped.columns:
            history = scoped if self.scoped is self.history else order_table(self.history.facts[index], self.by)
            repeat_keys = repeat_order_keys(history)
            scoped["repeat"] = scoped["counted"] & scoped.index.isin(repeat_keys)
        self._orders = scoped
        return scoped

    def money(self) -> pd.DataFrame:
        """Per segment: net `revenue` and `order_revenue` (of counted orders). Empty frame when there is no revenue."""
        orders = self.orders()
        if orders is not None and orders.attrs.get("has_revenue"):
            net = orders.groupby(level="segment", sort=False)["revenue"].sum()
            counted = orders["revenue"].where(orders["counted"], 0.0).groupby(level="segment", sort=False).sum()
            return pd.DataFrame({"revenue": net, "order_revenue": counted}).astype("float64")
        fact = self.scoped.fact_for(self._needed("revenue"))
        if fact is None:
            return pd.DataFrame(columns=["revenue", "order_revenue"], dtype="float64")
        values = pd.to_numeric(fact.frame["revenue"], errors="coerce")
        total = values.groupby(segment_labels(fact.frame, self.by), sort=False).sum().astype("float64")
        return pd.DataFrame({"revenue": total, "order_revenue": total})


def _supplies(dataset: Dataset, role: str) -> bool:
    if role == "orders":
        return _line_fact_index(dataset, None) is not None or dataset.fact_for([role]) is not None
    if role == "repeat_orders":
        index = _line_fact_index(dataset, None)
        return index is not None and "customer_id" in dataset.facts[index].frame.columns
    if role in ("leads", "deals"):
        return dataset.fact_for([role]) is not None or _entity_fact(dataset, role.removesuffix("s"), None) is not None
    return dataset.fact_for([role]) is not None


def _entity_fact(dataset: Dataset, entity: str, by: str | None) -> Fact | None:
    candidates = [
        f for f in dataset.facts
        if f.grain == "entity" and (f.entity or "").casefold().removesuffix("s") == entity and (by is None or f.has(by))
    ]
    return max(candidates, key=lambda f: len(f.frame)) if candidates else None


def _line_fact_index(dataset: Dataset, by: str | None) -> int | None:
    """Position of the largest order-line fact (with `by` when given); positions survive `between`/`where`."""
    best: tuple[int, int] | None = None
    for i, f in enumerate(dataset.facts):
        if f.grain == "line" and f.has("order_id") and (by is None or f.has(by)) and (best is None or len(f.frame) > best[1]):
            best = (i, len(f.frame))
    return best[0] if best else None


# --------------------------------------------------------------------------------------------------- order lines


def line_revenue(frame: pd.DataFrame) -> pd.Series | None:
    """Revenue per line: the `revenue` column, else quantity × unit_price (DESIGN.md line grain), else None."""
    if "revenue" in frame.columns:
        return pd.to_numeric(frame["revenue"], errors="coerce").fillna(0.0)
    if "quantity" in frame.columns and "unit_price" in frame.columns:
        qty = pd.to_numeric(frame["quantity"], errors="coerce")
        price = pd.to_numeric(frame["unit_price"], errors="coerce")
        return (qty * price).fillna(0.0)
    return None


def segment_labels(frame: pd.DataFrame, by: str | None) -> pd.Series:
    """The segment each row belongs to, as text; blanks become "(not set)" so segments add up to the whole."""
    if by is None:
        return pd.Series(ALL, index=frame.index, dtype="str")
    column = frame[by]
    if pd.api.types.is_float_dtype(column) and (column.dropna() % 1 == 0).all():
        column = column.astype("Int64")
    labels = column.astype("str").str.strip()
    return labels.mask(labels.isna() | (labels == ""), NOT_SET)


def order_table(fact: Fact, by: str | None = None) -> pd.DataFrame:
    """One row per (segment, order_id): net `revenue`, first line `date`, `customer_id`, and `counted` (revenue > 0).

    Order ids are compared as text (Excel may give 536365 as a number and C536379 as text in one column); lines
    without an order id cannot be counted and are skipped. Without any revenue column every order counts.
    `attrs["has_revenue"]` records which case applies.
    """
    frame = fact.frame
    revenue = line_revenue(frame)
    raw_ids = frame["order_id"]
    if raw_ids.dtype == object:  # mixed numbers and text: make 536365 and "536365" one order before grouping
        raw_ids = raw_ids.astype("str")
    lines = pd.DataFrame({"order_id": raw_ids, "revenue": revenue if revenue is not None else 0.0})
    agg: dict[str, str] = {"revenue": "sum"}
    if by is not None:
        lines["segment"] = segment_labels(frame, by)
    if "date" in frame.columns:
        lines["date"] = frame["date"]
        agg["date"] = "min"
    if "customer_id" in frame.columns:
        lines["customer_id"] = frame["customer_id"]
        agg["customer_id"] = "first"
    # Group on the raw ids (missing ids drop out here) and clean the much smaller result: 25x fewer rows.
    keys = ["segment", "order_id"] if by is not None else "order_id"
    orders = lines.groupby(keys, sort=False).agg(agg)
    ids = orders.index.get_level_values("order_id")
    text_ids = ids.astype("str").str.strip()
    if by is None:
        orders.index = pd.MultiIndex.from_arrays(
            [np.full(len(orders), ALL, dtype=object), text_ids], names=["segment", "order_id"]
        )
    else:
        orders.index = pd.MultiIndex.from_arrays(
            [orders.index.get_level_values("segment"), text_ids], names=["segment", "order_id"]
        )
    orders = orders[np.asarray(text_ids != "")]
    if "customer_id" in orders.columns:
        orders["customer_id"] = _customer_ids(orders["customer_id"])
    orders["counted"] = orders["revenue"] > 0 if revenue is not None else True
    orders.attrs["has_revenue"] = revenue is not None
    return orders


def _customer_ids(column: pd.Series) -> pd.Series:
    """Customer ids as text with blanks as missing (Excel turns ids into floats: 17850.0 → "17850")."""
    if pd.api.types.is_float_dtype(column) and (column.dropna() % 1 == 0).all():
        column = column.astype("Int64")
    ids = column.astype("str").str.strip()
    return ids.mask(ids == "")


def repeat_order_keys(orders: pd.DataFrame) -> pd.Index:
    """(segment, order_id) of every counted order that is not its customer's first counted order in `orders`.

    First means earliest date, ties broken by order id, so the answer does not depend on row order.
    """
    known = orders[orders["counted"] & orders["customer_id"].notna()]
    flat = known.reset_index()
    sort_by = ["segment", "customer_id"] + (["date"] if "date" in flat.columns else []) + ["order_id"]
    ranked = flat.sort_values(sort_by, kind="stable")
    later = ranked.duplicated(subset=["segment", "customer_id"], keep="first")
    return pd.MultiIndex.from_frame(ranked.loc[later, ["segment", "order_id"]])


# --------------------------------------------------------------------------------------------------- small helpers


def _ratio(numerator: float, denominator: float) -> float | None:
    if denominator == 0 or pd.isna(denominator) or pd.isna(numerator):
        return None
    return float(numerator) / float(denominator)


def _safe_div(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator.div(denominator.where(denominator != 0))


def _none_if_nan(value: object) -> float | None:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return None
    return float(value)  # type: ignore[arg-type]
