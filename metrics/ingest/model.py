"""The data types ingest hands to the rest of the app: issues, options, role matches and clean sources.

They are plain dataclasses so that pages, the store and the command line can all read them without knowing how
a file was parsed. `Source.canonical()` is the only door from a team's own column names to role names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

Severity = Literal["error", "warning", "info"]
Grain = Literal["line", "aggregate", "entity"]
Layout = Literal["long", "wide"]

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in an upload, located as precisely as we can so the user can fix it in one pass.

    `row` is the row number the user sees in their spreadsheet program (1-based, header rows included);
    `column` is the header as written in the file.
    """

    severity: Severity
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    rows_affected: int = 1
    code: str = ""
    params: tuple[tuple[str, str], ...] = ()  # stringified values for the message template (see ingest/messages.py)
    template: str = ""  # the MESSAGES key when it is a variant of `code` ("corrupt.checksum"); "" means `code`

    def text(self, language: str) -> str:
        """The message in the UI language: Korean from the template table when one applies, else `message`.

        `message` stays the English text (the command line prints it), rendered from the same template."""
        if language != "ko":
            return self.message
        from metrics.ingest.messages import MESSAGES, render

        key = self.template or self.code
        if key not in MESSAGES:
            return self.message
        try:
            return render(key, "ko", self.params)
        except (KeyError, IndexError, ValueError):  # params that do not fit the template: show the English text
            return self.message

    def to_json(self) -> dict[str, Any]:
        """The shape DESIGN.md's command line prints (`severity`, `row`, `column`, `message`)."""
        return {"severity": self.severity, "row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds checked before and while parsing, so no upload can exhaust the server."""

    max_bytes: int = 50 * MB
    max_zip_entries: int = 2_000
    max_uncompressed_bytes: int = 600 * MB
    max_compression_ratio: float = 200.0
    max_cells: int = 12_000_000  # calamine allocates the bounding box densely: ~100 B per cell end to end
    max_rows: int = 2_000_000
    max_columns: int = 2_000
    fetch_timeout_s: float = 15.0


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """What the user (or the command line) told us about a file. Frozen and hashable so caches can key on it.

    `overrides` holds `(role, column)` pairs: the column plays that role (column "" clears the role); and
    `(column, "")` is never used. A column named in an override loses any other role it was guessed to have.
    """

    sheet: str | None = None
    header_row: int | None = None
    overrides: tuple[tuple[str, str], ...] = ()
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True, slots=True)
class RoleMatch:
    """Why a column got (or did not get) a role: shown to the user next to the override control."""

    column: str
    role: str | None
    confidence: float
    reason: str


@dataclass(slots=True)
class RawSheet:
    """A sheet as read, before any interpretation: every cell as the reader gave it, no header chosen yet.

    `cells` has a RangeIndex where index i is spreadsheet row i + 1 + `first_row_offset` and integer column labels.
    Values are str, float, int, bool, datetime/date, or None / "" for empty.
    """

    name: str | None
    cells: pd.DataFrame
    first_row_offset: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row0, col0, row1, col1), 0-based
    decimal: str = "."  # decimal separator detected in a text file ("," for 1.234,5); always "." for workbooks


@dataclass(slots=True)
class Source:
    """One usable table from one upload: clean, typed, mapped, with everything set aside accounted for.

    Invariant: `rows_read == rows_used + len(set_aside)`.
    """

    file: str
    sheet: str | None
    grain: Grain
    table: pd.DataFrame
    roles: dict[str, str]
    matches: list[RoleMatch]
    rows_read: int
    rows_used: int
    set_aside: pd.DataFrame
    issues: list[Issue]
    header_row: int | None = None
    layout: Layout = "long"
    sheets: list[str] = field(default_factory=list)
    entity: str | None = None

    @property
    def signature(self) -> str:
        """A fingerprint of the header, so a confirmed mapping is re-applied to next week's upload of the same report."""
        normalised = "\x1f".join(str(c).strip().casefold() for c in self.table.columns)
        return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]

    def canonical(self) -> pd.DataFrame:
        """The table with mapped columns renamed to their roles; unmapped columns kept as extra dimensions."""
        rename = {column: role for role, column in self.roles.items()}
        keep_extra = [c for c in self.table.columns if c not in rename and c not in ALL_ROLE_NAMES]
        frame = self.table[list(rename) + keep_extra]
        return frame.rename(columns=rename)


@dataclass(slots=True)
class IngestResult:
    """Everything one file produced: zero or more sources, and the file-level issues (refusals, unreadable parts)."""

    file: str
    sources: list[Source]
    issues: list[Issue]

    @property
    def ok(self) -> bool:
        return bool(self.sources)

    def all_issues(self) -> list[Issue]:
        """File-level issues first, then each source's, for the single issue table the Data page shows."""
        return [*self.issues, *(i for s in self.sources for i in s.issues)]


def _all_role_names() -> frozenset[str]:
    from metrics.roles import ALL_ROLES, ENTITY_MEASURES

    return frozenset(ALL_ROLES) | frozenset(ENTITY_MEASURES)


ALL_ROLE_NAMES = _all_role_names()
