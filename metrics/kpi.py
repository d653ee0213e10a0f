"""The one KPI engine: evaluates any formula (catalog or user-written) for a period and a segment.

Each aggregation reads the fact that holds its roles (line grain first, then aggregate, then entity, as
`Dataset.fact_for` ranks them), so `sum(revenue) / sum(cost)` works with cost in an ad report and revenue in shop
order lines; the period filters every fact by its own dates and a segment keeps only facts that have the
dimension, so the parts stay aligned by date and channel.

Speed: per dataset we keep numpy views of the columns, factorised ids and condition masks (`_FactData`), and per
(period, segment) the row masks and every aggregation's result (`_Scope`). Each order-level aggregate (net revenue
per order, counted orders, customers) is computed once per scope and shared by every KPI that needs it, so all
catalog KPIs on 541,909 order lines take well under a second. Both caches are small and bounded.

Target status (`target_status`): "reach at least" for KPIs that should go up, "stay at most" for those that should
go down; within 10 % of the target (on the wrong side) is "at_risk", further is "off_track".
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, Protocol, assert_never

import numpy as np
import pandas as pd

from metrics.catalog import Catalog, Kpi, load_catalog
from metrics.dataset import Dataset, Fact, entity_measure
from metrics.expr import (
    REQUIREMENTS,
    AggKind,
    Aggregate,
    AllOf,
    AnyOf,
    Arith,
    Compare,
    Condition,
    Expr,
    ExprIssue,
    FirstAvailable,
    Flag,
    Member,
    Negate,
    Negation,
    Number,
    PerGroup,
    aggregate_roles,
    condition_roles,
    parse,
    render,
)

TargetStatus = Literal["on_track", "at_risk", "off_track"]
#: The at-risk band: within this fraction of the target, on the wrong side.
AT_RISK_BAND = 0.10
_SEPARATORS = re.compile(r"[\s_\-]+")
_TRUTHY = frozenset({"yes", "y", "true", "t", "1", "1.0", "예", "네", "o", "churned"})
_GRAIN_RANK = {"line": 0, "aggregate": 1, "entity": 2}


class PeriodLike(Protocol):
    """Anything with inclusive `start` and `end` dates (metrics.periods.Period is one)."""

    @property
    def start(self) -> date: ...

    @property
    def end(self) -> date: ...


Segment = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class KpiValue:
    """One KPI for one period and segment. `available` is False when the data lacks roles (listed in
    `missing_roles`) or the formula has errors (`issues`); then `value` is None. A zero denominator also gives
    None, with `available` True: the data can measure it, there was just nothing to divide by."""

    value: float | None
    available: bool
    missing_roles: tuple[str, ...] = ()
    id: str | None = None
    formula: str = ""
    unit: str | None = None
    issues: tuple[ExprIssue, ...] = ()


@dataclass(frozen=True, slots=True)
class TrendPoint:
    start: date
    end: date
    value: float | None
    partial: bool = False


@dataclass(frozen=True, slots=True)
class PoolEntry:
    """One KPI of a goal's pool, ranked by the method's criteria (strategic fit, measurable, responds in a cycle)."""

    rank: int
    kpi: Kpi
    kfs_ids: tuple[str, ...]
    recommended: bool
    available: bool
    missing_roles: tuple[str, ...]
    missing_sentence: str
    formula: str
    value: float | None
    trend: tuple[TrendPoint, ...] = field(default=())


# ---------------------------------------------------------------------------------------------------- public API


def evaluate(
    kpi_or_formula: Kpi | str,
    dataset: Dataset,
    period: PeriodLike | tuple[date, date] | None = None,
    segment: Segment | None = None,
) -> KpiValue:
    """Evaluates a catalog KPI (object or id) or a formula. Never raises for a bad formula: it comes back unavailable
    with its issues."""
    kpi = _as_kpi(kpi_or_formula)
    if kpi is None:
        formula = str(kpi_or_formula)
        parsed = parse(formula, extra_names=_extra_columns(dataset))
        if parsed.expr is None:
            return KpiValue(None, False, (), None, formula, None, parsed.issues)
        expr, kpi_id, unit = parsed.expr, None, None
    else:
        formula, expr, kpi_id, unit = kpi.formula, kpi.expr, kpi.id, kpi.unit
    result = _scope(dataset, period, segment).value(expr)
    return KpiValue(result.value, not result.missing, result.missing, kpi_id, formula, unit)


def evaluate_all(
    dataset: Dataset, period: PeriodLike | tuple[date, date] | None = None, segment: Segment | None = None
) -> dict[str, KpiValue]:
    """Every catalog KPI for one period (and segment), sharing one scope so common parts are computed once."""
    return {kpi.id: evaluate(kpi, dataset, period, segment) for kpi in load_catalog().kpis.values()}


def report_kpis(dataset: Dataset, period: PeriodLike | tuple[date, date] | None = None) -> dict[str, dict[str, Any]]:
    """DESIGN.md's CLI `kpis` object: every KPI the data can compute, as {id: {value, unit, formula}}."""
    return {
        kpi_id: {"value": _json_number(v.value), "unit": v.unit, "formula": v.formula}
        for kpi_id, v in evaluate_all(dataset, period).items()
        if v.available
    }


def report_goal(
    dataset: Dataset, goal_id: str, period: PeriodLike | tuple[date, date] | None = None, lang: str = "en"
) -> dict[str, Any]:
    """DESIGN.md's CLI `goal` object: per KFS, each KPI with whether it is measurable, what it lacks, its value."""
    catalog = load_catalog()
    goal = catalog.goal(goal_id)
    values = {k: evaluate(catalog.kpi(k), dataset, period) for k in goal.kpi_ids()}
    return {
        "id": goal.id,
        "kfs": [
            {
                "id": kfs.id,
                "name": kfs.name.get(lang),
                "kpis": [
                    {
                        "id": k,
                        "available": values[k].available,
                        "missing_roles": _missing_role_names(values[k].missing_roles),
                        "value": _json_number(values[k].value),
                    }
                    for k in kfs.kpis
                ],
            }
            for kfs in goal.kfs
        ],
    }


def kpi_pool(
    dataset: Dataset,
    goal_id: str,
    roles: Mapping[str, str] | None = None,
    trend_periods: Sequence[PeriodLike] = (),
    period: PeriodLike | None = None,
    lang: str = "en",
) -> list[PoolEntry]:
    """The goal's KPI pool, ranked: recommended first (strategic fit), then measurable with today's data, then
    those that respond within a weekly PDCA cycle, then catalog order.

    `roles` maps role → the team's column name, so formulas read in their own words; `trend_periods` (e.g. the
    last eight weeks from metrics.periods) gives each measurable KPI its values over time; `period` the value now
    (default: the whole data).
    """
    catalog = load_catalog()
    goal = catalog.goal(goal_id)
    kfs_of: dict[str, list[str]] = {}
    recommended: set[str] = set()
    for kfs in goal.kfs:
        recommended.update(kfs.recommended)
        for kpi_id in kfs.kpis:
            kfs_of.setdefault(kpi_id, []).append(kfs.id)
    speed = {"weekly": 0, "monthly": 1, "quarterly": 2}
    order = list(kfs_of)
    entries = []
    for kpi_id in order:
        kpi = catalog.kpi(kpi_id)
        now = evaluate(kpi, dataset, period)
        trend = tuple(
            TrendPoint(p.start, p.end, evaluate(kpi, dataset, p).value, bool(getattr(p, "partial", False)))
            for p in trend_periods
        ) if now.available else ()
        entries.append((kpi, now, trend))
    entries.sort(key=lambda e: (e[0].id not in recommended, not e[1].available, speed[e[0].responds], order.index(e[0].id)))
    return [
        PoolEntry(
            rank=rank, kpi=kpi, kfs_ids=tuple(kfs_of[kpi.id]), recommended=kpi.id in recommended,
            available=now.available, missing_roles=now.missing_roles,
            missing_sentence=missing_sentence(now.missing_roles, lang), formula=render(kpi.expr, roles),
            value=now.value, trend=trend,
        )
        for rank, (kpi, now, trend) in enumerate(entries, start=1)
    ]


def target_status(value: float | None, target: float | None, direction: str) -> TargetStatus | None:
    """On track when the value reaches the target (at least for "up", at most for "down"); at risk within 10 % of
    |target| on the wrong side; off track beyond. None when either is missing."""
    if value is None or target is None or math.isnan(value) or math.isnan(target):
        return None
    gap = (target - value) if direction == "up" else (value - target)
    if gap <= 0:
        return "on_track"
    return "at_risk" if gap <= AT_RISK_BAND * abs(target) else "off_track"


_ROLE_NOUNS: Mapping[str, tuple[str, str]] = {
    "add_to_cart": ("cart", "장바구니"), "order_id": ("order id", "주문번호"), "customer_id": ("customer id", "고객 ID"),
    "lead_id": ("lead id", "리드 ID"), "unit_price": ("unit price", "단가"), "revenue": ("revenue", "매출"),
    "sessions": ("sessions", "세션"), "visitors": ("visitors", "방문자"), "signups": ("sign-ups", "가입"),
    "leads": ("leads", "리드"), "deals": ("deals", "계약"), "orders": ("orders", "주문수"), "cost": ("cost", "비용"),
    "clicks": ("clicks", "클릭"), "impressions": ("impressions", "노출"), "churned": ("churned", "이탈 여부"),
    "score": ("score", "점수"), "status": ("status", "상태"), "channel": ("channel", "채널"), "product": ("product", "상품"),
    "checkouts": ("checkouts", "결제 시작"), "conversions": ("conversions", "전환"), "refunds": ("refunds", "환불"),
    "medium": ("medium", "매체"), "segment": ("segment", "세그먼트"), "quantity": ("quantity", "수량"),
    "customers": ("customers", "고객수"), "date": ("date", "날짜"),
}


def missing_sentence(missing: Sequence[str], lang: str = "en") -> str:
    """What to add to measure a KPI, in the marketer's words: "add a cart column to measure this"."""
    if not missing:
        return ""
    tags = [m.split("=", 1) for m in missing if "=" in m]
    if tags:
        return _tag_sentence(tags, lang)
    nouns = [_ROLE_NOUNS.get(r, (r.replace("_", " "), r))[1 if lang == "ko" else 0] for r in missing]
    if lang == "ko":
        return f"이 지표를 측정하려면 {', '.join(nouns)} 열을 추가하세요"
    if len(nouns) == 1:
        article = "an" if nouns[0][0] in "aeiou" else "a"
        return f"add {article} {nouns[0]} column to measure this"
    return f"add {', '.join(nouns[:-1])} and {nouns[-1]} columns to measure this"


def _tag_sentence(tags: Sequence[Sequence[str]], lang: str) -> str:
    """For KPIs that count rows tagged with a value no row has yet: "tag rows with status “auto_topup” …"."""
    nouns = [(_ROLE_NOUNS.get(role, (role, role))[1 if lang == "ko" else 0], value) for role, value in tags]
    if lang == "ko":
        listed = ", ".join(f"{noun} 열에 “{value}”" for noun, value in nouns)
        return f"이 지표를 측정하려면 해당 행의 {listed} 값을 표시하세요"
    listed = " and ".join(f"{noun} “{value}”" for noun, value in nouns)
    return f"tag the rows it counts with {listed} to measure this"


def clear_cache() -> None:
    """Drops every prepared dataset (tests; the app never needs it since datasets are immutable)."""
    with _LOCK:
        _PREPARED.clear()


# ---------------------------------------------------------------------------------------------------- internals


def _as_kpi(kpi_or_formula: Kpi | str) -> Kpi | None:
    if isinstance(kpi_or_formula, Kpi):
        return kpi_or_formula
    return load_catalog().kpis.get(kpi_or_formula)


def _extra_columns(dataset: Dataset) -> frozenset[str]:
    return frozenset(str(c) for f in dataset.facts for c in f.frame.columns if str(c).isidentifier())


def _missing_role_names(missing: Sequence[str]) -> list[str]:
    """The CLI lists roles only: a tag the data lacks ("status=auto_topup") is reported as its role."""
    return list(dict.fromkeys(m.split("=", 1)[0] for m in missing))


def _json_number(value: float | None) -> float | None:
    """Finite floats only; -0.0 (a negated empty sum) prints as 0."""
    return None if value is None or not math.isfinite(value) else float(value) + 0.0


@dataclass(frozen=True, slots=True)
class _Result:
    value: float | None
    missing: tuple[str, ...] = ()


class _FactData:
    """Per fact, over all its rows: numeric arrays, factorised ids, condition masks. Built lazily, then reused by
    every period and segment of the same dataset."""

    def __init__(self, fact: Fact) -> None:
        self.fact = fact
        self.frame = fact.frame
        self.n = len(fact.frame)
        self.provides = fact.provides()
        self.measure = entity_measure(fact.entity) if fact.grain == "entity" else None
        self._numbers: dict[str, np.ndarray] = {}
        self._codes: dict[str, tuple[np.ndarray, pd.Series]] = {}
        self._masks: dict[Condition, np.ndarray] = {}
        self._known: dict[str, np.ndarray] = {}
        self._order_customer: np.ndarray | None = None
        self._dates: np.ndarray | None = None

    def series(self, role: str) -> pd.Series:
        if role == "revenue" and "revenue" not in self.frame.columns:
            return pd.Series(self.numbers("revenue"), index=self.frame.index)
        return self.frame[role]

    def numbers(self, role: str) -> np.ndarray:
        """The role as float64 with NaN for blanks (revenue derived as quantity × unit_price on order lines)."""
        cached = self._numbers.get(role)
        if cached is None:
            if role == "revenue" and "revenue" not in self.frame.columns:
                cached = self.numbers("quantity") * self.numbers("unit_price")
            else:
                column = self.frame[role]
                if column.dtype == bool:
                    cached = column.to_numpy(dtype="float64")
                else:
                    cached = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            self._numbers[role] = cached
        return cached

    def codes(self, role: str) -> tuple[np.ndarray, int]:
        """Integer codes per row (−1 for blank or empty text) and the number of distinct values."""
        codes, labels = self._factorised(role)
        return codes, len(labels)

    def _factorised(self, role: str) -> tuple[np.ndarray, pd.Series]:
        cached = self._codes.get(role)
        if cached is None:
            codes, uniques = pd.factorize(self.series(role), use_na_sentinel=True)
            codes = np.asarray(codes, dtype=np.int64)
            labels = pd.Series(uniques)
            if pd.api.types.is_string_dtype(labels) or labels.dtype == object:
                # Blank text is no value: renumber so that it becomes −1 like a missing cell.
                text = labels.astype("string").str.strip()
                blank = (text == "").to_numpy(dtype=bool, na_value=False)
                if blank.any():
                    remap = np.where(blank, -1, np.cumsum(~blank) - 1)
                    codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
                    labels = labels[~blank].reset_index(drop=True)
            cached = (codes, labels)
            self._codes[role] = cached
        return cached

    def known(self, role: str) -> np.ndarray:
        cached = self._known.get(role)
        if cached is None:
            column = self.series(role)
            if pd.api.types.is_string_dtype(column) or column.dtype == object:
                cached = self.codes(role)[0] >= 0
            else:
                cached = column.notna().to_numpy(dtype=bool, na_value=False)
            self._known[role] = cached
        return cached

    def _text_lookup(self, role: str, test: Any) -> np.ndarray:
        """Applies `test` to each distinct value as trimmed, case-folded text with spaces, underscores and hyphens
        read alike ("Organic Search" = "organic_search"), then spreads it over the rows."""
        codes, labels = self._factorised(role)
        if pd.api.types.is_numeric_dtype(labels):
            text = pd.Series([_plain_number(v) for v in labels], dtype="string")
        else:
            text = labels.astype("string").str.strip().str.casefold().str.replace(_SEPARATORS.pattern, " ", regex=True)
        hits = np.asarray(test(text).to_numpy(dtype=bool, na_value=False), dtype=bool)
        return np.append(hits, False)[codes]  # code −1 reads the appended False

    def mask(self, condition: Condition) -> np.ndarray:
        cached = self._masks.get(condition)
        if cached is None:
            cached = self._mask(condition)
            self._masks[condition] = cached
        return cached

    def _mask(self, condition: Condition) -> np.ndarray:
        match condition:
            case Compare(role=role, op=op, value=value):
                return self._compare(role, op, value)
            case Member(role=role, values=values, negate=negate):
                hit = np.zeros(self.n, dtype=bool)
                for value in values:
                    hit |= self._compare(role, "==", value)
                return (self.known(role) & ~hit) if negate else hit
            case Flag(role=role):
                return self._truthy(role)
            case AllOf(parts=parts):
                return np.logical_and.reduce([self.mask(p) for p in parts])
            case AnyOf(parts=parts):
                return np.logical_or.reduce([self.mask(p) for p in parts])
            case Negation(part=part):
                known = np.logical_and.reduce([self.known(r) for r in sorted(condition_roles(part))])
                return known & ~self.mask(part)
            case _:
                assert_never(condition)

    def _compare(self, role: str, op: str, value: object) -> np.ndarray:
        if value is None:
            known = self.known(role)
            return known if op == "!=" else ~known if op == "==" else np.zeros(self.n, dtype=bool)
        if isinstance(value, bool):
            truthy, known = self._truthy(role), self.known(role)
            wanted = truthy if value else known & ~truthy
            return wanted if op == "==" else (known & ~wanted) if op == "!=" else np.zeros(self.n, dtype=bool)
        if isinstance(value, str):
            target = _SEPARATORS.sub(" ", value.strip().casefold())
            return self._text_lookup(role, lambda text: _OPS[op](text, target))
        numbers = self.numbers(role)
        with np.errstate(invalid="ignore"):
            return _OPS[op](numbers, value) & ~np.isnan(numbers)

    def _truthy(self, role: str) -> np.ndarray:
        column = self.series(role)
        if column.dtype == bool:
            return column.to_numpy(dtype=bool)
        if pd.api.types.is_numeric_dtype(column):
            numbers = self.numbers(role)
            return (numbers != 0) & ~np.isnan(numbers)
        return self._text_lookup(role, lambda text: text.isin(_TRUTHY))

    def dates(self) -> np.ndarray | None:
        if "date" not in self.frame.columns:
            return None
        if self._dates is None:
            self._dates = pd.to_datetime(self.frame["date"], errors="coerce").to_numpy(dtype="datetime64[ns]")
        return self._dates

    def order_customer(self) -> np.ndarray:
        """Customer code of each order (−1 when no line of the order names a customer)."""
        if self._order_customer is None:
            order_codes, n_orders = self.codes("order_id")
            customer_codes, _ = self.codes("customer_id")
            result = np.full(n_orders, -1, dtype=np.int64)
            valid = (order_codes >= 0) & (customer_codes >= 0)
            result[order_codes[valid]] = customer_codes[valid]
            self._order_customer = result
        return self._order_customer


def _plain_number(value: object) -> str | None:
    """17850.0 → "17850", so text conditions match ids that a spreadsheet stored as numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_OPS: Mapping[str, Any] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


@dataclass(frozen=True, slots=True)
class _OrderStats:
    orders: int
    counted_revenue: float
    customers: int | None
    repeat_customers: int | None


class _Scope:
    """One (period, segment) view of a prepared dataset: row masks per fact and every result computed so far."""

    def __init__(self, facts: list[tuple[_FactData, np.ndarray | None]], all_roles: frozenset[str]) -> None:
        self.facts = sorted(facts, key=lambda f: (_GRAIN_RANK[f[0].fact.grain], -f[0].n))
        self.all_roles = all_roles
        self.results: dict[object, _Result] = {}
        self.lock = threading.Lock()

    # -- expressions

    def value(self, expr: Expr) -> _Result:
        match expr:
            case Number(value=value):
                return _Result(value)
            case Arith(op=op, left=left, right=right):
                return _arith(op, self.value(left), self.value(right))
            case Negate(operand=operand):
                inner = self.value(operand)
                return _Result(None if inner.value is None else -inner.value, inner.missing)
            case Aggregate() | PerGroup():
                cached = self.results.get(expr)
                if cached is None:
                    cached = self._aggregate(expr) if isinstance(expr, Aggregate) else self._per_group(expr)
                    self.results[expr] = cached
                return cached
            case FirstAvailable(options=options):
                results = [self.value(o) for o in options]
                return next((r for r in results if not r.missing), results[0])
            case _:
                assert_never(expr)

    # -- fact selection

    def pick(self, roles: Iterable[str]) -> tuple[_FactData, np.ndarray | None] | None:
        needed = set(roles)
        for fact in self.facts:
            if needed <= fact[0].provides:
                return fact
        return None

    def missing(self, roles: Iterable[str]) -> tuple[str, ...]:
        """Roles to add: those no fact has; if each exists somewhere but never together, those the best fact lacks."""
        needed = sorted(set(roles))
        absent = tuple(r for r in needed if r not in self.all_roles)
        if absent or not self.facts:
            return absent or tuple(needed)
        best = max(self.facts, key=lambda f: len(set(needed) & f[0].provides))
        return tuple(r for r in needed if r not in best[0].provides)

    def absent_tags(self, data: _FactData, where: Condition | None) -> tuple[str, ...]:
        """Text values a filter asks for that no row of the fact ever has (in any period), as "role=value".

        Why: a KPI such as "share of customers with segment == persona" on data that never tags anyone "persona"
        is not 0 %: it cannot be measured until the team tags those rows, and the page should say so.
        """
        match where:
            case None:
                return ()
            case Compare(role=role, op="==", value=str(value)):
                return () if data.mask(where).any() else (f"{role}={value}",)
            case Member(role=role, values=values, negate=False) if all(isinstance(v, str) for v in values):
                return () if data.mask(where).any() else (f"{role}={values[0]}",)
            case AllOf(parts=parts):
                return tuple(tag for part in parts for tag in self.absent_tags(data, part))
            case AnyOf(parts=parts):
                tags = [self.absent_tags(data, part) for part in parts]
                return tags[0] if all(tags) else ()
            case _:
                return ()

    def rows(self, fact: tuple[_FactData, np.ndarray | None], where: Condition | None) -> np.ndarray | None:
        data, rows = fact
        if where is None:
            return rows
        mask = data.mask(where)
        return mask if rows is None else rows & mask

    # -- aggregations

    def _aggregate(self, agg: Aggregate) -> _Result:
        if agg.kind in REQUIREMENTS:
            return self._business(agg)
        roles = aggregate_roles(agg)
        fact = self.pick(roles) if roles else (self.facts[0] if self.facts else None)
        if fact is None:
            return _Result(None, self.missing(roles))
        if tags := self.absent_tags(fact[0], agg.where):
            return _Result(None, tags)
        data, sel = fact[0], self.rows(fact, agg.where)
        match agg.kind:
            case AggKind.SUM:
                values = _take(data.numbers(agg.role or ""), sel)
                return _Result(float(np.nansum(values)))
            case AggKind.MEAN:
                values = _take(data.numbers(agg.role or ""), sel)
                values = values[~np.isnan(values)]
                return _Result(float(values.mean()) if len(values) else None)
            case AggKind.COUNT:
                return _Result(float(data.n if sel is None else np.count_nonzero(sel)))
            case AggKind.COUNT_DISTINCT:
                codes, n = data.codes(agg.role or "")
                return _Result(float(_distinct(_take(codes, sel), n)))
            case AggKind.SHARE:
                assert agg.test is not None
                known = np.logical_and.reduce([data.known(r) for r in sorted(condition_roles(agg.test))])
                base = known if sel is None else known & sel
                total = np.count_nonzero(base)
                return _Result(np.count_nonzero(base & data.mask(agg.test)) / total if total else None)
            case AggKind.NPS:
                scores = _take(data.numbers(agg.role or ""), sel)
                scores = scores[(scores >= 0) & (scores <= 10)]
                if not len(scores):
                    return _Result(None)
                return _Result(100.0 * (np.count_nonzero(scores >= 9) - np.count_nonzero(scores <= 6)) / len(scores))
            case _:
                raise AssertionError(f"{agg.kind} is a business measure")

    def _business(self, agg: Aggregate) -> _Result:
        """DESIGN.md's grain-aware measures: try each role set that can supply the measure, best first."""
        extra = condition_roles(agg.where)
        for roles in REQUIREMENTS[agg.kind]:
            fact = self.pick({*roles, *extra})
            if fact is None:
                continue
            if tags := self.absent_tags(fact[0], agg.where):
                return _Result(None, tags)
            data, sel = fact[0], self.rows(fact, agg.where)
            match agg.kind:
                case AggKind.ORDERS | AggKind.ORDER_REVENUE | AggKind.REPEAT_CUSTOMERS if "order_id" in roles:
                    stats = self._order_stats(data, sel, agg.where)
                    if agg.kind is AggKind.ORDERS:
                        return _Result(float(stats.orders))
                    if agg.kind is AggKind.ORDER_REVENUE:
                        return _Result(stats.counted_revenue)
                    return _Result(None if stats.repeat_customers is None else float(stats.repeat_customers))
                case AggKind.ORDERS | AggKind.ORDER_REVENUE:
                    return _Result(float(np.nansum(_take(data.numbers(roles[0]), sel))))
                case AggKind.CUSTOMERS if roles == ("customer_id",):
                    if "order_id" in data.provides:
                        return _Result(float(self._order_stats(data, sel, agg.where).customers or 0))
                    codes, n = data.codes("customer_id")
                    return _Result(float(_distinct(_take(codes, sel), n)))
                case AggKind.CUSTOMERS | AggKind.LEADS | AggKind.DEALS:
                    return _Result(self._entity_total(data, sel, roles[0]))
                case _:
                    raise AssertionError(f"no rule for {agg.kind} with {roles}")
        return _Result(None, self.missing({*REQUIREMENTS[agg.kind][0], *extra}))

    def _entity_total(self, data: _FactData, sel: np.ndarray | None, measure: str) -> float:
        """An entity file counts its distinct ids (rows without an id column); other grains sum the column."""
        if data.measure == measure:
            id_role = {"customers": "customer_id", "leads": "lead_id", "deals": "lead_id"}[measure]
            if id_role in data.provides:
                codes, n = data.codes(id_role)
                return float(_distinct(_take(codes, sel), n))
            return float(data.n if sel is None else np.count_nonzero(sel))
        return float(np.nansum(_take(data.numbers(measure), sel)))

    def _order_stats(self, data: _FactData, sel: np.ndarray | None, where: Condition | None) -> _OrderStats:
        """Counted orders (net revenue > 0), their revenue and their customers, computed once per rows selection."""
        key = ("orders", id(data), where)
        cached = self.results.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        codes, n_orders = data.codes("order_id")
        codes = _take(codes, sel)
        valid = codes >= 0
        codes = codes[valid]
        present = np.bincount(codes, minlength=n_orders) > 0
        if "revenue" in data.provides:
            revenue = np.nan_to_num(_take(data.numbers("revenue"), sel)[valid])
            net = np.bincount(codes, weights=revenue, minlength=n_orders)
            counted = present & (net > 0)
            counted_revenue = float(net[counted].sum())
        else:
            counted, counted_revenue = present, 0.0
        customers = repeat = None
        if "customer_id" in data.provides:
            owners = data.order_customer()[counted]
            owners = owners[owners >= 0]
            per_customer = np.bincount(owners, minlength=data.codes("customer_id")[1])
            customers, repeat = int(np.count_nonzero(per_customer)), int(np.count_nonzero(per_customer >= 2))
        stats = _OrderStats(int(np.count_nonzero(counted)), counted_revenue, customers, repeat)
        self.results[key] = stats  # type: ignore[assignment]
        return stats

    def _per_group(self, node: PerGroup) -> _Result:
        inner = node.inner
        roles = {node.group, *aggregate_roles(inner)}
        fact = self.pick(roles)
        if fact is None:
            return _Result(None, self.missing(roles))
        if tags := self.absent_tags(fact[0], inner.where):
            return _Result(None, tags)
        data, sel = fact[0], self.rows(fact, inner.where)
        groups, n_groups = data.codes(node.group)
        groups = _take(groups, sel)
        valid = groups >= 0
        g = groups[valid]
        rows_per_group = np.bincount(g, minlength=n_groups)
        present = rows_per_group > 0
        if not present.any():
            return _Result(None)
        match inner.kind:
            case AggKind.SUM | AggKind.MEAN:
                values = _take(data.numbers(inner.role or ""), sel)[valid]
                finite = ~np.isnan(values)
                sums = np.bincount(g[finite], weights=values[finite], minlength=n_groups)
                if inner.kind is AggKind.SUM:
                    per_group = sums
                else:
                    counts = np.bincount(g[finite], minlength=n_groups)
                    with np.errstate(invalid="ignore", divide="ignore"):
                        per_group = sums / counts
                    present &= counts > 0
            case AggKind.COUNT:
                per_group = rows_per_group.astype(float)
            case AggKind.COUNT_DISTINCT:
                codes, n_values = data.codes(inner.role or "")
                codes = _take(codes, sel)[valid]
                keep = codes >= 0
                pairs = np.unique(g[keep] * np.int64(max(n_values, 1)) + codes[keep])
                per_group = np.bincount(pairs // max(n_values, 1), minlength=n_groups).astype(float)
            case _:
                raise AssertionError(f"{inner.kind} cannot be grouped")
        values = per_group[present]
        if not len(values):
            return _Result(None)
        if node.func == "avg_per":
            return _Result(float(values.mean()))
        assert node.op is not None and node.threshold is not None
        return _Result(float(np.count_nonzero(_OPS[node.op](values, node.threshold)) / len(values)))


def _take(values: np.ndarray, sel: np.ndarray | None) -> np.ndarray:
    return values if sel is None else values[sel]


def _distinct(codes: np.ndarray, n: int) -> int:
    codes = codes[codes >= 0]
    return int(np.count_nonzero(np.bincount(codes, minlength=n))) if len(codes) else 0


def _arith(op: str, left: _Result, right: _Result) -> _Result:
    missing = tuple(dict.fromkeys((*left.missing, *right.missing)))
    if missing:
        return _Result(None, missing)
    a, b = left.value, right.value
    if a is None or b is None:
        return _Result(None)
    match op:
        case "+":
            return _Result(a + b)
        case "-":
            return _Result(a - b)
        case "*":
            return _Result(a * b)
        case "/":
            return _Result(a / b if b != 0 else None)
    raise AssertionError(op)


# ---------------------------------------------------------------------------------------------------- caches


@dataclass(slots=True)
class _Prepared:
    dataset: Dataset
    facts: list[_FactData]
    all_roles: frozenset[str]
    scopes: OrderedDict[tuple[Any, ...], _Scope]


_PREPARED: OrderedDict[int, _Prepared] = OrderedDict()
_LOCK = threading.Lock()
_MAX_DATASETS = 8
_MAX_SCOPES = 64


def _prepared(dataset: Dataset) -> _Prepared:
    """The dataset's cached column views. Keyed by identity; the entry holds the dataset so the id stays unique."""
    with _LOCK:
        entry = _PREPARED.get(id(dataset))
        if entry is not None and entry.dataset is dataset:
            _PREPARED.move_to_end(id(dataset))
            return entry
        facts = [_FactData(f) for f in dataset.facts]
        entry = _Prepared(dataset, facts, frozenset().union(*(f.provides for f in facts)), OrderedDict())
        _PREPARED[id(dataset)] = entry
        while len(_PREPARED) > _MAX_DATASETS:
            _PREPARED.popitem(last=False)
        return entry


def _scope(dataset: Dataset, period: PeriodLike | tuple[date, date] | None, segment: Segment | None) -> _Scope:
    prepared = _prepared(dataset)
    start, end = _bounds(period)
    segment_items = tuple(sorted((str(k), str(v)) for k, v in (segment or {}).items()))
    key = (start, end, segment_items)
    with _LOCK:
        scope = prepared.scopes.get(key)
        if scope is not None:
            prepared.scopes.move_to_end(key)
            return scope
    facts: list[tuple[_FactData, np.ndarray | None]] = []
    for data in prepared.facts:
        if any(dim not in data.provides for dim, _ in segment_items):
            continue
        rows = _period_rows(data, start, end)
        for dim, value in (segment or {}).items():
            mask = data.mask(Compare(str(dim), "==", _segment_value(value)))
            rows = mask if rows is None else rows & mask
        facts.append((data, rows))
    scope = _Scope(facts, prepared.all_roles)
    with _LOCK:
        prepared.scopes[key] = scope
        while len(prepared.scopes) > _MAX_SCOPES:
            prepared.scopes.popitem(last=False)
    return scope


def _segment_value(value: object) -> str | float | bool | None:
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value)


def _bounds(period: PeriodLike | tuple[date, date] | None) -> tuple[date | None, date | None]:
    if period is None:
        return None, None
    if isinstance(period, tuple):
        return period[0], period[1]
    return period.start, period.end


def _period_rows(data: _FactData, start: date | None, end: date | None) -> np.ndarray | None:
    """Rows dated within [start, end]; facts without dates are kept whole (a customer list has no period)."""
    if start is None and end is None:
        return None
    dates = data.dates()
    if dates is None:
        return None
    mask = np.ones(data.n, dtype=bool)
    if start is not None:
        mask &= dates >= np.datetime64(start, "ns")
    if end is not None:
        mask &= dates < np.datetime64(end + timedelta(days=1), "ns")
    return mask


def catalog() -> Catalog:
    """The catalog the engine evaluates (re-exported for callers that only import metrics.kpi)."""
    return load_catalog()
