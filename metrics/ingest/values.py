"""Cell values as written → typed columns: numbers, dates, yes/no flags or text, in Korean and English formats.

Why vectorised: a 500k-line workbook must be cleaned in a fraction of the time the reader takes, so every column is
split by Python type once, strings are factorised and only the *distinct* strings are parsed (with pandas string
ops and regexes), then mapped back. Nothing here raises on a cell value: a cell that cannot be read as the
column's kind becomes missing and is reported in a `Note`, which the layout stage turns into an `Issue` with rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from metrics.ingest.messages import Phrase, note_fields, phrase
from metrics.ingest.model import Severity
from metrics.ingest.synonyms import BOOL_FALSE, BOOL_TRUE, MISSING_TOKENS

ValueKind = Literal["number", "date", "bool", "text", "empty"]
Hint = Literal["date", "id", "flag", "number"]

#: Share of a column's filled cells that must read as one kind for the column to take that kind.
MAJORITY = 0.8
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_MULTIPLIERS = {"만": 1e4, "억": 1e8, "천": 1e3, "k": 1e3, "m": 1e6, "b": 1e9}
_ANY_DIGIT = re.compile(r"\d")
_ID_LIKE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-./]+$")


@dataclass(frozen=True, slots=True)
class Note:
    """Something the user should know about a column; `positions` (0-based) locate the cells it is about."""

    severity: Severity
    message: str
    code: str
    positions: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    template: str = ""  # MESSAGES key of `message` (metrics/ingest/messages.py), so it can be shown in Korean
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CleanColumn:
    """A typed column: float64 numbers, datetime64 dates, bool flags or str text, plus what was noticed."""

    values: pd.Series
    kind: ValueKind
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True, slots=True)
class _Cells:
    """A raw column split by Python type, so each kind is parsed once with array operations.

    Strings are held factorised (`string_codes` into `string_uniques`, at `string_positions`): a 500k-line column
    usually has a few thousand distinct texts, and every later step parses the distinct ones only.
    """

    n: int
    string_positions: np.ndarray  # positions of the stripped str cells, missing tokens removed
    string_codes: np.ndarray  # per string cell, its index into string_uniques
    string_uniques: pd.Series  # the distinct stripped strings (dtype str), in order of first appearance
    blank_like: np.ndarray  # positions of whitespace-only cells (missing, but worth a warning in numbers)
    tokens: pd.Series  # cells written as a "no value" token (-, N/A, #N/A): missing, said in an info note
    numbers: pd.Series  # float cells (index = position)
    bools: pd.Series
    dates: pd.Series  # datetime64 cells
    others: pd.Series  # anything else (time, timedelta, Decimal…), as objects

    @property
    def strings(self) -> pd.Series:
        """Stripped str cells (index = position), missing tokens removed."""
        values = self.string_uniques.array.take(self.string_codes)
        return pd.Series(values, index=self.string_positions, dtype="str")

    @property
    def n_strings(self) -> int:
        return len(self.string_positions)

    @property
    def filled(self) -> int:
        return self.n_strings + len(self.numbers) + len(self.bools) + len(self.dates) + len(self.others)


_STR, _BOOL, _NUM, _DATE, _NONE, _OTHER = range(6)
_KIND_OF_TYPE: dict[type, int] = {
    str: _STR, np.str_: _STR, bool: _BOOL, np.bool_: _BOOL,
    float: _NUM, int: _NUM, np.float64: _NUM, np.int64: _NUM, np.float32: _NUM, np.int32: _NUM,
    dt.datetime: _DATE, dt.date: _DATE, pd.Timestamp: _DATE, np.datetime64: _DATE,
    type(None): _NONE, type(pd.NaT): _NONE,
}
_TYPE_OF = np.frompyfunc(type, 1, 1)
#: Types whose values are never missing to pandas (None and NaT are missing by type), so no isna pass is needed.
_NEVER_NA = frozenset({str, np.str_, int, bool, np.bool_, dt.datetime, dt.date, type(None), type(pd.NaT)})
_NO_ROWS = np.empty(0, dtype=np.int64)
_HEAD_ROWS = 64  # title and header rows, typed one by one; the rows below usually share one type per column


@dataclass(frozen=True, slots=True)
class ColumnScan:
    """One pass over a raw column: each cell's kind (by exact Python type; missing values are `_NONE`), whether
    it is filled (not missing, not ""), and its str cells factorised. Layout finds blank and total rows with it and
    `clean_column` reuses it, so a 500k-line column is typed and hashed once. `kind` is the kind of every cell when
    they all share one (the usual case); then `kinds` is None."""

    n: int
    kind: int
    kinds: np.ndarray | None
    filled: np.ndarray
    text_codes: np.ndarray  # per cell: index into `texts`, -1 when the cell is not a str
    texts: np.ndarray  # distinct raw str values (object), in order of first appearance

    def positions(self, kind: int) -> np.ndarray:
        if self.kinds is None:
            return np.arange(self.n) if self.kind == kind else _NO_ROWS
        return np.flatnonzero(self.kinds == kind)

    def take(self, rows: np.ndarray) -> ColumnScan:
        """The scan of a subset of rows (in the given order), as if that subset had been scanned itself."""
        codes = self.text_codes[rows]
        is_text = codes >= 0
        new_codes, ids = pd.factorize(codes[is_text])  # first appearance within the subset, as a fresh scan
        text_codes = np.full(len(codes), -1, dtype=np.int64)
        text_codes[is_text] = new_codes
        kind, kinds = self.kind, None
        if self.kinds is not None:
            kinds = self.kinds[rows]
            present = np.flatnonzero(np.bincount(kinds, minlength=_OTHER + 1))
            if len(present) <= 1:
                kind, kinds = (int(present[0]) if len(present) else _NONE), None
        return ColumnScan(len(codes), kind, kinds, self.filled[rows], text_codes, self.texts[ids])


def scan_column(values: pd.Series) -> ColumnScan:
    """Kinds, filled cells and factorised texts of one raw column (see `ColumnScan`)."""
    arr = values.to_numpy(dtype=object)
    n = len(arr)
    head_types = [type(v) for v in arr[:_HEAD_ROWS]]
    tail_types = set(map(type, arr[_HEAD_ROWS:]))
    types = tail_types.union(head_types)
    present = {_KIND_OF_TYPE.get(t, _OTHER) for t in types}
    tail_kinds = {_KIND_OF_TYPE.get(t, _OTHER) for t in tail_types}
    missing = None if types <= _NEVER_NA else pd.isna(arr)
    kind, kinds = -1, None
    if len(present) <= 1 and (missing is None or not missing.any()):
        kind = present.pop() if present else _NONE
    elif len(tail_kinds) <= 1:  # one kind below a header of another (the usual sheet): type the head rows only
        kinds = np.full(n, tail_kinds.pop() if tail_kinds else _NONE, dtype=np.int8)
        kinds[: len(head_types)] = [_KIND_OF_TYPE.get(t, _OTHER) for t in head_types]
    else:
        type_codes, distinct_types = pd.factorize(_TYPE_OF(arr))
        table = np.array([_KIND_OF_TYPE.get(t, _OTHER) for t in distinct_types], dtype=np.int8)
        kinds = table[type_codes]
    if kinds is not None and missing is not None:
        kinds[missing] = _NONE
    scan = ColumnScan(n, kind, kinds, np.empty(0, dtype=bool), np.empty(0, dtype=np.int64), np.empty(0, dtype=object))
    text_rows = scan.positions(_STR)
    if len(text_rows) == n:
        text_codes, texts = pd.factorize(arr)
    else:
        text_codes = np.full(n, -1, dtype=np.int64)
        text_codes[text_rows], texts = pd.factorize(arr[text_rows])
    filled = np.ones(n, dtype=bool) if kinds is None and kind != _NONE else (
        np.zeros(n, dtype=bool) if kinds is None else kinds != _NONE)
    empty_text = np.flatnonzero(texts == "") if len(texts) else _NO_ROWS
    if len(empty_text):
        filled &= text_codes != empty_text[0]
    other_rows = scan.positions(_OTHER)
    if len(other_rows):
        filled[other_rows] &= arr[other_rows] != ""
    return ColumnScan(n, kind, kinds, filled, text_codes.astype(np.int64, copy=False), np.asarray(texts, dtype=object))


def split_cells(raw: pd.Series, scan: ColumnScan | None = None) -> _Cells:
    """Sorts cells by type once; missing tokens (-, N/A, #N/A, blank) are dropped here for every kind.

    `scan` is the column's `ColumnScan` when the caller already has it (layout does)."""
    if scan is None or scan.n != len(raw):
        scan = scan_column(raw)
    arr = raw.to_numpy(dtype=object)

    def part(kind: int) -> tuple[np.ndarray, np.ndarray]:
        positions = scan.positions(kind)
        return (arr if len(positions) == scan.n else arr[positions]), positions

    num_values, num_positions = part(_NUM)
    numbers = pd.Series(num_values, index=num_positions, dtype="float64")
    numbers = numbers[numbers.notna()]
    bool_values, bool_positions = part(_BOOL)
    date_values, date_positions = part(_DATE)
    other_values, other_positions = part(_OTHER)
    text_positions = scan.positions(_STR)
    strings = _split_strings(text_positions, scan.text_codes[text_positions], scan.texts)
    return _Cells(
        n=scan.n,
        string_positions=strings[0],
        string_codes=strings[1],
        string_uniques=strings[2],
        blank_like=strings[3],
        tokens=strings[4],
        numbers=numbers,
        bools=pd.Series(bool_values, index=bool_positions, dtype="bool"),
        dates=_datetime_objects(date_values, date_positions),
        others=pd.Series(other_values, index=other_positions, dtype=object),
    )


def _split_strings(
    positions: np.ndarray, raw_codes: np.ndarray, raw_uniques: np.ndarray
) -> tuple[np.ndarray, np.ndarray, pd.Series, np.ndarray, pd.Series]:
    """(positions, codes, uniques, blank_like, tokens) of the str cells: stripped and checked for missing tokens
    once per distinct raw text. Raw texts are factorised in order of first appearance, so the stripped uniques
    (factorised again) are too, exactly as if the stripped cells had been factorised one by one."""
    if len(positions) == 0:
        return _NO_ROWS, _NO_ROWS, pd.Series([], dtype="str"), _NO_ROWS, pd.Series([], index=_NO_ROWS, dtype="str")
    raw = pd.Series(raw_uniques, dtype="str")
    stripped = raw.str.strip()
    is_blank = (stripped == "").to_numpy(dtype=bool)
    blank = is_blank & (raw != "").to_numpy(dtype=bool)
    token = stripped.str.casefold().isin(MISSING_TOKENS).to_numpy(dtype=bool)
    if not token.any() and bool((stripped == raw).all()):  # nothing to strip: the raw uniques are the uniques
        cell_codes, uniques = raw_codes, stripped
    else:
        kept = np.flatnonzero(~token)
        kept_codes, uniques = pd.factorize(stripped.iloc[kept])
        new_code = np.full(len(raw_uniques), -1, dtype=np.int64)
        new_code[kept] = kept_codes
        cell_codes = new_code[raw_codes]
    blank_like = positions[blank[raw_codes]] if blank.any() else _NO_ROWS
    shown_token = token & ~is_blank
    if shown_token.any():
        token_cells = np.flatnonzero(shown_token[raw_codes])
        tokens = pd.Series(stripped.array.take(raw_codes[token_cells]), index=positions[token_cells], dtype="str")
    else:
        tokens = pd.Series([], index=_NO_ROWS, dtype="str")
    if not token.any():
        return positions, cell_codes, pd.Series(uniques, dtype="str"), blank_like, tokens
    keep_cells = cell_codes >= 0
    return positions[keep_cells], cell_codes[keep_cells], pd.Series(uniques, dtype="str"), blank_like, tokens


def _datetime_objects(values: np.ndarray, positions: np.ndarray) -> pd.Series:
    """datetime/date objects → datetime64 (time zones dropped: a dashboard compares local calendar days).

    Converted once per distinct value when none carries a time zone (equal aware times in different zones would
    share one entry but keep different wall times)."""
    if len(values) == 0:
        return pd.Series([], index=positions, dtype="datetime64[us]")
    try:
        codes, uniques = pd.factorize(values)
    except TypeError:
        return _datetime_series(values, positions)
    if len(uniques) == len(values) or any(getattr(u, "tzinfo", None) is not None for u in uniques):
        return _datetime_series(values, positions)
    converted = _datetime_series(np.asarray(uniques, dtype=object), np.arange(len(uniques))).to_numpy()
    return pd.Series(converted[codes], index=positions, dtype="datetime64[us]")


def _datetime_series(values: np.ndarray, positions: np.ndarray) -> pd.Series:
    try:
        parsed = pd.to_datetime(pd.Series(values, index=positions), errors="coerce")
    except (TypeError, ValueError):
        parsed = pd.Series([_one_datetime(v) for v in values], index=positions, dtype="datetime64[us]")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[us]")


def _one_datetime(value: object) -> pd.Timestamp | None:
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp


# ---------------------------------------------------------------- numbers


def parse_numbers(texts: pd.Series) -> pd.Series:
    """Strings → float (NaN when not a number): 1,234 · ₩1,234 · 1,234원 · $5 · (1,234) · 12.5% · 3만 · 1.2억 · 5K."""
    if texts.empty:
        return pd.Series([], index=texts.index, dtype="float64")
    s = texts.astype("str")
    digits = _with_digits(s)
    if not digits.all():  # no step below turns a text without a digit into a number: parse the others only
        out = pd.Series(np.nan, index=texts.index, dtype="float64")
        if digits.any():
            out.iloc[np.flatnonzero(digits)] = parse_numbers(s.iloc[np.flatnonzero(digits)]).to_numpy()
        return out
    s = s.str.strip().str.replace("\u2212", "-", regex=False)
    negative = s.str.match(r"^\(.*\)$")
    s = s.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    s = s.str.replace(r"(?i)^\s*(?:krw|usd|eur|₩|\$|€|£|¥|￦)\s*|\s*(?:원|krw|usd|eur|달러)\s*$", "", regex=True)
    s = s.str.replace(r"^([+-]?)\s*(?:₩|\$|€|£|¥|￦)\s*", r"\1", regex=True)
    percent = s.str.endswith("%")
    s = s.str.removesuffix("%").str.strip()
    suffix = s.str.extract(r"(?i)^[+-]?[\d.,]*\d\s*([만억천kmb])$", expand=False).str.casefold()
    s = s.where(suffix.isna(), s.str.slice(0, -1).str.strip())
    grouped = s.str.match(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
    s = s.where(~grouped, s.str.replace(",", "", regex=False))
    plain = s.str.match(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    values = pd.to_numeric(s.where(plain), errors="coerce").astype("float64")
    values = values * suffix.map(_MULTIPLIERS).fillna(1.0).astype("float64")
    values = values.where(~percent.fillna(False), values / 100.0)
    values = values.where(~negative.fillna(False), -values)
    return values.where(np.isfinite(values))


def _with_digits(texts: pd.Series) -> np.ndarray:
    """Which texts hold a digit (Python's Unicode \\d: at least every digit the number patterns accept)."""
    search = _ANY_DIGIT.search
    return np.fromiter((isinstance(v, str) and search(v) is not None for v in texts.to_numpy(dtype=object)),
                       dtype=bool, count=len(texts))


# ---------------------------------------------------------------- dates

_TIME = r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?\s*(?P<ampm>[AaPp][Mm])?)?"
_TZ = r"\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?"
_WEEKDAY = r"(?:\s*\([^)]{1,12}\))?"
_YMD = re.compile(rf"^(?P<y>\d{{4}})\s*[-/.]\s*(?P<m>\d{{1,2}})\s*[-/.]\s*(?P<d>\d{{1,2}})\.?{_WEEKDAY}{_TIME}{_TZ}$")
_KOREAN = re.compile(
    rf"^(?P<y>\d{{4}})\s*년\s*(?P<m>\d{{1,2}})\s*월\s*(?P<d>\d{{1,2}})\s*일?{_WEEKDAY}"
    r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)
_YY_MM_DD = re.compile(rf"^(?P<y>\d{{2}})\.(?P<m>\d{{1,2}})\.(?P<d>\d{{1,2}})\.?{_WEEKDAY}$")
_AB_YYYY = re.compile(rf"^(?P<a>\d{{1,2}})\s*(?P<sep>[-/.])\s*(?P<b>\d{{1,2}})\s*[-/.]\s*(?P<y>\d{{4}}){_TIME}$")
_DATE_START = re.compile(r"\d{1,4}\s*[-/.년]")
_YM = re.compile(r"^(?P<y>\d{4})\s*(?:[-/.]|년)\s*(?P<m>\d{1,2})\s*월?\.?$")


@dataclass(frozen=True, slots=True)
class DateParse:
    """Parsed dates for a set of strings and, when day and month could swap, which order was chosen and why."""

    values: pd.Series
    order: Literal["dmy", "mdy"] | None = None
    order_reason: str = ""
    order_reason_ko: str = ""


def parse_dates(texts: pd.Series, order: Literal["dmy", "mdy"] | None = None) -> DateParse:
    """Strings → datetime64 (NaT when not a date). Day-first vs month-first is decided once for all values."""
    result = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us]")
    if texts.empty:
        return DateParse(result)
    s = texts.astype("str").str.strip()
    candidates = _date_candidates(s)
    s = s.iloc[candidates]
    for pattern in (_YMD, _KOREAN, _YY_MM_DD, _YM):
        todo = result.isna().to_numpy()[candidates]
        if not todo.any():
            break
        parts = s[todo].str.extract(pattern)
        if "d" not in parts:
            parts["d"] = parts["y"].where(parts["y"].isna(), "1")
        if pattern is _YY_MM_DD:
            parts["y"] = (2000 + pd.to_numeric(parts["y"], errors="coerce")).astype("string")
        result.loc[parts.index] = _assemble(parts).combine_first(result.loc[parts.index])
    todo = result.isna().to_numpy()[candidates]
    chosen, reason = order, Phrase("", "")
    if todo.any():
        parts = s[todo].str.extract(_AB_YYYY)
        if parts["y"].notna().any():
            if chosen is None:
                chosen, reason = _day_month_order(parts)
            first, second = ("d", "m") if chosen == "dmy" else ("m", "d")
            parts = parts.rename(columns={"a": first, "b": second})
            result.loc[parts.index] = _assemble(parts).combine_first(result.loc[parts.index])
    return DateParse(result, chosen if reason.en or order else None, reason.en, reason.ko)


def _date_candidates(texts: pd.Series) -> np.ndarray:
    """Positions of the texts any date pattern could match: every one starts with 1–4 digits and a separator.

    A cheap filter (Python's Unicode \\d and \\s accept at least what the patterns accept), so an id or name column
    skips the five regex extractions. With repeated index labels every position is kept, as before."""
    if not texts.index.is_unique:
        return np.arange(len(texts))
    match = _DATE_START.match
    values = texts.to_numpy(dtype=object)
    return np.flatnonzero([isinstance(v, str) and match(v) is not None for v in values])


def _day_month_order(parts: pd.DataFrame) -> tuple[Literal["dmy", "mdy"], Phrase]:
    """Looks at every value of the column: a first part above 12 proves day-first, a second part above 12 month-first."""
    found = parts.dropna(subset=["y"])
    a = pd.to_numeric(found["a"], errors="coerce")
    b = pd.to_numeric(found["b"], errors="coerce")
    if (a > 12).any():
        example = found.loc[(a > 12).idxmax()]
        shown = f"{example['a']}{example['sep']}{example['b']}{example['sep']}{example['y']}"
        return "dmy", phrase("part.date_reason.first_above_12", example=shown)
    if (b > 12).any():
        example = found.loc[(b > 12).idxmax()]
        shown = f"{example['a']}{example['sep']}{example['b']}{example['sep']}{example['y']}"
        return "mdy", phrase("part.date_reason.second_above_12", example=shown)
    if (found["sep"] == "/").all():
        return "mdy", phrase("part.date_reason.slashes")
    return "dmy", phrase("part.date_reason.dashes")


def _assemble(parts: pd.DataFrame) -> pd.Series:
    """Regex groups → timestamps in one vectorised call; impossible dates (31 Feb) become NaT."""
    valid = parts["y"].notna()
    out = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[us]")
    if not valid.any():
        return out
    p = parts[valid]

    def num(name: str) -> pd.Series:
        if name not in p:
            return pd.Series(0, index=p.index, dtype="int64")
        return pd.to_numeric(p[name], errors="coerce").fillna(0).astype("int64")

    hour = num("H")
    if "ampm" in p:
        pm = p["ampm"].fillna("").str.casefold() == "pm"
        am = p["ampm"].fillna("").str.casefold() == "am"
        hour = hour.where(~(pm & (hour < 12)), hour + 12).where(~(am & (hour == 12)), 0)
    frac = p["f"].fillna("").str.slice(0, 6).str.ljust(6, "0").replace("000000", "0") if "f" in p else None
    micro = pd.to_numeric(frac, errors="coerce").fillna(0).astype("int64") if frac is not None else 0
    frame = pd.DataFrame(
        {"year": num("y"), "month": num("m"), "day": num("d"), "hour": hour, "minute": num("M"), "second": num("S")}
    )
    frame["us"] = micro
    bad = (frame["month"] < 1) | (frame["month"] > 12) | (frame["day"] < 1) | (frame["day"] > 31)
    bad |= (frame["year"] < 1900) | (frame["year"] > 2200) | (frame["hour"] > 23) | (frame["minute"] > 59)
    bad |= frame["second"] > 59
    good = frame[~bad]
    if len(good):
        out.loc[good.index] = pd.to_datetime(good, errors="coerce").astype("datetime64[us]")
    return out


def excel_serials(numbers: pd.Series) -> pd.Series:
    """Excel day numbers (1900 system) → datetime64; out-of-range numbers become NaT."""
    ok = (numbers >= 1) & (numbers < 2958466)
    days = numbers.where(ok)
    return (_EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).astype("datetime64[us]")


_PERIOD_QUARTER = re.compile(r"^(?P<y>\d{4})\s*(?:(?P<q>[1-4])\s*/\s*4|[-. ]?Q(?P<q2>[1-4])|년?\s*(?P<q3>[1-4])\s*분기)\b")
_PERIOD_Q_FIRST = re.compile(r"^Q(?P<q>[1-4])[\s\-']*(?P<y>\d{4})\b", re.IGNORECASE)
_PERIOD_YEAR = re.compile(r"^(?P<y>(?:19|20)\d{2})\s*년?\s*(?:p\)|\(p\)|p)?$")
_PERIOD_MARK = re.compile(r"\s*(?:p\)|\(p\)|\(잠정\)|e\)|\*)\s*$", re.IGNORECASE)


def parse_period_label(label: object) -> pd.Timestamp | None:
    """A column header naming a period → its first day: `2019 4/4 p)`, `2019 Q4`, `2019년 4분기`, `2019.03`, `2019`.

    Used by the layout stage to recognise wide sheets (periods as columns); None when the header is not a period.
    """
    if isinstance(label, (dt.datetime, dt.date)):
        return pd.Timestamp(label)
    text = _PERIOD_MARK.sub("", str(label).strip())
    if not text:
        return None
    match = _PERIOD_QUARTER.match(text) or _PERIOD_Q_FIRST.match(text)
    if match:
        quarter = int(match.group("q") or match.groupdict().get("q2") or match.groupdict().get("q3") or 1)
        return pd.Timestamp(year=int(match.group("y")), month=3 * quarter - 2, day=1)
    match = _PERIOD_YEAR.match(text)
    if match:
        return pd.Timestamp(year=int(match.group("y")), month=1, day=1)
    parsed = parse_dates(pd.Series([text], dtype="str")).values.iloc[0]
    return None if pd.isna(parsed) else pd.Timestamp(parsed)


def is_preliminary(label: object) -> bool:
    """KOSIS marks preliminary figures with `p)` after the period; worth telling the user."""
    return bool(re.search(r"p\)\s*$|\(p\)\s*$|잠정", str(label), re.IGNORECASE))


# ---------------------------------------------------------------- text and flags


def render_numbers(values: pd.Series) -> pd.Series:
    """Numbers as an id or code would be written: 536365.0 → "536365", 2.55 → "2.55", 7.3e+51 stays "7.3e+51"."""
    codes, uniques = pd.factorize(values.to_numpy(dtype="float64"))  # ids repeat: render each distinct one once
    arr = np.asarray(uniques, dtype="float64")
    integral = np.isfinite(arr) & (np.abs(arr) < 1e15) & (arr == np.round(arr))
    as_int = np.where(integral, arr, 0).astype(np.int64).astype(str)
    text = np.where(integral, as_int, arr.astype(str)).astype(object)
    out = np.where(codes >= 0, text[np.maximum(codes, 0)] if len(text) else None, None)
    return pd.Series(out, index=values.index, dtype="str")


def render_dates(values: pd.Series) -> pd.Series:
    """Dates as text (an id Excel turned into a date): ISO date, with the time only when there is one."""
    has_time = (values.dt.normalize() != values).fillna(False)
    text = values.dt.strftime("%Y-%m-%d")
    return text.where(~has_time, values.dt.strftime("%Y-%m-%d %H:%M:%S")).astype("str")


def bool_words(texts: pd.Series) -> pd.Series:
    """Yes/No words → True/False/NA (예/아니오, Y/N, true/false, O/X, 1/0)."""
    folded = texts.astype("str").str.casefold()
    out = pd.Series(pd.NA, index=texts.index, dtype="boolean")
    out[folded.isin(BOOL_TRUE | {"1"})] = True
    out[folded.isin(BOOL_FALSE | {"0"})] = False
    return out


def as_text(cells: _Cells) -> pd.Series:
    """Every filled cell as trimmed text; numbers without a spurious ".0" so ids survive.

    Each part (strings, numbers, dates, flags, others) contributes its distinct texts and a code per cell, so the
    column is one `take` from a short array of texts instead of a text per cell."""
    codes = np.full(cells.n, -1, dtype=np.int64)
    texts: list[np.ndarray] = []
    offset = 0
    parts = [(cells.string_positions, cells.string_codes, cells.string_uniques)]
    if len(cells.numbers):
        number_codes, distinct = pd.factorize(cells.numbers.to_numpy())
        parts.append((cells.numbers.index.to_numpy(), number_codes, render_numbers(pd.Series(distinct))))
    if len(cells.dates):
        date_codes, distinct_dates = pd.factorize(cells.dates.to_numpy())
        parts.append((cells.dates.index.to_numpy(), date_codes, render_dates(pd.Series(distinct_dates))))
    if len(cells.bools):
        parts.append((cells.bools.index.to_numpy(), cells.bools.to_numpy().astype(np.int64),
                      pd.Series(["FALSE", "TRUE"], dtype="str")))
    if len(cells.others):
        parts.append((cells.others.index.to_numpy(), np.arange(len(cells.others)),
                      cells.others.map(str).astype("str")))
    for positions, part_codes, part_texts in parts:
        if len(positions):
            codes[positions] = np.where(part_codes >= 0, part_codes + offset, -1)
            texts.append(part_texts.to_numpy(dtype=object))
            offset += len(part_texts)
    distinct_texts = pd.array(np.concatenate(texts) if texts else np.empty(0, dtype=object), dtype="str")
    return pd.Series(distinct_texts.take(codes, allow_fill=True), index=pd.RangeIndex(cells.n), dtype="str")


def as_bool(raw: pd.Series) -> pd.Series | None:
    """A column as flags when every filled cell is a yes/no word, a bool, or 0/1; None otherwise."""
    cells = split_cells(raw)
    words = bool_words(cells.strings)
    if words.isna().any() or not cells.numbers.isin((0.0, 1.0)).all() or len(cells.dates) or len(cells.others):
        return None
    out = pd.Series(pd.NA, index=pd.RangeIndex(cells.n), dtype="boolean")
    out.loc[cells.string_positions] = words.to_numpy()
    out.loc[cells.numbers.index] = cells.numbers == 1.0
    out.loc[cells.bools.index] = cells.bools
    return out.astype("bool") if out.notna().all() else out


# ---------------------------------------------------------------- one column


def clean_column(raw: pd.Series, name: str, hint: Hint | None = None, scan: ColumnScan | None = None) -> CleanColumn:
    """Decides the column's kind from all its values (and the header's hint), then converts every cell to it.

    `scan` is the column's `ColumnScan` when the caller already made one (layout does), to skip a second pass."""
    cells = split_cells(raw, scan)
    if cells.filled == 0:
        return CleanColumn(pd.Series(np.nan, index=pd.RangeIndex(cells.n), dtype="str"), "empty")
    codes, unique_strings = cells.string_codes, cells.string_uniques
    flags = _try_bool(cells, unique_strings, codes, hint)
    if flags is not None:
        return flags
    if hint == "id":
        return _text_column(cells, name, id_like=True)
    dates = _try_dates(cells, unique_strings, codes, name, hint)
    if dates is not None:
        return dates
    numbers = _try_numbers(cells, unique_strings, codes, name)
    if numbers is not None:
        return numbers
    return _text_column(cells, name, id_like=False)


def _try_bool(cells: _Cells, uniques: pd.Series, codes: np.ndarray, hint: Hint | None) -> CleanColumn | None:
    folded = set(uniques.str.casefold().to_numpy(dtype=object))
    words = BOOL_TRUE | BOOL_FALSE
    numbers_ok = cells.numbers.isin((0.0, 1.0)).all()
    has_words = bool(folded) and folded <= (words | {"0", "1"}) and bool(folded & words)
    if len(cells.dates) or len(cells.others) or not numbers_ok or (folded and not has_words):
        return None
    if not (has_words or len(cells.bools) or (hint == "flag" and len(cells.numbers))):
        return None
    if folded and len(folded) == 1 and not len(cells.numbers) and not len(cells.bools) and folded <= {"o", "x"}:
        return None
    out = pd.Series(pd.NA, index=pd.RangeIndex(cells.n), dtype="boolean")
    if cells.n_strings:
        out.loc[cells.string_positions] = bool_words(uniques).to_numpy()[codes]
    out.loc[cells.numbers.index] = (cells.numbers == 1.0).to_numpy()
    out.loc[cells.bools.index] = cells.bools.to_numpy()
    return CleanColumn(out.astype("bool") if out.notna().all() else out, "bool")


def _try_dates(
    cells: _Cells, uniques: pd.Series, codes: np.ndarray, name: str, hint: Hint | None
) -> CleanColumn | None:
    if cells.n_strings + len(cells.dates) < (len(cells.numbers) if hint != "date" else 0):
        return None
    parsed = parse_dates(uniques)
    from_strings = pd.Series(parsed.values.to_numpy()[codes], index=cells.string_positions, dtype="datetime64[us]")
    serials = excel_serials(cells.numbers) if hint == "date" else pd.Series([], dtype="datetime64[us]")
    ok = int(from_strings.notna().sum()) + len(cells.dates) + int(serials.notna().sum())
    if ok == 0 or ok < MAJORITY * cells.filled:
        return None
    out = pd.Series(_assemble_parts(cells.n, (from_strings, cells.dates, serials), "datetime64[us]"),
                    index=pd.RangeIndex(cells.n))
    notes: list[Note] = []
    if parsed.order is not None and from_strings.notna().any():
        key = "day_first" if parsed.order == "dmy" else "month_first"
        reason = Phrase(parsed.order_reason, parsed.order_reason_ko or parsed.order_reason)
        notes.append(Note("info", **note_fields(key, name=name, reason=reason)))
    if len(serials.dropna()):
        notes.append(Note("info", **note_fields("excel_serial", name=name, count=serials.notna().sum())))
    failed = _failed_positions(cells, out)
    if len(failed):
        notes.append(_failure_note(name, cells, failed, "bad_date"))
    return CleanColumn(out, "date", tuple(notes))


def _try_numbers(cells: _Cells, uniques: pd.Series, codes: np.ndarray, name: str) -> CleanColumn | None:
    parsed = parse_numbers(uniques)
    from_strings = pd.Series(parsed.to_numpy()[codes], index=cells.string_positions, dtype="float64")
    ok = len(cells.numbers) + int(from_strings.notna().sum()) + len(cells.bools)
    if ok == 0 or ok < MAJORITY * cells.filled:
        return None
    failures = uniques[parsed.isna()]
    if failures.str.match(_ID_LIKE).any():
        return None  # codes such as C536379 or 85123A: an id column, not a measure
    numeric_texts = uniques[parsed.notna()]
    if numeric_texts.str.match(r"^0\d").any():
        return None  # zero-padded codes (007, 02-111) lose meaning as numbers
    parts = (cells.numbers, from_strings, cells.bools.astype("float64"))
    out = pd.Series(_assemble_parts(cells.n, parts, "float64"), index=pd.RangeIndex(cells.n))
    notes: list[Note] = []
    failed = _failed_positions(cells, out)
    if len(failed):
        notes.append(_failure_note(name, cells, failed, "bad_number"))
    if len(cells.tokens):
        shown = ", ".join(repr(t) for t in cells.tokens.unique()[:3])
        notes.append(Note(
            "info", positions=cells.tokens.index.to_numpy(dtype=np.int64),
            **note_fields("missing_token", name=name, count=len(cells.tokens), shown=shown),
        ))
    return CleanColumn(out, "number", tuple(notes))


def _assemble_parts(n: int, parts: tuple[pd.Series, ...], dtype: str) -> np.ndarray:
    """Parts indexed by position (disjoint) → one array of n cells; missing values in a part stay missing."""
    out = np.full(n, np.datetime64("NaT") if dtype.startswith("datetime") else np.nan, dtype=dtype)
    for part in parts:
        if len(part):
            values = part.to_numpy(dtype=dtype)
            good = ~pd.isna(values)
            out[part.index.to_numpy()[good]] = values[good]
    return out


def _failed_positions(cells: _Cells, out: pd.Series) -> np.ndarray:
    filled = np.concatenate(
        [cells.string_positions, cells.numbers.index, cells.bools.index, cells.dates.index, cells.others.index,
         cells.blank_like]
    ).astype(np.int64)
    missing = out.isna().to_numpy()
    return np.sort(filled[missing[filled]])


def _failure_note(name: str, cells: _Cells, failed: np.ndarray, code: str) -> Note:
    text = as_text(cells)
    examples: list[str] = []
    for pos in failed[:50]:
        value = text.iloc[pos] if pd.notna(text.iloc[pos]) else " "
        shown = repr(value) if value.strip() != value or not value else value
        if shown not in examples:
            examples.append(shown)
        if len(examples) == 3:
            break
    return Note("warning", positions=failed,
                **note_fields(code, name=name, count=len(failed), examples=", ".join(examples)))


def _text_column(cells: _Cells, name: str, id_like: bool) -> CleanColumn:
    out = as_text(cells)
    notes: list[Note] = []
    non_text = len(cells.numbers) + len(cells.dates)
    if non_text and cells.n_strings:
        positions = np.sort(np.concatenate([cells.numbers.index, cells.dates.index]).astype(np.int64))
        if non_text > cells.n_strings:
            example = cells.string_uniques.iloc[cells.string_codes[0]]
            notes.append(Note("info", **note_fields("mixed_id", name=name, example=repr(example))))
        elif id_like or len(cells.dates):
            shown = ", ".join(out.iloc[positions[:3]].tolist())
            notes.append(Note("warning", positions=positions,
                              **note_fields("mangled_id", name=name, count=non_text, shown=shown)))
    return CleanColumn(out, "text", tuple(notes))
