"""What the Funnel page does to the store: its step targets, read fresh on every run and saved in one transaction.

Like `ui.kpi_actions`, the save runs as a widget callback, reports through `state.flash` and never lets an exception
reach the page. The read is never cached: this page writes the table, and another person's save must show on the
next run. The targets that apply to the drawn funnel become part of the (cached) leaks' key instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from metrics.funnel import FunnelSpec
from store import repo
from store.errors import ConcurrentEditError, InvalidValueError, StoreError
from ui import state
from ui.data import read_session, unit_of_work, workspace_id
from ui.i18n import t


@dataclass(frozen=True, slots=True)
class StepTarget:
    """A saved target: the step (from → to stage roles), the rate as a fraction, and the version it was read at."""

    from_stage: str
    stage: str
    rate: float
    version: int


@dataclass(frozen=True, slots=True)
class DrawnStep:
    """One row of the targets editor as drawn; `version` is None when the step had no target then."""

    from_stage: str
    stage: str
    version: int | None


def step_targets(workspace: str) -> tuple[StepTarget, ...]:
    """Every saved step target of the workspace, read fresh."""
    ws_id = workspace_id(workspace)
    with read_session() as session:
        rows = repo.list_funnel_targets(session, ws_id)
        return tuple(StepTarget(r.from_stage, r.stage, r.target_rate, r.version) for r in rows)


def leak_targets(saved: Iterable[StepTarget], spec: FunnelSpec) -> tuple[tuple[str, float], ...]:
    """The targets of the steps this funnel has, as `rank_leaks` takes them ({stage: rate}), sorted and hashable.

    A target set for cart → order does not apply when the team skips the cart (the step becomes visit → order).
    """
    steps = set(zip(spec.roles, spec.roles[1:], strict=False))
    return tuple(sorted((s.stage, s.rate) for s in saved if (s.from_stage, s.stage) in steps))


def save_step_targets(workspace: str) -> None:
    """Saves the edited rows of the targets editor, each guarded by the version it was drawn with: if anyone saved
    a target of this funnel since, nothing is saved and the user is told to reload."""
    drawn: list[DrawnStep] = st.session_state.get(state.FUNNEL_TARGET_ROWS) or []
    edits = (st.session_state.get(state.FUNNEL_TARGETS_EDITOR) or {}).get("edited_rows", {})
    try:
        changes = {
            (drawn[int(i)].from_stage, drawn[int(i)].stage): _fraction(row["target"])
            for i, row in edits.items()
            if int(i) < len(drawn) and "target" in row
        }
    except (TypeError, ValueError):  # not a number: the editor prevents it, a stale or hand-made state may not
        state.flash("error", t("funnel.targets_invalid"))
        return
    if not changes:
        return
    expected = {(d.from_stage, d.stage): d.version for d in drawn if d.version is not None}
    try:
        with unit_of_work() as session:
            ws_id = repo.get_or_create_workspace(session, workspace, workspace).id
            repo.save_funnel_targets(session, ws_id, changes, expected)
    except ConcurrentEditError:
        state.flash("error", t("funnel.targets_conflict"))
        return
    except InvalidValueError:
        state.flash("error", t("funnel.targets_invalid"))
        return
    except (StoreError, SQLAlchemyError) as exc:
        message = exc.message if isinstance(exc, StoreError) else str(exc).splitlines()[0][:200]
        state.flash("error", t("common.store_error", error=message))
        return
    state.flash("success", t("funnel.targets_saved", n=len(changes)))


def _fraction(shown: object) -> float | None:
    """The editor shows percentages (0–100); the store keeps fractions like every rate. Blank removes the target."""
    if shown is None or shown == "":
        return None
    value = float(shown)  # type: ignore[arg-type]
    return None if math.isnan(value) else value / 100
