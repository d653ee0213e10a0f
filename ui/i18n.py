"""All UI text in English and Korean, in one place. `t(key, **values)` picks the session's language.

Values are formatted with `str.format`, and the result is always handed to Streamlit as plain text or Markdown
without `unsafe_allow_html`, so a file or column name a user uploaded can never become HTML.
"""

from __future__ import annotations

from typing import Final

from ui import state

LANGUAGES: Final = {"en": "English", "ko": "한국어"}

TEXT: Final[dict[str, tuple[str, str]]] = {
    # --- frame (app.py) ---
    "app.title": ("Loopboard", "Loopboard"),
    "nav.data": ("Data", "데이터"),
    "nav.analyse": ("Analyse", "분석"),
    "page.data": ("Data", "데이터"),
    "page.kpi_pool": ("KPI pool", "KPI 풀"),
    "page.funnel": ("Funnel", "퍼널"),
    "sidebar.workspace": ("Workspace", "워크스페이스"),
    "sidebar.workspace_help": (
        "Each team's files, mappings and KPIs live in their own workspace.",
        "팀마다 파일, 매핑, KPI가 각자의 워크스페이스에 저장됩니다.",
    ),
    "sidebar.new_workspace": ("New workspace name", "새 워크스페이스 이름"),
    "sidebar.create": ("Create", "만들기"),
    "sidebar.language": ("Language", "언어"),
    "sidebar.goal": ("Business goal", "비즈니스 목표"),
    "sidebar.goal_help": (
        "Pick the goal first: the KPI pool and the funnel follow from it.",
        "목표를 먼저 고르세요. KPI 풀과 퍼널이 목표에서 나옵니다.",
    ),
    "sidebar.goal_none": ("— choose a goal —", "— 목표 선택 —"),
    "common.none": ("—", "—"),
    "common.no_data": (
        "No data yet. Open the **Data** page and upload a file or load a sample.",
        "아직 데이터가 없습니다. **데이터** 페이지에서 파일을 올리거나 예제를 불러오세요.",
    ),
    "common.go_data": ("Go to the Data page", "데이터 페이지로 이동"),
    "common.store_error": (
        "The database could not be reached: {error}. Nothing was changed.",
        "데이터베이스에 연결할 수 없습니다: {error}. 아무것도 변경되지 않았습니다.",
    ),
    # --- data page ---
    "data.title": ("Your data", "내 데이터"),
    "data.intro": (
        "Drop in the spreadsheets you already have (Excel, CSV, Google Sheets exports). Loopboard finds the header, "
        "cleans the values and guesses what each column means; check the guesses and fix any that are wrong.",
        "이미 쓰고 있는 스프레드시트(엑셀, CSV, 구글 시트 내보내기)를 올리세요. 헤더를 찾고 값을 정리한 뒤 각 열의 "
        "의미를 추측합니다. 추측을 확인하고 틀린 것은 바로잡으세요.",
    ),
    "data.samples": ("Try a sample", "예제로 시작하기"),
    "data.load_sample": ("Load “{name}”", "“{name}” 불러오기"),
    "data.sample_loaded": ("Sample “{name}” loaded: {files}.", "예제 “{name}”을(를) 불러왔습니다: {files}."),
    "data.upload": ("Upload files", "파일 올리기"),
    "data.upload_help": (
        "xlsx, xlsm, xls, csv, tsv or txt, up to {limit} MB each. Several files at once are fine.",
        "xlsx, xlsm, xls, csv, tsv, txt 파일, 각 {limit}MB까지. 여러 파일을 한 번에 올려도 됩니다.",
    ),
    "data.sheets_link": ("…or paste a Google Sheets link", "…또는 구글 시트 링크 붙여넣기"),
    "data.sheets_fetch": ("Fetch sheet", "시트 가져오기"),
    "data.saved": ("{file} saved.", "{file} 저장됨."),
    "data.duplicate": ("{file} is already in this workspace.", "{file}은(는) 이미 이 워크스페이스에 있습니다."),
    "data.refused": ("{file} was not loaded: {reason}", "{file}을(를) 불러오지 않았습니다: {reason}"),
    "data.sources": ("Files in this workspace", "이 워크스페이스의 파일"),
    "data.no_sources": (
        "No files yet. Upload one above or load a sample.",
        "아직 파일이 없습니다. 위에서 파일을 올리거나 예제를 불러오세요.",
    ),
    "data.rows_read": ("Rows read", "읽은 행"),
    "data.rows_used": ("Rows used", "사용한 행"),
    "data.rows_aside": ("Rows set aside", "제외한 행"),
    "data.grain": ("One row is", "한 행의 의미"),
    "data.grain.line": ("an order line", "주문 한 줄"),
    "data.grain.aggregate": ("a day/segment summary", "날짜·구분별 집계"),
    "data.grain.entity": ("one {entity}", "{entity} 한 명/건"),
    "data.grain.wide": ("a summary (periods were columns; turned into rows)", "집계 (기간이 열이어서 행으로 바꿈)"),
    "data.entity.customer": ("customer", "고객"),
    "data.entity.lead": ("lead", "리드"),
    "data.entity.deal": ("deal", "계약"),
    "data.entity.answer": ("survey answer", "설문 응답"),
    "data.entity.other": ("record", "레코드"),
    "data.sheet": ("Sheet", "시트"),
    "data.header_row": ("Header row", "헤더 행"),
    "data.header_row_help": (
        "The row that holds the column names, as numbered in your spreadsheet. 0 = detect automatically.",
        "열 이름이 있는 행 번호(스프레드시트 기준). 0 = 자동 감지.",
    ),
    "data.sheet_and_header": (
        "Sheet **{sheet}**, header on row **{row}**.",
        "시트 **{sheet}**, 헤더는 **{row}**행.",
    ),
    "data.roles": ("What each column means", "각 열의 의미"),
    "data.col.column": ("Your column", "내 열"),
    "data.col.role": ("Means", "의미"),
    "data.col.confidence": ("Confidence", "확신도"),
    "data.col.reason": ("Why", "근거"),
    "data.override": ("Change a column's meaning", "열의 의미 바꾸기"),
    "data.override_column": ("Column", "열"),
    "data.override_role": ("Means", "의미"),
    "data.override_apply": ("Apply", "적용"),
    "data.override_done": ("{column} now means {role}.", "{column} → {role}(으)로 바꿨습니다."),
    "data.no_role": ("— nothing (extra detail) —", "— 없음 (추가 정보) —"),
    "data.confirm": ("Confirm mapping", "매핑 확정"),
    "data.confirmed": (
        "Mapping remembered: next week's upload of this report is mapped the same way.",
        "매핑을 기억했습니다. 다음 주에 같은 보고서를 올리면 같은 방식으로 매핑됩니다.",
    ),
    "data.mapping_reused": (
        "A mapping you confirmed earlier for this report was applied.",
        "이 보고서에 대해 예전에 확정한 매핑을 적용했습니다.",
    ),
    "data.remove": ("Remove file", "파일 삭제"),
    "data.removed": ("{file} removed.", "{file} 삭제됨."),
    "data.preview": ("Clean table (first {n} rows)", "정리된 표 (처음 {n}행)"),
    "data.set_aside": ("Rows set aside and why", "제외한 행과 이유"),
    "data.issues": ("Everything we noticed", "발견한 모든 사항"),
    "data.issues_none": ("No problems found.", "문제가 없습니다."),
    "data.issues_count": (
        "{errors} errors, {warnings} warnings, {infos} notes.",
        "오류 {errors}건, 경고 {warnings}건, 참고 {infos}건.",
    ),
    "data.col.file": ("File", "파일"),
    "data.col.sheet": ("Sheet", "시트"),
    "data.col.row": ("Row", "행"),
    "data.col.severity": ("Level", "수준"),
    "data.col.message": ("What we found", "내용"),
    "data.col.rows_affected": ("Rows affected", "영향 행 수"),
    "data.col.reason_aside": ("Reason", "이유"),
    "severity.error": ("error", "오류"),
    "severity.warning": ("warning", "경고"),
    "severity.info": ("note", "참고"),
    # --- period picker (shared by the analysis pages) ---
    "period.grain": ("Period", "기간 단위"),
    "period.week": ("Week", "주"),
    "period.month": ("Month", "월"),
    "period.all": ("All data", "전체"),
    "period.which": ("Which", "기간 선택"),
    "period.partial": ("partial: the data covers only part of it", "일부 기간만 데이터 있음"),
    "period.no_dates": ("This data has no dates, so all of it is shown.", "날짜가 없는 데이터라 전체를 보여줍니다."),
    # --- kpi_pool page ---
    # --- funnel page ---
}


def t(key: str, **values: object) -> str:
    """The text for `key` in the session's language; unknown keys show the key so gaps are visible in review."""
    english, korean = TEXT.get(key, (key, key))
    text = korean if state.language() == "ko" else english
    return text.format(**values) if values else text


def pick(bilingual: dict[str, str] | None) -> str:
    """Chooses the session's language from a catalog-style {'en': ..., 'ko': ...} mapping."""
    if not bilingual:
        return ""
    return bilingual.get(state.language()) or bilingual.get("en") or next(iter(bilingual.values()))
