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
    "data.reading": ("Reading {file}…", "{file} 읽는 중…"),
    "data.duplicate": ("{file} is already in this workspace.", "{file}은(는) 이미 이 워크스페이스에 있습니다."),
    "data.refused": ("{file} was not loaded: {reason}", "{file}을(를) 불러오지 않았습니다: {reason}"),
    "data.no_usable_table": ("no usable table", "쓸 수 있는 표가 없습니다"),
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
    "kpi.title": ("KPI pool", "KPI 풀"),
    "kpi.intro": (
        "Goal → key success factors (the strategies) → the KPIs that measure them. Tick the KPIs your team will "
        "track, give each a target, and check them every week.",
        "목표 → 핵심 성공 요인(전략) → 그 전략을 재는 KPI. 팀이 추적할 KPI를 체크하고 목표치를 정한 뒤 매주 점검하세요.",
    ),
    "kpi.choose_goal": ("What is your goal?", "목표가 무엇인가요?"),
    "kpi.choose_goal_intro": (
        "Start from the goal: the strategies and KPIs follow from it. You can change it later in the sidebar.",
        "목표에서 시작하세요. 전략과 KPI가 목표에서 나옵니다. 나중에 사이드바에서 바꿀 수 있습니다.",
    ),
    "kpi.choose": ("Choose this goal", "이 목표 선택"),
    "kpi.change_goal": ("Change goal", "목표 바꾸기"),
    "kpi.view": ("View", "보기"),
    "kpi.view.tree": ("KPI tree", "KPI 트리"),
    "kpi.view.table": ("All KPIs", "전체 KPI 표"),
    "kpi.view.targets": ("Targets", "목표치"),
    "kpi.view.drivers": ("Revenue drivers", "매출 요인"),
    "kpi.view.custom": ("Your own KPI", "나만의 KPI"),
    "kpi.kfs": ("Strategy {n}: {name}", "전략 {n}: {name}"),
    "kpi.custom_group": ("Your own KPIs", "우리 팀 KPI"),
    "kpi.track": ("Track", "추적"),
    "kpi.definition": ("Definition", "정의"),
    "kpi.formula": ("Formula, in your columns:", "계산식 (내 열 이름 기준):"),
    "kpi.also_in": ("Also measures this strategy: {names}", "이 전략에도 쓰이는 KPI: {names}"),
    "kpi.recommended": ("Recommended", "추천"),
    "kpi.pdca_weekly": ("moves within a weekly PDCA cycle", "주간 PDCA 주기 안에 반응"),
    "kpi.responds.monthly": ("responds over a month", "한 달 단위로 반응"),
    "kpi.responds.quarterly": ("responds over a quarter", "분기 단위로 반응"),
    "kpi.lead": ("leading indicator", "선행 지표"),
    "kpi.lag": ("lagging indicator (result)", "후행 지표 (결과)"),
    "kpi.stage.awareness": ("Awareness", "인지"),
    "kpi.stage.acquisition": ("Acquisition", "유입"),
    "kpi.stage.activation": ("Activation", "활성화"),
    "kpi.stage.conversion": ("Conversion", "전환"),
    "kpi.stage.retention": ("Retention", "유지"),
    "kpi.stage.revenue": ("Revenue", "매출"),
    "kpi.stage.referral": ("Referral", "추천"),
    "kpi.status.on_track": ("on track", "순항"),
    "kpi.status.at_risk": ("at risk", "주의"),
    "kpi.status.off_track": ("off track", "미달"),
    "kpi.yes": ("yes", "가능"),
    "kpi.trend": ("Last {n} periods", "최근 {n}개 기간"),
    "kpi.col.kpi": ("KPI", "KPI"),
    "kpi.col.kfs": ("Strategy", "전략"),
    "kpi.col.value": ("Value", "값"),
    "kpi.col.facts": ("Stage · lead/lag · speed", "단계 · 선행/후행 · 반응 속도"),
    "kpi.col.formula": ("Formula", "계산식"),
    "kpi.col.measurable": ("Measurable", "측정 가능"),
    "kpi.col.tracked": ("Tracked", "추적 중"),
    "kpi.col.status": ("Status", "상태"),
    "kpi.col.now": ("Now", "현재"),
    "kpi.col.kind": ("Target means", "목표 기준"),
    "kpi.col.target": ("Target", "목표치"),
    "kpi.col.period": ("Per", "기준 기간"),
    "kpi.kind.at_least": ("reach at least", "이상 달성"),
    "kpi.kind.at_most": ("stay at most", "이하 유지"),
    "kpi.per.week": ("week", "주"),
    "kpi.per.month": ("month", "월"),
    "kpi.target_help": (
        "Rates in %, amounts in ₩. A count or amount target is compared only when viewing the same period length.",
        "비율은 %, 금액은 ₩로 입력합니다. 건수·금액 목표는 같은 기간 단위로 볼 때만 비교합니다.",
    ),
    "kpi.targets_intro": (
        "Set a target for each KPI you track. Status: on track when the target is met, at risk within 10 %, "
        "off track beyond.",
        "추적하는 KPI마다 목표치를 정하세요. 상태: 목표 달성 시 순항, 10% 이내로 못 미치면 주의, 그 이상은 미달.",
    ),
    "kpi.targets_none": (
        "No KPI is tracked yet for this goal. Tick “Track” on the KPIs in the KPI tree.",
        "이 목표에서 추적 중인 KPI가 없습니다. KPI 트리에서 “추적”을 체크하세요.",
    ),
    "kpi.targets_save": ("Save targets", "목표치 저장"),
    "kpi.targets_saved": ("{n} target(s) saved.", "목표치 {n}개를 저장했습니다."),
    "kpi.targets_conflict": (
        "Someone else changed these targets while you were editing. Reload the page to see their change, then "
        "apply yours again. Nothing was saved.",
        "편집하는 동안 다른 사람이 목표치를 바꿨습니다. 페이지를 새로 고쳐 변경 내용을 확인한 뒤 다시 적용하세요. "
        "아무것도 저장되지 않았습니다.",
    ),
    "kpi.drivers_intro": (
        "Why revenue moved from {before} to this period: more or fewer visits (traffic), a better or worse share of "
        "visits that buy (conversion), and bigger or smaller orders (order value). The three add up to the change.",
        "{before} 대비 이번 기간 매출이 변한 이유: 방문 증감(유입), 구매 전환 비율 변화(전환), 주문 금액 변화(주문 단가). "
        "세 가지를 더하면 변화액이 됩니다.",
    ),
    "kpi.drivers_need_period": (
        "Pick a week or a month above to compare it with the one before.",
        "위에서 주 또는 월을 고르면 직전 기간과 비교합니다.",
    ),
    "kpi.drivers_no_traffic": (
        "Your data has no visits column, so the traffic effect is 0 and conversion covers the change in orders.",
        "방문수 열이 없어 유입 효과는 0이고, 주문수 변화는 전환 효과에 포함됩니다.",
    ),
    "kpi.drivers_no_previous": (
        "Your data does not cover the previous period ({before}), so there is nothing to compare with yet.",
        "데이터에 직전 기간({before})이 없어 아직 비교할 수 없습니다.",
    ),
    "kpi.drivers.before": ("Previous period", "직전 기간"),
    "kpi.drivers.after": ("This period", "이번 기간"),
    "kpi.drivers.change": ("Change", "변화"),
    "kpi.drivers.traffic": ("Traffic", "유입"),
    "kpi.drivers.conversion": ("Conversion", "전환"),
    "kpi.drivers.order_value": ("Order value", "주문 단가"),
    "kpi.drivers.amount": ("Revenue (₩)", "매출 (₩)"),
    "kpi.drivers.by_channel": ("By channel", "채널별"),
    "kpi.custom_intro": (
        "Missing a KPI? Write it in the same formula language the catalog uses; it is saved for this workspace "
        "and works like the others.",
        "필요한 KPI가 없나요? 카탈로그와 같은 계산식 언어로 직접 작성하세요. 이 워크스페이스에 저장되고 다른 KPI처럼 쓸 수 있습니다.",
    ),
    "kpi.custom_names": ("Names you can use in a formula", "계산식에 쓸 수 있는 이름"),
    "kpi.custom_names_help": (
        "Use the name in the first column, or your own column name when it has no spaces (e.g. sum(광고비)). "
        "Functions: sum(x), mean(x), count(), count_distinct(x), orders(), customers(), share(condition); "
        "conditions go in where=, e.g. sum(revenue, where=channel == \"email\").",
        "첫 번째 열의 이름이나, 공백이 없으면 내 열 이름을 그대로 쓸 수 있습니다 (예: sum(광고비)). "
        "함수: sum(x), mean(x), count(), count_distinct(x), orders(), customers(), share(조건). "
        "조건은 where=에 씁니다. 예: sum(revenue, where=channel == \"email\")",
    ),
    "kpi.col.name_to_type": ("Type", "입력할 이름"),
    "kpi.col.means": ("Means", "의미"),
    "kpi.col.your_column": ("Your column", "내 열"),
    "kpi.custom.name": ("Name", "이름"),
    "kpi.custom.id": ("Short id (a-z, 0-9, _)", "짧은 ID (a-z, 0-9, _)"),
    "kpi.custom.formula": ("Formula", "계산식"),
    "kpi.custom.unit": ("Unit", "단위"),
    "kpi.custom.direction": ("Better when it goes", "좋은 방향"),
    "kpi.custom.save": ("Save KPI", "KPI 저장"),
    "kpi.unit.count": ("count", "개수"),
    "kpi.unit.currency": ("₩ amount", "금액(₩)"),
    "kpi.unit.percent": ("percent", "비율(%)"),
    "kpi.unit.ratio": ("ratio (×)", "배수(×)"),
    "kpi.unit.score": ("score", "점수"),
    "kpi.direction.up": ("up", "높을수록 좋음"),
    "kpi.direction.down": ("down", "낮을수록 좋음"),
    "kpi.custom_need_name": ("Give the KPI a name and a short id.", "KPI 이름과 짧은 ID를 입력하세요."),
    "kpi.custom_id_taken": (
        "“{id}” is already a catalog KPI; choose another id.",
        "“{id}”은(는) 이미 카탈로그 KPI입니다. 다른 ID를 고르세요.",
    ),
    "kpi.custom_saved": ("“{name}” saved.", "“{name}” 저장됨."),
    "kpi.custom_error": ("The formula has a problem at character {column}: {message}", "계산식 {column}번째 글자에 문제가 있습니다: {message}"),
    "kpi.custom_error_global": ("The formula has a problem: {message}", "계산식에 문제가 있습니다: {message}"),
    "kpi.custom_list": ("Your KPIs", "우리 팀 KPI"),
    # --- funnel page ---
    "funnel.title": ("Funnel", "퍼널"),
    "funnel.intro": (
        "Where customers stop on the way to an order: every stage your data has, its conversion and the drop-off, "
        "where it leaks most and what fixing a step would earn.",
        "고객이 주문까지 가는 길에서 어디서 멈추는지 봅니다: 데이터에 있는 모든 단계의 전환율과 이탈, 가장 크게 새는 "
        "곳, 한 단계를 개선하면 얻는 매출.",
    ),
    "funnel.no_stages": (
        "None of your files has a funnel stage yet (visits, sign-ups, carts, orders, leads, deals…). Check the column "
        "meanings on the Data page.",
        "아직 어느 파일에도 퍼널 단계(방문, 가입, 장바구니, 주문, 리드, 계약 등)가 없습니다. 데이터 페이지에서 열의 "
        "의미를 확인하세요.",
    ),
    "funnel.too_few": ("Pick at least two stages to see conversion.", "전환율을 보려면 단계를 두 개 이상 고르세요."),
    "funnel.customise": ("Stages: skip, reorder, rename", "단계: 빼기, 순서 바꾸기, 이름 바꾸기"),
    "funnel.stages": ("Stages, in order", "단계 (순서대로)"),
    "funnel.stages_help": (
        "The funnel follows the order you pick. To move a stage, remove it and add it again where it belongs.",
        "고른 순서대로 퍼널을 만듭니다. 단계를 옮기려면 지우고 원하는 자리에 다시 추가하세요.",
    ),
    "funnel.rename": ("Name for {stage}", "{stage} 이름"),
    "funnel.reset_stages": ("Back to suggested stages", "추천 단계로 되돌리기"),
    "funnel.next": ("What to do next", "다음에 할 일"),
    "funnel.when.all": ("over all your data", "전체 기간에서"),
    "funnel.when.period": ("in {period}", "{period} 기간에"),
    "funnel.summary_leak": (
        "The biggest leak {when} is **{step}**{where}: **{gain}** more if it converted at {reference_rate} like "
        "{reference} (now {rate}).",
        "{when} 가장 큰 누수는 **{step}**{where} 단계입니다: {reference}처럼 {reference_rate}로 전환하면 "
        "(현재 {rate}) **{gain}** 더 얻을 수 있습니다.",
    ),
    "funnel.summary_moved": (
        "Against the previous period, **{step}** moved most: **{pp}** ({before} → {now}).",
        "이전 기간 대비 가장 크게 움직인 단계는 **{step}**입니다: **{pp}** ({before} → {now}).",
    ),
    "funnel.summary_none": (
        "No step is below the previous period or a comparable segment: nothing leaks more than usual.",
        "이전 기간이나 비교할 만한 세그먼트보다 낮은 단계가 없습니다: 평소보다 더 새는 곳이 없습니다.",
    ),
    "funnel.summary_hint": (
        "Open **Leaks** for every leak ranked by money, then try the fix in **What-if**.",
        "**누수**에서 금액순으로 모든 누수를 보고, **What-if**에서 개선 효과를 시험해 보세요.",
    ),
    "funnel.where": (" ({dimension}: {segment})", " ({dimension}: {segment})"),
    "funnel.units": ("{n} {unit}", "{unit} {n}건"),
    "funnel.over_100": (
        "{stages}: more than the stage before, so the rate is above 100% (they are not a subset of it, e.g. visits "
        "that never clicked an ad). Skip or reorder stages for a strict funnel.",
        "{stages}: 앞 단계보다 많아서 전환율이 100%를 넘습니다 (앞 단계의 일부가 아님, 예: 광고를 클릭하지 않은 방문). "
        "엄격한 퍼널을 원하면 단계를 빼거나 순서를 바꾸세요.",
    ),
    "funnel.of_previous": ("{rate} of previous", "이전 단계의 {rate}"),
    "funnel.metric.top": ("{stage}", "{stage}"),
    "funnel.metric.conversion": ("{first} → {last}", "{first} → {last}"),
    "funnel.metric.revenue": ("Revenue", "매출"),
    "funnel.metric.value_per": ("Revenue ÷ {stage}", "매출 ÷ {stage}"),
    "funnel.col.stage": ("Stage", "단계"),
    "funnel.col.count": ("Count", "수"),
    "funnel.col.from_previous": ("From previous stage", "이전 단계 대비"),
    "funnel.col.from_top": ("From top", "첫 단계 대비"),
    "funnel.col.drop_off": ("Drop-off", "이탈"),
    "funnel.col.previous_count": ("Count before", "이전 기간 수"),
    "funnel.col.previous_rate": ("Step rate before", "이전 기간 전환율"),
    "funnel.col.change_pp": ("Change", "변화"),
    "funnel.col.segment": ("Segment", "세그먼트"),
    "funnel.col.size": ("{stage}", "{stage}"),
    "funnel.col.conversion": ("First → last stage", "첫 → 마지막 단계"),
    "funnel.col.revenue": ("Revenue", "매출"),
    "funnel.col.rank": ("Rank", "순위"),
    "funnel.col.note": ("Note", "비고"),
    "funnel.col.step": ("Step", "단계"),
    "funnel.col.compared_with": ("Compared with", "비교 기준"),
    "funnel.col.now": ("Now", "현재"),
    "funnel.col.reference": ("Reference", "기준"),
    "funnel.col.gap": ("Gap", "차이"),
    "funnel.col.extra_orders": ("Extra orders", "추가 주문"),
    "funnel.col.extra_revenue": ("Revenue at stake", "걸린 매출"),
    "funnel.col.rate_now": ("Step rate now", "현재 전환율"),
    "funnel.col.rate_new": ("Step rate in scenario", "시나리오 전환율"),
    "funnel.col.count_now": ("Count now", "현재 수"),
    "funnel.col.count_new": ("Count in scenario", "시나리오 수"),
    "funnel.small": ("small sample (under {n}): not ranked", "표본 작음 ({n} 미만): 순위 제외"),
    "funnel.not_set": ("(not set)", "(미지정)"),
    "funnel.basis.baseline": ("the previous period", "이전 기간"),
    "funnel.basis.best_segment": ("the best {dimension}, {segment}", "가장 좋은 {dimension}인 {segment}"),
    "funnel.basis.target": ("your target", "목표"),
    "funnel.view": ("Look closer", "자세히 보기"),
    "funnel.view.segments": ("Segments", "세그먼트"),
    "funnel.view.leaks": ("Leaks", "누수"),
    "funnel.view.whatif": ("What-if", "What-if"),
    "funnel.view.trend": ("Trend", "추이"),
    "funnel.view.repeat": ("Repeat & cohorts", "재구매·코호트"),
    "funnel.dimension": ("Break down by", "나눠 볼 기준"),
    "funnel.no_dimensions": (
        "Your data has no channel, campaign, device or other segment column to break the funnel down by.",
        "퍼널을 나눠 볼 채널, 캠페인, 기기 등의 열이 데이터에 없습니다.",
    ),
    "funnel.unsplit": (
        "Not split by {dimension} (no such column in their file): {stages}.",
        "{dimension} 열이 없는 파일의 단계라 나누지 않았습니다: {stages}.",
    ),
    "funnel.rate_axis": ("Step conversion", "단계 전환율"),
    "funnel.small_axis": ("Small sample", "표본 작음"),
    "funnel.leaks_intro": (
        "Every step below a reference, ranked by the revenue it would add back if it reached it. Steps and segments "
        "with fewer than {n} at the step before are not judged.",
        "기준보다 낮은 모든 단계를, 기준에 도달하면 되찾을 매출 순으로 보여줍니다. 앞 단계가 {n} 미만인 단계와 "
        "세그먼트는 판단하지 않습니다.",
    ),
    "funnel.leaks_whole": ("Whole funnel", "전체 퍼널"),
    "funnel.leaks_scope": ("Leaks of", "누수 범위"),
    "funnel.leaks_none": ("No leaks: every step is at or above its reference.", "누수가 없습니다: 모든 단계가 기준 이상입니다."),
    "funnel.targets": ("Step targets", "단계별 목표 전환율"),
    "funnel.targets_intro": (
        "The conversion your team aims for on each step. A step below its target is ranked as a leak against "
        "“your target”. Leave a cell blank for no target.",
        "팀이 단계마다 목표로 하는 전환율입니다. 목표보다 낮은 단계는 “목표” 대비 누수로 순위에 오릅니다. 목표가 "
        "없으면 칸을 비워 두세요.",
    ),
    "funnel.col.target": ("Target (%)", "목표 (%)"),
    "funnel.targets_help": (
        "Step conversion you aim for, in percent (0–100).",
        "목표로 하는 단계 전환율, 퍼센트 (0–100).",
    ),
    "funnel.targets_save": ("Save targets", "목표 저장"),
    "funnel.targets_saved": ("{n} step target(s) saved.", "단계 목표 {n}개를 저장했습니다."),
    "funnel.targets_conflict": (
        "Someone else changed the step targets while you were editing. Reload the page to see their change, then "
        "apply yours again. Nothing was saved.",
        "편집하는 동안 다른 사람이 단계 목표를 바꿨습니다. 페이지를 새로 고쳐 변경 내용을 확인한 뒤 다시 "
        "적용하세요. 아무것도 저장되지 않았습니다.",
    ),
    "funnel.targets_invalid": (
        "A step target is a conversion between 0 and 100 %. Nothing was saved.",
        "단계 목표는 0~100% 사이의 전환율이어야 합니다. 아무것도 저장되지 않았습니다.",
    ),
    "funnel.whatif_intro": (
        "Change a step rate, the traffic or the order value; everything else stays as it is now.",
        "단계 전환율, 유입, 주문당 매출을 바꿔 보세요. 나머지는 지금 그대로 둡니다.",
    ),
    "funnel.whatif.traffic": ("{stage} (count)", "{stage} (수)"),
    "funnel.whatif.aov": ("Revenue per order (₩)", "주문당 매출 (₩)"),
    "funnel.whatif.reset": ("Back to now", "현재 값으로"),
    "funnel.whatif.orders": ("{stage} in scenario", "시나리오 {stage}"),
    "funnel.whatif.revenue": ("Revenue in scenario", "시나리오 매출"),
    "funnel.whatif.no_money": (
        "Without an orders, conversions or deals stage the scenario has nothing to price.",
        "주문·전환·계약 단계가 없어 시나리오의 금액을 계산할 수 없습니다.",
    ),
    "funnel.trend_intro": ("Each step's conversion per {grain}.", "{grain}별 각 단계 전환율."),
    "funnel.repeat_none": (
        "Repeat purchase needs order lines with a customer id (an order list with order number and customer).",
        "재구매 분석에는 고객 ID가 있는 주문 내역(주문번호와 고객이 있는 주문 목록)이 필요합니다.",
    ),
    "funnel.repeat.first": ("First orders", "첫 주문"),
    "funnel.repeat.repeat": ("Repeat orders", "재구매 주문"),
    "funnel.repeat.rate": ("Customers who ordered again", "재구매 고객 비율"),
    "funnel.repeat.unknown": (
        "{orders} orders have no customer id and are left out.",
        "고객 ID가 없는 주문 {orders}건은 제외했습니다.",
    ),
    "funnel.cohort_title": ("Monthly cohorts: share of customers ordering again", "월별 코호트: 다시 주문한 고객 비율"),
    "funnel.cohort_caption": (
        "Rows: the month of a customer's first order. Columns: months since. Blank: not observable yet.",
        "행: 고객의 첫 주문 월. 열: 그 후 경과 개월. 빈칸: 아직 관찰할 수 없음.",
    ),
    "funnel.cohort_axis": ("First order month", "첫 주문 월"),
    "funnel.months_axis": ("Months since first order", "첫 주문 후 개월"),
    "funnel.share_axis": ("Ordered again", "재주문 비율"),
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
