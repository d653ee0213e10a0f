"""KPI pool page: goal → strategies (KFS) → KPIs with definitions, values and trends; tracking, targets, drivers."""

from __future__ import annotations

import streamlit as st

from metrics.catalog import load_catalog
from metrics.kpi import missing_sentence
from ui import charts, compute, kpi_actions, kpi_forms, state
from ui import kpi_tables as show
from ui.compute import PoolKpi, PoolView
from ui.format import by_unit, currency
from ui.i18n import pick, t
from ui.kpi_actions import Selection
from ui.period import period_key, pick_period
from ui.widgets import plain, table

VIEWS = ("tree", "table", "targets", "drivers", "custom")
CARDS_PER_ROW = 3

state.init_state()
workspace = state.workspace()
catalog = load_catalog()
st.title(t("kpi.title"))
st.caption(t("kpi.intro"))
goal_id = st.session_state.get(state.GOAL)


def goal_chooser() -> None:
    """No goal yet: every goal with its one-line description and a button that sets it."""
    st.subheader(t("kpi.choose_goal"))
    st.caption(t("kpi.choose_goal_intro"))
    for goal in catalog.goals:
        with st.container(border=True, horizontal=True, vertical_alignment="center"):
            st.markdown(f"**{pick(goal.name.to_json())}**  \n{pick(goal.description.to_json())}")
            st.button(t("kpi.choose"), key=state.KPI_GOAL_BUTTON_PREFIX + goal.id, on_click=kpi_actions.choose_goal,
                      args=(goal.id,), type="primary", width=180)


def kpi_card(kpi: PoolKpi, selection: Selection | None, grain: str) -> None:
    """One KPI: tick box, value now with its trend, what it is and why, and what to add when it cannot be measured."""
    pick_key = state.KPI_PICK_PREFIX + kpi.id
    st.session_state[pick_key] = selection is not None  # the store is the truth; a failed save reverts the tick
    with st.container(border=True):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.checkbox(t("kpi.track"), key=pick_key, on_change=kpi_actions.toggle_kpi,
                        args=(workspace, goal_id, kpi.id, kpi.direction, pick_key))
            if kpi.recommended:
                st.badge(t("kpi.recommended"), icon=":material/star:", color="violet")
            if status := show.status_of(kpi, selection, grain):
                st.badge(show.status_text(status), color={"on_track": "green", "at_risk": "orange"}.get(status, "red"))
            with st.popover(t("kpi.definition"), icon=":material/info:"):
                st.markdown(plain(pick(kpi.description)) if kpi.description["en"] else plain(show.kpi_name(kpi)))
                st.caption(t("kpi.formula"))
                st.code(pick(kpi.formula), language=None, wrap_lines=True)
                st.caption(show.facts_line(kpi))
        chart = [v for v in kpi.trend if v is not None]  # one point is no trend
        st.metric(plain(show.kpi_name(kpi)), by_unit(kpi.value, kpi.unit), delta=show.trend_delta(kpi),
                  delta_color="inverse" if kpi.direction == "down" else "normal", chart_data=chart if len(chart) > 1 else None,
                  chart_type="line", help=plain(pick(kpi.description)) or None)
        st.caption(show.facts_line(kpi))
        if not kpi.available:
            st.warning(plain(show.missing_text(kpi)), icon=":material/add_column_right:")


def tree(view: PoolView, tracked: dict[str, Selection], grain: str) -> None:
    """Goal → each strategy → its KPI cards. A KPI shared by two strategies is drawn once, then named."""
    seen: set[str] = set()
    groups = [(t("kpi.kfs", n=i, name=pick(k.name)), k.kpi_ids) for i, k in enumerate(view.kfs, start=1)]
    if view.custom_ids:
        groups.append((t("kpi.custom_group"), view.custom_ids))
    for title, kpi_ids in groups:
        st.markdown(f"#### {plain(title)}")
        fresh = [k for k in kpi_ids if k not in seen]
        if shared := [show.kpi_name(view.kpis[k]) for k in kpi_ids if k in seen]:
            st.caption(t("kpi.also_in", names=", ".join(shared)))
        seen.update(fresh)
        for start in range(0, len(fresh), CARDS_PER_ROW):
            for column, kpi_id in zip(st.columns(CARDS_PER_ROW), fresh[start:start + CARDS_PER_ROW], strict=False):
                with column:
                    kpi_card(view.kpis[kpi_id], tracked.get(kpi_id), grain)


def drivers(ref: compute.DataRef, period_id: str) -> None:
    """Revenue change against the previous period, split into traffic, conversion and order-value effects."""
    view = compute.driver_view(ref, period_id)
    if view is None:
        st.info(t("kpi.drivers_need_period"))
        return
    if view.missing_roles or not view.before_covered:
        st.info(missing_sentence(view.missing_roles, state.language()) or t("kpi.drivers_no_previous", before=view.before_label))
        return
    st.caption(t("kpi.drivers_intro", before=view.before_label))
    with st.container(horizontal=True):
        st.metric(t("kpi.drivers.before"), currency(view.revenue_before), border=True)
        st.metric(t("kpi.drivers.after"), currency(view.revenue_after), border=True,
                  delta=currency(view.revenue_after - view.revenue_before))
    st.altair_chart(charts.revenue_waterfall(show.driver_steps(view), t("kpi.drivers.amount")), width="stretch")
    if not view.traffic_measured:
        st.caption(t("kpi.drivers_no_traffic"))
    if not (by_channel := show.driver_table(view)).empty:
        st.markdown(f"#### {t('kpi.drivers.by_channel')}")
        table(by_channel, hide_index=True, width="stretch")


if goal_id is None or goal_id not in {g.id for g in catalog.goals}:
    goal_chooser()
    st.stop()
goal = catalog.goal(goal_id)
with st.container(horizontal=True, vertical_alignment="center"):
    st.subheader(f":material/flag: {pick(goal.name.to_json())}")
    st.button(t("kpi.change_goal"), key="kpi_change_goal", on_click=kpi_actions.choose_goal, args=(None,))
st.caption(pick(goal.description.to_json()))
ref = compute.data_ref(workspace)
shape = compute.shape(ref)
if ref.empty or shape is None:
    st.info(t("common.no_data"))
    st.stop()
period = pick_period(shape.date_range, shape.common_end)
period_id, grain = period_key(period), period.grain if period is not None else "all"
view = compute.kpi_pool_view(ref, goal_id, period_id, kpi_actions.custom_kpis(workspace))
selections = kpi_actions.selections(workspace, goal_id)
tracked = {s.kpi_id: s for s in selections}
state.show_flashes()
st.session_state.setdefault(state.KPI_VIEW, "tree")
choice = st.segmented_control(t("kpi.view"), VIEWS, key=state.KPI_VIEW, required=True,
                              format_func=lambda v: t(f"kpi.view.{v}")) or "tree"
if view is None:
    st.info(t("common.no_data"))
elif choice == "tree":
    tree(view, tracked, grain)
elif choice == "table":
    table(show.pool_table(view, tracked, grain), hide_index=True, width="stretch")
elif choice == "targets":
    kpi_forms.targets(workspace, goal_id, view, selections, grain)
elif choice == "drivers":
    drivers(ref, period_id)
else:
    kpi_forms.custom(workspace, view, shape.roles)
