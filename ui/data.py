"""The bridge from the store to the pure core: stored uploads → cached ingest → one Dataset per workspace.

Caching rules (DESIGN.md "Caches"): every cached function takes the workspace and a content key as its first
arguments, so two workspaces never share an entry; caches are bounded by `max_entries`; the original bytes are
passed behind an underscore (not hashed) and only read from the database on a cache miss. Nothing here caches a
read of a table the app writes: the list of a workspace's files is queried fresh on every run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from metrics.dataset import Dataset
from metrics.ingest import IngestOptions, IngestResult, ingest
from store import engine as store_engine
from store import repo


@dataclass(frozen=True, slots=True)
class LoadedSource:
    """A stored upload with its ingest result, as the Data page lists it."""

    source_id: int
    filename: str
    content_hash: str
    options_key: str
    result: IngestResult


@st.cache_resource(show_spinner=False)
def _session_factory(url: str) -> sessionmaker[Session]:
    """One engine per database URL and server process, migrated to head before first use (never mutated)."""
    engine = store_engine.make_engine(url)
    store_engine.upgrade(engine)
    return store_engine.session_factory(engine)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction per user action: commit once at the end, roll back everything on error."""
    with store_engine.unit_of_work(_session_factory(store_engine.database_url())) as session:
        yield session


@contextmanager
def read_session() -> Iterator[Session]:
    """For drawing a page: never commits and, on SQLite, never takes the write lock."""
    with store_engine.read_session(_session_factory(store_engine.database_url())) as session:
        yield session


def workspace_id(workspace: str) -> int:
    """The id of a workspace slug, creating the workspace on first use (a write, so its own transaction)."""
    with read_session() as session:
        found = next((w.id for w in repo.list_workspaces(session) if w.slug == workspace), None)
    if found is not None:
        return found
    with unit_of_work() as session:
        return repo.get_or_create_workspace(session, workspace, workspace).id


def options_key(options: IngestOptions) -> str:
    """A stable text form of the user's choices for a file, used in cache keys and stored with the file."""
    return json.dumps(
        {"sheet": options.sheet, "header_row": options.header_row, "overrides": [list(p) for p in options.overrides]},
        ensure_ascii=False,
        sort_keys=True,
    )


def options_from_key(key: str | None) -> IngestOptions:
    if not key:
        return IngestOptions()
    raw = json.loads(key)
    return IngestOptions(
        sheet=raw.get("sheet"),
        header_row=raw.get("header_row"),
        overrides=tuple((str(r), str(c)) for r, c in raw.get("overrides", [])),
    )


@st.cache_data(max_entries=64, show_spinner=False)
def ingest_cached(
    workspace: str, content_hash: str, filename: str, options_json: str, _load: Callable[[], bytes]
) -> IngestResult:
    """Parses a stored upload once per (workspace, content, options); `_load` runs only on a miss."""
    return ingest(_load(), filename, options_from_key(options_json))


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A workspace file as the store lists it: enough to build cache keys without touching the bytes."""

    source_id: int
    filename: str
    content_hash: str
    options_key: str


def workspace_files(workspace: str) -> list[StoredFile]:
    """The workspace's files, read fresh from the store on every run (the app writes this table)."""
    ws_id = workspace_id(workspace)
    with read_session() as session:
        rows = repo.list_source_files(session, ws_id)
        return [
            StoredFile(f.id, f.filename, f.content_hash, options_key(options_from_key(_json_or_none(f.options))))
            for f in rows
        ]


def load_file(workspace: str, stored: StoredFile) -> LoadedSource:
    """One stored file, ingested (from cache when its content and options are unchanged)."""
    loader = _loader(workspace, stored.source_id)
    result = ingest_cached(workspace, stored.content_hash, stored.filename, stored.options_key, loader)
    return LoadedSource(stored.source_id, stored.filename, stored.content_hash, stored.options_key, result)


def dataset_key(files: list[StoredFile]) -> str:
    """Identifies the combined data by content and options, so results computed from it can be cached."""
    return "|".join(sorted(f"{f.content_hash}:{f.options_key}" for f in files))


def load_dataset(workspace: str, files: list[StoredFile]) -> Dataset | None:
    """The workspace's files as one Dataset; None when nothing usable was uploaded yet."""
    usable = [src for stored in files for src in load_file(workspace, stored).result.sources]
    return Dataset.from_sources(usable) if usable else None


def _json_or_none(value: object) -> str | None:
    if not value:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _loader(workspace: str, source_id: int) -> Callable[[], bytes]:
    def load() -> bytes:
        ws_id = workspace_id(workspace)
        with read_session() as session:
            return repo.get_source_bytes(session, ws_id, source_id)

    return load
