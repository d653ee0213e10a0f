"""A real Loopboard server on a free loopback port and a headless Chromium driven by Playwright.

The browser is Debian's /usr/bin/chromium (never `playwright install`). Without it the tests skip, unless
LOOPBOARD_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def _require_or_skip(reason: str) -> None:
    if os.environ.get("LOOPBOARD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required here but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Starts `streamlit run app.py` on SQLite in a temporary folder and waits until it answers."""
    port = _free_port()
    db = tmp_path_factory.mktemp("e2e") / "loopboard.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the app did not start within 60 s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        _require_or_skip(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require_or_skip("the playwright package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def settle(page: object, wait_s: float = 30) -> None:
    """Waits for a page title (the router has run, not only Streamlit's first frame), then until the 'running'
    indicator has been gone for a moment."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=wait_s * 1000)
    page.wait_for_selector("h1", timeout=wait_s * 1000)
    page.wait_for_timeout(500)
    for _ in range(int(wait_s * 4)):
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            page.wait_for_timeout(500)
            if page.locator('[data-testid="stStatusWidget"]').count() == 0:
                return
        page.wait_for_timeout(250)
