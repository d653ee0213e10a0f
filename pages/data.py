"""Data page: upload or load a sample, check how each file was read, fix column meanings, see every issue."""

from __future__ import annotations

import streamlit as st

from metrics.ingest import Source
from metrics.roles import ALL_ROLES, role_label
from sample_data.make_samples import SAMPLES
from ui import actions, state
from ui.data import LoadedSource, load_file, options_from_key, workspace_files
from ui.i18n import pick, t
from ui.tables import grain_text, issues_frame, roles_frame, set_aside_frame, severity_counts
from ui.widgets import plain, table

PREVIEW_ROWS = 50
UPLOAD_TYPES = ["xlsx", "xlsm", "xls", "csv", "tsv", "txt"]

state.init_state()
workspace = state.workspace()
st.title(t("data.title"))
st.caption(t("data.intro"))

st.subheader(t("data.samples"))
with st.container(horizontal=True):
    for sample_id, info in SAMPLES.items():
        name = pick(info.name)
        st.button(
            t("data.load_sample", name=name), key=state.SAMPLE_BUTTON_PREFIX + sample_id, help=pick(info.description),
            on_click=actions.load_sample, args=(workspace, sample_id, name), icon=":material/dataset:",
        )

st.subheader(t("data.upload"))
uploads = st.file_uploader(
    t("data.upload"), type=UPLOAD_TYPES, accept_multiple_files=True, key=state.UPLOADER, label_visibility="collapsed",
    help=t("data.upload_help", limit=50),
)
if uploads:
    actions.add_uploads(workspace, uploads)
with st.form("sheets_link", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
    link = st.text_input(t("data.sheets_link"), key=state.SHEETS_LINK, placeholder="https://docs.google.com/spreadsheets/d/…")
    if st.form_submit_button(t("data.sheets_fetch")) and link.strip():
        actions.add_google_sheet(workspace, link)
state.show_flashes()

st.subheader(t("data.sources"))
loaded = [load_file(workspace, stored) for stored in workspace_files(workspace)]
if not loaded:
    st.info(t("data.no_sources"))


def source_panel(item: LoadedSource, source: Source, index: int) -> None:
    """One table of one file: how it was read, what each column means, a preview and what was set aside."""
    widget_id = f"{item.source_id}_{index}"
    options = options_from_key(item.options_key)
    with st.container(border=True):
        st.markdown(f"#### {plain(item.filename)}" + (f" · {plain(source.sheet)}" if source.sheet else ""))
        with st.container(horizontal=True):
            st.metric(t("data.rows_read"), f"{source.rows_read:,}", border=True)
            st.metric(t("data.rows_used"), f"{source.rows_used:,}", border=True)
            st.metric(t("data.rows_aside"), f"{source.rows_read - source.rows_used:,}", border=True)
            st.metric(t("data.grain"), grain_text(source), border=True)
        st.caption(t("data.sheet_and_header", sheet=plain(source.sheet or "—"), row=source.header_row or "—"))
        with st.container(horizontal=True, vertical_alignment="bottom"):
            if len(source.sheets) > 1:
                st.selectbox(
                    t("data.sheet"), source.sheets, index=source.sheets.index(source.sheet) if source.sheet in source.sheets else 0,
                    key=state.SHEET_PICK_PREFIX + widget_id, on_change=actions.sheet_changed,
                    args=(workspace, item.source_id, item.options_key, state.SHEET_PICK_PREFIX + widget_id),
                )
            st.number_input(
                t("data.header_row"), min_value=0, max_value=1000, step=1, value=options.header_row or 0,
                key=state.HEADER_ROW_PREFIX + widget_id, help=t("data.header_row_help"),
                on_change=actions.header_row_changed,
                args=(workspace, item.source_id, item.options_key, state.HEADER_ROW_PREFIX + widget_id),
            )
        st.markdown(f"**{t('data.roles')}**")
        table(
            roles_frame(source), hide_index=True, width="stretch",
            column_config={t("data.col.confidence"): st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent")},
        )
        override_form(item, source, widget_id)
        with st.container(horizontal=True):
            st.button(t("data.confirm"), key=state.CONFIRM_PREFIX + widget_id, on_click=actions.confirm_mapping,
                      args=(workspace, source), icon=":material/check:", type="primary")
            st.button(t("data.remove"), key=state.REMOVE_PREFIX + widget_id, on_click=actions.remove_file,
                      args=(workspace, item.source_id, item.filename), icon=":material/delete:")
        with st.expander(t("data.preview", n=PREVIEW_ROWS)):
            table(source.table.head(PREVIEW_ROWS), hide_index=True, width="stretch")
        aside = set_aside_frame(source)
        if not aside.empty:
            with st.expander(f"{t('data.set_aside')} ({len(aside):,})"):
                table(aside.head(500), hide_index=True, width="stretch")


def override_form(item: LoadedSource, source: Source, widget_id: str) -> None:
    """Pick a column and the meaning it should have; applying re-reads the file with that choice."""
    columns = [str(c) for c in source.table.columns]
    current = {column: role for role, column in source.roles.items()}
    roles: list[str | None] = [None, *ALL_ROLES]
    with st.form(f"override_{widget_id}", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
        column = st.selectbox(t("data.override_column"), columns, key=state.OVERRIDE_COLUMN_PREFIX + widget_id)
        role = st.selectbox(
            t("data.override_role"), roles, key=state.OVERRIDE_ROLE_PREFIX + widget_id,
            format_func=lambda r: role_label(r, state.language()) if r else t("data.no_role"),
        )
        if st.form_submit_button(t("data.override_apply"), key=state.OVERRIDE_APPLY_PREFIX + widget_id):
            actions.apply_override(workspace, item.source_id, item.options_key, column, role, current.get(column))
            st.rerun()


for item in loaded:
    if not item.result.sources:
        reason = "; ".join(i.text(state.language()) for i in item.result.issues)
        st.error(t("data.refused", file=item.filename, reason=reason))
    for index, source in enumerate(item.result.sources):
        source_panel(item, source, index)

all_issues = [issue for item in loaded for issue in item.result.all_issues()]
st.subheader(t("data.issues"))
if all_issues:
    st.caption(t("data.issues_count", **{f"{k}s": v for k, v in severity_counts(all_issues).items()}))
    table(
        issues_frame(all_issues), hide_index=True, width="stretch",
        column_config={t("data.col.message"): st.column_config.TextColumn(width="large")},
    )
elif loaded:
    st.success(t("data.issues_none"))
