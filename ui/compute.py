"""Cached results for the analysis pages, keyed by workspace, data content and the page's choices.

Pattern: a page builds `DataRef` (workspace + content key from the stored files, cheap: no bytes, no parsing),
then calls a function here. On a cache hit nothing is parsed or computed, so a rerun (a click elsewhere on the
page) stays fast; on a miss `_dataset` ingests (itself cached) and the pure core computes. Results are plain
frames and dataclasses: they are pickled by `st.cache_data`, so callers get their own copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from metrics.dataset import Dataset
from metrics.roles import SEGMENT_DIMENSIONS
from ui.data import StoredFile, dataset_key, load_dataset, workspace_files

MAX_ENTRIES = 32


@dataclass(frozen=True, slots=True)
class DataRef:
    """Which data a page looks at: the workspace and a key naming the content and options of its files."""

    workspace: str
    key: str
    files: tuple[StoredFile, ...]

    @property
    def empty(self) -> bool:
        return not self.files


def data_ref(workspace: str) -> DataRef:
    """Reads the workspace's file list fresh (a write elsewhere changes it) and names its content."""
    files = tuple(workspace_files(workspace))
    return DataRef(workspace, dataset_key(list(files)), files)


def dataset(ref: DataRef) -> Dataset | None:
    """The Dataset itself, for a cache miss; parsing is cached per file."""
    return _dataset(ref.workspace, ref.key, ref.files)


def shape(ref: DataRef) -> DataShape | None:
    return data_shape(ref.workspace, ref.key, ref.files)


@st.cache_data(max_entries=8, show_spinner=False)
def _dataset(workspace: str, key: str, _files: tuple[StoredFile, ...]) -> Dataset | None:
    return load_dataset(workspace, list(_files))


@dataclass(frozen=True, slots=True)
class DataShape:
    """What widgets need to know about the data, without holding the data: its dates and segment dimensions."""

    date_range: tuple[date, date] | None
    roles: frozenset[str]
    dimensions: tuple[str, ...]


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)
def data_shape(workspace: str, key: str, _files: tuple[StoredFile, ...]) -> DataShape | None:
    """Cached per content: a rerun reads this small object instead of the whole dataset."""
    data = _dataset(workspace, key, _files)
    if data is None:
        return None
    roles = frozenset(data.roles())
    dimensions = tuple(d for d in SEGMENT_DIMENSIONS if d in roles)
    return DataShape(data.date_range(), roles, dimensions)


# --- KPI pool results ---

# --- funnel results ---
