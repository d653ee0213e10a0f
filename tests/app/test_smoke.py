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


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_with_the_shop_sample(make_app, page: str) -> None:
    app = make_app().run()
    app.button(key="data_sample_online_shop").click().run()
    no_exceptions(app)
    app.switch_page(page).run()
    no_exceptions(app)
