"""The funnel page's inputs: which stages, in which order, under which names; the what-if rates; step targets.

The stage choice is kept per workspace in session state (`state.FUNNEL_CHOICES`), outside the widgets, because
Streamlit forgets a widget's value when its page is not drawn: leaving for the KPI pool and coming back, or
switching workspace and back, finds the same funnel. Widgets are re-seeded from that store whenever the workspace
or the language changes (default names follow the language; a team's own names are kept).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from metrics.funnel import FunnelResult, FunnelSpec, StageSpec, stage_label
from ui import state
from ui.compute import FunnelStages
from ui.funnel_actions import DrawnStep, StepTarget, save_step_targets
from ui.i18n import t
from ui.widgets import export_safe


def choose_stages(workspace: str, stages: FunnelStages) -> FunnelSpec:
    """Multiselect (order = order picked) plus a name per stage; returns the spec the results are computed for."""
    language = state.language()
    choices: dict[str, dict[str, object]] = st.session_state.setdefault(state.FUNNEL_CHOICES, {})
    saved = choices.get(workspace, {})
    roles = [r for r in saved.get("roles", stages.default) if r in stages.available] or list(stages.default)  # type: ignore[union-attr]
    renames: dict[str, str] = dict(saved.get("labels", {}))  # type: ignore[arg-type]
    owner = f"{workspace}|{language}"
    if st.session_state.get(state.FUNNEL_CHOICES_OWNER) != owner or state.FUNNEL_STAGES not in st.session_state:
        st.session_state[state.FUNNEL_STAGES] = roles
        for role in stages.available:
            st.session_state[state.FUNNEL_LABEL_PREFIX + role] = renames.get(role) or stage_label(role, language)
        st.session_state[state.FUNNEL_CHOICES_OWNER] = owner
    picked = st.multiselect(
        t("funnel.stages"), list(stages.available), key=state.FUNNEL_STAGES, help=t("funnel.stages_help"),
        format_func=lambda r: stage_label(r, language),
    )
    with st.container(horizontal=True):
        for role in picked:
            st.session_state.setdefault(state.FUNNEL_LABEL_PREFIX + role, renames.get(role) or stage_label(role, language))
            st.text_input(t("funnel.rename", stage=stage_label(role, language)), key=state.FUNNEL_LABEL_PREFIX + role,
                          max_chars=40, width=180)
    st.button(t("funnel.reset_stages"), key=state.FUNNEL_RESET, on_click=_reset_stages, args=(workspace,),
              icon=":material/restart_alt:")
    labels = {role: str(st.session_state.get(state.FUNNEL_LABEL_PREFIX + role, "")).strip() or stage_label(role, language)
              for role in picked}
    defaults = {stage_label(r, lang) for r in picked for lang in ("en", "ko")}
    choices[workspace] = {"roles": list(picked), "labels": {r: v for r, v in labels.items() if v not in defaults}}
    return FunnelSpec(tuple(StageSpec(role, labels[role]) for role in picked))


def _reset_stages(workspace: str) -> None:
    """Back to the stages the data suggests, with default names (a callback: runs before widgets are drawn)."""
    st.session_state.get(state.FUNNEL_CHOICES, {}).pop(workspace, None)
    st.session_state.pop(state.FUNNEL_CHOICES_OWNER, None)


def whatif_inputs(result: FunnelResult, scope: str) -> tuple[dict[str, float], float | None, float | None]:
    """Number inputs seeded with today's figures: top-stage count, each step rate (in %), order value.

    Returns only what the user changed (rates as fractions), so an untouched input never shifts the answer.
    `scope` names the funnel the inputs were seeded from; a new period or stage choice re-seeds them.
    """
    stages = [s for s in result.stages[1:] if s.rate_from_previous is not None]
    current = {state.FUNNEL_WHATIF_RATE_PREFIX + s.role: s.rate_from_previous * 100 for s in stages}  # type: ignore[operator]
    current[state.FUNNEL_WHATIF_TRAFFIC] = float(result.stages[0].count)
    if result.order_value is not None:
        current[state.FUNNEL_WHATIF_AOV] = float(result.order_value)
    if st.session_state.get(state.FUNNEL_WHATIF_SCOPE) != scope:
        st.session_state.update(current)
        st.session_state[state.FUNNEL_WHATIF_SCOPE] = scope
    for key, value in current.items():
        st.session_state.setdefault(key, value)
    with st.container(horizontal=True):
        st.number_input(t("funnel.whatif.traffic", stage=result.stages[0].label), min_value=0.0, step=100.0,
                        format="%.0f", key=state.FUNNEL_WHATIF_TRAFFIC, width=200)
        previous = {s.role: p.label for p, s in zip(result.stages, result.stages[1:], strict=False)}
        for s in stages:
            st.number_input(f"{previous[s.role]} → {s.label} (%)", min_value=0.0, step=0.5, format="%.1f",
                            key=state.FUNNEL_WHATIF_RATE_PREFIX + s.role, width=200)
        if result.order_value is not None:
            st.number_input(t("funnel.whatif.aov"), min_value=0.0, step=1000.0, format="%.0f",
                            key=state.FUNNEL_WHATIF_AOV, width=200)
    st.button(t("funnel.whatif.reset"), key=state.FUNNEL_WHATIF_RESET, icon=":material/restart_alt:",
              on_click=lambda: st.session_state.pop(state.FUNNEL_WHATIF_SCOPE, None))
    rates = {
        s.role: st.session_state[state.FUNNEL_WHATIF_RATE_PREFIX + s.role] / 100
        for s in stages
        if not _same(st.session_state[state.FUNNEL_WHATIF_RATE_PREFIX + s.role], current[state.FUNNEL_WHATIF_RATE_PREFIX + s.role])
    }
    traffic = st.session_state[state.FUNNEL_WHATIF_TRAFFIC]
    aov = st.session_state.get(state.FUNNEL_WHATIF_AOV)
    return (
        rates,
        None if _same(traffic, current[state.FUNNEL_WHATIF_TRAFFIC]) else float(traffic),
        None if aov is None or _same(aov, current.get(state.FUNNEL_WHATIF_AOV)) else float(aov),
    )


def _same(value: float | None, reference: float | None) -> bool:
    return value is None or reference is None or abs(float(value) - float(reference)) < 1e-9


def targets_editor(workspace: str, result: FunnelResult, saved: Sequence[StepTarget]) -> None:
    """Each step of the drawn funnel with its rate now and the team's target (in %), saved in one go by a form.

    The steps and the versions they were drawn with go to session state: the save callback (next run, before this
    draws again) checks them, so a target someone else saved meanwhile is never overwritten.
    """
    st.caption(t("funnel.targets_intro"))
    by_step = {(s.from_stage, s.stage): s for s in saved}
    steps = [(p, s, by_step.get((p.role, s.role))) for p, s in zip(result.stages, result.stages[1:], strict=False)]
    st.session_state[state.FUNNEL_TARGET_ROWS] = [
        DrawnStep(p.role, s.role, target.version if target else None) for p, s, target in steps
    ]
    frame = pd.DataFrame({
        "step": [f"{p.label} → {s.label}" for p, s, _ in steps],
        "now": [s.rate_from_previous * 100 if s.rate_from_previous is not None else None for _, s, _ in steps],
        "target": [target.rate * 100 if target else None for _, _, target in steps],
    }).astype({"now": "float64", "target": "float64"})
    with st.form("funnel_targets_form", border=False):
        st.data_editor(export_safe(frame), key=state.FUNNEL_TARGETS_EDITOR, hide_index=True, width="stretch",
                       disabled=["step", "now"], column_config={
                           "step": t("funnel.col.step"),
                           "now": st.column_config.NumberColumn(t("funnel.col.now"), format="%.1f%%"),
                           "target": st.column_config.NumberColumn(t("funnel.col.target"), help=t("funnel.targets_help"),
                                                                   min_value=0.0, max_value=100.0, step=0.1,
                                                                   format="%.1f%%"),
                       })
        st.form_submit_button(t("funnel.targets_save"), key=state.FUNNEL_TARGETS_SAVE, type="primary",
                              on_click=save_step_targets, args=(workspace,))
