"""The funnel page's display frames and sentences: translated headers, stage names, ₩/%/pp text; no computation.

Everything here reshapes results `metrics.funnel` / `metrics.whatif` / `metrics.cohort` already computed, so the page
stays layout-only and tests can compare the exact table a marketer sees (golden files). Sentences are built from
the records' fields in the page's language (the core's own summaries are English-only).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from metrics.cohort import CohortTable
from metrics.funnel import NOT_SET, Breakdown, FunnelResult, PeriodComparison
from metrics.roles import role_label
from metrics.whatif import Leaks, WhatIf
from ui import format as fmt
from ui import state
from ui.i18n import t
from ui.widgets import plain

#: At most this many segments are drawn in the comparison chart (the table lists them all).
CHART_SEGMENTS = 12


def segment_text(segment: object) -> str:
    return t("funnel.not_set") if segment == NOT_SET else str(segment)


def dimension_text(dimension: str) -> str:
    return role_label(dimension, state.language())


def step_text(labels: Mapping[str, str], from_role: str, role: str) -> str:
    return f"{labels.get(from_role, from_role)} → {labels.get(role, role)}"


def funnel_table(result: FunnelResult, comparison: PeriodComparison | None) -> pd.DataFrame:
    """One row per stage: count, conversion from the previous stage and from the top, drop-off, and vs before."""
    rows = []
    for i, stage in enumerate(result.stages):
        row = {
            t("funnel.col.stage"): stage.label,
            t("funnel.col.count"): fmt.count(stage.count),
            t("funnel.col.from_previous"): fmt.percent(stage.rate_from_previous),
            t("funnel.col.from_top"): fmt.percent(stage.rate_from_top),
            t("funnel.col.drop_off"): fmt.count(stage.drop_off),
        }
        if comparison is not None:
            before = comparison.frame.iloc[i]
            row[t("funnel.col.previous_count")] = fmt.count(before["previous_count"])
            row[t("funnel.col.previous_rate")] = fmt.percent(_num(before["previous_rate_from_previous"]))
            row[t("funnel.col.change_pp")] = _pp(before["change_pp_from_previous"])
        rows.append(row)
    return pd.DataFrame(rows)


def bars_frame(result: FunnelResult) -> pd.DataFrame:
    """What the funnel chart draws: each stage's count and a short "31.0% of previous" label."""
    return pd.DataFrame([
        {
            "label": s.label, "count": s.count, "order": i,
            "text": fmt.count(s.count) + ("" if s.rate_from_previous is None
                                          else "  ·  " + t("funnel.of_previous", rate=fmt.percent(s.rate_from_previous))),
        }
        for i, s in enumerate(result.stages)
    ])


def over_100(result: FunnelResult) -> list[str]:
    """Stages that count more than the stage before (not a subset of it): their rate is above 100%."""
    return [s.label for s in result.stages if s.rate_from_previous is not None and s.rate_from_previous > 1]


def breakdown_table(split: Breakdown) -> pd.DataFrame:
    """One row per segment: size, each step's conversion, overall conversion, revenue, rank or "small sample"."""
    if split.segments.empty or not split.stages:
        return pd.DataFrame()
    rates = split.frame.pivot(index="segment", columns="stage", values="rate_from_previous")
    top = split.stages[0].label
    rows = []
    for seg in split.segments.to_dict("records"):
        row = {t("funnel.col.segment"): segment_text(seg["segment"]), t("funnel.col.size", stage=top): fmt.count(seg["top_count"])}
        for prev, stage in zip(split.stages, split.stages[1:], strict=False):
            row[f"{prev.label} → {stage.label}"] = fmt.percent(_num(rates.at[seg["segment"], stage.role]))
        row[t("funnel.col.conversion")] = fmt.percent(_num(seg["conversion"]))
        row[t("funnel.col.revenue")] = fmt.currency(_num(seg["revenue"]))
        row[t("funnel.col.rank")] = fmt.NO_VALUE if pd.isna(seg["rank"]) else str(int(seg["rank"]))
        row[t("funnel.col.note")] = t("funnel.small", n=split.min_count) if seg["small"] else ""
        rows.append(row)
    return pd.DataFrame(rows)


def segment_chart_frame(split: Breakdown) -> pd.DataFrame:
    """Step rates of the largest segments, long, for `ui.charts.segment_rates`."""
    keep = split.segments.sort_values("top_count", ascending=False)["segment"].head(CHART_SEGMENTS)
    frame = split.frame[split.frame["segment"].isin(keep) & split.frame["rate_from_previous"].notna()]
    small = split.segments.set_index("segment")
    steps = {s.role: (f"{p.label} → {s.label}", i) for i, (p, s) in enumerate(zip(split.stages, split.stages[1:], strict=False))}
    return pd.DataFrame({
        "segment": frame["segment"].map(segment_text),
        "step": frame["stage"].map(lambda r: steps[r][0]),
        "step_order": frame["stage"].map(lambda r: steps[r][1]),
        "rate": frame["rate_from_previous"],
        "small": frame["segment"].map(small["small"]).astype(bool),
        "size": frame["segment"].map(small["top_count"]),
    })


def leaks_table(leaks: Leaks, labels: Mapping[str, str], dimension: str | None) -> pd.DataFrame:
    """Leaks ranked by money: step, segment, what it is compared with, now vs reference, and what closing it adds."""
    rows = [
        {
            t("funnel.col.rank"): int(r["rank"]),
            t("funnel.col.step"): step_text(labels, r["from_stage"], r["stage"]),
            **({dimension_text(dimension): segment_text(r["segment"])} if dimension else {}),
            t("funnel.col.compared_with"): reference_text(r, dimension),
            t("funnel.col.now"): fmt.percent(r["current_rate"]),
            t("funnel.col.reference"): fmt.percent(r["reference_rate"]),
            t("funnel.col.gap"): fmt.points(r["reference_rate"] - r["current_rate"]),
            t("funnel.col.extra_orders"): units(r["extra_orders"]),
            t("funnel.col.extra_revenue"): fmt.currency(_num(r["extra_revenue"])),
        }
        for r in leaks.frame.to_dict("records")
    ]
    return pd.DataFrame(rows)


def reference_text(record: Mapping[str, object], dimension: str | None) -> str:
    """What a leak is held against, in words: the previous period, the best other segment, or the target."""
    match record["basis"]:
        case "baseline":
            return t("funnel.basis.baseline")
        case "best_segment":
            best = str(record["reference"]).removeprefix("best segment: ")
            return t("funnel.basis.best_segment", dimension=dimension_text(dimension or "segment"), segment=segment_text(best))
        case _:
            return t("funnel.basis.target")


def headline(result: FunnelResult, comparison: PeriodComparison | None) -> list[tuple[str, str, str | None]]:
    """The metric cards above the funnel: (label, value, change vs the previous period or None).

    Labels go through `plain` because st.metric renders Markdown and stage names are the team's own text.
    """
    before = comparison.previous if comparison is not None else None
    top, last = result.stages[0], result.stage(result.money_stage) if result.money_stage else result.stages[-1]
    cards: list[tuple[str, str, str | None]] = [
        (plain(top.label), fmt.count(top.count), _delta_count(top.count, before.stages[0].count if before else None)),
    ]
    old_rate = before.stage(last.role).rate_from_top if before else None
    change = last.rate_from_top - old_rate if last.rate_from_top is not None and old_rate is not None else None
    if last.role != top.role:  # a funnel that starts at its money stage has no conversion to show
        delta = fmt.points(change, 2) if change is not None else None
        cards.append((plain(f"{top.label} → {last.label}"), small_percent(last.rate_from_top), delta))
    if result.revenue is not None:
        old = before.revenue if before else None
        cards.append((t("funnel.metric.revenue"), fmt.currency(result.revenue),
                      _signed_currency(result.revenue - old) if old is not None else None))
    if result.order_value is not None:
        # per the stage money is counted on: per order in a shop, per deal in a B2B funnel
        cards.append((plain(t("funnel.metric.value_per", stage=last.label)), fmt.currency(result.order_value), None))
    return cards


def top_leak(*leaks: Leaks | None) -> dict[str, object] | None:
    """The single biggest leak across the whole-funnel and per-segment rankings (by money, then by units)."""
    records = [r for found in leaks if found is not None for r in found.top(1)]
    if not records:
        return None
    return max(records, key=lambda r: (_num(r["extra_revenue"]) or 0.0, float(r["extra_orders"])))  # type: ignore[arg-type]


def leak_sentence(record: Mapping[str, object], labels: Mapping[str, str], money_label: str, when: str) -> str:
    """"The biggest leak this month is Add to cart → Orders (Channel: 검색광고): ₩1,539,744 …" in the page language."""
    dimension = str(record["dimension"] or "")
    segment = plain(segment_text(record["segment"]))
    where = t("funnel.where", dimension=dimension_text(dimension), segment=segment) if dimension else ""
    revenue = _num(record["extra_revenue"])
    extra = units(float(record["extra_orders"]))  # type: ignore[arg-type]
    gain = fmt.currency(revenue) if revenue is not None else t("funnel.units", n=extra, unit=plain(money_label.lower()))
    return t(
        "funnel.summary_leak", when=when, step=plain(step_text(labels, str(record["from_stage"]), str(record["stage"]))),
        where=where, gain=gain, reference=plain(reference_text(record, dimension or None)),
        reference_rate=fmt.percent(float(record["reference_rate"])), rate=fmt.percent(float(record["current_rate"])),
    )


def moved_sentence(comparison: PeriodComparison, labels: Mapping[str, str]) -> str | None:
    """The stage whose step conversion moved most against the previous period, in percentage points."""
    if comparison.moved_most is None:
        return None
    row = comparison.frame.set_index("stage").loc[comparison.moved_most]
    roles = list(comparison.frame["stage"])
    previous_role = roles[roles.index(comparison.moved_most) - 1]
    return t(
        "funnel.summary_moved", step=plain(step_text(labels, previous_role, comparison.moved_most)),
        pp=fmt.points(comparison.moved_most_pp / 100), before=fmt.percent(_num(row["previous_rate_from_previous"])),
        now=fmt.percent(_num(row["rate_from_previous"])),
    )


def whatif_table(scenario: WhatIf) -> pd.DataFrame:
    """Each stage now and in the scenario: step rate and count."""
    frame = scenario.stages
    return pd.DataFrame({
        t("funnel.col.stage"): frame["label"],
        t("funnel.col.rate_now"): [fmt.percent(_num(v)) for v in frame["rate"]],
        t("funnel.col.rate_new"): [fmt.percent(_num(v)) for v in frame["new_rate"]],
        t("funnel.col.count_now"): [fmt.count(v) for v in frame["count"]],
        t("funnel.col.count_new"): [units(v) for v in frame["new_count"]],
    })


def trend_frame(frame: pd.DataFrame, labels: Mapping[str, str], roles: list[str]) -> pd.DataFrame:
    """Step rates per period with the step written as "A → B", for `ui.charts.stage_trend`."""
    steps = {role: (step_text(labels, roles[i - 1], role), i) for i, role in enumerate(roles) if i}
    frame = frame[frame["stage"].isin(steps)]
    return pd.DataFrame({
        "period": pd.to_datetime(frame["period"]),
        "step": frame["stage"].map(lambda r: steps[r][0]),
        "step_order": frame["stage"].map(lambda r: steps[r][1]),
        "rate": frame["rate"].astype("float64"),
    })


def cohort_frame(cohorts: CohortTable) -> pd.DataFrame:
    return cohorts.long()[["cohort", "months_since", "share", "customers"]]


def units(value: float) -> str:
    """Orders a what-if adds are fractional: one decimal, so 0.4 of an order does not read as 0."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def small_percent(value: float | None) -> str:
    """A top-to-bottom conversion is often below 1%: two decimals there, so it never reads as 0.0%."""
    return fmt.percent(value, 2 if value is not None and abs(value) < 0.01 else 1)


def _num(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _delta_count(now: float, before: float | None) -> str | None:
    return None if before is None or now == before else f"{now - before:+,.0f}"


def _signed_currency(change: float) -> str:
    return ("+" if change >= 0 else "") + fmt.currency(change)


def _pp(change_in_points: object) -> str:
    value = _num(change_in_points)
    return fmt.points(value / 100) if value is not None else fmt.NO_VALUE
