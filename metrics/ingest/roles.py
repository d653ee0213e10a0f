"""Which column plays which canonical role: header synonyms (metrics/ingest/synonyms.py) weighed against the values.

A header alone is not enough ("Spent" is cost only if it holds numbers; "Churn" is a flag only if it holds yes/no),
so every candidate is checked against the column's cleaned kind and values, then roles are handed out greedily by
confidence: at most one column per role, one role per column. The user's overrides are applied first and always win.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from metrics.ingest.messages import note_fields
from metrics.ingest.model import RoleMatch, Severity
from metrics.ingest.synonyms import (
    AMOUNT_WORDS,
    COUNTED_MEASURES,
    KEYWORDS,
    NEGATIVE_WORDS,
    PLAN_WORDS,
    STRONG,
    WEAK,
    normalise,
)
from metrics.ingest.values import Hint, ValueKind
from metrics.roles import ALL_ROLES, DIMENSIONS, MEASURES, role_kind

ID_ROLES = ("order_id", "customer_id", "lead_id")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|（[^）]*）")
STRONG_CONFIDENCE = 0.95
WEAK_CONFIDENCE = 0.75
KEYWORD_CONFIDENCE = 0.65


@dataclass(frozen=True, slots=True)
class Candidate:
    """One role a header could mean, before the values are checked."""

    role: str
    confidence: float
    reason: str


@dataclass(frozen=True, slots=True)
class RoleNote:
    """A message about the mapping itself (an override naming a column that does not exist…)."""

    severity: Severity
    message: str
    column: str | None = None
    template: str = ""  # MESSAGES key of `message` (metrics/ingest/messages.py), so it can be shown in Korean
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    """The mapping {role: column}, one `RoleMatch` per column explaining it, and notes for the issue list."""

    roles: dict[str, str]
    matches: list[RoleMatch]
    notes: tuple[RoleNote, ...] = ()


def header_candidates(header: str) -> list[Candidate]:
    """Roles a header names, strongest first: exact synonym 0.95, second-best synonym 0.75, keyword inside 0.65."""
    keys = {normalise(header), normalise(_BRACKETS.sub("", str(header)))} - {""}
    found: dict[str, Candidate] = {}
    for role in ALL_ROLES:
        if keys & STRONG.get(role, frozenset()):
            found[role] = Candidate(role, STRONG_CONFIDENCE, f"'{header}' is a usual name for {role}")
        elif keys & WEAK.get(role, frozenset()):
            found[role] = Candidate(role, WEAK_CONFIDENCE, f"'{header}' often means {role}")
    if found:
        return sorted(found.values(), key=lambda c: -c.confidence)
    key = normalise(header)
    if any(word in key for word in PLAN_WORDS):
        return []
    vetoed = any(word in key for word in NEGATIVE_WORDS)
    money = any(word in key for word in AMOUNT_WORDS)
    for role in ALL_ROLES:
        if (role in MEASURES and vetoed) or (role in COUNTED_MEASURES and money):
            continue
        word = next((w for w in KEYWORDS.get(role, ()) if w and _keyword_in(w, key, role)), None)
        if word:
            found[role] = Candidate(role, KEYWORD_CONFIDENCE, f"'{header}' contains '{word}'")
    return sorted(found.values(), key=lambda c: (-c.confidence, -len(c.reason)))


def _keyword_in(word: str, key: str, role: str) -> bool:
    """Measures: the word anywhere ("total_conversion"). English dimension words must end the header, optionally
    followed by id/name/type… ("traffic_channel", "device_category"), so "DeviceProtection" is not a device."""
    if word not in key:
        return False
    if role not in DIMENSIONS or not word.isascii():
        return True
    return any(key.endswith(word + tail) for tail in _DIMENSION_TAILS)


_DIMENSION_TAILS = ("", "id", "name", "type", "category", "group", "code", "no")


def header_hint(header: str) -> Hint | None:
    """What the header says the values should be read as, before looking at them (ids stay text, dates…)."""
    candidates = header_candidates(header)
    key = normalise(header)
    if candidates:
        role = candidates[0].role
        if role == "date":
            return "date"
        if role in ID_ROLES:
            return "id"
        if role == "churned":
            return "flag"
    if re.search(r"(?:^|[^a-z])(id|code)$", str(header).strip().casefold()) or key.endswith(("코드", "아이디")):
        return "id"
    return None


def _fits(role: str, kind: ValueKind, values: pd.Series) -> tuple[bool, float, str]:
    """Whether a column's values can play `role`; a small confidence adjustment and the evidence, said plainly."""
    match role_kind(role):
        case "measure":
            return kind == "number", 0.0, "numbers"
        case "flag":
            if kind == "bool":
                return True, 0.0, "yes/no values"
            numeric = kind == "number" and values.dropna().isin((0.0, 1.0)).all()
            return bool(numeric), -0.05, "0/1 values"
        case "score":
            if kind != "number":
                return False, 0.0, ""
            filled = values.dropna()
            inside = bool(len(filled)) and filled.between(0, 10).mean() >= 0.95 and (filled == filled.round()).mean() >= 0.9
            return inside, 0.0, "whole numbers from 0 to 10"
        case "dimension":
            if role == "date":
                return kind == "date", 0.0, "dates"
            if role in ID_ROLES:
                return kind in ("text", "number"), 0.0, "ids"
            if role == "status" and kind == "bool":
                return True, 0.0, "yes/no values"
            return kind in ("text", "number"), (-0.1 if kind == "number" else 0.0), "labels"
    return False, 0.0, ""


def _value_candidates(column: str, kind: ValueKind, values: pd.Series, filename: str) -> list[Candidate]:
    """Roles suggested by the values alone, for headers no synonym recognises."""
    if kind == "date":
        return [Candidate("date", 0.55, f"'{column}' holds dates")]
    name = normalise(filename)
    if kind in ("text", "number") and normalise(column).endswith("id") and values.notna().all() and values.is_unique:
        for role, words in (("lead_id", ("lead", "mql", "리드")), ("customer_id", ("customer", "client", "고객"))):
            if any(w in name for w in words):
                return [Candidate(role, 0.5, f"'{column}' holds a different id on every row")]
    return []


def assign_roles(
    table: pd.DataFrame,
    kinds: dict[str, ValueKind],
    filename: str = "",
    overrides: tuple[tuple[str, str], ...] = (),
) -> RoleAssignment:
    """Maps columns to roles: overrides first, then the most confident fitting candidates, one to one."""
    roles: dict[str, str] = {}
    reasons: dict[str, tuple[float, str]] = {}
    notes: list[RoleNote] = []
    blocked_roles: set[str] = set()
    for role, column in overrides:
        if role not in ALL_ROLES:
            notes.append(_note(None, "override", role=role))
            continue
        if column == "":
            roles.pop(role, None)
            blocked_roles.add(role)
            continue
        if column not in table.columns:
            notes.append(_note(column, "override.missing_column", column_name=column, role=role))
            continue
        roles = {r: c for r, c in roles.items() if c != column}
        roles[role] = column
        blocked_roles.add(role)
        reasons[column] = (1.0, "set by you")
    scored: list[tuple[float, float, int, str, Candidate, str]] = []
    for position, column in enumerate(table.columns):
        kind = kinds.get(column, "text")
        values = table[column]
        candidates = header_candidates(str(column)) or _value_candidates(str(column), kind, values, filename)
        for candidate in candidates:
            fits, adjust, evidence = _fits(candidate.role, kind, values)
            if not fits:
                continue
            spread = _spread(values) if candidate.role in DIMENSIONS else 0.0
            reason = f"{candidate.reason}, and it holds {evidence}"
            scored.append((candidate.confidence + adjust, -spread, -position, column, candidate, reason))
    scored.sort(key=lambda s: (s[0], s[1], s[2]), reverse=True)
    taken = set(roles.values())
    second_best: dict[str, str] = {}
    for confidence, _, _, column, candidate, reason in scored:
        if candidate.role in roles or candidate.role in blocked_roles or column in taken:
            if column not in taken and column not in second_best:
                other = roles.get(candidate.role)
                second_best[column] = f"looks like {candidate.role}, but '{other}' fits better" if other else ""
            continue
        roles[candidate.role] = column
        taken.add(column)
        reasons[column] = (round(confidence, 2), reason)
    by_column = {c: r for r, c in roles.items()}
    matches = [
        RoleMatch(str(c), by_column.get(c), *(reasons.get(c) or (0.0, second_best.get(c) or "no role recognised")))
        for c in table.columns
    ]
    return RoleAssignment(roles, matches, tuple(notes))


def _note(column: str | None, key: str, /, **params: object) -> RoleNote:
    """A warning about the overrides, its sentence from the message table (RoleNote has no code of its own)."""
    fields = note_fields(key, **params)
    del fields["code"]
    return RoleNote("warning", column=column, **fields)  # type: ignore[arg-type]


def _spread(values: pd.Series) -> float:
    """Distinct values per row: a segment dimension with few values (3 campaigns) beats an id-like one."""
    filled = values.dropna()
    return filled.nunique() / len(filled) if len(filled) else 1.0
