"""Funnel page: the stages in order with conversion and drop-off, what moved, where it leaks, what a fix would earn."""

from __future__ import annotations

import streamlit as st

from metrics.funnel import MIN_COUNT
from metrics.roles import role_label
from ui import charts, compute, state
from ui import format as fmt
from ui import funnel_tables as tables
from ui.funnel_actions import leak_targets, step_targets
from ui.funnel_inputs import choose_stages, targets_editor, whatif_inputs
from ui.i18n import t
from ui.period import period_key, pick_period
from ui.widgets import plain, table

state.init_state()
workspace = state.workspace()
language = state.language()  # captured: widget format_funcs must not read session state when called later
st.title(t("funnel.title"))
st.caption(t("funnel.intro"))
ref = compute.data_ref(workspace)
shape = None if ref.empty else compute.shape(ref)
stages = compute.funnel_stages(ref) if shape is not None else None
if shape is None:
    st.info(t("common.no_data"))
    st.stop()
if stages is None or not stages.available:
    st.warning(t("funnel.no_stages"))
    st.stop()

period = pick_period(shape.date_range, shape.common_end)
span = (period.start, period.end) if period is not None else None
# Compare only when the data reaches back into the previous period; before the first date it would read as zeros.
compare = period is not None and period.grain in ("week", "month") and period.start > shape.date_range[0]
with st.expander(t("funnel.customise")):
    spec = choose_stages(workspace, stages)
if len(spec.stages) < 2:
    st.warning(t("funnel.too_few"))
    st.stop()
labels = {s.role: s.label for s in spec.stages}
view = compute.funnel_view(ref, spec, span, compare)
current, comparison = view.current, view.comparison
dimension = None
if shape.dimensions:
    st.session_state.setdefault(state.FUNNEL_DIMENSION, shape.dimensions[0])
    if st.session_state[state.FUNNEL_DIMENSION] not in shape.dimensions:
        st.session_state[state.FUNNEL_DIMENSION] = shape.dimensions[0]
    dimension = st.session_state[state.FUNNEL_DIMENSION]
saved_targets = step_targets(workspace)  # read fresh every run: this page writes them
targets = leak_targets(saved_targets, spec)
whole_leaks = compute.funnel_leaks(ref, spec, span, None, targets)
segment_leaks = compute.funnel_leaks(ref, spec, span, dimension, targets) if dimension else None
money_label = labels.get(current.money_stage or "", "")

with st.container(border=True):
    st.markdown(f"**{t('funnel.next')}**")
    dated = period is not None and period.grain in ("week", "month")
    when = t("funnel.when.period", period=period.label) if dated else t("funnel.when.all")
    top = tables.top_leak(whole_leaks, segment_leaks)
    st.markdown(tables.leak_sentence(top, labels, money_label, when) if top else t("funnel.summary_none"))
    moved = tables.moved_sentence(comparison, labels) if comparison is not None else None
    if moved:
        st.markdown(moved)
    st.caption(t("funnel.summary_hint"))

with st.container(horizontal=True):
    for label, value, delta in tables.headline(current, comparison):
        st.metric(label, value, delta, border=True)
st.altair_chart(charts.funnel_bars(tables.bars_frame(current), t("funnel.col.count")), width="stretch")
table(tables.funnel_table(current, comparison), hide_index=True, width="stretch")
if over := tables.over_100(current):
    st.caption(t("funnel.over_100", stages=plain(", ".join(over))))

views = [v for v in ("segments", "leaks", "whatif", "trend", "repeat")
         if (v != "segments" or shape.dimensions) and (v != "trend" or shape.date_range)
         and (v != "repeat" or {"order_id", "customer_id"} <= shape.roles)]
view_names = {v: t(f"funnel.view.{v}") for v in views}
st.session_state.setdefault(state.FUNNEL_VIEW, views[0])
with st.container(horizontal=True, vertical_alignment="bottom"):
    chosen = st.segmented_control(t("funnel.view"), views, key=state.FUNNEL_VIEW, required=True,
                                  format_func=view_names.__getitem__) or views[0]
    if shape.dimensions and chosen in ("segments", "leaks"):
        st.selectbox(t("funnel.dimension"), shape.dimensions, key=state.FUNNEL_DIMENSION, width=240,
                     format_func=lambda d: role_label(d, language))

if chosen == "segments" and dimension:
    split = compute.funnel_breakdown(ref, spec, span, dimension)
    if split.unsplit:
        st.caption(t("funnel.unsplit", dimension=role_label(dimension, language),
                     stages=plain(", ".join(labels[r] for r in split.unsplit))))
    chart_frame = tables.segment_chart_frame(split)
    if not chart_frame.empty:
        st.altair_chart(charts.segment_rates(chart_frame, t("funnel.rate_axis"), t("funnel.small_axis")), width="stretch")
    table(tables.breakdown_table(split), hide_index=True, width="stretch")
elif chosen == "leaks":
    st.caption(t("funnel.leaks_intro", n=MIN_COUNT))
    scopes = {"": t("funnel.leaks_whole"), **({dimension: role_label(dimension, language)} if dimension else {})}
    if st.session_state.get(state.FUNNEL_LEAK_SCOPE) not in scopes:
        st.session_state[state.FUNNEL_LEAK_SCOPE] = dimension or ""
    scope = st.segmented_control(t("funnel.leaks_scope"), list(scopes), key=state.FUNNEL_LEAK_SCOPE, required=True,
                                 format_func=scopes.__getitem__) or None
    leaks = segment_leaks if scope else whole_leaks
    if leaks is None or leaks.frame.empty:
        st.success(t("funnel.leaks_none"))
    else:
        table(tables.leaks_table(leaks, labels, scope), hide_index=True, width="stretch")
    state.show_flashes()
    with st.expander(t("funnel.targets"), icon=":material/flag:", expanded=bool(targets)):
        targets_editor(workspace, current, saved_targets)
elif chosen == "whatif":
    st.caption(t("funnel.whatif_intro"))
    rates, traffic, aov = whatif_inputs(current, f"{ref.key}|{period_key(period)}|{spec}")
    result = compute.scenario(current, rates, traffic, aov)
    if current.money_stage is None:
        st.info(t("funnel.whatif.no_money"))
    with st.container(horizontal=True):
        st.metric(t("funnel.whatif.orders", stage=money_label), tables.units(result.orders),
                  f"{result.delta_orders:+,.1f}" if result.delta_orders else None, border=True)
        st.metric(t("funnel.whatif.revenue"), fmt.currency(result.revenue),
                  fmt.currency(result.delta_revenue) if result.delta_revenue else None, border=True)
    table(tables.whatif_table(result), hide_index=True, width="stretch")
elif chosen == "trend":
    grain = period.grain if period is not None and period.grain in ("week", "month") else "month"
    st.caption(t("funnel.trend_intro", grain=t(f"period.{grain}")))
    trend = compute.funnel_trend(ref, spec, grain)
    if trend is not None and not trend.empty:
        frame = tables.trend_frame(trend, labels, list(spec.roles))
        st.altair_chart(charts.stage_trend(frame, t("funnel.rate_axis")), width="stretch")
elif chosen == "repeat":
    repeat = compute.repeat_view(ref, span)
    if repeat is None or repeat.split is None:
        st.info(t("funnel.repeat_none"))
    else:
        split = repeat.split
        with st.container(horizontal=True):
            st.metric(t("funnel.repeat.first"), fmt.count(split.first_orders), border=True)
            st.metric(t("funnel.repeat.repeat"), fmt.count(split.repeat_orders), border=True)
            st.metric(t("funnel.repeat.rate"), fmt.percent(split.repeat_purchase_rate), border=True)
        if split.unknown_orders:
            st.caption(t("funnel.repeat.unknown", orders=fmt.count(split.unknown_orders)))
        if repeat.cohorts is not None and not repeat.cohorts.retention.empty:
            st.markdown(f"**{t('funnel.cohort_title')}**")
            st.caption(t("funnel.cohort_caption"))
            st.altair_chart(charts.cohort_heatmap(tables.cohort_frame(repeat.cohorts), t("funnel.cohort_axis"),
                                                  t("funnel.months_axis"), t("funnel.share_axis")), width="stretch")
