"""Display frames for pages: translated headers, marketer-facing labels instead of role ids, no computation.

Functions here only reshape results the core already computed, so pages stay layout-only and tests can check the
exact table a user sees (golden files) without a browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from metrics.ingest import Issue, Source
from metrics.roles import role_label
from ui import state
from ui.i18n import t

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def issues_frame(issues: Iterable[Issue]) -> pd.DataFrame:
    """One table of every issue: errors first, then by file, sheet and row, as the user fixes them."""
    rows = [
        {
            "severity_rank": _SEVERITY_ORDER.get(i.severity, 3),
            t("data.col.severity"): t(f"severity.{i.severity}"),
            t("data.col.file"): i.file or "",
            t("data.col.sheet"): i.sheet or "",
            t("data.col.row"): i.row,
            t("data.col.column"): i.column or "",
            t("data.col.message"): i.text(state.language()),
            t("data.col.rows_affected"): i.rows_affected,
        }
        for i in issues
    ]
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows).sort_values(
        ["severity_rank", t("data.col.file"), t("data.col.sheet"), t("data.col.row")], na_position="first", kind="stable"
    )
    rows = frame[t("data.col.row")]
    frame[t("data.col.row")] = [f"{int(r):,}" if pd.notna(r) else "" for r in rows]
    return frame.drop(columns="severity_rank").reset_index(drop=True)


def roles_frame(source: Source) -> pd.DataFrame:
    """Each column of the file with the meaning we gave it, how sure we are, and why."""
    language = state.language()
    return pd.DataFrame(
        [
            {
                t("data.col.column"): m.column,
                t("data.col.role"): role_label(m.role, language) if m.role else t("data.no_role"),
                t("data.col.confidence"): float(m.confidence) if m.role else None,
                t("data.col.reason"): explain_reason(m.reason, language),
            }
            for m in source.matches
        ]
    )


_EVIDENCE_KO = {
    "numbers": "숫자", "dates": "날짜", "ids": "ID", "labels": "이름/구분값", "yes/no values": "예/아니오 값",
    "0/1 values": "0/1 값", "whole numbers from 0 to 10": "0~10 정수",
}
_REASON_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"'(?P<h>.+?)' is a usual name for (?P<role>\w+)"), "'{h}' is a usual name for {role}", "'{h}'은(는) {role}의 흔한 이름"),
    (re.compile(r"'(?P<h>.+?)' often means (?P<role>\w+)"), "'{h}' often means {role}", "'{h}'은(는) 보통 {role}"),
    (re.compile(r"'(?P<h>.+?)' contains '(?P<w>.+?)'"), "'{h}' contains '{w}'", "'{h}'에 '{w}'이(가) 들어 있음"),
    (re.compile(r"'(?P<h>.+?)' holds dates"), "'{h}' holds dates", "'{h}'에 날짜가 들어 있음"),
    (re.compile(r"'(?P<h>.+?)' holds a different id on every row"), "'{h}' holds a different id on every row",
     "'{h}'은(는) 행마다 다른 ID"),
    (re.compile(r"looks like (?P<role>\w+), but '(?P<h>.+?)' fits better"), "looks like {role}, but '{h}' fits better",
     "{role}처럼 보이지만 '{h}'이(가) 더 잘 맞음"),
]
_FIXED_REASONS_KO = {"no role recognised": "알아볼 수 있는 의미 없음", "set by you": "직접 지정함"}


def explain_reason(reason: str, language: str) -> str:
    """Ingest's reason for a role, with role ids replaced by the names a marketer reads, in the UI language."""
    head, _, evidence = reason.partition(", and it holds ")
    if language == "ko" and head in _FIXED_REASONS_KO:
        return _FIXED_REASONS_KO[head]
    for pattern, english, korean in _REASON_PATTERNS:
        match = pattern.fullmatch(head)
        if match is None:
            continue
        values = match.groupdict()
        if "role" in values:
            values["role"] = role_label(values["role"], language)
        head = (korean if language == "ko" else english).format(**values)
        break
    if not evidence:
        return head
    if language == "ko":
        return f"{head}, 값은 {_EVIDENCE_KO.get(evidence, evidence)}"
    return f"{head}, and it holds {evidence}"


def set_aside_frame(source: Source) -> pd.DataFrame:
    """Rows left out of the clean table, with the spreadsheet row number and the reason."""
    if source.set_aside.empty:
        return pd.DataFrame()
    frame = source.set_aside.rename(columns={"row": t("data.col.row"), "reason": t("data.col.reason_aside")})
    return frame.reset_index(drop=True)


def grain_text(source: Source) -> str:
    """What one row of the file is, in words."""
    if source.layout == "wide":
        return t("data.grain.wide")
    if source.grain == "entity":
        entity_key = f"data.entity.{source.entity}" if source.entity in {"customer", "lead", "deal", "answer"} else "data.entity.other"
        return t("data.grain.entity", entity=t(entity_key))
    return t(f"data.grain.{source.grain}")


def severity_counts(issues: Iterable[Issue]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for issue in issues:
        counts[issue.severity] = counts.get(issue.severity, 0) + 1
    return counts
