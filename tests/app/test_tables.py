"""Display helpers: what a marketer reads instead of ingest's internal wording."""

from __future__ import annotations

import pytest

from metrics.ingest import Issue
from ui import tables


@pytest.mark.parametrize(
    ("reason", "language", "expected"),
    [
        ("'번호' often means order_id, and it holds ids", "ko", "'번호'은(는) 보통 주문번호, 값은 ID"),
        ("'번호' often means order_id, and it holds ids", "en", "'번호' often means Order number, and it holds ids"),
        ("'날자' is a usual name for date, and it holds dates", "ko", "'날자'은(는) 날짜의 흔한 이름, 값은 날짜"),
        ("looks like segment, but '카테고리' fits better", "en", "looks like Customer segment, but '카테고리' fits better"),
        ("no role recognised", "ko", "알아볼 수 있는 의미 없음"),
        ("set by you", "en", "set by you"),
        ("an unforeseen reason about add_to_cart", "en", "an unforeseen reason about add_to_cart"),
    ],
)
def test_reasons_read_in_the_marketers_words(reason: str, language: str, expected: str) -> None:
    assert tables.explain_reason(reason, language) == expected


def test_issue_table_puts_errors_first_and_leaves_unknown_rows_blank(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables.state, "language", lambda: "en")
    monkeypatch.setattr("ui.i18n.state.language", lambda: "en")
    frame = tables.issues_frame([
        Issue("info", "Read as line grain.", file="a.xlsx", sheet="S"),
        Issue("warning", "11 blanks", file="a.xlsx", sheet="S", row=490, column="TotalCharges", rows_affected=11),
        Issue("error", "encrypted", file="b.xlsx"),
    ])
    assert list(frame["Level"]) == ["error", "warning", "note"]
    assert list(frame["Row"]) == ["", "490", ""]
    assert list(frame["Rows affected"]) == [1, 11, 1]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "2 total or subtotal row(s) (합계/소계/Total) set aside so sums are not doubled (rows 9, 12)."),
        ("ko", "합계가 두 번 더해지지 않도록 합계·소계 행 2개를 따로 뺐습니다(9, 12행)."),
    ],
)
def test_issue_table_speaks_the_ui_language(monkeypatch: pytest.MonkeyPatch, language: str, expected: str) -> None:
    from metrics.ingest.messages import make_issue

    monkeypatch.setattr(tables.state, "language", lambda: language)
    monkeypatch.setattr("ui.i18n.state.language", lambda: language)
    issue = make_issue("info", "total_row", file="a.xlsx", sheet="S", row=9, rows_affected=2, count=2, rows="9, 12")
    frame = tables.issues_frame([issue])
    header = {"en": "What we found", "ko": "내용"}[language]
    assert list(frame[header]) == [expected]


class TestExportSafe:
    """Every on-screen table can be downloaded as CSV, so formula triggers in user text are neutralised."""

    @pytest.mark.parametrize(
        ("cell", "shown"),
        [
            ("=HYPERLINK(\"http://x\",\"click\")", "'=HYPERLINK(\"http://x\",\"click\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("-2+3", "'-2+3"),
            ("\tSUM(1)", "'\tSUM(1)"),
            ("-2.0 pp", "-2.0 pp"),
            ("-₩1,200", "-₩1,200"),
            ("+12.5%", "+12.5%"),
            ("-", "-"),
            ("검색광고", "검색광고"),
            (-3.5, -3.5),
        ],
    )
    def test_cells(self, cell: object, shown: object) -> None:
        from ui.widgets import export_safe_text

        assert export_safe_text(cell) == shown

    def test_frames_keep_numbers_and_neutralise_headers(self) -> None:
        import pandas as pd

        from ui.widgets import export_safe

        frame = pd.DataFrame({"=evil": ["=1+1", "ok"], "amount": [-5.0, 3.0]})
        safe = export_safe(frame)
        assert list(safe.columns) == ["'=evil", "amount"]
        assert safe["'=evil"].tolist() == ["'=1+1", "ok"]
        assert safe["amount"].tolist() == [-5.0, 3.0] and safe["amount"].dtype == float
        assert frame.columns[0] == "=evil"  # the caller's frame is not modified
