"""The KPI pool's two forms: targets for tracked KPIs (a data editor, saved with version checks) and the team's
own KPI in the formula language. Layout only; saving is in `ui.kpi_actions`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.roles import role_label
from ui import kpi_actions, state
from ui import kpi_tables as show
from ui.compute import PoolView
from ui.i18n import t
from ui.kpi_actions import Selection
from ui.widgets import export_safe, plain, table


def targets(workspace: str, goal_id: str, view: PoolView, selections: list[Selection], grain: str) -> None:
    """Tracked KPIs with an editable target; saving checks each row's version (someone else may have saved)."""
    st.caption(t("kpi.targets_intro"))
    frame, drawn = show.targets_frame(view, selections, grain)
    if frame.empty:
        st.info(t("kpi.targets_none"))
        return
    st.session_state[state.KPI_TARGET_ROWS] = drawn
    kinds, periods = kpi_actions.KINDS, kpi_actions.TARGET_PERIODS
    with st.form("kpi_targets_form", border=False):
        st.data_editor(export_safe(frame), key=state.KPI_TARGETS_EDITOR, hide_index=True, width="stretch",
                       disabled=["kpi", "now", "status"], column_config={
                           "kpi": t("kpi.col.kpi"), "now": t("kpi.col.now"), "status": t("kpi.col.status"),
                           "kind": st.column_config.SelectboxColumn(t("kpi.col.kind"), options=kinds, required=True,
                                                                    format_func=lambda k: t(f"kpi.kind.{k}")),
                           "target": st.column_config.NumberColumn(t("kpi.col.target"), help=t("kpi.target_help")),
                           "period": st.column_config.SelectboxColumn(t("kpi.col.period"), options=periods,
                                                                      required=True, format_func=lambda p: t(f"kpi.per.{p}")),
                       })
        st.form_submit_button(t("kpi.targets_save"), key=state.KPI_TARGETS_SAVE, type="primary",
                              on_click=kpi_actions.save_targets, args=(workspace, goal_id))


def custom(workspace: str, view: PoolView, roles: frozenset[str]) -> None:
    """The team's own KPI: a form in the formula language; a bad formula is shown with a caret at the mistake."""
    st.caption(t("kpi.custom_intro"))
    with st.expander(t("kpi.custom_names")):
        st.caption(t("kpi.custom_names_help"))
        names = pd.DataFrame([{t("kpi.col.name_to_type"): r, t("kpi.col.means"): role_label(r, state.language()),
                               t("kpi.col.your_column"): view.columns.get(r, "")} for r in sorted(roles)])
        table(names, hide_index=True, width="stretch")
    with st.form("kpi_custom_form"):
        with st.container(horizontal=True):
            st.text_input(t("kpi.custom.name"), key=state.KPI_CUSTOM_NAME, max_chars=200)
            st.text_input(t("kpi.custom.id"), key=state.KPI_CUSTOM_ID, max_chars=64)
        st.text_input(t("kpi.custom.formula"), key=state.KPI_CUSTOM_FORMULA, placeholder="sum(revenue) / orders()")
        with st.container(horizontal=True):
            st.selectbox(t("kpi.custom.unit"), kpi_actions.UNITS, key=state.KPI_CUSTOM_UNIT,
                         format_func=lambda u: t(f"kpi.unit.{u}"))
            st.selectbox(t("kpi.custom.direction"), kpi_actions.DIRECTIONS, key=state.KPI_CUSTOM_DIRECTION,
                         format_func=lambda d: t(f"kpi.direction.{d}"))
        st.form_submit_button(t("kpi.custom.save"), key=state.KPI_CUSTOM_SAVE, type="primary",
                              on_click=kpi_actions.save_custom_kpi, args=(workspace, roles, view.columns))
    if problem := st.session_state.get(state.KPI_CUSTOM_ISSUES):
        for issue in problem.issues:
            key = "kpi.custom_error" if issue.column else "kpi.custom_error_global"
            st.error(t(key, column=issue.column, message=plain(issue.message)))
            if issue.column:
                st.code(f"{problem.formula}\n{' ' * (issue.column - 1)}^", language=None)
