"""Every ingest issue can be shown in Korean, and its English message is exactly the English template's sentence.

The English check renders the template with Python's own `str.format` here (not through `render`), and the
Korean check looks for Hangul and for English words left over once names and parameter values are taken out.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest

from metrics.ingest import IngestOptions, ingest, ingest_path
from metrics.ingest.messages import KO_SUFFIX, MESSAGES, make_issue, phrase
from metrics.ingest.model import Issue, Limits
from tests.conftest import xlsx_bytes
from tests.unit import hostile

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
# Product and format names a Korean marketer reads as they are.
_ALLOWED_WORDS = frozenset({
    "Excel", "XML", "zip", "xlsx", "csv", "xl", "workbook", "xml", "HTTP", "Google", "Loopboard", "UTF", "CP", "Latin",
    "CSV", "MB", "ID", "DD", "MM", "YYYY", "Group", "Item", "Value", "https", "docs", "google", "com", "spreadsheets",
})


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def _stray_english(text: str, names: list[str]) -> list[str]:
    """ASCII words in a Korean sentence once names, parameter values and product names are removed."""
    for name in sorted((n for n in names if n), key=len, reverse=True):
        text = text.replace(name, " ")
    return [w for w in _ASCII_WORD.findall(text) if w not in _ALLOWED_WORDS]


def _check_issue(issue: Issue) -> None:
    key = issue.template or issue.code
    assert key in MESSAGES, f"{issue.code!r} has no template: {issue.message}"
    values = dict(issue.params)
    english = MESSAGES[key][0].format(**values)
    assert issue.message == english
    korean = issue.text("ko")
    assert korean != issue.message and _HANGUL.search(korean), korean
    names = [issue.file or "", issue.sheet or "", issue.column or "", *values.values()]
    assert not _stray_english(korean, names), (korean, _stray_english(korean, names))
    assert issue.text("en") == issue.message


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_templates_have_the_same_placeholders(key: str) -> None:
    english, korean = MESSAGES[key]
    assert english.strip() and korean.strip()
    assert _placeholders(english) == _placeholders(korean)


@pytest.mark.parametrize("key", sorted(k for k in MESSAGES if not k.startswith("part.")))
def test_every_korean_template_is_korean(key: str) -> None:
    korean = MESSAGES[key][1]
    assert _HANGUL.search(korean)
    assert not _stray_english(re.sub(r"\{\w+\}", " ", korean), []), korean


def test_make_issue_keeps_the_code_and_renders_both_languages() -> None:
    issue = make_issue("warning", "ragged_row.short", file="a.csv", row=4, name="a.csv", row_number=4, found=2,
                       expected=3, extra=-1)
    assert issue.code == "ragged_row" and issue.template == "ragged_row.short" and issue.row == 4
    assert issue.message == ("a.csv, row 4, has 2 fields where most rows have 3; the missing cells were left empty "
                             "at the right; check that its values are not shifted.")
    assert issue.text("ko").startswith("a.csv 파일의 4행은 칸이 2개로")
    assert hash(issue) == hash(make_issue("warning", "ragged_row.short", file="a.csv", row=4, name="a.csv",
                                          row_number=4, found=2, expected=3, extra=-1))


def test_a_phrase_parameter_is_english_in_english_and_korean_in_korean() -> None:
    where = phrase("part.where_sheet", name="r.xlsx", sheet_name="Data")
    issue = make_issue("error", "corrupt.xml", file="r.xlsx", sheet="Data", where=where)
    assert issue.message == "r.xlsx, sheet Data, is damaged: its XML is not well formed."
    assert issue.text("ko") == "r.xlsx 파일의 Data 시트의 데이터가 손상되었습니다. XML 형식이 올바르지 않습니다."
    assert ("where" + KO_SUFFIX, "r.xlsx 파일의 Data 시트") in issue.params


def test_an_issue_without_a_template_falls_back_to_its_message() -> None:
    issue = Issue("info", "Something new.", code="not_in_the_table")
    assert issue.text("ko") == "Something new." and issue.text("en") == "Something new."


def _realdata_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != "README.md")


@pytest.mark.slow
def test_every_realdata_issue_renders_in_korean(realdata: Path) -> None:
    seen: set[str] = set()
    for path in _realdata_files(realdata):
        for issue in ingest_path(path).all_issues():
            _check_issue(issue)
            seen.add(issue.template or issue.code)
    assert {"grain", "total_row", "bad_number.rows"} & seen, seen


_HOSTILE: list[tuple[str, Callable[[], bytes], str]] = [
    ("sparse bomb", hostile.sparse_bomb, "report.xlsx"),
    ("positional bomb", hostile.positional_bomb, "report.xlsx"),
    ("dimension bomb", hostile.dimension_bomb, "report.xlsx"),
    ("zip bomb", lambda: hostile.zip_bomb(20), "report.xlsx"),
    ("many entries", hostile.many_entries, "report.xlsx"),
    ("billion laughs in sheet", lambda: hostile.billion_laughs("sheet"), "report.xlsx"),
    ("billion laughs in strings", lambda: hostile.billion_laughs("sst"), "report.xlsx"),
    ("encrypted xlsx", hostile.encrypted_ooxml, "report.xlsx"),
    ("encrypted xls", hostile.encrypted_xls, "report.xls"),
    ("binary csv", hostile.binary_garbage, "report.csv"),
    ("binary xlsx", hostile.binary_garbage, "report.xlsx"),
    ("truncated zip", lambda: hostile.dimension_bomb()[:200], "report.xlsx"),
    ("utf-16 csv", lambda: hostile.utf16_csv([["date", "sessions"], ["2024-01-01", "3"]]), "report.csv"),
    ("sparse at limit", hostile.sparse_at_limit, "report.xlsx"),
    ("not a zip", lambda: b"Date,Revenue\n2024-01-01,5\n", "report.xlsx"),
    ("empty", lambda: b"", "report.csv"),
    ("exe", lambda: b"MZ\x90\x00", "setup.exe"),
    ("html as xls", lambda: b"<html><table><tr><td>1</td></tr></table></html>", "export.xls"),
    ("blank lines", lambda: b"\n\n\n", "blank.csv"),
    ("latin-1", lambda: "date;city;amount\n2024-01-01;Zürich\xa0;1,5\n2024-01-02;Genève;2,5\n".encode("latin-1"),
     "eu.csv"),
    ("ragged", lambda: b"a,b,c\n1,2,3\n1,2\n1,2,3,4\n" + b"1,2,3\n" * 5, "ragged.csv"),
    ("awkward workbook", lambda: xlsx_bytes({
        "매출": [["월간 매출 보고서"], [], ["주문번호", "날짜", "제품명", "수량", "", "제품명"],
               ["A1", "2024-03-01", "빵", 2, 1, "x"], ["A2", "13/03/2024", "우유", "n/a", 2, "y"],
               ["A3", "2024-03-02", "빵", "abc", 3, "z"], ["합계", None, None, 7, None, None], [],
               ["※ 단위: 개"]],
        "제품": [["제품명", "단가"], ["빵", 3000], ["우유", 1500], ["빵", 9999]],
        "빈 시트": [],
    }), "awkward.xlsx"),
    ("wide", lambda: xlsx_bytes({"S": [["지역", "2024-01", "2024-02", "2024-03 p)"], ["서울", 1, 2, 3],
                                     ["부산", 4, 5, 6]]}), "wide.xlsx"),
    ("stacked", lambda: xlsx_bytes({"1월": [["date", "sessions"], ["2024-01-01", 3]],
                                    "2월": [["date", "sessions"], ["2024-02-01", 4]]}), "stacked.xlsx"),
]


@pytest.mark.parametrize(("case", "build", "filename"), _HOSTILE, ids=[h[0] for h in _HOSTILE])
def test_every_hostile_or_awkward_issue_renders_in_korean(case: str, build: Callable[[], bytes],
                                                         filename: str) -> None:
    result = ingest(build(), filename)
    issues = result.all_issues()
    assert issues, case
    for issue in issues:
        _check_issue(issue)


def test_tight_limits_and_a_missing_file_render_in_korean(tmp_path: Path) -> None:
    csv = b"date,sessions\n" + b"2024-01-01,3\n" * 20
    small = ingest(csv, "s.csv")
    tight = [
        *ingest(csv, "s.csv", _options(Limits(max_rows=5))).all_issues(),
        *ingest(csv, "s.csv", _options(Limits(max_columns=1))).all_issues(),
        *ingest(csv, "s.csv", _options(Limits(max_cells=10))).all_issues(),
        *ingest(csv, "s.csv", _options(Limits(max_bytes=10))).all_issues(),
        *ingest_path(tmp_path / "missing.csv").all_issues(),
        *small.all_issues(),
    ]
    assert {"rows_truncated", "too_many_columns", "too_many_cells", "too_large", "unopenable"} <= {i.code for i in tight}
    for issue in tight:
        _check_issue(issue)


def _options(limits: Limits) -> IngestOptions:
    return IngestOptions(limits=limits)
