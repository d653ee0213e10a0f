"""The period picker both analysis pages share: grain (week / month / all data) and which period, latest first.

The choice lives in session state (keys in `ui.state`), so moving from the KPI pool to the funnel keeps the same
week in view, as a weekly meeting expects.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from metrics.periods import Period, periods_between
from ui import state
from ui.i18n import t

GRAINS = ("week", "month", "all")


def pick_period(span: tuple[date, date] | None, common_end: date | None = None) -> Period | None:
    """Draws the picker for data spanning `span` and returns the chosen period; None when the data has no dates.

    The period offered first is the latest whole one that every file reaches (`common_end`): with a leads file
    ending in May and a deals file running to October, October would show deals without any leads.
    """
    if span is None:
        st.caption(t("period.no_dates"))
        return None
    if st.session_state.get(state.PERIOD_GRAIN) not in GRAINS:
        # Also after a page switch: Streamlit may hand back None for a widget the previous page did not draw.
        st.session_state[state.PERIOD_GRAIN] = "month"
    with st.container(horizontal=True, vertical_alignment="bottom"):
        grain = st.segmented_control(
            t("period.grain"), GRAINS, required=True, format_func=lambda g: t(f"period.{g}"),
            **state.bound(state.PERIOD_GRAIN),
        ) or "month"
        if grain == "all":
            return Period(span[0], span[1], "custom")
        periods = list(reversed(periods_between(span[0], span[1], grain)))
        if not periods:
            return None
        labels = {p.label: p for p in periods}
        reached = [p for p in periods if common_end is None or p.start <= common_end]
        default = next((p.label for p in reached if not p.partial), (reached or periods)[0].label)
        if st.session_state.get(state.PERIOD_PICK) not in labels:
            st.session_state[state.PERIOD_PICK] = default
        chosen = st.selectbox(
            t("period.which"), list(labels), **state.bound(state.PERIOD_PICK),
            format_func=lambda label: label + (f" ({t('period.partial')})" if labels[label].partial else ""),
        )
    return labels.get(chosen) or labels[default]


def period_key(period: Period | None) -> str:
    """A cache-key form of a period."""
    return "all" if period is None else f"{period.start.isoformat()}:{period.end.isoformat()}:{period.grain}"
