"""Display rows for the KPI pool page: translated labels, formatted numbers and target status, no computation.

Like `ui.tables` for the Data page, these only reshape cached results (`ui.compute.PoolView`, `DriverView`) and
stored targets, so the page stays layout-only and tests can compare the exact table a marketer sees (golden files).
"""

from __future__ import annotations

import pandas as pd

from metrics.kpi import missing_sentence, target_status
from metrics.roles import role_label
from ui import state
from ui.compute import DriverView, PoolKpi, PoolView
from ui.format import NO_VALUE, by_unit, currency
from ui.i18n import pick, t
from ui.kpi_actions import DrawnTarget, Selection

#: Units whose value does not depend on the period's length: a target set per month still applies to a week.
RATE_UNITS = frozenset({"percent", "ratio", "score"})


def kpi_name(kpi: PoolKpi) -> str:
    return pick(kpi.name)


def missing_text(kpi: PoolKpi) -> str:
    """"add a cart column to measure this", in the session's language; a broken custom formula says why."""
    if kpi.issues:
        return "; ".join(kpi.issues)
    return missing_sentence(kpi.missing_roles, state.language())


def facts_line(kpi: PoolKpi) -> str:
    """Stage · leads/lags · how fast it responds, for a card's caption."""
    parts = [t(f"kpi.stage.{kpi.stage}") if kpi.stage else "", t(f"kpi.{kpi.lead_lag}") if kpi.lead_lag else ""]
    if kpi.responds:
        parts.append(t("kpi.pdca_weekly") if kpi.responds == "weekly" else t(f"kpi.responds.{kpi.responds}"))
    return " · ".join(p for p in parts if p)


def trend_delta(kpi: PoolKpi) -> str | None:
    """Change from the previous period of the trend, in the KPI's unit (points for rates)."""
    points = [v for v in kpi.trend[-2:] if v is not None]
    if len(kpi.trend) < 2 or len(points) < 2:
        return None
    change = points[1] - points[0]
    if kpi.unit == "percent":
        return f"{change * 100:+,.1f} pp"
    text = by_unit(abs(change), kpi.unit)
    return ("-" if change < 0 else "+") + text


def status_of(kpi: PoolKpi, selection: Selection | None, grain: str) -> str | None:
    """on_track / at_risk / off_track against the target, in the target's direction; None when there is no
    target, no value, or a count target of another period length (a monthly revenue target on a week's revenue)."""
    if selection is None or selection.target is None:
        return None
    if kpi.unit not in RATE_UNITS and selection.period != grain:
        return None
    direction = "up" if selection.kind == "at_least" else "down"
    return target_status(kpi.value, selection.target, direction)


def status_text(status: str | None) -> str:
    return t(f"kpi.status.{status}") if status else NO_VALUE


def pool_table(view: PoolView, tracked: dict[str, Selection], grain: str) -> pd.DataFrame:
    """Every KPI of the goal in ranked order (the user's own last), one row each: the table the golden file pins."""
    kfs_names = {kpi_id: pick(k.name) for k in reversed(view.kfs) for kpi_id in k.kpi_ids}
    rows = []
    for kpi_id in (*view.ranked, *view.custom_ids):
        kpi = view.kpis[kpi_id]
        selection = tracked.get(kpi_id)
        rows.append({
            t("kpi.col.kpi"): kpi_name(kpi),
            t("kpi.col.kfs"): kfs_names.get(kpi_id, t("kpi.custom_group")),
            t("kpi.col.value"): by_unit(kpi.value, kpi.unit),
            t("kpi.col.facts"): facts_line(kpi),
            t("kpi.col.formula"): pick(kpi.formula),
            t("kpi.col.measurable"): t("kpi.yes") if kpi.available else missing_text(kpi),
            t("kpi.col.tracked"): selection is not None,
            t("kpi.col.status"): status_text(status_of(kpi, selection, grain)),
        })
    return pd.DataFrame(rows)


def targets_frame(view: PoolView, selections: list[Selection], grain: str) -> tuple[pd.DataFrame, list[DrawnTarget]]:
    """The editor's rows (tracked KPIs this pool knows) and what was drawn, for the stale-version check on save."""
    rows, drawn = [], []
    for selection in selections:
        kpi = view.kpis.get(selection.kpi_id)
        if kpi is None:
            continue
        scale = 100.0 if kpi.unit == "percent" else 1.0
        drawn.append(DrawnTarget(selection, scale))
        rows.append({
            "kpi": kpi_name(kpi), "now": by_unit(kpi.value, kpi.unit), "kind": selection.kind,
            "target": None if selection.target is None else selection.target * scale,
            "period": selection.period, "status": status_text(status_of(kpi, selection, grain)),
        })
    return pd.DataFrame(rows, columns=["kpi", "now", "kind", "target", "period", "status"]), drawn


def driver_steps(view: DriverView) -> pd.DataFrame:
    """The waterfall's bars: revenue before, the three effects, revenue now (labels translated)."""
    return pd.DataFrame({
        "step": [t("kpi.drivers.before"), t("kpi.drivers.traffic"), t("kpi.drivers.conversion"),
                 t("kpi.drivers.order_value"), t("kpi.drivers.after")],
        "amount": [view.revenue_before, view.traffic, view.conversion, view.order_value, view.revenue_after],
        "total": [True, False, False, False, True],
    })


def driver_table(view: DriverView) -> pd.DataFrame:
    """Per channel: revenue before and now, the change and its three effects, in ₩."""
    if view.segments.empty:
        return pd.DataFrame()
    names = {"segment": role_label("channel", state.language()), "before": t("kpi.drivers.before"),
             "after": t("kpi.drivers.after"), "change": t("kpi.drivers.change"), "traffic": t("kpi.drivers.traffic"),
             "conversion": t("kpi.drivers.conversion"), "order_value": t("kpi.drivers.order_value")}
    frame = view.segments.copy()
    for column in names:
        if column != "segment":
            frame[column] = frame[column].map(currency)
    return frame.rename(columns=names)
