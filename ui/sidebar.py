"""The sidebar every page shares: workspace, language and business goal, each with an explicit session key."""

from __future__ import annotations

import re

import streamlit as st

from metrics.catalog import load_catalog
from store import repo
from ui import state
from ui.data import read_session, unit_of_work, workspace_id
from ui.i18n import LANGUAGES, pick, t

_NEW_NAME = "new_workspace_name"


def render() -> None:
    """Draws the shared controls; their values live in session state under the keys of `ui.state`."""
    with st.sidebar:
        _language()
        _workspace()
        _goal()


def _language() -> None:
    st.segmented_control(
        t("sidebar.language"), options=list(LANGUAGES), format_func=LANGUAGES.__getitem__,
        required=True, **state.bound(state.LANGUAGE),
    )


def _workspace() -> None:
    with read_session() as session:
        slugs = [w.slug for w in repo.list_workspaces(session)]
    if state.DEFAULT_WORKSPACE not in slugs:  # first start: create it (the only write this sidebar makes)
        workspace_id(state.DEFAULT_WORKSPACE)
        slugs.insert(0, state.DEFAULT_WORKSPACE)
    if st.session_state[state.WORKSPACE] not in slugs:
        slugs.append(st.session_state[state.WORKSPACE])
    st.selectbox(t("sidebar.workspace"), slugs, help=t("sidebar.workspace_help"), **state.bound(state.WORKSPACE))
    with st.popover(t("sidebar.new_workspace"), width="stretch"), st.form("new_workspace", border=False):
        st.text_input(t("sidebar.new_workspace"), key=_NEW_NAME, max_chars=60)
        st.form_submit_button(t("sidebar.create"), on_click=_create_workspace)


def _create_workspace() -> None:
    """Runs as a callback, before the widgets of the next run exist, so it may switch the workspace selectbox."""
    name = str(st.session_state.get(_NEW_NAME, "")).strip()
    if not name:
        return
    slug = _slugify(name)
    with unit_of_work() as session:
        repo.get_or_create_workspace(session, slug, name)
    st.session_state[state.WORKSPACE] = slug
    st.session_state[_NEW_NAME] = ""


def _goal() -> None:
    catalog = load_catalog()
    names = {goal.id: pick(goal.name) for goal in catalog.goals}
    st.selectbox(
        t("sidebar.goal"), list(names), help=t("sidebar.goal_help"), **state.bound(state.GOAL),
        format_func=lambda goal_id: names.get(goal_id, goal_id), placeholder=t("sidebar.goal_none"),
    )


def _slugify(name: str) -> str:
    """Keeps Korean and Latin letters and digits so a workspace slug stays readable; never empty."""
    slug = re.sub(r"[^0-9A-Za-z가-힣]+", "-", name.strip()).strip("-").lower()
    return slug[:40] or "workspace"
