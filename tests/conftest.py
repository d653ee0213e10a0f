"""Shared fixtures: where the real public spreadsheets live, and small builders for in-memory workbooks."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REALDATA = REPO_ROOT.parent / "shared" / "realdata"


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The shared real-data folder (beside the repo, as in CI); tests that need it skip cleanly without it."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not present")
    return REALDATA


def xlsx_bytes(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """Builds a real .xlsx in memory with openpyxl: one entry per sheet, rows as lists of cell values."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
