"""Every ingest issue sentence, in English and Korean, as data: one template pair per message key.

Why a table: the command line and scripts read `Issue.message` in English, while the Data page shows issues in the
user's language. Both sentences are rendered from the same key and parameters (`make_issue`), so the English text
and its Korean counterpart can never drift apart.

Keys are an issue `code` ("ragged_row") or a code plus a variant ("ragged_row.short") when one code has several
sentences; the issue keeps the bare code (scripts and tests match on it) and remembers the full key in `template`.
Keys starting with "part." are phrases (not issues) that fill a placeholder inside a sentence; a phrase is passed
as a `Phrase`, whose Korean side is stored in `params` under the name plus `KO_SUFFIX`, so both templates of a
sentence keep exactly the same placeholders. Only the standard library is imported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from metrics.ingest.model import Issue, Severity

KO_SUFFIX: Final = "@ko"

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # --- safety: refusals before parsing -------------------------------------------------------------------------
    "extension": ("{name} is not a spreadsheet this app reads (allowed: {allowed}).",
                  "{name} 파일은 이 앱에서 읽을 수 있는 스프레드시트 형식이 아닙니다(허용 형식: {allowed})."),
    "empty": ("{name} is empty (0 bytes).", "{name} 파일이 비어 있습니다(0바이트)."),
    "too_large": ("{name} is {size} MB; the limit is {limit} MB.",
                  "{name} 파일 크기가 {size}MB로, 한도 {limit}MB를 넘습니다."),
    "not_zip": ("{name} is not a valid Excel workbook: an .xlsx file is a zip package and this one is not "
                "(was it renamed from another format?).",
                "{name} 파일은 올바른 Excel 통합 문서가 아닙니다. .xlsx 파일은 zip 패키지여야 하는데 이 파일은 그렇지 "
                "않습니다(다른 형식의 파일 이름만 바꾸지 않았는지 확인하세요)."),
    "html_as_excel": ("{name} is a web page saved with a spreadsheet name; open it in Excel and save it as .xlsx or .csv.",
                      "{name} 파일은 스프레드시트 이름으로 저장된 웹 페이지입니다. Excel에서 열어 .xlsx 또는 .csv로 다시 "
                      "저장해 주세요."),
    "not_text": ("{name} does not contain text (it looks like binary data); upload the original .xlsx or a CSV saved "
                 "from your spreadsheet program.",
                 "{name} 파일에 텍스트가 없습니다(바이너리 데이터로 보입니다). 원본 .xlsx 파일이나 스프레드시트 "
                 "프로그램에서 저장한 CSV 파일을 올려 주세요."),
    "corrupt": ("{name} is damaged: its zip structure cannot be read.",
                "{name} 파일이 손상되었습니다. zip 구조를 읽을 수 없습니다."),
    "corrupt.no_workbook": ("{name} is a zip file but not an Excel workbook (no xl/workbook.xml).",
                            "{name} 파일은 zip 파일이지만 Excel 통합 문서가 아닙니다(xl/workbook.xml 없음)."),
    "corrupt.part": ("{where} is damaged and cannot be read ({error}).",
                     "{where}의 데이터가 손상되어 읽을 수 없습니다({error})."),
    "corrupt.checksum": ("{where} is damaged: its data does not match its zip checksum.",
                         "{where}의 데이터가 손상되었습니다. zip 체크섬과 일치하지 않습니다."),
    "corrupt.xml": ("{where} is damaged: its XML is not well formed.",
                    "{where}의 데이터가 손상되었습니다. XML 형식이 올바르지 않습니다."),
    "zip_entries": ("{name} holds {entries} files inside its zip package; the limit is {limit}.",
                    "{name} 파일의 zip 패키지 안에 파일이 {entries}개 있습니다. 한도는 {limit}개입니다."),
    "zip_bomb": ("{name} would unpack to {size} MB; the limit is {limit} MB.",
                 "{name} 파일의 압축을 풀면 {size}MB가 됩니다. 한도는 {limit}MB입니다."),
    "zip_bomb.ratio": ("{name} is compressed {ratio} to 1, far beyond any real workbook (a zip bomb?); it was not opened.",
                       "{name} 파일의 압축률이 {ratio}:1로 실제 통합 문서에서는 나올 수 없는 수준입니다(압축 폭탄일 수 "
                       "있음). 파일을 열지 않았습니다."),
    "xml_entities": ("{where} contains XML entity declarations, which real workbooks never have (an entity-expansion "
                     "attack?); it was not opened.",
                     "{where}에 실제 통합 문서에는 없는 XML 엔터티 선언이 있습니다(엔터티 확장 공격일 수 있음). 파일을 "
                     "열지 않았습니다."),
    "xml_entities.short": ("{where} contains XML entity declarations; it was not opened.",
                           "{where}에 XML 엔터티 선언이 있어 파일을 열지 않았습니다."),
    "dimension_declared": ("{where} declares a size of {rows} rows × {cols} columns but its cells only reach "
                           "{real_rows} × {real_cols}; only the real cells were read.",
                           "{where}의 선언된 크기는 {rows}행 × {cols}열이지만 실제 셀은 {real_rows}행 × {real_cols}열"
                           "까지만 있습니다. 실제 셀만 읽었습니다."),
    "too_many_rows": ("{where} reaches row {rows}; the limit is {limit} rows.",
                      "{where}의 데이터가 {rows}행까지 있습니다. 한도는 {limit}행입니다."),
    "too_many_columns": ("{where} reaches column {cols}; the limit is {limit} columns.",
                         "{where}의 데이터가 {cols}열까지 있습니다. 한도는 {limit}열입니다."),
    "too_many_columns.text": ("{name} has a row with {width} fields; the limit is {limit} columns.",
                              "{name} 파일에 칸이 {width}개인 행이 있습니다. 한도는 {limit}열입니다."),
    "too_many_cells": ("{where} spans {rows} rows × {cols} columns = {cells} cells; the limit is {limit}.",
                       "{where}의 범위가 {rows}행 × {cols}열 = {cells}셀입니다. 한도는 {limit}셀입니다."),
    "too_many_cells.text": ("{name} holds {rows} rows × {cols} columns; the limit is {limit} cells.",
                            "{name} 파일의 크기가 {rows}행 × {cols}열입니다. 한도는 {limit}셀입니다."),
    "encrypted": ("{name} is password-protected; remove the password in Excel (File → Info → Protect Workbook) and "
                  "upload it again.",
                  "{name} 파일에 암호가 걸려 있습니다. Excel에서 암호를 해제한 뒤(파일 → 정보 → 통합 문서 보호) 다시 "
                  "올려 주세요."),
    "encrypted.short": ("{name} is password-protected; remove the password in Excel and upload it again.",
                        "{name} 파일에 암호가 걸려 있습니다. Excel에서 암호를 해제한 뒤 다시 올려 주세요."),
    # --- readers ----------------------------------------------------------------------------------------------
    "no_data": ("{name} contains no cells with data.", "{name} 파일에 데이터가 있는 셀이 없습니다."),
    "unreadable": ("{name} could not be read as an Excel workbook ({reason}).",
                   "{name} 파일을 Excel 통합 문서로 읽을 수 없습니다({reason})."),
    "unreadable.sheet": ("{name}, sheet {sheet_name}, could not be read ({reason}).",
                         "{name} 파일의 {sheet_name} 시트를 읽을 수 없습니다({reason})."),
    "rows_truncated": ("{name}, sheet {sheet_name}, has {total} rows; only the first {limit} were read.",
                       "{name} 파일의 {sheet_name} 시트는 {total}행입니다. 처음 {limit}행만 읽었습니다."),
    "rows_truncated.text": ("{name} has {total} rows; only the first {limit} were read.",
                            "{name} 파일은 {total}행입니다. 처음 {limit}행만 읽었습니다."),
    "encoding_guess": ("{name}: the text encoding is neither UTF-8 nor Korean (CP949); it was read as Latin-1, check "
                       "accented letters.",
                       "{name}: 텍스트 인코딩이 UTF-8도 한국어(CP949)도 아니어서 Latin-1로 읽었습니다. 악센트가 있는 "
                       "글자가 제대로 보이는지 확인해 주세요."),
    "empty.blank_lines": ("{name} contains no data (only blank lines).",
                          "{name} 파일에 데이터가 없습니다(빈 줄만 있음)."),
    "decimal_comma": ("{name} uses a comma as the decimal separator (as in 1.234,5); numbers will be read that way.",
                      "{name} 파일은 쉼표를 소수점으로 씁니다(예: 1.234,5). 숫자를 그 방식으로 읽습니다."),
    "ragged_row": ("{name}, row {row_number}, has {found} fields where most rows have {expected}; its {extra} extra "
                   "cell(s) were kept in extra columns at the right.",
                   "{name} 파일의 {row_number}행은 칸이 {found}개로, 대부분의 행({expected}개)보다 많습니다. 남는 {extra}칸은 "
                   "오른쪽 추가 열에 그대로 두었습니다."),
    "ragged_row.short": ("{name}, row {row_number}, has {found} fields where most rows have {expected}; the missing cells "
                         "were left empty at the right; check that its values are not shifted.",
                         "{name} 파일의 {row_number}행은 칸이 {found}개로, 대부분의 행({expected}개)보다 적습니다. 모자란 칸은 "
                         "오른쪽에 빈칸으로 두었으니 값이 밀리지 않았는지 확인해 주세요."),
    "ragged_row.more": ("{name}: {rest} more rows do not have {expected} fields.",
                        "{name}: 칸 수가 {expected}개가 아닌 행이 {rest}개 더 있습니다."),
    # --- fetch (Google Sheets) --------------------------------------------------------------------------------
    "not_google_sheet": ("That address is not a Google Sheets link; copy the link from Share → Copy link (it starts "
                         "with https://docs.google.com/spreadsheets/d/).",
                         "Google 스프레드시트 링크가 아닙니다. 공유 → 링크 복사에서 링크를 복사해 주세요"
                         "(https://docs.google.com/spreadsheets/d/ 로 시작합니다)."),
    "not_shared": ("The Google Sheet could not be opened (HTTP {status}): share it as 'Anyone with the link can "
                   "view' and try again.",
                   "Google 스프레드시트를 열 수 없습니다(HTTP {status}). '링크가 있는 모든 사용자가 볼 수 있음'으로 "
                   "공유한 뒤 다시 시도해 주세요."),
    "not_shared.sign_in": ("Google returned a sign-in page instead of the data: share the sheet as 'Anyone with the "
                           "link can view' and try again.",
                           "Google이 데이터 대신 로그인 페이지를 보냈습니다. 시트를 '링크가 있는 모든 사용자가 볼 수 "
                           "있음'으로 공유한 뒤 다시 시도해 주세요."),
    "fetch_failed": ("Google Sheets answered with an error (HTTP {status}); try again later or upload an exported file.",
                     "Google 스프레드시트가 오류로 응답했습니다(HTTP {status}). 잠시 후 다시 시도하거나 내보낸 파일을 "
                     "올려 주세요."),
    "offline": ("Could not reach Google Sheets ({reason}); check the internet connection or upload the sheet as a "
                "file instead.",
                "Google 스프레드시트에 연결할 수 없습니다({reason}). 인터넷 연결을 확인하거나 시트를 파일로 "
                "올려 주세요."),
    "too_large.google": ("The Google Sheet is larger than {limit} MB; export a smaller range or filter it first.",
                         "Google 스프레드시트가 {limit}MB보다 큽니다. 범위를 줄이거나 필터를 건 뒤 내보내 주세요."),
    # --- pipeline ---------------------------------------------------------------------------------------------
    "internal": ("{name} could not be read ({error}); nothing was changed. Try saving it again as .xlsx or .csv.",
                 "{name} 파일을 읽을 수 없습니다({error}). 아무것도 바뀌지 않았습니다. .xlsx 또는 .csv로 다시 저장해 "
                 "보세요."),
    "unopenable": ("{name} could not be opened: {reason}.", "{name} 파일을 열 수 없습니다: {reason}."),
    # --- layout -----------------------------------------------------------------------------------------------
    "layout_failed": ("Sheet could not be laid out: {error}", "시트의 표 구조를 파악할 수 없습니다: {error}"),
    "empty_sheet": ("Sheet is empty; skipped.", "빈 시트라서 건너뛰었습니다."),
    "no_data.sheet": ("{name} has no data rows below its header.", "{name} 파일에는 헤더 아래에 데이터 행이 없습니다."),
    "sheet_not_found": ("Sheet '{wanted}' is not in this file (sheets: {sheets}).",
                        "이 파일에 '{wanted}' 시트가 없습니다(있는 시트: {sheets})."),
    "interpret_failed": ("The table could not be interpreted: {error}", "표를 해석할 수 없습니다: {error}"),
    "sheets_skipped": ("Used sheet '{main}' (the largest table); sheet(s) {skipped} were not used. Choose another "
                       "sheet with the sheet option.",
                       "가장 큰 표인 '{main}' 시트를 사용했습니다. {skipped} 시트는 사용하지 않았습니다. 다른 시트를 "
                       "쓰려면 시트 옵션에서 고르세요."),
    "title_rows": ("{count} title or note row(s) above the header (row {header}) were skipped.",
                   "머리글({header}행) 위의 제목·메모 행 {count}개를 건너뛰었습니다."),
    "two_row_header": ("Rows {first}–{second} form a two-row header; column names were joined as 'Top - Sub'.",
                       "{first}–{second}행이 두 줄짜리 머리글이라 열 이름을 '위 - 아래' 형태로 합쳤습니다."),
    "blank_header": ("Column {letter} has no header; named '{base}'.",
                     "{letter}열에 머리글이 없어 '{base}'(으)로 이름을 붙였습니다."),
    "duplicate_header": ("Header '{base}' appears more than once; column {letter} renamed '{unique}'.",
                         "머리글 '{base}'이(가) 두 번 이상 나옵니다. {letter}열의 이름을 '{unique}'(으)로 바꿨습니다."),
    "total_row": ("{count} total or subtotal row(s) (합계/소계/Total) set aside so sums are not doubled (rows {rows}).",
                  "합계가 두 번 더해지지 않도록 합계·소계 행 {count}개를 따로 뺐습니다({rows}행)."),
    "blank_row": ("{count} blank separator row(s) skipped (rows {rows}).",
                  "구분용 빈 행 {count}개를 건너뛰었습니다({rows}행)."),
    "note_row": ("{count} note row(s) under the table set aside (rows {rows}).",
                 "표 아래의 메모 행 {count}개를 따로 뺐습니다({rows}행)."),
    "unpivot": ("Wide sheet: {count} period columns ({first} … {last}) unpivoted into one row per {ids} and period "
                "({n} sheet rows → {long} rows); values in '{value_name}'.",
                "기간이 열로 펼쳐진 시트입니다. 기간 열 {count}개({first} … {last})를 {ids}와(과) 기간마다 한 행이 "
                "되도록 세로로 바꿨습니다(시트 {n}행 → {long}행). 값은 '{value_name}' 열에 있습니다."),
    "preliminary": ("Period(s) {periods} are marked preliminary (p)).",
                    "{periods} 기간은 잠정치(p)로 표시되어 있습니다."),
    "unpivot_pairs": ("Wide headers such as '{first}': {count} 'Group - Item' columns unpivoted into columns Group, "
                      "Item and Value ({n} sheet rows → {long} rows).",
                      "'{first}'처럼 '그룹 - 항목' 형태의 열 {count}개를 Group, Item, Value 열로 세로로 바꿨습니다"
                      "(시트 {n}행 → {long}행)."),
    "stacked_sheets": ("{count} sheets with the same columns ({sheets}) were stacked into one table; the sheet name is "
                       "kept in column '{column_name}'.",
                       "열 구성이 같은 시트 {count}개({sheets})를 하나의 표로 이어 붙였습니다. 시트 이름은 "
                       "'{column_name}' 열에 남겨 두었습니다."),
    "override": ("'{role}' is not a role Loopboard knows; the override was ignored.",
                 "'{role}'은(는) Loopboard가 모르는 역할이라 지정을 무시했습니다."),
    "override.missing_column": ("Column '{column_name}' (set as {role}) is not in this table; ignored.",
                                "'{column_name}' 열({role}(으)로 지정)이 이 표에 없어 무시했습니다."),
    "derived_revenue": ("No revenue column: revenue computed per row as {quantity} × {unit_price} (returns with "
                        "negative quantities subtract).",
                        "매출 열이 없어 행마다 {quantity} × {unit_price}(으)로 매출을 계산했습니다(수량이 음수인 반품은 "
                        "빼집니다)."),
    "grain": ("Read as {grain} grain{entity_text}: {reason}.", "{grain} 데이터로 읽었습니다{entity_text}: {reason}."),
    # --- values: column notes (".rows" adds the first rows, which layout knows) ---------------------------------
    "day_first": ("{name}: dates read as day-month-year (DD-MM-YYYY) because {reason}.",
                  "{name}: 날짜를 일-월-연도(DD-MM-YYYY) 순서로 읽었습니다. 근거: {reason}."),
    "month_first": ("{name}: dates read as month-day-year (MM/DD/YYYY) because {reason}.",
                    "{name}: 날짜를 월-일-연도(MM/DD/YYYY) 순서로 읽었습니다. 근거: {reason}."),
    "excel_serial": ("{name}: {count} Excel date numbers read as dates.",
                     "{name}: Excel 날짜 일련번호 {count}개를 날짜로 읽었습니다."),
    "bad_date": ("{name}: {count} cell(s) could not be read as dates (e.g. {examples}) and are treated as missing.",
                 "{name}: 셀 {count}개를 날짜로 읽을 수 없어(예: {examples}) 빈 값으로 처리했습니다."),
    "bad_date.rows": ("{name}: {count} cell(s) could not be read as dates (e.g. {examples}) and are treated as "
                      "missing. First rows: {first_rows}.",
                      "{name}: 셀 {count}개를 날짜로 읽을 수 없어(예: {examples}) 빈 값으로 처리했습니다. 해당 행(앞부분): "
                      "{first_rows}."),
    "bad_number": ("{name}: {count} cell(s) could not be read as numbers (e.g. {examples}) and are treated as missing.",
                   "{name}: 셀 {count}개를 숫자로 읽을 수 없어(예: {examples}) 빈 값으로 처리했습니다."),
    "bad_number.rows": ("{name}: {count} cell(s) could not be read as numbers (e.g. {examples}) and are treated as "
                        "missing. First rows: {first_rows}.",
                        "{name}: 셀 {count}개를 숫자로 읽을 수 없어(예: {examples}) 빈 값으로 처리했습니다. 해당 "
                        "행(앞부분): {first_rows}."),
    "missing_token": ("{name}: {count} cell(s) written as {shown} read as no value (missing).",
                      "{name}: {shown}(으)로 적힌 셀 {count}개를 값 없음(빈 값)으로 읽었습니다."),
    "mixed_id": ("{name} mixes numbers and codes such as {example}: kept as text (numbers written without decimals).",
                 "{name} 열에 숫자와 {example} 같은 코드가 섞여 있어 텍스트로 두었습니다(숫자는 소수점 없이 표기)."),
    "mangled_id": ("{name}: {count} value(s) look changed by Excel into numbers or dates (e.g. {shown}); kept as "
                   "text, check them in the original file.",
                   "{name}: 값 {count}개가 Excel에서 숫자나 날짜로 바뀐 것 같습니다(예: {shown}). 텍스트로 두었으니 "
                   "원본 파일에서 확인해 주세요."),
    "mangled_id.rows": ("{name}: {count} value(s) look changed by Excel into numbers or dates (e.g. {shown}); kept as "
                        "text, check them in the original file. First rows: {first_rows}.",
                        "{name}: 값 {count}개가 Excel에서 숫자나 날짜로 바뀐 것 같습니다(예: {shown}). 텍스트로 "
                        "두었으니 원본 파일에서 확인해 주세요. 해당 행(앞부분): {first_rows}."),
    # --- shape: joins, ids, flags ---------------------------------------------------------------------------
    "lookup_join": ("Joined sheet '{lookup}' on '{key}' to add {columns}.",
                    "'{lookup}' 시트를 '{key}' 열 기준으로 연결해 {columns} 열을 추가했습니다."),
    "lookup_join.unmatched": ("Joined sheet '{lookup}' on '{key}' to add {columns}; {unmatched} rows have a {key} that "
                              "sheet does not list.",
                              "'{lookup}' 시트를 '{key}' 열 기준으로 연결해 {columns} 열을 추가했습니다. {unmatched}개 "
                              "행은 그 시트에 없는 {key} 값을 가지고 있습니다."),
    "duplicate_key": ("Sheet '{lookup}' lists {key} '{value}' {count} times with different values ({detail}); the "
                      "first one (row {first_row}: {used}) was used.",
                      "'{lookup}' 시트에 {key} '{value}'이(가) 서로 다른 값으로 {count}번 나옵니다({detail}). 첫 번째 "
                      "값({first_row}행: {used})을 사용했습니다."),
    "missing_id": ("{missing} rows have no order id in '{column_name}': they still count in totals, not in distinct "
                   "orders.",
                   "'{column_name}' 열에 주문 ID가 없는 행이 {missing}개 있습니다. 합계에는 포함되지만 주문 수에는 "
                   "세지 않습니다."),
    "missing_id.customer": ("{missing} rows have no customer id in '{column_name}': they still count in totals, not "
                            "in distinct customers.",
                            "'{column_name}' 열에 고객 ID가 없는 행이 {missing}개 있습니다. 합계에는 포함되지만 고객 "
                            "수에는 세지 않습니다."),
    "missing_id.lead": ("{missing} rows have no lead id in '{column_name}': they still count in totals, not in "
                        "distinct leads.",
                        "'{column_name}' 열에 리드 ID가 없는 행이 {missing}개 있습니다. 합계에는 포함되지만 리드 "
                        "수에는 세지 않습니다."),
    "zero_one_flag": ("{column_name} holds only 0 and 1 while other flags in this table are yes/no; read it as a "
                      "yes/no flag.",
                      "{column_name} 열에는 0과 1만 있고 이 표의 다른 여부 열은 예/아니오라서, 이 열도 예/아니오 "
                      "값으로 읽었습니다."),
    # --- phrases that fill a placeholder (never an issue on their own) ----------------------------------------
    "part.where_sheet": ("{name}, sheet {sheet_name},", "{name} 파일의 {sheet_name} 시트"),
    "part.where_entry": ("{name} ({entry})", "{name} 파일({entry})"),
    "part.grain.line": ("line", "주문 행 단위"),
    "part.grain.aggregate": ("aggregate", "집계"),
    "part.grain.entity": ("entity", "개체 단위"),
    "part.entity_text": (" (one row per {entity})", "(한 행 = {entity} 1건)"),
    "part.entity.deal": ("deal", "계약"),
    "part.entity.lead": ("lead", "리드"),
    "part.entity.answer": ("answer", "설문 응답"),
    "part.entity.customer": ("customer", "고객"),
    "part.grain_reason.wide": ("a wide sheet, unpivoted to one value per row",
                               "기간이 열로 펼쳐진 시트를 한 행에 값 하나가 되도록 세로로 바꿨습니다"),
    "part.grain_reason.order_id": ("'{column_name}' is an order id: one row per order line",
                                   "'{column_name}' 열이 주문 ID라서 한 행이 주문 한 줄입니다"),
    "part.grain_reason.counted": ("rows of counted measures ({measures})", "행마다 집계된 수치가 있습니다({measures})"),
    "part.grain_reason.deal": ("lead ids with a won date: one row per closed deal",
                               "리드 ID와 계약 성사일이 있어 한 행이 성사된 계약 1건입니다"),
    "part.grain_reason.lead": ("one row per lead (lead ids, first contact)", "한 행이 리드 1건입니다(리드 ID, 첫 접촉일)"),
    "part.grain_reason.answer": ("'{column_name}' holds 0–10 answers: one row per survey answer",
                                 "'{column_name}' 열에 0–10점 응답이 있어 한 행이 설문 응답 1건입니다"),
    "part.grain_reason.unique_customer": ("a different customer id on every row: one row per customer",
                                          "행마다 고객 ID가 달라 한 행이 고객 한 명입니다"),
    "part.grain_reason.churn": ("a churn flag on every row: one row per customer",
                                "행마다 이탈 여부가 있어 한 행이 고객 한 명입니다"),
    "part.grain_reason.file_name": ("the file name says one row is a {entity}", "파일 이름으로 보아 한 행이 {entity} 1건입니다"),
    "part.grain_reason.default": ("rows of counted measures by date and dimensions",
                                  "날짜와 구분 항목별로 집계된 수치가 행마다 있습니다"),
    "part.date_reason.first_above_12": ("values such as {example} have a first part above 12",
                                        "{example}처럼 첫 부분이 12보다 큰 값이 있습니다"),
    "part.date_reason.second_above_12": ("values such as {example} have a second part above 12",
                                         "{example}처럼 두 번째 부분이 12보다 큰 값이 있습니다"),
    "part.date_reason.slashes": ("no value decides it, and slashes are the US habit",
                                 "값만으로는 정할 수 없고, 빗금(/)은 미국식 표기입니다"),
    "part.date_reason.dashes": ("no value decides it, and dashes or dots are the European habit",
                                "값만으로는 정할 수 없고, 줄표(-)나 마침표(.)는 유럽식 표기입니다"),
    "part.duplicate_value": ("{value} (row {row})", "{value}({row}행)"),
    "part.and": (" and ", ", "),
}


@dataclass(frozen=True, slots=True)
class Phrase:
    """A parameter that is itself words: its English and Korean sides, so each sentence gets its own language."""

    en: str
    ko: str


def phrase(key: str, /, **params: object) -> Phrase:
    """A "part." entry rendered in both languages (its own parameters may be phrases too)."""
    stored = pack(params)
    return Phrase(render(key, "en", stored), render(key, "ko", stored))


def join_phrases(parts: list[Phrase], en_sep: str, ko_sep: str) -> Phrase:
    """Phrases joined with a separator per language (a list of values in a sentence)."""
    return Phrase(en_sep.join(p.en for p in parts), ko_sep.join(p.ko for p in parts))


def pack(params: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """kwargs → the hashable, stringified `Issue.params`; a Phrase stores its Korean side under name + KO_SUFFIX."""
    out: list[tuple[str, str]] = []
    for name, value in params.items():
        if isinstance(value, Phrase):
            out += [(name, value.en), (name + KO_SUFFIX, value.ko)]
        else:
            out.append((name, str(value)))
    return tuple(out)


def render(key: str, language: str, params: tuple[tuple[str, str], ...]) -> str:
    """The template of `key` in `language` ("ko" or anything else for English) filled from stored params."""
    english, korean = MESSAGES[key]
    values = dict(params)
    if language == "ko":
        values.update({n[: -len(KO_SUFFIX)]: v for n, v in params if n.endswith(KO_SUFFIX)})
        return korean.format(**values)
    return english.format(**values)


def make_issue(severity: Severity, key: str, /, *, file: str | None = None, sheet: str | None = None,
               row: int | None = None, column: str | None = None, rows_affected: int = 1,
               **params: object) -> Issue:
    """An Issue whose English `message` is rendered from MESSAGES[key], so its Korean text is available too.

    The issue's `code` is the key without its variant ("corrupt.checksum" → "corrupt"), which keeps the codes
    that scripts and tests match on."""
    stored = pack(params)
    return Issue(severity, render(key, "en", stored), file=file, sheet=sheet, row=row, column=column,
                 rows_affected=rows_affected, code=key.split(".", 1)[0], params=stored, template=key)


def note_fields(key: str, /, **params: object) -> dict[str, object]:
    """message, code, template and params for a stage's own note type (values.Note, shape.ShapeNote, ...)."""
    stored = pack(params)
    return {"message": render(key, "en", stored), "code": key.split(".", 1)[0], "template": key, "params": stored}
