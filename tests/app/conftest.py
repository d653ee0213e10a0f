"""AppTest fixtures: every test gets its own SQLite database, so stored files never leak between tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 120


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/loopboard.db"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def make_app(database: str) -> Callable[[str], AppTest]:
    """Builds an AppTest for the router (`app.py`) or one page file, in English unless a test says otherwise."""

    def build(path: str = "app.py", language: str = "en") -> AppTest:
        app = AppTest.from_file(str(REPO_ROOT / path), default_timeout=TIMEOUT_S)
        app.session_state["language"] = language
        return app

    return build


def no_exceptions(app: AppTest) -> None:
    """Fails with the exception text the page would show, which explains itself better than a bare count."""
    assert not app.exception, "\n".join(str(e.value) for e in app.exception)
