"""What the KPI pool page does to the store: each write function is one user action and one transaction.

Like `ui.actions` for the Data page, they run as widget callbacks, report through `state.flash` (or, for a
rejected formula, `state.KPI_CUSTOM_ISSUES`), and never let an exception reach the page. The two read functions
return frozen copies, read fresh on every run: this page writes those tables, so they are never cached.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from metrics.catalog import load_catalog
from metrics.expr import KNOWN_ROLES, ExprIssue, canonical, validate
from store import repo
from store.errors import ConcurrentEditError, StoreError
from ui import state
from ui.compute import CustomKpiDef
from ui.data import read_session, unit_of_work, workspace_id
from ui.i18n import t
from ui.widgets import plain

UNITS = ("count", "currency", "percent", "ratio", "score")
DIRECTIONS = ("up", "down")
KINDS = ("at_least", "at_most")
TARGET_PERIODS = ("week", "month")


@dataclass(frozen=True, slots=True)
class Selection:
    """A tracked KPI with its target, and the version the editor read (the stale-edit check compares it)."""

    id: int
    kpi_id: str
    target: float | None
    kind: str
    period: str
    version: int


@dataclass(frozen=True, slots=True)
class DrawnTarget:
    """One row of the targets editor as it was drawn: the selection (with its version) and the editor's scale
    (100 for percentages, shown as 0–100 but stored as fractions)."""

    selection: Selection
    scale: float = 1.0


@dataclass(frozen=True, slots=True)
class CustomProblem:
    """A rejected custom KPI: the formula as typed and what is wrong, each issue with its 1-based column."""

    formula: str
    issues: tuple[ExprIssue, ...]


def selections(workspace: str, goal_id: str) -> list[Selection]:
    """The goal's tracked KPIs in this workspace, in the order they were ticked."""
    ws_id = workspace_id(workspace)
    with read_session() as session:
        rows = repo.list_kpi_selections(session, ws_id, goal_id)
        return [Selection(r.id, r.kpi_id, r.target_value, r.target_kind, r.target_period, r.version) for r in rows]


def custom_kpis(workspace: str) -> tuple[CustomKpiDef, ...]:
    """The workspace's own KPIs; the tuple is hashable, so it is part of the pool's cache key."""
    ws_id = workspace_id(workspace)
    with read_session() as session:
        rows = repo.list_custom_kpis(session, ws_id)
        return tuple(CustomKpiDef(r.kpi_id, r.name, r.formula, r.unit, r.direction) for r in rows)


def toggle_kpi(workspace: str, goal_id: str, kpi_id: str, direction: str, widget_key: str) -> None:
    """A tick box changed: the KPI joins (at the end) or leaves the goal's tracked list; others keep their targets.
    A newly tracked KPI that should go down (cost, churn) gets "stay at most" as its target kind."""
    ticked = bool(st.session_state.get(widget_key))
    try:
        with unit_of_work() as session:
            ws_id = repo.get_or_create_workspace(session, workspace, workspace).id
            current = [row.kpi_id for row in repo.list_kpi_selections(session, ws_id, goal_id)]
            wanted = [k for k in current if k != kpi_id] + ([kpi_id] if ticked else [])
            rows = repo.set_kpi_selection(session, ws_id, goal_id, wanted)
            added = next((r for r in rows if r.kpi_id == kpi_id and kpi_id not in current), None)
            if added is not None and direction == "down":
                repo.update_target(session, ws_id, added.id, added.version, value=None, kind="at_most",
                                   period=added.target_period)
    except (StoreError, SQLAlchemyError) as exc:
        state.flash("error", _store_message(exc))


def save_targets(workspace: str, goal_id: str) -> None:
    """Saves every edited row of the targets editor in one transaction, each guarded by the version it was shown
    with: if anyone saved one of them since, nothing is saved and the user is told to reload."""
    drawn: list[DrawnTarget] = st.session_state.get(state.KPI_TARGET_ROWS) or []
    edits = (st.session_state.get(state.KPI_TARGETS_EDITOR) or {}).get("edited_rows", {})
    changes = [(drawn[int(i)], row) for i, row in edits.items() if int(i) < len(drawn)]
    if not changes:
        return
    try:
        with unit_of_work() as session:
            ws_id = repo.get_or_create_workspace(session, workspace, workspace).id
            for shown, row in changes:
                selection = shown.selection
                value = _target_value(row["target"], shown.scale) if "target" in row else selection.target
                repo.update_target(
                    session, ws_id, selection.id, selection.version, value=value,
                    kind=row.get("kind", selection.kind), period=row.get("period", selection.period),
                )
    except ConcurrentEditError:
        state.flash("error", t("kpi.targets_conflict"))
        return
    except (StoreError, SQLAlchemyError) as exc:
        state.flash("error", _store_message(exc))
        return
    state.flash("success", t("kpi.targets_saved", n=len(changes)))


def save_custom_kpi(workspace: str, available_roles: frozenset[str], columns: Mapping[str, str] | None = None) -> None:
    """Checks the form's formula against the language and this data; saves it for the workspace when it parses.

    The formula may use the team's own column names (`columns`: role → column); it is stored in role names, so it
    keeps working when next week's file names the column differently but maps it to the same role.
    """
    name = str(st.session_state.get(state.KPI_CUSTOM_NAME, "")).strip()
    kpi_id = str(st.session_state.get(state.KPI_CUSTOM_ID, "")).strip()
    formula = str(st.session_state.get(state.KPI_CUSTOM_FORMULA, "")).strip()
    st.session_state[state.KPI_CUSTOM_ISSUES] = None
    if not name or not kpi_id:
        state.flash("error", t("kpi.custom_need_name"))
        return
    if kpi_id in load_catalog().kpis:
        state.flash("error", t("kpi.custom_id_taken", id=plain(kpi_id)))
        return
    aliases = {column: role for role, column in (columns or {}).items() if str(column).isidentifier()}
    issues = validate(formula, available_roles, aliases)
    if any(i.level == "error" for i in issues):
        st.session_state[state.KPI_CUSTOM_ISSUES] = CustomProblem(formula, tuple(issues))
        return
    formula = canonical(formula, aliases, available_roles - KNOWN_ROLES) or formula
    try:
        with unit_of_work() as session:
            ws_id = repo.get_or_create_workspace(session, workspace, workspace).id
            repo.save_custom_kpi(
                session, ws_id, kpi_id, name=name, formula=formula,
                unit=str(st.session_state.get(state.KPI_CUSTOM_UNIT, "count")),
                direction=str(st.session_state.get(state.KPI_CUSTOM_DIRECTION, "up")),
            )
    except (StoreError, SQLAlchemyError) as exc:
        state.flash("error", _store_message(exc))
        return
    for key in (state.KPI_CUSTOM_NAME, state.KPI_CUSTOM_ID, state.KPI_CUSTOM_FORMULA):
        st.session_state[key] = ""
    warnings = [i for i in issues if i.level == "warning"]
    state.flash("warning" if warnings else "success", t("kpi.custom_saved", name=plain(name)))


def choose_goal(goal_id: str | None) -> None:
    """The goal chooser's buttons: runs before the sidebar selectbox is drawn, so it may set its value."""
    st.session_state[state.GOAL] = goal_id


def _target_value(shown: object, scale: float) -> float | None:
    """The editor shows percentages as 0–100; the store keeps fractions like the KPI values."""
    if shown is None or shown == "":
        return None
    value = float(shown)  # type: ignore[arg-type]
    return None if math.isnan(value) else value / scale


def _store_message(exc: BaseException) -> str:
    if isinstance(exc, StoreError):
        return exc.message
    return t("common.store_error", error=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
