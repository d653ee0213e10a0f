"""What one row is (grain and entity), lookups across sheets, and the columns roles imply (derived revenue).

Kept apart from role mapping because it needs the mapping's result: a table with `order_id` is order lines, one
row per id with a churn flag is a customer list, and `quantity × unit_price` only makes sense once both are known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.ingest.messages import MESSAGES, Phrase, join_phrases, note_fields, phrase
from metrics.ingest.model import Grain, RoleMatch, Severity
from metrics.ingest.synonyms import ENTITY_FILE_WORDS, normalise
from metrics.ingest.values import ValueKind, render_dates, render_numbers
from metrics.roles import MEASURES

DERIVED_REVENUE = "revenue (quantity × unit_price)"
_ROW_NUMBER_HEADERS = frozenset(normalise(h) for h in ("순번", "번호", "no", "#", "index", "row", "연번", "일련번호"))


@dataclass(frozen=True, slots=True)
class ShapeNote:
    """Something shape decided that the user should see (a join, a derived column, a duplicate key)."""

    severity: Severity
    message: str
    code: str
    column: str | None = None
    row: int | None = None
    rows_affected: int = 1
    sheet: str | None = None
    template: str = ""  # MESSAGES key of `message` (metrics/ingest/messages.py), so it can be shown in Korean
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class GrainGuess:
    """The grain, what one row is for entity grain, and why (shown to the user, who confirms it)."""

    grain: Grain
    entity: str | None
    reason: str
    reason_ko: str = ""


@dataclass(frozen=True, slots=True)
class LookupTable:
    """A small sheet another sheet refers to by a shared key column (a product list, a client list)."""

    sheet: str
    table: pd.DataFrame
    kinds: dict[str, ValueKind]
    rows: np.ndarray  # spreadsheet row number of each table row


@dataclass(frozen=True, slots=True)
class Joined:
    """The fact table after lookups were joined in, and which sheets were used."""

    table: pd.DataFrame
    kinds: dict[str, ValueKind]
    used: tuple[str, ...]
    notes: tuple[ShapeNote, ...]


def lookup_key(fact: pd.DataFrame, kinds: dict[str, ValueKind], lookup: LookupTable) -> str | None:
    """The column a lookup sheet shares with the fact sheet, if its values really are the fact's keys."""
    for column in lookup.table.columns:
        if column not in fact.columns or kinds.get(column) != "text" or lookup.kinds.get(column) != "text":
            continue
        if normalise(column) in _ROW_NUMBER_HEADERS:
            continue
        fact_keys = pd.Series(fact[column].dropna().unique())
        if fact_keys.empty:
            continue
        covered = fact_keys.isin(set(lookup.table[column].dropna())).mean()
        if covered >= 0.5:
            return column
    return None


def join_lookups(
    fact: pd.DataFrame, kinds: dict[str, ValueKind], lookups: list[LookupTable]
) -> Joined:
    """Left-joins every lookup sheet on its shared key; a key listed twice keeps its first row and is reported."""
    table, kinds = fact, dict(kinds)
    used: list[str] = []
    notes: list[ShapeNote] = []
    for lookup in lookups:
        key = lookup_key(table, kinds, lookup)
        if key is None:
            continue
        extra = [
            c for c in lookup.table.columns if c != key and normalise(c) not in _ROW_NUMBER_HEADERS
        ]
        if not extra:
            continue
        notes.extend(_duplicate_keys(lookup, key, extra))
        first = lookup.table.drop_duplicates(subset=[key], keep="first")[[key, *extra]]
        rename = {c: (c if c not in table.columns else f"{c} ({lookup.sheet})") for c in extra}
        first = first.rename(columns=rename)
        matched = table[key].isin(set(first[key].dropna()))
        table = table.merge(first, on=key, how="left", validate="many_to_one")
        for c in extra:
            kinds[rename[c]] = lookup.kinds.get(c, "text")
        used.append(lookup.sheet)
        unmatched = int((table[key].notna() & ~matched.to_numpy()).sum())
        fields = note_fields("lookup_join.unmatched" if unmatched else "lookup_join", lookup=lookup.sheet, key=key,
                             columns=", ".join(rename.values()), unmatched=unmatched)
        notes.append(ShapeNote("info", column=key, sheet=lookup.sheet, **fields))
    return Joined(table, kinds, tuple(used), tuple(notes))


def _duplicate_keys(lookup: LookupTable, key: str, extra: list[str]) -> list[ShapeNote]:
    """A key listed twice with different values: the user must know which value the figures used."""
    frame = lookup.table
    dup = frame[key].notna() & frame[key].duplicated(keep=False)
    notes: list[ShapeNote] = []
    for value, group in frame[dup].groupby(key, sort=False):
        differing = [c for c in extra if group[c].nunique(dropna=False) > 1]
        if not differing:
            continue
        rows = lookup.rows[group.index.to_numpy()]
        detail = join_phrases([_differing(c, group[c], rows) for c in differing], "; ", "; ")
        first_row = int(rows[0])
        used = ", ".join(f"{c} {_show(group[c].iloc[0])}" for c in differing)
        fields = note_fields("duplicate_key", lookup=lookup.sheet, key=key, value=value, count=len(group),
                             detail=detail, first_row=first_row, used=used)
        notes.append(ShapeNote("warning", column=key, row=first_row, rows_affected=len(group), sheet=lookup.sheet,
                               **fields))
    return notes


def _differing(column: str, values: pd.Series, rows: np.ndarray) -> Phrase:
    """"price 1,000 (row 3) and 1,200 (row 7)": one column's clashing values, in both languages."""
    parts = [phrase("part.duplicate_value", value=_show(v), row=r) for v, r in zip(values, rows, strict=True)]
    joined = join_phrases(parts, *MESSAGES["part.and"])
    return Phrase(f"{column} {joined.en}", f"{column} {joined.ko}")


def _show(value: object) -> str:
    if isinstance(value, float) and value == int(value):
        return f"{int(value):,}"
    return str(value)


def derive_revenue(
    table: pd.DataFrame, roles: dict[str, str], blocked: set[str]
) -> tuple[pd.DataFrame, dict[str, str], RoleMatch | None]:
    """Adds revenue = quantity × unit_price when both are mapped and no revenue column exists (returns net out)."""
    if "revenue" in roles or "revenue" in blocked or not {"quantity", "unit_price"} <= roles.keys():
        return table, roles, None
    table = table.assign(**{DERIVED_REVENUE: table[roles["quantity"]] * table[roles["unit_price"]]})
    roles = {**roles, "revenue": DERIVED_REVENUE}
    match = RoleMatch(
        DERIVED_REVENUE, "revenue", 0.9, f"no revenue column: computed as {roles['quantity']} × {roles['unit_price']}"
    )
    return table, roles, match


def coerce_for_roles(
    table: pd.DataFrame, roles: dict[str, str], kinds: dict[str, ValueKind]
) -> tuple[pd.DataFrame, list[ShapeNote]]:
    """Makes each mapped column hold what its role needs: ids as text ("17850", not 17850.0), flags as bool."""
    notes: list[ShapeNote] = []
    updates: dict[str, pd.Series] = {}
    for role, column in roles.items():
        series = table[column]
        if role in ("order_id", "customer_id", "lead_id", "channel", "source", "medium", "campaign", "device",
                    "region", "product", "segment", "status"):
            if kinds.get(column) == "number":
                updates[column] = render_numbers(series).where(series.notna())
            elif kinds.get(column) == "date":
                updates[column] = render_dates(series)
        elif role == "churned" and kinds.get(column) == "number":
            updates[column] = _as_flag(series)
        if role in ("order_id", "customer_id", "lead_id") and series.isna().any():
            missing = int(series.isna().sum())
            key = {"order_id": "missing_id", "customer_id": "missing_id.customer", "lead_id": "missing_id.lead"}[role]
            fields = note_fields(key, missing=missing, column_name=column)
            notes.append(ShapeNote("info", column=column, rows_affected=missing, **fields))
    flags = [c for c, k in kinds.items() if k == "bool"]
    mapped = set(roles.values())
    for column, kind in kinds.items():
        if kind != "number" or column in mapped or column in updates or not flags:
            continue
        values = table[column].dropna()
        if len(values) and values.isin((0.0, 1.0)).all() and table[column].notna().all():
            updates[column] = _as_flag(table[column])
            notes.append(ShapeNote("info", column=column, **note_fields("zero_one_flag", column_name=column)))
    return (table.assign(**updates) if updates else table), notes


def _as_flag(series: pd.Series) -> pd.Series:
    out = series.map({1.0: True, 0.0: False}).astype("boolean")
    return out.astype("bool") if out.notna().all() else out


def guess_grain(table: pd.DataFrame, roles: dict[str, str], filename: str, wide: bool) -> GrainGuess:
    """line (order ids), entity (one row per customer, lead, deal or answer) or aggregate (counted measures)."""
    if wide:
        return _guess("aggregate", None, "wide")
    if "order_id" in roles:
        return _guess("line", None, "order_id", column_name=roles["order_id"])
    name = normalise(filename)
    headers = {normalise(c) for c in table.columns}
    counted = {"impressions", "clicks", "cost", "sessions", "visitors", "orders", "conversions"} & roles.keys()
    if counted:
        return _guess("aggregate", None, "counted", measures=", ".join(sorted(counted)))
    if "lead_id" in roles:
        if "wondate" in headers or any(w in name for w in ENTITY_FILE_WORDS["deal"]):
            return _guess("entity", "deal", "deal")
        return _guess("entity", "lead", "lead")
    if "score" in roles and not (measure_roles(roles) - {"score"}):
        return _guess("entity", "answer", "answer", column_name=roles["score"])
    if "customer_id" in roles:
        ids = table[roles["customer_id"]].dropna()
        if len(ids) and ids.is_unique:
            return _guess("entity", "customer", "unique_customer")
    if "churned" in roles:
        return _guess("entity", "customer", "churn")
    for entity, words in ENTITY_FILE_WORDS.items():
        if any(w in name for w in words) and not measure_roles(roles):
            return _guess("entity", entity, "file_name", entity=entity_phrase(entity))
    return _guess("aggregate", None, "default")


def _guess(grain: Grain, entity: str | None, reason: str, **params: object) -> GrainGuess:
    """The reason comes from the message table, so the grain issue can be shown in English or Korean."""
    said = phrase(f"part.grain_reason.{reason}", **params)
    return GrainGuess(grain, entity, said.en, said.ko)


def entity_phrase(entity: str) -> Phrase:
    """What one row is ("deal"), in both languages; an entity without a Korean word keeps its English one."""
    key = f"part.entity.{entity}"
    return phrase(key) if key in MESSAGES else Phrase(entity, entity)


def measure_roles(roles: dict[str, str]) -> set[str]:
    """The measure roles a mapping holds (score counts too: a survey answer is what the row measures)."""
    return {r for r in roles if r in MEASURES or r == "score"}
