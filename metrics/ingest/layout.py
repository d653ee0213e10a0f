"""Sheets as read → tables: header row, title and note rows, totals set aside, wide → long, sheets stacked or joined.

This is ingest's entry point after the readers (`build_sources`). Every row below a header is accounted for: it is
either used or set aside with a reason (`rows_read == rows_used + len(set_aside)`), so nothing disappears silently.
Value cleaning (metrics/ingest/values.py), role mapping (roles.py) and grain (shape.py) run per table from here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from metrics.ingest import roles as role_mapping
from metrics.ingest import shape, values
from metrics.ingest.messages import Phrase, make_issue, note_fields, phrase
from metrics.ingest.model import IngestOptions, Issue, Layout, RawSheet, RoleMatch, Severity, Source
from metrics.ingest.synonyms import TOTAL_LABELS, normalise
from metrics.ingest.values import ValueKind
from metrics.roles import MEASURES

SCAN_ROWS = 30
SHEET_COLUMN = "Sheet"
PERIOD_COLUMN = "period"
_NOTE_START = re.compile(r"^\s*(?:※|\*|주\)|주:|자료|출처|source|note|notes|비고|단위|unit)", re.IGNORECASE)


@dataclass(slots=True)
class SheetTable:
    """One table after layout and before typing: object cells with unique names and every row accounted for."""

    sheet: str | None
    frame: pd.DataFrame
    rows: np.ndarray  # spreadsheet row number of each frame row
    row_sheets: np.ndarray  # sheet of each frame row (differs once sheets are stacked)
    set_aside: pd.DataFrame
    rows_read: int
    header_row: int | None
    layout: Layout = "long"
    issues: list[Issue] = field(default_factory=list)
    sheets: tuple[str, ...] = ()
    rows_used: int | None = None  # wide tables: used sheet rows (the long table has one row per period)
    scans: dict[str, values.ColumnScan] = field(default_factory=dict)  # per column of `frame`, when still valid


_AnyNote = values.Note | role_mapping.RoleNote | shape.ShapeNote


@dataclass(frozen=True, slots=True)
class _Context:
    file: str
    sheet: str | None

    def issue(self, severity: Severity, key: str, /, *, row: int | None = None, column: str | None = None,
              rows_affected: int = 1, sheet: str | None = None, **params: object) -> Issue:
        """An issue located in this file and sheet, its sentence taken from MESSAGES[key]."""
        return make_issue(severity, key, file=self.file, sheet=sheet or self.sheet, row=row, column=column,
                          rows_affected=rows_affected, **params)

    def relay(self, note: _AnyNote, *, row: int | None = None, column: str | None = None, rows_affected: int = 1,
              sheet: str | None = None) -> Issue:
        """A stage's note (values, roles, shape) as a located issue, keeping its message key and parameters."""
        return Issue(note.severity, note.message, self.file, sheet or self.sheet, row, column, rows_affected,
                     getattr(note, "code", "") or note.template.split(".", 1)[0], note.params, note.template)


def build_sources(
    sheets: list[RawSheet], filename: str, options: IngestOptions
) -> tuple[list[Source], list[Issue]]:
    """All sheets of one file → the usable sources, plus file-level issues (sheets skipped, sheet not found)."""
    issues: list[Issue] = []
    names = [s.name or "" for s in sheets]
    tables: list[SheetTable] = []
    for raw in sheets:
        try:
            table = parse_sheet(raw, filename, options.header_row)
        except Exception as exc:  # one odd sheet must not lose the others
            issues.append(make_issue("error", "layout_failed", file=filename, sheet=raw.name, error=exc))
            continue
        if table is None:
            if len(sheets) > 1:
                issues.append(make_issue("info", "empty_sheet", file=filename, sheet=raw.name))
            else:
                issues.append(make_issue("error", "no_data.sheet", file=filename, sheet=raw.name, name=filename))
            continue
        tables.append(table)
    if options.sheet is not None:
        forced = [t for t in tables if t.sheet == options.sheet]
        if not forced:
            shown = ", ".join(repr(n) for n in names)
            issues.append(make_issue("error", "sheet_not_found", file=filename, wanted=options.sheet, sheets=shown))
            return [], issues
        main, others = forced[0], [t for t in tables if t is not forced[0]]
    else:
        if not tables:
            return [], issues
        tables = _stack_same_columns(tables, filename)
        main = max(tables, key=lambda t: (len(t.frame), t.frame.shape[1]))
        others = [t for t in tables if t is not main]
    try:
        source, used = _to_source(main, others, filename, names, options)
    except Exception as exc:  # a bug here must reach the user as an issue, not a traceback
        issues.append(make_issue("error", "interpret_failed", file=filename, sheet=main.sheet, error=exc))
        return [], issues
    skipped = [t.sheet for t in others if t.sheet not in used]
    if skipped and options.sheet is None:
        issues.append(make_issue("info", "sheets_skipped", file=filename, sheet=main.sheet, main=main.sheet,
                                 skipped=", ".join(repr(s) for s in skipped)))
    return [source], issues


# ---------------------------------------------------------------- one sheet


def parse_sheet(raw: RawSheet, filename: str, header_row: int | None = None) -> SheetTable | None:
    """Finds the header (or takes the user's), names columns, and sets aside blank, total and note rows."""
    ctx = _Context(filename, raw.name)
    cells = raw.cells.reset_index(drop=True)
    cells.columns = range(cells.shape[1])
    scans = [values.scan_column(cells.iloc[:, j]) for j in range(cells.shape[1])]
    filled = np.column_stack([s.filled for s in scans]) if scans else np.zeros((len(cells), 0), dtype=bool)
    if not filled.any():
        return None
    keep_cols = np.flatnonzero(filled.any(axis=0))
    cells, filled = cells.iloc[:, : keep_cols[-1] + 1], filled[:, : keep_cols[-1] + 1]
    offset = 1 + raw.first_row_offset
    issues: list[Issue] = []
    if header_row is not None:
        h, two_rows = max(0, header_row - offset), False
    else:
        h, two_rows = _find_header(cells, filled, raw.merged)
    top = [_label(v) for v in cells.iloc[h].tolist()] if h < len(cells) else []
    sub = [_label(v) for v in cells.iloc[h + 1].tolist()] if two_rows else None
    names = _join_headers(top, sub, raw.merged, h)
    first_data = h + (2 if two_rows else 1)
    above = int(filled[:h].any(axis=1).sum())
    if above:
        issues.append(ctx.issue("info", "title_rows", row=offset, rows_affected=above, count=above,
                                header=h + offset))
    if two_rows:
        issues.append(ctx.issue("info", "two_row_header", row=h + offset, first=h + offset, second=h + offset + 1))
    body = cells.iloc[first_data:]
    body_filled = filled[first_data:]
    any_filled = body_filled.any(axis=1)
    if not any_filled.any():
        return None
    last = int(np.flatnonzero(any_filled)[-1])
    body, body_filled = body.iloc[: last + 1], body_filled[: last + 1]
    filled_down = _fill_merged_down(body, raw.merged, first_data)
    merged_changed, body = filled_down is not body, filled_down
    names, empty_named = _name_columns(names, body_filled, ctx, issues)
    kept_columns = [i for i in range(len(names)) if i not in empty_named]
    body = body.iloc[:, kept_columns] if empty_named else body.iloc[:, : len(kept_columns)]
    names = [n for i, n in enumerate(names) if i not in empty_named]
    body_filled = body_filled[:, [i for i in range(body_filled.shape[1]) if i not in empty_named]]
    body.columns = names
    if merged_changed:  # labels filled down into merged cells: their columns hold other values now
        body_scans = [values.scan_column(body.iloc[:, k]) for k in range(body.shape[1])]
    else:
        body_rows = np.arange(first_data, first_data + len(body))
        body_scans = [scans[i].take(body_rows) for i in kept_columns]
    rows = np.arange(first_data, first_data + len(body)) + offset
    reasons = _row_reasons(body, body_filled, body_scans)
    set_aside = pd.DataFrame({"row": rows[reasons != ""], "reason": reasons[reasons != ""],
                              "sheet": raw.name}).astype({"row": "int64", "reason": "str"})
    _report_set_aside(set_aside, ctx, issues)
    keep = reasons == ""
    if not keep.all():
        kept_rows = np.flatnonzero(keep)
        body_scans = [s.take(kept_rows) for s in body_scans]
    table = SheetTable(
        sheet=raw.name,
        frame=(body if keep.all() else body[keep]).reset_index(drop=True),
        rows=rows[keep],
        row_sheets=np.full(int(keep.sum()), raw.name, dtype=object),
        set_aside=set_aside,
        rows_read=len(body),
        header_row=h + offset,
        issues=issues,
        sheets=(raw.name or "",),
        scans=dict(zip(names, body_scans, strict=True)),
    )
    return _unpivot(table, ctx, filename)


def _label(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s+", " ", str(value)).strip()


def _cell_type(value: object) -> str:
    if value is None or value == "" or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, str):
        return "s" if value.strip() else ""
    if isinstance(value, (dt.date, dt.datetime)):
        return "d"
    return "n"


def _find_header(
    cells: pd.DataFrame, filled: np.ndarray, merged: list[tuple[int, int, int, int]]
) -> tuple[int, bool]:
    """The first row that spans the table and is mostly text; title/note rows above it have one or two cells."""
    scan = cells.iloc[:SCAN_ROWS]
    types = [[_cell_type(v) for v in row] for row in scan.itertuples(index=False)]
    counts = filled[:200].sum(axis=1)
    width = int(counts.max())
    need = max(2, int(np.ceil(0.5 * width))) if width > 1 else 1
    header = 0
    for r, row in enumerate(types):
        n = sum(1 for t in row if t)
        texts = sum(1 for t in row if t in ("s", "d"))
        if n >= need and texts >= 0.8 * n and texts > sum(1 for t in row if t == "n"):
            header = r
            break
    else:
        header = int(np.argmax(counts[:SCAN_ROWS] >= need)) if (counts[:SCAN_ROWS] >= need).any() else 0
    return header, _is_two_row_header(types, header, need, merged)


def _is_two_row_header(types: list[list[str]], h: int, need: int, merged: list[tuple[int, int, int, int]]) -> bool:
    """Row h+1 is a sub-header when it is all text under a top row with gaps (merged cells), above typed data."""
    if h + 2 >= len(types):
        return False
    top, sub, data = types[h], types[h + 1], types[h + 2]
    if sum(1 for t in sub if t) < need or any(t == "n" for t in sub):
        return False
    under_gap = any(not top[j] and sub[j] for j in range(len(top)))
    merged_top = any(r0 == h and c1 > c0 for r0, c0, _, c1 in merged)
    data_differs = any(sub[j] == "s" and data[j] in ("n", "d") for j in range(len(sub)))
    return (under_gap or merged_top) and data_differs


def _join_headers(top: list[str], sub: list[str] | None, merged: list[tuple[int, int, int, int]], h: int) -> list[str]:
    """Single row: as written. Two rows: the top label carried across its merged (or blank) span, "Top - Sub"."""
    if sub is None:
        return top
    spread = list(top)
    for r0, c0, _r1, c1 in merged:
        if r0 == h:
            for j in range(c0 + 1, min(c1 + 1, len(spread))):
                spread[j] = spread[c0]
    carry = ""
    for j, label in enumerate(spread):
        if label:
            carry = label
        elif sub[j] and carry and not top[j]:
            spread[j] = carry
    return [f"{t} - {s}" if t and s and t != s else (t or s) for t, s in zip(spread, sub, strict=False)]


def _name_columns(
    names: list[str], body_filled: np.ndarray, ctx: _Context, issues: list[Issue]
) -> tuple[list[str], set[int]]:
    """Blank headers of empty columns are dropped; other blank or repeated headers get unique names, reported."""
    width = body_filled.shape[1]
    names = (names + [""] * width)[:width]
    empty_named = {j for j, n in enumerate(names) if not n and not body_filled[:, j].any()}
    seen: dict[str, int] = {}
    out: list[str] = []
    for j, name in enumerate(names):
        if j in empty_named:
            out.append("")
            continue
        base = name or f"Column {_column_letter(j)}"
        if not name:
            issues.append(ctx.issue("warning", "blank_header", column=base, letter=_column_letter(j), base=base))
        key = base.casefold()
        if key in seen:
            seen[key] += 1
            unique = f"{base} ({seen[key]})"
            issues.append(ctx.issue("warning", "duplicate_header", column=unique, base=base,
                                    letter=_column_letter(j), unique=unique))
            base = unique
        else:
            seen[key] = 1
        out.append(base)
    return out, empty_named


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _fill_merged_down(body: pd.DataFrame, merged: list[tuple[int, int, int, int]], first: int) -> pd.DataFrame:
    """A label merged over several data rows belongs to each of them."""
    spans = [(r0, c0, r1, c1) for r0, c0, r1, c1 in merged if r0 >= first and r1 > r0]
    if not spans:
        return body
    body = body.copy()
    for r0, c0, r1, c1 in spans:
        value = body.iat[r0 - first, c0] if r0 - first < len(body) and c0 < body.shape[1] else None
        for c in range(c0, min(c1 + 1, body.shape[1])):
            body.iloc[r0 - first : min(r1 - first + 1, len(body)), c] = value
    return body


def _row_reasons(body: pd.DataFrame, body_filled: np.ndarray, scans: list[values.ColumnScan]) -> np.ndarray:
    """Why each body row is set aside ("" = used): blank separator, total/subtotal, or a note under the table."""
    counts = body_filled.sum(axis=1)
    reasons = np.full(len(body), "", dtype=object)
    reasons[counts == 0] = "blank row"
    totals = np.zeros(len(body), dtype=bool)
    for scan in scans:  # only a text cell can say Total; each distinct text is looked at once
        hits = [i for i, u in enumerate(scan.texts) if isinstance(u, str) and _is_total_label(u)]
        if hits:
            totals |= np.isin(scan.text_codes, hits)
    reasons[(reasons == "") & totals] = "total row"
    if body.shape[1] >= 3:
        wide_rows = np.flatnonzero(counts >= 2)
        after = wide_rows[-1] + 1 if len(wide_rows) else 0
        single = counts == 1
        candidates = np.flatnonzero(single)  # only a row with one cell can be a note
        first = body.iloc[candidates, 0].to_numpy(dtype=object)
        first_cells = np.zeros(len(body), dtype=bool)
        first_cells[candidates] = [isinstance(v, str) and bool(_NOTE_START.match(v)) for v in first]
        notes = single & ((np.arange(len(body)) >= after) | first_cells)
        reasons[(reasons == "") & notes] = "note row"
    return reasons.astype(str)


_ASCII_DIGIT = re.compile(r"[0-9]")
_TOTALS_HAVE_DIGITS = any(_ASCII_DIGIT.search(label) for label in TOTAL_LABELS)


def _is_total_label(text: str) -> bool:
    """normalise(text) in TOTAL_LABELS. An ASCII text keeps its digits through normalise (NFKC leaves ASCII alone,
    digits survive case folding and the word filter) and no total label has one, so ids like 536365 or 85123A
    skip the Unicode normalisation."""
    if not _TOTALS_HAVE_DIGITS and text.isascii() and _ASCII_DIGIT.search(text):
        return False
    return normalise(text) in TOTAL_LABELS


def _report_set_aside(set_aside: pd.DataFrame, ctx: _Context, issues: list[Issue]) -> None:
    for reason, group in set_aside.groupby("reason", sort=False):
        rows = group["row"].tolist()
        shown = ", ".join(str(r) for r in rows[:5]) + ("…" if len(rows) > 5 else "")
        issues.append(ctx.issue("info", str(reason).replace(" ", "_"), row=int(rows[0]), rows_affected=len(rows),
                                count=len(rows), rows=shown))


# ---------------------------------------------------------------- wide → long


def _unpivot(table: SheetTable, ctx: _Context, filename: str) -> SheetTable:
    """Periods as columns (KOSIS quarters) or 'Group - Item' measure columns become rows: one value per row."""
    columns = list(table.frame.columns)
    periods = {c: values.parse_period_label(c) for c in columns}
    period_cols = [c for c in columns if periods[c] is not None]
    id_cols = [c for c in columns if periods[c] is None]
    if len(period_cols) >= 3 and id_cols and len(period_cols) >= len(id_cols):
        return _melt_periods(table, ctx, filename, id_cols, period_cols, periods)
    pairs = [c for c in columns if re.fullmatch(r".+ - .+", c)]
    if len(pairs) >= 4 and len(pairs) >= len(columns) - 2:
        groups = {c.split(" - ", 1)[0] for c in pairs}
        items = {c.split(" - ", 1)[1] for c in pairs}
        if len(groups) >= 2 and len(items) >= 2:
            return _melt_pairs(table, ctx, [c for c in columns if c not in pairs], pairs)
    return table


def _value_name(filename: str) -> str:
    """Names the unpivoted value after the measure the file name states (…해외직접판매액… → revenue), else 'value'."""
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", filename)
    for token in re.split(r"[_\s\-]+", stem):
        candidates = role_mapping.header_candidates(token) if token else []
        if candidates and candidates[0].role in MEASURES:
            return token
    return "value"


def _melt_periods(
    table: SheetTable, ctx: _Context, filename: str, id_cols: list[str], period_cols: list[str],
    periods: dict[str, pd.Timestamp | None],
) -> SheetTable:
    value_name = _value_name(filename)
    frame = table.frame
    n = len(frame)
    long = pd.DataFrame({c: np.tile(frame[c].to_numpy(dtype=object), len(period_cols)) for c in id_cols})
    long[PERIOD_COLUMN] = np.repeat(np.array([periods[c] for c in period_cols], dtype=object), n)
    long[value_name] = np.concatenate([frame[c].to_numpy(dtype=object) for c in period_cols]) if n else []
    preliminary = [c for c in period_cols if values.is_preliminary(c)]
    unpivot = ctx.issue("info", "unpivot", rows_affected=n, count=len(period_cols), first=period_cols[0],
                        last=period_cols[-1], ids=", ".join(id_cols), n=n, long=len(long), value_name=value_name)
    issues = [*table.issues, unpivot]
    if preliminary:
        issues.append(ctx.issue("info", "preliminary", column=preliminary[0], periods=", ".join(preliminary)))
    return SheetTable(table.sheet, long, np.tile(table.rows, len(period_cols)),
                      np.tile(table.row_sheets, len(period_cols)), table.set_aside, table.rows_read,
                      table.header_row, "wide", issues, table.sheets, rows_used=n)


def _melt_pairs(table: SheetTable, ctx: _Context, id_cols: list[str], pairs: list[str]) -> SheetTable:
    frame = table.frame
    n = len(frame)
    long = pd.DataFrame({c: np.tile(frame[c].to_numpy(dtype=object), len(pairs)) for c in id_cols})
    long["Group"] = np.repeat(np.array([c.split(" - ", 1)[0] for c in pairs], dtype=object), n)
    long["Item"] = np.repeat(np.array([c.split(" - ", 1)[1] for c in pairs], dtype=object), n)
    long["Value"] = np.concatenate([frame[c].to_numpy(dtype=object) for c in pairs]) if n else []
    unpivot = ctx.issue("info", "unpivot_pairs", column=pairs[0], rows_affected=n, first=pairs[0], count=len(pairs),
                        n=n, long=len(long))
    issues = [*table.issues, unpivot]
    return SheetTable(table.sheet, long, np.tile(table.rows, len(pairs)), np.tile(table.row_sheets, len(pairs)),
                      table.set_aside, table.rows_read, table.header_row, "wide", issues, table.sheets, rows_used=n)


# ---------------------------------------------------------------- several sheets


def _stack_same_columns(tables: list[SheetTable], filename: str) -> list[SheetTable]:
    """Sheets with the same columns (one per store, month…) are one table; the sheet name becomes a column."""
    groups: dict[tuple[str, ...], list[SheetTable]] = {}
    for t in tables:
        groups.setdefault(tuple(normalise(c) for c in t.frame.columns), []).append(t)
    out: list[SheetTable] = []
    for group in groups.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        first = group[0]
        frames = [t.frame.set_axis(list(first.frame.columns), axis=1) for t in group]
        frame = pd.concat(frames, ignore_index=True)
        row_sheets = np.concatenate([t.row_sheets for t in group])
        name = SHEET_COLUMN if SHEET_COLUMN not in frame.columns else f"{SHEET_COLUMN} name"
        frame.insert(0, name, row_sheets)
        sheets = tuple(s for t in group for s in t.sheets)
        stack_issue = make_issue("info", "stacked_sheets", file=filename, sheet=first.sheet, rows_affected=len(frame),
                                 count=len(group), sheets=", ".join(sheets), column_name=name)
        used = [t.rows_used if t.rows_used is not None else None for t in group]
        out.append(SheetTable(
            sheet=", ".join(sheets),
            frame=frame,
            rows=np.concatenate([t.rows for t in group]),
            row_sheets=row_sheets,
            set_aside=pd.concat([t.set_aside for t in group], ignore_index=True),
            rows_read=sum(t.rows_read for t in group),
            header_row=first.header_row,
            layout=first.layout,
            issues=_merge_repeats([i for t in group for i in t.issues]) + [stack_issue],
            sheets=sheets,
            rows_used=sum(u for u in used if u is not None) if all(u is not None for u in used) else None,
        ))
    return out


def _merge_repeats(issues: list[Issue]) -> list[Issue]:
    """The same note on every stacked sheet is said once, counting all the rows it covers."""
    merged: dict[tuple[str, str, str | None], Issue] = {}
    for issue in issues:
        key = (issue.code, issue.message, issue.column)
        if key in merged:
            first = merged[key]
            merged[key] = replace(first, rows_affected=first.rows_affected + issue.rows_affected)
        else:
            merged[key] = issue
    return list(merged.values())


# ---------------------------------------------------------------- typing, roles, shape


@dataclass(frozen=True, slots=True)
class _Typed:
    frame: pd.DataFrame
    kinds: dict[str, ValueKind]
    issues: list[Issue]


def clean_table(table: SheetTable, filename: str) -> _Typed:
    """Cleans every column (values.clean_column) and turns its notes into located issues."""
    ctx = _Context(filename, table.sheet)
    columns: dict[str, pd.Series] = {}
    kinds: dict[str, ValueKind] = {}
    issues: list[Issue] = []
    for name in table.frame.columns:
        raw = table.frame[name]
        if name == PERIOD_COLUMN and table.layout == "wide":
            hint: values.Hint | None = "date"
        elif name == SHEET_COLUMN and table.sheets and len(table.sheets) > 1:
            hint = "id"
        else:
            hint = role_mapping.header_hint(str(name))
        cleaned = values.clean_column(raw, str(name), hint, table.scans.get(name))
        columns[name] = cleaned.values
        kinds[name] = cleaned.kind
        for note in cleaned.notes:
            positions = note.positions
            rows = table.rows[positions] if len(positions) else np.empty(0, dtype=np.int64)
            first_sheet = table.row_sheets[positions[0]] if len(positions) else None
            sheet = None if first_sheet is None else str(first_sheet)  # a CSV has no sheet, not one named "None"
            if len(rows) and note.severity == "warning":
                shown = ", ".join(str(r) for r in sorted(set(rows.tolist()))[:5])
                fields = note_fields(f"{note.template}.rows", **dict(note.params), first_rows=shown)
                note = replace(note, **fields)
            issues.append(ctx.relay(note, column=str(name), row=int(rows.min()) if len(rows) else None,
                                    rows_affected=len(positions) or 1, sheet=sheet))
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(table.frame)))
    return _Typed(frame, kinds, issues)


def _to_source(
    main: SheetTable, others: list[SheetTable], filename: str, names: list[str], options: IngestOptions
) -> tuple[Source, set[str]]:
    """Types, joins lookups, maps roles, derives revenue and guesses the grain of the main table."""
    ctx = _Context(filename, main.sheet)
    typed = clean_table(main, filename)
    issues = [*main.issues, *typed.issues]
    lookups = []
    for other in others:
        if other.layout == "wide" or len(other.frame) > len(main.frame):
            continue
        cleaned = clean_table(other, filename)
        lookups.append(shape.LookupTable(other.sheet or "", cleaned.frame, cleaned.kinds, other.rows))
    joined = shape.join_lookups(typed.frame, typed.kinds, lookups)
    for note in joined.notes:
        issues.append(ctx.relay(note, row=note.row, column=note.column, rows_affected=note.rows_affected,
                                sheet=note.sheet))
    table, kinds = joined.table, joined.kinds
    assignment = role_mapping.assign_roles(table, kinds, filename, options.overrides)
    for note in assignment.notes:
        issues.append(ctx.relay(note, column=note.column))
    blocked = {role for role, column in options.overrides if column == ""}
    table, roles, derived = shape.derive_revenue(table, assignment.roles, blocked)
    matches: list[RoleMatch] = list(assignment.matches)
    if derived is not None:
        matches.append(derived)
        kinds[shape.DERIVED_REVENUE] = "number"
        issues.append(ctx.issue("info", "derived_revenue", column=shape.DERIVED_REVENUE, quantity=roles["quantity"],
                                unit_price=roles["unit_price"]))
    table, coerce_notes = shape.coerce_for_roles(table, roles, kinds)
    for note in coerce_notes:
        issues.append(ctx.relay(note, column=note.column, rows_affected=note.rows_affected))
    guess = shape.guess_grain(table, roles, filename, main.layout == "wide")
    entity_text = phrase("part.entity_text", entity=shape.entity_phrase(guess.entity)) if guess.entity else Phrase("", "")
    issues.append(ctx.issue("info", "grain", grain=phrase(f"part.grain.{guess.grain}"), entity_text=entity_text,
                            reason=Phrase(guess.reason, guess.reason_ko or guess.reason)))
    rows_used = main.rows_used if main.rows_used is not None else len(table)
    source = Source(
        file=filename,
        sheet=main.sheet,
        grain=guess.grain,
        table=table,
        roles=roles,
        matches=matches,
        rows_read=main.rows_read,
        rows_used=rows_used,
        set_aside=main.set_aside[["row", "reason", "sheet"]].reset_index(drop=True),
        issues=issues,
        header_row=main.header_row,
        layout=main.layout,
        sheets=[n for n in names],
        entity=guess.entity,
    )
    return source, set(joined.used)
