"""Turns the bytes of an upload into RawSheets, cells exactly as written: stage 2 of ingest.

Workbooks (.xlsx/.xlsm/.xls) are read with calamine, which returns cached formula values and never runs macros or
follows external links. Every non-empty worksheet becomes one RawSheet (layout picks the data sheet); column i is
spreadsheet column i (leading empty rows and columns are kept, so positions in messages match Excel).
Text files (.csv/.tsv/.txt) are decoded (UTF-8, UTF-8 with BOM, UTF-16 with BOM, CP949/EUC-KR), their delimiter
is sniffed (, ; tab |), and a decimal comma is detected and recorded on `RawSheet.decimal`; all cells stay `str`
("" for an empty cell) because layout owns type conversion.

The format is decided by the content, not the name: a workbook renamed .csv is read as a workbook, a tab-separated
text file named .xls (a common ERP export) as text. `safety.check` must have passed before `read` is called.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from metrics.ingest.messages import make_issue
from metrics.ingest.model import Issue, Limits, RawSheet
from metrics.ingest.safety import OLE_MAGIC, ZIP_MAGIC, display_name, is_encrypted_xls

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_CHARS = 64 * 1024
_SAMPLE_LINES = 60
_MAX_ROW_ISSUES = 20
_DECIMAL_COMMA = re.compile(r"^[-+]?\d{1,3}(?:[.\s\u00a0]\d{3})*,\d+$|^[-+]?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})*\.\d+$|^[-+]?\d+\.\d+$")


@dataclass(frozen=True, slots=True)
class TextFormat:
    """What sniffing decided about a text file; reported to the user so a wrong guess can be spotted."""

    encoding: str
    delimiter: str
    decimal: str


def read(data: bytes, filename: str, limits: Limits) -> tuple[list[RawSheet], list[Issue]]:
    """Every non-empty sheet of the upload, plus issues about how it was read. Never raises for bad input."""
    name = display_name(filename)
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        sheets, issues = read_workbook(data, name, limits)
    else:
        sheets, issues = read_text(data, name, limits)
    if not sheets and not any(i.severity == "error" for i in issues):
        issues.append(make_issue("error", "no_data", file=name, name=name))
    return sheets, issues


# --- workbooks -----------------------------------------------------------------------------------------------------


def read_workbook(data: bytes, name: str, limits: Limits) -> tuple[list[RawSheet], list[Issue]]:
    """All worksheets through calamine; chart and macro sheets are skipped, hidden worksheets are kept."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum

    if data.startswith(OLE_MAGIC) and is_encrypted_xls(data):
        return [], [_encrypted(name)]
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = [m for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    except PasswordError:
        return [], [_encrypted(name)]
    except (CalamineError, ValueError, OSError) as exc:
        return [], [make_issue("error", "unreadable", file=name, name=name, reason=_reason(exc))]
    sheets: list[RawSheet] = []
    issues: list[Issue] = []
    with workbook:
        for meta in metadata:
            try:
                sheet = _read_calamine_sheet(workbook, meta.name, name, limits, issues)
            except (CalamineError, ValueError, OSError) as exc:
                issues.append(make_issue("error", "unreadable.sheet", file=name, sheet=meta.name, name=name,
                                         sheet_name=meta.name, reason=_reason(exc)))
                continue
            if sheet is not None:
                sheets.append(sheet)
    return sheets, issues


def _read_calamine_sheet(workbook: object, sheet_name: str, name: str, limits: Limits,
                         issues: list[Issue]) -> RawSheet | None:
    """One sheet as a DataFrame of Python objects; the calamine grid is dropped before the frame is built."""
    sheet = workbook.get_sheet_by_name(sheet_name)  # type: ignore[attr-defined]
    if sheet.start is None:
        return None
    total_rows = sheet.height + sheet.start[0]
    merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
    rows = sheet.to_python(skip_empty_area=False, nrows=limits.max_rows)
    del sheet
    if total_rows > limits.max_rows:
        issues.append(make_issue("warning", "rows_truncated", file=name, sheet=sheet_name,
                                 rows_affected=total_rows - limits.max_rows, name=name, sheet_name=sheet_name,
                                 total=f"{total_rows:,}", limit=f"{limits.max_rows:,}"))
    cells = pd.DataFrame(rows, dtype=object)
    del rows
    return RawSheet(name=sheet_name, cells=cells, merged=merged)


# --- text ------------------------------------------------------------------------------------------------------------


def read_text(data: bytes, name: str, limits: Limits) -> tuple[list[RawSheet], list[Issue]]:
    """A delimited text file as one RawSheet of strings.

    Ragged rows: the frame is as wide as the widest row. A row with more fields than most rows keeps its extra
    cells in the extra columns on the right; a row with fewer fields is padded with "" on the right. Neither is
    ever shifted, and each is reported as a warning naming the row (one-field lines, i.e. titles and notes, and
    blank lines are not reported).
    """
    issues: list[Issue] = []
    text, encoding, note = decode(data)
    if note:
        issues.append(make_issue("warning", "encoding_guess", file=name, name=name))  # the one note decode gives
    if not text or text.isspace():  # `not text.strip()` without copying a 50 MB string
        return [], [make_issue("error", "empty.blank_lines", file=name, name=name)]
    suffix = PurePosixPath(name.lower()).suffix
    fmt = sniff(text[:_SAMPLE_CHARS], encoding, prefer_tab=suffix == ".tsv")
    counts = _field_counts_utf8(data, fmt) if fmt.encoding in ("utf-8", "utf-8-sig") else None
    if counts is None:
        counts = np.asarray(field_counts(text, fmt.delimiter), dtype=np.int64)
    width = int(counts.max()) if len(counts) else 1
    refusal = _size_refusal(name, len(counts), width, limits)
    if refusal:
        return [], [refusal]
    issues.extend(ragged_issues(counts, name))
    if fmt.decimal == ",":
        issues.append(make_issue("info", "decimal_comma", file=name, name=name))
    cells = _parse_text(data, text, fmt, width, limits)
    if len(counts) > limits.max_rows:
        issues.append(make_issue("warning", "rows_truncated.text", file=name,
                                 rows_affected=len(counts) - limits.max_rows, name=name, total=f"{len(counts):,}",
                                 limit=f"{limits.max_rows:,}"))
    return [RawSheet(name=None, cells=cells, decimal=fmt.decimal)], issues


def decode(data: bytes) -> tuple[str, str, str]:
    """(text, encoding, note). BOMs decide first; then strict UTF-8; then CP949 (Korean Excel's CSV default,
    a superset of EUC-KR); Latin-1 only as a last resort, with a note so the user can check the characters."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig", ""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16", ""
    for encoding in ("utf-8", "cp949"):
        try:
            return data.decode(encoding), encoding, ""
        except UnicodeDecodeError:
            continue
    note = "the text encoding is neither UTF-8 nor Korean (CP949); it was read as Latin-1, check accented letters."
    return data.decode("latin-1"), "latin-1", note


def sniff(sample: str, encoding: str, prefer_tab: bool = False) -> TextFormat:
    """Picks the delimiter whose field count is the most consistent over the first lines (ties: more fields,
    then the order , ; tab |), and detects a decimal comma when the delimiter is not a comma."""
    lines = [line for line in sample.splitlines()[:_SAMPLE_LINES] if line.strip()]
    if len(sample) >= _SAMPLE_CHARS and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut in the middle
    order = ("\t", ",", ";", "|") if prefer_tab else DELIMITERS
    best, best_score = order[0], (-1.0, 0, 0)
    for rank, delimiter in enumerate(order):
        widths = [len(_split_line(line, delimiter)) for line in lines]
        if not widths:
            continue
        mode, hits = Counter(widths).most_common(1)[0]
        score = (hits / len(widths) if mode > 1 else 0.0, mode, -rank)
        if score > best_score:
            best, best_score = delimiter, score
    return TextFormat(encoding=encoding, delimiter=best, decimal=_decimal(lines, best))


def _decimal(lines: list[str], delimiter: str) -> str:
    if delimiter == ",":
        return "."
    cells = [c.strip() for line in lines for c in _split_line(line, delimiter)]
    comma = sum(1 for c in cells if _DECIMAL_COMMA.match(c))
    point = sum(1 for c in cells if _DECIMAL_POINT.match(c))
    return "," if comma > point else "."


def field_counts(text: str, delimiter: str) -> list[int]:
    """Fields per record without a Python loop over characters: each line's delimiters are counted in C, and
    only lines holding a quote go through the csv module (a quoted delimiter is not a field break). When a quoted
    field spans lines (an odd number of quotes on a line), the whole text is counted by the csv module instead."""
    lines = text.split("\n")
    if lines and lines[-1] in ("", "\r"):
        lines.pop()
    counts = [line.count(delimiter) + 1 if line and line != "\r" else 0 for line in lines]
    if '"' not in text:
        return counts
    quoted = [i for i, line in enumerate(lines) if '"' in line]
    if any(lines[i].count('"') % 2 for i in quoted):
        return [len(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    for i in quoted:
        counts[i] = len(_split_line(lines[i], delimiter))
    return counts


def _split_line(line: str, delimiter: str) -> list[str]:
    """One physical line as the csv module reads it. A lone carriage return inside the line (old Mac exports) or a
    field over the csv module's size limit would make it raise; such a line is read with the \r as a space, and
    failing that split on the delimiter, so a strange file gets a ragged-row warning instead of an exception."""
    try:
        return next(csv.reader([line.rstrip("\r")], delimiter=delimiter), [])
    except csv.Error:
        pass
    try:
        return next(csv.reader([line.replace("\r", " ")], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def _field_counts_utf8(data: bytes, fmt: TextFormat) -> np.ndarray | None:
    """`field_counts` on the raw bytes of a UTF-8 file, with array operations: the delimiter, quote and newline
    are ASCII, and in UTF-8 an ASCII byte is always that character, so byte positions give the same lines and
    counts. Only the lines holding a quote are decoded (and counted by the csv module, as before); None when a
    quoted field spans lines, so the caller falls back to the text version."""
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    buf = np.frombuffer(body, dtype=np.uint8)
    breaks = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(buf)]))
    last = buf[starts[-1]:]
    if len(last) == 0 or (len(last) == 1 and last[0] == 13):  # text.split("\n") leaves "" or "\r" at the end
        starts, ends = starts[:-1], ends[:-1]
    delimiters = np.flatnonzero(buf == ord(fmt.delimiter))
    counts = np.searchsorted(delimiters, ends) - np.searchsorted(delimiters, starts) + 1
    length = ends - starts
    first = buf[np.minimum(starts, max(len(buf) - 1, 0))] if len(buf) else np.zeros(len(starts), dtype=np.uint8)
    counts[(length == 0) | ((length == 1) & (first == 13))] = 0
    quotes = np.flatnonzero(buf == 34)
    if not len(quotes):
        return counts
    per_line = np.bincount(np.searchsorted(starts, quotes, side="right") - 1, minlength=len(starts))
    quoted = np.flatnonzero(per_line)
    if (per_line[quoted] % 2).any():
        return None
    errors = "replace" if data.startswith(codecs.BOM_UTF8) else "strict"
    for i in quoted:
        counts[i] = len(_split_line(body[starts[i]:ends[i]].decode("utf-8", errors=errors), fmt.delimiter))
    return counts


def ragged_issues(counts: list[int] | np.ndarray, name: str) -> list[Issue]:
    """A warning per row whose field count differs from most rows' (the first 20, then one summary)."""
    counts = np.asarray(counts, dtype=np.int64)
    substantive = counts[counts > 1]
    if not len(substantive):
        return []
    distinct, first_seen, frequency = np.unique(substantive, return_index=True, return_counts=True)
    tied = np.flatnonzero(frequency == frequency.max())
    expected = int(distinct[tied[np.argmin(first_seen[tied])]])  # the commonest; on a tie, the first seen
    ragged_rows = np.flatnonzero((counts > 1) & (counts != expected))
    ragged = [(int(i), int(counts[i])) for i in ragged_rows[: _MAX_ROW_ISSUES + 1]]
    issues = []
    for index, count in ragged[:_MAX_ROW_ISSUES]:
        key = "ragged_row" if count > expected else "ragged_row.short"
        issues.append(make_issue("warning", key, file=name, row=index + 1, name=name, row_number=index + 1,
                                 found=count, expected=expected, extra=count - expected))
    if len(ragged_rows) > _MAX_ROW_ISSUES:
        rest = len(ragged_rows) - _MAX_ROW_ISSUES
        issues.append(make_issue("warning", "ragged_row.more", file=name, rows_affected=rest, name=name,
                                 rest=f"{rest:,}", expected=expected))
    return issues


def _size_refusal(name: str, rows: int, width: int, limits: Limits) -> Issue | None:
    if width > limits.max_columns:
        return make_issue("error", "too_many_columns.text", file=name, name=name, width=f"{width:,}",
                          limit=f"{limits.max_columns:,}")
    if min(rows, limits.max_rows) * width > limits.max_cells:
        return make_issue("error", "too_many_cells.text", file=name, name=name, rows=f"{rows:,}", cols=f"{width:,}",
                          limit=f"{limits.max_cells:,}")
    return None


def _parse_text(data: bytes, text: str, fmt: TextFormat, width: int, limits: Limits) -> pd.DataFrame:
    """pandas' C tokenizer with every cell kept as written; fed the original bytes when they are UTF-8."""
    source: io.BytesIO | io.StringIO
    if fmt.encoding in ("utf-8", "utf-8-sig"):
        source, encoding = io.BytesIO(data), fmt.encoding
    else:
        source, encoding = io.StringIO(text), None
    try:
        frame = _pandas_csv(source, fmt, width, encoding, limits)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
        frame = _csv_module(text, fmt, limits)
    frame.columns = pd.RangeIndex(frame.shape[1])
    return frame


def _csv_module(text: str, fmt: TextFormat, limits: Limits) -> pd.DataFrame:
    """The slow, forgiving path, used only when the C tokenizer and the field count disagree (stray quotes)."""
    # newline="" hands line breaks to the csv module, which then accepts a lone \r inside a field (old Mac exports).
    lines = io.StringIO(text, newline="")
    rows = [row for row, _ in zip(csv.reader(lines, delimiter=fmt.delimiter), range(limits.max_rows), strict=False)]
    width = max((len(r) for r in rows), default=1)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)


def _pandas_csv(source: io.BytesIO | io.StringIO, fmt: TextFormat, width: int, encoding: str | None,
                limits: Limits) -> pd.DataFrame:
    return pd.read_csv(
        source,
        sep=fmt.delimiter,
        header=None,
        names=range(width),
        dtype=object,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        encoding=encoding,
        nrows=limits.max_rows,
        engine="c",
        quoting=csv.QUOTE_MINIMAL,
    )


def _encrypted(name: str) -> Issue:
    return make_issue("error", "encrypted.short", file=name, name=name)


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
