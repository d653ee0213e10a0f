"""End to end in headless Chromium: a marketer loads data, reads every page in Korean and English, uploads a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "e2e"
PAGES = [("data", "내 데이터"), ("kpi_pool", "KPI 풀"), ("funnel", "퍼널")]


def _exceptions(page) -> list[str]:
    errors = page.locator('[data-testid="stException"]')
    return [errors.nth(i).inner_text()[:300] for i in range(errors.count())]


@pytest.fixture
def korean_page(browser, app_url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    yield page
    context.close()


def test_sample_then_every_page_in_korean(korean_page, app_url: str) -> None:
    page = korean_page
    page.goto(app_url)
    settle(page)
    assert "내 데이터" in page.inner_text("body")  # the browser's locale picked Korean
    button = page.locator(".st-key-data_sample_online_shop button").first
    assert "불러오기" in button.inner_text()
    button.click()
    settle(page, 90)
    body = page.inner_text("body")
    assert "shop_orders.xlsx" in body and "shop_daily_channels.xlsx" in body
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "data_ko.png"), full_page=True)
    for index, (slug, title) in enumerate(PAGES):
        # Through the sidebar, as a user moves: the session (language, goal) must survive the switch.
        page.locator('[data-testid="stSidebarNavLink"]').nth(index).click()
        page.wait_for_timeout(1500)
        settle(page, 90)
        assert not _exceptions(page), _exceptions(page)
        assert page.locator("h1").first.inner_text() == title
        page.screenshot(path=str(SCREENSHOTS / f"{slug}_ko.png"), full_page=True)
    kpi_labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert kpi_labels, "the funnel shows its cards"


def test_upload_a_korean_csv_in_english(browser, app_url: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(app_url)  # the Data page is the default page, served at the root
        settle(page)
        csv = tmp_path / "일별리포트.csv"
        csv.write_bytes("날짜,채널,방문자수,주문수,매출액\n2026-10-01,검색광고,1200,30,1234000\n".encode("cp949"))
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv))
        page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
        settle(page, 60)
        body = page.inner_text("body")
        assert "일별리포트.csv saved." in body
        metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
        assert any("Rows used" in m and m.strip().endswith("1") for m in metrics), metrics
        assert not _exceptions(page), _exceptions(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "upload_en.png"), full_page=True)
    finally:
        context.close()
