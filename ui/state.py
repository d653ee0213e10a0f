"""Every session-state key the app uses, in one place, so pages and tests agree on names.

Widgets that other pages or tests read get one of these as their explicit `key=`. `init_state()` seeds defaults
with `setdefault`, so each page also runs on its own (AppTest runs pages directly).
"""

from __future__ import annotations

from typing import Final

import streamlit as st

# Sidebar widgets shared by every page.
WORKSPACE: Final = "workspace"
LANGUAGE: Final = "language"
GOAL: Final = "goal"

# Data page.
UPLOADER: Final = "data_uploader"
SHEETS_LINK: Final = "data_sheets_link"
SHEETS_FETCH: Final = "data_sheets_fetch"
SAMPLE_BUTTON_PREFIX: Final = "data_sample_"
OVERRIDE_COLUMN_PREFIX: Final = "data_override_column_"
OVERRIDE_ROLE_PREFIX: Final = "data_override_role_"
OVERRIDE_APPLY_PREFIX: Final = "data_override_apply_"
SHEET_PICK_PREFIX: Final = "data_sheet_"
HEADER_ROW_PREFIX: Final = "data_header_row_"
CONFIRM_PREFIX: Final = "data_confirm_"
REMOVE_PREFIX: Final = "data_remove_"
UPLOAD_SEEN: Final = "data_upload_seen"
FLASH: Final = "flash_messages"

# Analysis pages (shared period picker).
PERIOD_GRAIN: Final = "period_grain"
PERIOD_PICK: Final = "period_pick"
SEGMENT_DIMENSION: Final = "segment_dimension"

# --- KPI pool page ---
KPI_VIEW: Final = "kpi_view"
KPI_GOAL_BUTTON_PREFIX: Final = "kpi_goal_"
KPI_PICK_PREFIX: Final = "kpi_pick_"
KPI_TARGETS_EDITOR: Final = "kpi_targets_editor"
KPI_TARGETS_SAVE: Final = "kpi_targets_save"
KPI_TARGET_ROWS: Final = "kpi_target_rows"  # (selection id, version, ...) as the editor was drawn: the stale check
KPI_CUSTOM_NAME: Final = "kpi_custom_name"
KPI_CUSTOM_ID: Final = "kpi_custom_id"
KPI_CUSTOM_FORMULA: Final = "kpi_custom_formula"
KPI_CUSTOM_UNIT: Final = "kpi_custom_unit"
KPI_CUSTOM_DIRECTION: Final = "kpi_custom_direction"
KPI_CUSTOM_SAVE: Final = "kpi_custom_save"
KPI_CUSTOM_ISSUES: Final = "kpi_custom_issues"  # the last rejected formula and its issues, shown under the form

# --- funnel page ---
FUNNEL_STAGES: Final = "funnel_stages"  # multiselect of stage roles, in the order picked
FUNNEL_LABEL_PREFIX: Final = "funnel_label_"  # + role: the user's name for a stage
FUNNEL_CHOICES: Final = "funnel_choices"  # {workspace: {"roles": [...], "labels": {...}}}, survives page changes
FUNNEL_CHOICES_OWNER: Final = "funnel_choices_owner"  # workspace|language the stage widgets were seeded for
FUNNEL_RESET: Final = "funnel_reset"
FUNNEL_VIEW: Final = "funnel_view"  # segmented control: which expensive view is drawn
FUNNEL_DIMENSION: Final = "funnel_dimension"
FUNNEL_LEAK_SCOPE: Final = "funnel_leak_scope"  # whole funnel or the chosen dimension
FUNNEL_WHATIF_RATE_PREFIX: Final = "funnel_whatif_rate_"  # + role, in percent
FUNNEL_WHATIF_TRAFFIC: Final = "funnel_whatif_traffic"
FUNNEL_WHATIF_AOV: Final = "funnel_whatif_aov"
FUNNEL_WHATIF_SCOPE: Final = "funnel_whatif_scope"  # which funnel the inputs were seeded from
FUNNEL_WHATIF_RESET: Final = "funnel_whatif_reset"
FUNNEL_TARGETS_EDITOR: Final = "funnel_targets_editor"  # data editor of step targets (in %)
FUNNEL_TARGETS_SAVE: Final = "funnel_targets_save"
FUNNEL_TARGET_ROWS: Final = "funnel_target_rows"  # the steps and versions the editor was drawn with: the stale check

DEFAULT_WORKSPACE: Final = "default"


def init_state() -> None:
    """Seeds defaults once per session; safe to call at the top of every page."""
    st.session_state.setdefault(WORKSPACE, DEFAULT_WORKSPACE)
    st.session_state.setdefault(LANGUAGE, _browser_language())
    st.session_state.setdefault(GOAL, None)
    st.session_state.setdefault(UPLOAD_SEEN, set())
    st.session_state.setdefault(FLASH, [])


WIDGET_SUFFIX: Final = "__widget"


def bound(key: str) -> dict[str, object]:
    """Widget arguments that keep a value across page switches: the widget gets its own key, seeded from `key`
    before it is drawn, and a callback copies its value back to `key`.

    Why: with st.navigation a widget's own state can come back empty after the user changes page (seen in the
    browser for the language and goal controls); a plain session-state entry never does. Tests and other pages
    read and set `key`, never the widget key.
    """
    widget_key = key + WIDGET_SUFFIX
    st.session_state[widget_key] = st.session_state.get(key)
    return {"key": widget_key, "on_change": _copy_back, "args": (widget_key, key)}


def _copy_back(widget_key: str, key: str) -> None:
    st.session_state[key] = st.session_state[widget_key]


def workspace() -> str:
    """The current workspace slug: every cache key and every store query includes it."""
    init_state()
    return str(st.session_state[WORKSPACE])


def language() -> str:
    init_state()
    return str(st.session_state[LANGUAGE])


def flash(kind: str, text: str) -> None:
    """Queues a message that survives the rerun a button press triggers."""
    init_state()
    st.session_state[FLASH].append((kind, text))


def show_flashes() -> None:
    """Shows and clears queued messages. Text goes through st.success/st.error, which never render HTML."""
    init_state()
    for kind, text in st.session_state[FLASH]:
        {"success": st.success, "error": st.error, "warning": st.warning}.get(kind, st.info)(text)
    st.session_state[FLASH] = []


def _browser_language() -> str:
    """Korean when the browser asks for it, English otherwise."""
    try:
        locale = st.context.locale or ""
    except Exception:  # no browser context (bare script run)
        locale = ""
    return "ko" if str(locale).lower().startswith("ko") else "en"
