"""Data page flows: samples in one click, an upload, an override that changes a role, a refused file, a restart."""

from __future__ import annotations

import io

import pytest

from sample_data.make_samples import SAMPLES
from tests.app.conftest import no_exceptions


def _table_texts(app) -> list[str]:
    """All cell text of every dataframe on the page, to look for a file or column name."""
    return [str(v) for frame in app.dataframe for v in frame.value.astype(str).to_numpy().ravel()]


@pytest.mark.parametrize("sample_id", list(SAMPLES))
def test_each_sample_loads_in_one_click(make_app, sample_id: str) -> None:
    app = make_app("pages/data.py").run()
    app.button(key=f"data_sample_{sample_id}").click().run()
    no_exceptions(app)
    assert not app.error, [e.value for e in app.error]
    headings = " ".join(m.value for m in app.markdown)
    for filename in SAMPLES[sample_id].files:
        assert filename.replace(".", "\\.").replace("_", "\\_") in headings or filename in headings


def test_an_uploaded_csv_is_read_and_mapped(make_app) -> None:
    csv = "날짜,채널,방문자수,주문수,매출액\n2026-10-01,검색광고,1200,30,\"1,234,000\"\n2026-10-02,SNS광고,900,21,\"987,000\"\n"
    app = make_app("pages/data.py").run()
    app.file_uploader(key="data_uploader").set_value(("daily.csv", csv.encode("cp949"), "text/csv")).run()
    no_exceptions(app)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Rows read"] == "2"
    assert metrics["Rows used"] == "2"
    roles = app.dataframe[0].value
    mapped = dict(zip(roles["Your column"], roles["Means"], strict=True))
    assert mapped["매출액"] == "Revenue"
    assert mapped["주문수"] == "Orders"


def test_an_override_changes_a_role_and_survives_a_rerun(make_app) -> None:
    csv = "date,visits,purchases,amount\n2026-10-01,100,3,300\n2026-10-02,120,4,410\n"
    app = make_app("pages/data.py").run()
    app.file_uploader(key="data_uploader").set_value(("shop.csv", csv.encode(), "text/csv")).run()
    no_exceptions(app)
    widget = next(s.key for s in app.selectbox if s.key and s.key.startswith("data_override_column_"))
    suffix = widget.removeprefix("data_override_column_")
    app.selectbox(key=f"data_override_column_{suffix}").set_value("visits")
    app.selectbox(key=f"data_override_role_{suffix}").set_value("visitors")
    app.button(key=f"data_override_apply_{suffix}").click().run()
    no_exceptions(app)
    app.run()
    roles = app.dataframe[0].value
    mapped = dict(zip(roles["Your column"], roles["Means"], strict=True))
    assert mapped["visits"] == "Visitors"


def test_a_refused_file_says_why_and_is_not_stored(make_app) -> None:
    app = make_app("pages/data.py").run()
    app.file_uploader(key="data_uploader").set_value(("broken.xlsx", b"this is not a zip file", "application/octet-stream")).run()
    no_exceptions(app)
    assert any("broken.xlsx" in e.value for e in app.error), [e.value for e in app.error]
    assert not app.metric  # nothing stored, so no file panel


def test_files_survive_a_new_session(make_app) -> None:
    buffer = io.StringIO("date,sessions,orders\n2026-10-01,10,1\n")
    first = make_app("pages/data.py").run()
    first.file_uploader(key="data_uploader").set_value(("s.csv", buffer.getvalue().encode(), "text/csv")).run()
    second = make_app("pages/data.py").run()
    no_exceptions(second)
    assert {m.label: m.value for m in second.metric}["Rows used"] == "1"


def test_the_korean_data_page_shows_issues_in_korean(make_app) -> None:
    app = make_app("pages/data.py", language="ko").run()
    app.button(key="data_sample_online_shop").click().run()
    no_exceptions(app)
    messages = " ".join(_table_texts(app))
    assert "합계가 두 번 더해지지 않도록 합계·소계 행" in messages, messages[:2000]
    assert "total or subtotal" not in messages


def test_hostile_text_is_shown_inert(make_app) -> None:
    """A file name with Markdown/HTML and cells that are spreadsheet formulas: shown as text, formulas neutralised."""
    csv = "date,channel,revenue\n2026-10-01,=HYPERLINK(\"http://x\"),-120\n2026-10-02,검색광고,300\n"
    name = "<img src=x onerror=alert(1)>[link](http://x).csv"
    app = make_app("pages/data.py").run()
    app.file_uploader(key="data_uploader").set_value((name, csv.encode(), "text/csv")).run()
    no_exceptions(app)
    heading = next(m.value for m in app.markdown if m.value.startswith("#### "))
    assert "\\<img" in heading and "\\[link\\]" in heading  # escaped, so neither HTML nor a link
    preview = next(f.value for f in app.dataframe if "channel" in f.value.columns)
    assert preview["channel"].tolist() == ["'=HYPERLINK(\"http://x\")", "검색광고"]
    assert preview["revenue"].tolist() == [-120.0, 300.0]


def test_no_page_renders_html() -> None:
    """unsafe_allow_html and st.html would let user text become HTML; nothing in the app may use them."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = [*root.glob("pages/*.py"), *root.glob("ui/*.py"), root / "app.py"]
    offenders = [p.name for p in sources if "unsafe_allow_html=True" in p.read_text() or "st.html(" in p.read_text()]
    assert offenders == []


def test_the_shop_samples_roles_and_issues_match_the_golden_file(make_app) -> None:
    """What the Data page tells a marketer about the shop sample: each column's meaning and every issue."""
    from tests.goldens import assert_matches_golden

    app = make_app("pages/data.py").run()
    app.button(key="data_sample_online_shop").click().run()
    no_exceptions(app)
    frames = [f.value for f in app.dataframe]
    roles = [f for f in frames if "Means" in f.columns and "Why" in f.columns]
    issues = next(f for f in frames if "What we found" in f.columns)
    assert_matches_golden("data_online_shop", {
        "roles": [r.drop(columns="Confidence").to_dict("records") for r in roles],
        "confidence": [r["Confidence"].round(2).tolist() for r in roles],
        "issues": issues.to_dict("records"),
        "metrics": [[m.label, m.value] for m in app.metric],
    })
