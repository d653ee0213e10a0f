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


def pick_period(span: tuple[date, date] | None) -> Period | None:
    """Draws the picker for data spanning `span` and returns the chosen period; None when the data has no dates."""
    if span is None:
        st.caption(t("period.no_dates"))
        return None
    st.session_state.setdefault(state.PERIOD_GRAIN, "month")
    with st.container(horizontal=True, vertical_alignment="bottom"):
        grain = st.segmented_control(
            t("period.grain"), GRAINS, key=state.PERIOD_GRAIN, required=True, format_func=lambda g: t(f"period.{g}")
        )
        if grain == "all":
            return Period(span[0], span[1], "custom")
        periods = list(reversed(periods_between(span[0], span[1], grain)))
        if not periods:
            return None
        labels = {p.label: p for p in periods}
        default = next((p.label for p in periods if not p.partial), periods[0].label)
        if st.session_state.get(state.PERIOD_PICK) not in labels:
            st.session_state[state.PERIOD_PICK] = default
        chosen = st.selectbox(
            t("period.which"), list(labels), key=state.PERIOD_PICK,
            format_func=lambda label: label + (f" ({t('period.partial')})" if labels[label].partial else ""),
        )
    return labels[chosen]


def period_key(period: Period | None) -> str:
    """A cache-key form of a period."""
    return "all" if period is None else f"{period.start.isoformat()}:{period.end.isoformat()}:{period.grain}"
