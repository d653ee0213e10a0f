"""Cached results for the analysis pages, keyed by workspace, data content and the page's choices.

Pattern: a page builds `DataRef` (workspace + content key from the stored files, cheap: no bytes, no parsing),
then calls a function here. On a cache hit nothing is parsed or computed, so a rerun (a click elsewhere on the
page) stays fast; on a miss `_dataset` ingests (itself cached) and the pure core computes. Results are plain
frames and dataclasses: they are pickled by `st.cache_data`, so callers get their own copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from metrics.catalog import load_catalog
from metrics.cohort import CohortTable, RepeatSplit, cohort_retention, first_vs_repeat
from metrics.dataset import Dataset
from metrics.drivers import revenue_drivers
from metrics.expr import Expr, parse, render
from metrics.funnel import (
    Breakdown,
    DateRange,
    FunnelResult,
    FunnelSpec,
    PeriodComparison,
    available_stages,
    breakdown,
    compare_periods,
    default_stages,
    funnel,
)
from metrics.kpi import PoolEntry, evaluate, kpi_pool
from metrics.periods import Period, latest, periods_between, previous
from metrics.roles import ALL_ROLES, ENTITY_MEASURES, SEGMENT_DIMENSIONS, role_label
from metrics.whatif import Leaks, WhatIf, rank_leaks, what_if
from ui.data import StoredFile, dataset_key, load_dataset, load_file, workspace_files

MAX_ENTRIES = 32


@dataclass(frozen=True, slots=True)
class DataRef:
    """Which data a page looks at: the workspace and a key naming the content and options of its files."""

    workspace: str
    key: str
    files: tuple[StoredFile, ...]

    @property
    def empty(self) -> bool:
        return not self.files


def data_ref(workspace: str) -> DataRef:
    """Reads the workspace's file list fresh (a write elsewhere changes it) and names its content."""
    files = tuple(workspace_files(workspace))
    return DataRef(workspace, dataset_key(list(files)), files)


def dataset(ref: DataRef) -> Dataset | None:
    """The Dataset itself, for a cache miss; parsing is cached per file."""
    return _dataset(ref.workspace, ref.key, ref.files)


def shape(ref: DataRef) -> DataShape | None:
    return data_shape(ref.workspace, ref.key, ref.files)


@st.cache_data(max_entries=8, show_spinner=False)
def _dataset(workspace: str, key: str, _files: tuple[StoredFile, ...]) -> Dataset | None:
    return load_dataset(workspace, list(_files))


@dataclass(frozen=True, slots=True)
class DataShape:
    """What widgets need to know about the data, without holding the data: its dates and segment dimensions."""

    date_range: tuple[date, date] | None
    roles: frozenset[str]
    dimensions: tuple[str, ...]
    common_end: date | None = None


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def data_shape(workspace: str, key: str, _files: tuple[StoredFile, ...]) -> DataShape | None:
    """Cached per content: a rerun reads this small object instead of the whole dataset."""
    data = _dataset(workspace, key, _files)
    if data is None:
        return None
    roles = frozenset(data.roles())
    dimensions = tuple(d for d in SEGMENT_DIMENSIONS if d in roles)
    return DataShape(data.date_range(), roles, dimensions, data.common_end())


# --- KPI pool results ---
# One cached function per view: the pool (values + trends of every KPI of a goal, the user's own KPIs included) and
# the revenue drivers. Keyed by (workspace, data key, choices); they return small frozen results, never the Dataset.

TREND_POINTS = 8


@dataclass(frozen=True, slots=True)
class CustomKpiDef:
    """A team's own KPI as the store holds it; a tuple of these is part of the pool's cache key."""

    id: str
    name: str
    formula: str
    unit: str
    direction: str


@dataclass(frozen=True, slots=True)
class PoolKpi:
    """One KPI of the pool, ready to lay out: definition, formula in the team's columns, value now and its trend.

    `name`/`description`/`formula` are {'en', 'ko'} (a custom KPI has its one name under both); the formula reads
    the team's column names, and a role the data lacks by its label. `trend` ends with the chosen
    period when the data reaches it; `issues` are a custom formula's problems against this data."""

    id: str
    name: dict[str, str]
    description: dict[str, str]
    formula: dict[str, str]
    unit: str
    direction: str
    stage: str | None
    lead_lag: str | None
    responds: str | None
    recommended: bool
    available: bool
    missing_roles: tuple[str, ...]
    value: float | None
    trend: tuple[float | None, ...] = ()
    trend_labels: tuple[str, ...] = ()
    custom: bool = False
    issues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PoolKfs:
    id: str
    name: dict[str, str]
    kpi_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PoolView:
    """A goal's tree (KFS → KPI ids, in catalog order), every KPI by id, the pool's ranking, and role → the
    team's column (for the custom-KPI form's list of names)."""

    goal_id: str
    kfs: tuple[PoolKfs, ...]
    kpis: dict[str, PoolKpi]
    ranked: tuple[str, ...]
    custom_ids: tuple[str, ...]
    columns: dict[str, str]


@dataclass(frozen=True, slots=True)
class DriverView:
    """Revenue change from the previous period to the chosen one: overall effects and one row per channel.

    `segments` columns: segment, before, after, change, traffic, conversion, order_value."""

    before_label: str
    revenue_before: float
    revenue_after: float
    traffic: float
    conversion: float
    order_value: float
    traffic_measured: bool
    segments: pd.DataFrame
    missing_roles: tuple[str, ...] = ()
    before_covered: bool = True


def kpi_pool_view(ref: DataRef, goal_id: str, period_key: str, custom: tuple[CustomKpiDef, ...]) -> PoolView | None:
    """The goal's pool for the period named by `ui.period.period_key` (cached per content and choices)."""
    return _kpi_pool_view(ref.workspace, ref.key, goal_id, period_key, custom, ref.files)


def driver_view(ref: DataRef, period_key: str) -> DriverView | None:
    """Revenue drivers for the period against the one before; None without data or for "all data"."""
    return _driver_view(ref.workspace, ref.key, period_key, ref.files)


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def _kpi_pool_view(
    workspace: str, key: str, goal_id: str, period_key: str, custom: tuple[CustomKpiDef, ...],
    _files: tuple[StoredFile, ...],
) -> PoolView | None:
    data = _dataset(workspace, key, _files)
    if data is None:
        return None
    period = _period_from_key(period_key)
    columns = _role_columns(workspace, _files)
    trend = _trend_periods(data, period)
    entries = kpi_pool(data, goal_id, columns, trend, period)
    labels = tuple(p.label for p in trend)
    kpis = {e.kpi.id: _catalog_kpi(e, labels, _formulas(e.kpi.expr, columns)) for e in entries}
    for spec in custom:
        kpis[spec.id] = _custom_kpi(spec, data, period, trend, columns)
    goal = load_catalog().goal(goal_id)
    kfs = tuple(PoolKfs(k.id, k.name.to_json(), k.kpis) for k in goal.kfs)
    ranked = tuple(e.kpi.id for e in entries)
    return PoolView(goal_id, kfs, kpis, ranked, tuple(spec.id for spec in custom), columns)


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def _driver_view(workspace: str, key: str, period_key: str, _files: tuple[StoredFile, ...]) -> DriverView | None:
    data = _dataset(workspace, key, _files)
    period = _period_from_key(period_key)
    if data is None or period is None or period.grain not in ("week", "month"):
        return None
    before = previous(period)
    span = data.date_range()
    if span is not None and before.start < span[0]:  # ₩0 "before" would read as growth from nothing
        return DriverView(before.label, 0.0, 0.0, 0.0, 0.0, 0.0, False, pd.DataFrame(), (), before_covered=False)
    report = revenue_drivers(data, period, before, by="channel")
    if report.overall is None:
        return DriverView(before.label, 0.0, 0.0, 0.0, 0.0, 0.0, False, pd.DataFrame(), report.missing_roles)
    rows = [
        {"segment": s.segment, "before": s.revenue_before, "after": s.revenue_after, "change": s.change,
         "traffic": s.effects.traffic, "conversion": s.effects.conversion, "order_value": s.effects.order_value}
        for s in report.segments
    ]
    overall = report.overall
    return DriverView(
        before.label, overall.revenue_before, overall.revenue_after, overall.effects.traffic,
        overall.effects.conversion, overall.effects.order_value, overall.traffic_measured, pd.DataFrame(rows),
    )


def _period_from_key(period_key: str) -> Period | None:
    """The inverse of `ui.period.period_key` ("all" → None, the whole data)."""
    if period_key == "all":
        return None
    start, end, grain = period_key.split(":")
    return Period(date.fromisoformat(start), date.fromisoformat(end), grain)  # type: ignore[arg-type]


def _trend_periods(data: Dataset, period: Period | None) -> list[Period]:
    """The last TREND_POINTS weeks or months up to the chosen period (months for a custom range or all data)."""
    span = data.date_range()
    if span is None:
        return []
    grain = period.grain if period is not None and period.grain in ("week", "month") else "month"
    end = period.end if period is not None and period.grain in ("week", "month") else span[1]
    return latest(span[0], min(end, span[1]), grain, count=TREND_POINTS)


def _role_columns(workspace: str, files: tuple[StoredFile, ...]) -> dict[str, str]:
    """role → the team's column, from the file the engine reads first (order lines, then summaries, then lists)."""
    sources = [s for f in files for s in load_file(workspace, f).result.sources]
    rank = {"line": 0, "aggregate": 1, "entity": 2}
    columns: dict[str, str] = {}
    for source in sorted(sources, key=lambda s: rank.get(s.grain, 3)):
        for role, column in source.roles.items():
            columns.setdefault(role, str(column))
    return columns


def _formulas(expr: Expr, columns: dict[str, str]) -> dict[str, str]:
    """The formula in the team's columns; a role they have no column for reads as its label ("Checkouts")."""
    return {
        lang: render(expr, {**{r: role_label(r, lang) for r in (*ALL_ROLES, *ENTITY_MEASURES)}, **columns})
        for lang in ("en", "ko")
    }


def _catalog_kpi(entry: PoolEntry, labels: tuple[str, ...], formula: dict[str, str]) -> PoolKpi:
    kpi = entry.kpi
    return PoolKpi(
        kpi.id, kpi.name.to_json(), kpi.description.to_json(), formula, kpi.unit, kpi.direction, kpi.stage,
        kpi.lead_lag, kpi.responds, entry.recommended, entry.available, entry.missing_roles, entry.value,
        tuple(p.value for p in entry.trend), labels if entry.trend else (),
    )


def _custom_kpi(
    spec: CustomKpiDef, data: Dataset, period: Period | None, trend: list[Period], columns: dict[str, str]
) -> PoolKpi:
    """A team's KPI evaluated like a catalog one; a formula that no longer parses comes back with its issues."""
    now = evaluate(spec.formula, data, period)
    parsed = parse(spec.formula, extra_names=data.roles())
    formula = _formulas(parsed.expr, columns) if parsed.expr is not None else {"en": spec.formula, "ko": spec.formula}
    points = tuple(evaluate(spec.formula, data, p).value for p in trend) if now.available else ()
    return PoolKpi(
        spec.id, {"en": spec.name, "ko": spec.name}, {"en": "", "ko": ""}, formula, spec.unit, spec.direction,
        None, None, None, False, now.available, now.missing_roles, now.value, points,
        tuple(p.label for p in trend) if points else (), True, tuple(i.message for i in now.issues),
    )


# --- funnel results ---
# Each function below takes the page's choices (stages, period, dimension) as hashed arguments, so one cache entry
# is one (workspace, data, choices) view; `_files` stays unhashed and is only read on a miss.


@dataclass(frozen=True, slots=True)
class FunnelStages:
    """The stages the data can count (journey order) and the ones a team gets before choosing."""

    available: tuple[str, ...]
    default: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FunnelView:
    """The funnel of the chosen period and, for a week or a month, the comparison with the one before."""

    current: FunnelResult
    comparison: PeriodComparison | None


@dataclass(frozen=True, slots=True)
class RepeatView:
    """First vs repeat orders in the period and the monthly cohort table (None when the data cannot say)."""

    split: RepeatSplit | None
    cohorts: CohortTable | None


def funnel_stages(ref: DataRef) -> FunnelStages | None:
    return _funnel_stages(ref.workspace, ref.key, ref.files)


def funnel_view(ref: DataRef, spec: FunnelSpec, period: DateRange | None, compare: bool) -> FunnelView | None:
    return _funnel_view(ref.workspace, ref.key, spec, period, compare, ref.files)


def funnel_breakdown(ref: DataRef, spec: FunnelSpec, period: DateRange | None, dimension: str) -> Breakdown | None:
    return _funnel_breakdown(ref.workspace, ref.key, spec, period, dimension, ref.files)


def funnel_leaks(
    ref: DataRef, spec: FunnelSpec, period: DateRange | None, dimension: str | None,
    targets: tuple[tuple[str, float], ...] = (),
) -> Leaks | None:
    return _funnel_leaks(ref.workspace, ref.key, spec, period, dimension, targets, ref.files)


def funnel_trend(ref: DataRef, spec: FunnelSpec, grain: str) -> pd.DataFrame | None:
    return _funnel_trend(ref.workspace, ref.key, spec, grain, ref.files)


def repeat_view(ref: DataRef, period: DateRange | None) -> RepeatView | None:
    return _repeat_view(ref.workspace, ref.key, period, ref.files)


def scenario(current: FunnelResult, rates: dict[str, float], traffic: float | None, aov: float | None) -> WhatIf:
    """Not cached: a what-if is a few multiplications on the (cached) funnel."""
    return what_if(current, rates, traffic, aov)


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def _funnel_stages(workspace: str, key: str, _files: tuple[StoredFile, ...]) -> FunnelStages | None:
    data = _dataset(workspace, key, _files)
    if data is None:
        return None
    return FunnelStages(tuple(available_stages(data)), default_stages(data).roles)


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def _funnel_view(
    workspace: str, key: str, spec: FunnelSpec, period: DateRange | None, compare: bool, _files: tuple[StoredFile, ...]
) -> FunnelView | None:
    data = _dataset(workspace, key, _files)
    if data is None:
        return None
    if compare and period is not None:
        comparison = compare_periods(data, period, spec=spec)
        return FunnelView(comparison.current, comparison)
    return FunnelView(funnel(data, spec, period), None)


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def _funnel_breakdown(
    workspace: str, key: str, spec: FunnelSpec, period: DateRange | None, dimension: str,
    _files: tuple[StoredFile, ...],
) -> Breakdown | None:
    data = _dataset(workspace, key, _files)
    return None if data is None else breakdown(data, dimension, spec, period)


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def _funnel_leaks(
    workspace: str, key: str, spec: FunnelSpec, period: DateRange | None, dimension: str | None,
    targets: tuple[tuple[str, float], ...], _files: tuple[StoredFile, ...],
) -> Leaks | None:
    """The previous period is the one before `period` (over all data it holds nothing, so no baseline leaks)."""
    data = _dataset(workspace, key, _files)
    return None if data is None else rank_leaks(data, spec, period, by=dimension, targets=dict(targets))


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def _funnel_trend(
    workspace: str, key: str, spec: FunnelSpec, grain: str, _files: tuple[StoredFile, ...]
) -> pd.DataFrame | None:
    """Step rates per week or month over the whole data: one funnel per period (`period, stage, label, rate`)."""
    data = _dataset(workspace, key, _files)
    span = data.date_range() if data is not None else None
    if span is None:
        return None
    rows = []
    for period in periods_between(span[0], span[1], "week" if grain == "week" else "month"):
        for stage in funnel(data, spec, period).stages[1:]:
            rows.append({"period": period.start, "stage": stage.role, "rate": stage.rate_from_previous, "partial": period.partial})
    return pd.DataFrame(rows, columns=["period", "stage", "rate", "partial"])


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def _repeat_view(
    workspace: str, key: str, period: DateRange | None, _files: tuple[StoredFile, ...]
) -> RepeatView | None:
    data = _dataset(workspace, key, _files)
    if data is None:
        return None
    return RepeatView(first_vs_repeat(data, period), cohort_retention(data))
