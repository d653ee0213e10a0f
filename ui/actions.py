"""What a button press on the Data page does: each function is one user action and one database transaction.

They run as widget callbacks (before the next run draws widgets), report through `state.flash`, and never let an
exception reach the page: a refused file or a database error becomes one sentence, and nothing stored is lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from metrics.ingest import IngestOptions, IngestResult, Source
from metrics.ingest.fetch import fetch_google_sheet
from metrics.roles import role_label
from sample_data.make_samples import SAMPLES, ensure_samples
from store import repo
from store.errors import StoreError
from ui import state
from ui.data import ingest_cached, options_from_key, options_key, unit_of_work
from ui.i18n import t


def add_file(workspace: str, filename: str, data: bytes) -> bool:
    """Parses, then stores an upload; a refused file is reported and not stored. Returns True when stored."""
    content_hash = hashlib.sha256(data).hexdigest()
    result = ingest_cached(workspace, content_hash, filename, options_key(IngestOptions()), lambda: data)
    if not result.ok:
        language = state.language()
        reason = "; ".join(i.text(language) for i in result.issues if i.severity == "error") or t("data.no_usable_table")
        state.flash("error", t("data.refused", file=filename, reason=reason))
        return False
    try:
        with unit_of_work() as session:
            workspace_id = repo.get_or_create_workspace(session, workspace, workspace).id
            options = _remembered_options(session, workspace_id, result)
            first = result.sources[0]
            _, created = repo.save_source_file(
                session, workspace_id, filename, data, _options_dict(options), signature=first.signature, grain=first.grain
            )
    except (StoreError, SQLAlchemyError) as exc:
        state.flash("error", t("common.store_error", error=_short(exc)))
        return False
    if options.overrides:
        state.flash("info", t("data.mapping_reused"))
    state.flash("success" if created else "info", t("data.saved" if created else "data.duplicate", file=filename))
    return True


def add_uploads(workspace: str, uploads: Sequence[object]) -> None:
    """Stores each newly dropped file once per session (the uploader keeps returning the same files)."""
    seen: set[str] = st.session_state[state.UPLOAD_SEEN]
    for upload in uploads or []:
        # The uploader's file id marks a drop, so a rerun neither re-reads nor re-hashes files already handled;
        # add_file hashes the bytes once, for the store's de-duplication.
        marker = f"{workspace}:{upload.file_id}"
        if marker in seen:
            continue
        seen.add(marker)
        with st.spinner(t("data.reading", file=upload.name)):  # a 50 MB workbook takes a few seconds
            add_file(workspace, upload.name, upload.getvalue())


def add_google_sheet(workspace: str, link: str) -> None:
    """Fetches a Google Sheets share link as CSV (with a timeout) and stores it like an upload."""
    data, filename, issues = fetch_google_sheet(link.strip(), timeout_s=15, max_bytes=IngestOptions().limits.max_bytes)
    if data is None:
        state.flash("error", "; ".join(i.text(state.language()) for i in issues) or t("data.refused", file=link, reason="?"))
        return
    add_file(workspace, filename, data)


def load_sample(workspace: str, sample_id: str, sample_name: str) -> None:
    """Writes the sample workbooks if needed and stores each as if the user had uploaded it.

    When no goal is chosen yet, the sample's own goal is picked, so the analysis pages open on something useful.
    """
    if st.session_state.get(state.GOAL) is None:
        st.session_state[state.GOAL] = SAMPLES[sample_id].goal_id
    paths = ensure_samples()[sample_id]
    stored = [path.name for path in paths if add_file(workspace, path.name, path.read_bytes())]
    if stored:
        state.flash("success", t("data.sample_loaded", name=sample_name, files=", ".join(stored)))


def set_file_options(workspace: str, source_id: int, options: IngestOptions) -> None:
    """Saves a changed sheet, header row or role override; the next run re-parses with it (new cache key)."""
    try:
        with unit_of_work() as session:
            workspace_id = repo.get_or_create_workspace(session, workspace, workspace).id
            repo.update_source_options(session, workspace_id, source_id, _options_dict(options))
    except (StoreError, SQLAlchemyError) as exc:
        state.flash("error", t("common.store_error", error=_short(exc)))


def apply_override(workspace: str, source_id: int, current_key: str, column: str, role: str | None, previous_role: str | None) -> None:
    """Gives `column` the meaning `role` (None = no role). The override evicts any other column from that role."""
    options = options_from_key(current_key)
    pairs = [(r, c) for r, c in options.overrides if c != column and r not in {role, previous_role}]
    if role:
        pairs.append((role, column))
    if previous_role and previous_role != role:
        pairs.append((previous_role, ""))
    changed = IngestOptions(sheet=options.sheet, header_row=options.header_row, overrides=tuple(pairs))
    set_file_options(workspace, source_id, changed)
    label = role_label(role, state.language()) if role else t("data.no_role")
    state.flash("success", t("data.override_done", column=column, role=label))


def confirm_mapping(workspace: str, source: Source) -> None:
    """Remembers this file's roles under its column signature, for next week's upload of the same report."""
    try:
        with unit_of_work() as session:
            workspace_id = repo.get_or_create_workspace(session, workspace, workspace).id
            repo.save_mapping(session, workspace_id, source.signature, dict(source.roles))
    except (StoreError, SQLAlchemyError) as exc:
        state.flash("error", t("common.store_error", error=_short(exc)))
        return
    state.flash("success", t("data.confirmed"))


def remove_file(workspace: str, source_id: int, filename: str) -> None:
    try:
        with unit_of_work() as session:
            workspace_id = repo.get_or_create_workspace(session, workspace, workspace).id
            repo.delete_source_file(session, workspace_id, source_id)
    except (StoreError, SQLAlchemyError) as exc:
        state.flash("error", t("common.store_error", error=_short(exc)))
        return
    state.flash("success", t("data.removed", file=filename))


def sheet_changed(workspace: str, source_id: int, current_key: str, widget_key: str) -> None:
    """Re-reads a workbook from another sheet; header row and overrides belonged to the old sheet, so they reset."""
    sheet = st.session_state[widget_key]
    set_file_options(workspace, source_id, IngestOptions(sheet=sheet))


def header_row_changed(workspace: str, source_id: int, current_key: str, widget_key: str) -> None:
    """Re-reads a file with the header on the row the user named (0 = detect again)."""
    options = options_from_key(current_key)
    row = int(st.session_state[widget_key]) or None
    set_file_options(workspace, source_id, IngestOptions(sheet=options.sheet, header_row=row, overrides=options.overrides))


def _remembered_options(session: object, workspace_id: int, result: IngestResult) -> IngestOptions:
    """Overrides that re-create a confirmed mapping for a source with the same column signature."""
    for source in result.sources:
        saved = repo.find_mapping(session, workspace_id, source.signature)
        if saved is None:
            continue
        roles = dict(saved.roles)
        pairs = [(role, column) for role, column in roles.items() if column in source.table.columns]
        pairs += [(role, "") for role in source.roles if role not in roles]
        return IngestOptions(overrides=tuple(sorted(pairs)))
    return IngestOptions()


def _options_dict(options: IngestOptions) -> dict[str, object]:
    return {"sheet": options.sheet, "header_row": options.header_row, "overrides": [list(p) for p in options.overrides]}


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
