"""Ingest: bytes of an uploaded file → clean, typed, role-mapped sources plus one list of every issue found.

The pipeline is: `safety` (refuse hostile or oversized input before parsing) → `readers` (cells as written, per
sheet) → `layout` (header row, titles, totals, wide → long) → `values` (numbers, dates, flags in Korean and English
formats) → `roles` (which column is revenue, date, channel…) → `shape` (grain, lookups across sheets).
Pure: no streamlit, sqlalchemy or altair here. May import `metrics.roles` and the standard library, pandas, numpy,
python-calamine, openpyxl, xlrd and defusedxml.
"""

from __future__ import annotations

from metrics.ingest.model import (
    Grain,
    IngestOptions,
    IngestResult,
    Issue,
    Limits,
    RawSheet,
    RoleMatch,
    Source,
)
from metrics.ingest.pipeline import ingest, ingest_path

__all__ = [
    "Grain",
    "IngestOptions",
    "IngestResult",
    "Issue",
    "Limits",
    "RawSheet",
    "RoleMatch",
    "Source",
    "ingest",
    "ingest_path",
]
