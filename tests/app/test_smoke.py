"""Every page runs through the router without an exception, empty and with a sample loaded, in both languages."""

from __future__ import annotations

import pytest

from tests.app.conftest import no_exceptions

PAGES = ["pages/data.py", "pages/kpi_pool.py", "pages/funnel.py"]


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_empty(make_app, page: str, language: str) -> None:
    app = make_app(language=language).run()
    no_exceptions(app)
    app.switch_page(page).run()
    no_exceptions(app)


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("sample_id", ["online_shop", "subscription", "b2b_leads"])
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_with_each_sample(make_app, page: str, sample_id: str, language: str) -> None:
    app = make_app(language=language).run()
    app.button(key=f"data_sample_{sample_id}").click().run()
    no_exceptions(app)
    app.switch_page(page).run()
    no_exceptions(app)
    assert not app.error, [e.value for e in app.error]
