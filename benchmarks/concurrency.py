"""The Monday meeting: ten people open the KPI pool and the funnel at once. Not part of the test suite.

Starts the app on a fresh SQLite database, loads the online-shop sample once, then opens N browser sessions
(one headless Chromium, N contexts) that each load the KPI pool and switch to the Funnel, all at the same time.
Prints the median and worst time until each page has settled, against the named baseline of ONE session doing the
same alone, measured in the same run; and checks that no session saw an error.

    PYTHONPATH=. .venv/bin/python benchmarks/concurrency.py [--users 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.async_api import Browser, async_playwright

from tests.e2e.conftest import CHROMIUM, FLAGS, REPO_ROOT, _free_port


async def _settle(page: object, wait_s: float = 120) -> None:
    await page.wait_for_selector("h1", timeout=wait_s * 1000)
    await page.wait_for_timeout(300)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if await page.locator('[data-testid="stStatusWidget"]').count() == 0:
            await page.wait_for_timeout(300)
            if await page.locator('[data-testid="stStatusWidget"]').count() == 0:
                return
        await page.wait_for_timeout(150)


async def _session(browser: Browser, url: str) -> tuple[float, float, int]:
    """One marketer: open the app, go to the KPI pool, then to the funnel. Returns both times and errors seen."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = await context.new_page()
    try:
        await page.goto(url)
        await _settle(page)
        started = time.perf_counter()
        await page.locator('[data-testid="stSidebarNavLink"]').nth(1).click()
        await page.wait_for_timeout(200)
        await _settle(page)
        kpi_s = time.perf_counter() - started
        started = time.perf_counter()
        await page.locator('[data-testid="stSidebarNavLink"]').nth(2).click()
        await page.wait_for_timeout(200)
        await _settle(page)
        funnel_s = time.perf_counter() - started
        errors = await page.locator('[data-testid="stException"]').count()
        return kpi_s, funnel_s, errors
    finally:
        await context.close()


async def _load_sample(browser: Browser, url: str) -> None:
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    await page.goto(url)
    await _settle(page)
    await page.locator(".st-key-data_sample_online_shop button").first.click()
    await page.wait_for_selector('[data-testid="stMetric"]', timeout=180_000)
    await _settle(page)
    await context.close()


async def _run(url: str, users: int) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        await _load_sample(browser, url)
        await _session(browser, url)  # warm the caches once, as the first person in the room does
        alone = await _session(browser, url)
        crowd = await asyncio.gather(*(_session(browser, url) for _ in range(users)))
        await browser.close()
    for index, name in ((0, "KPI pool"), (1, "Funnel")):
        times = [c[index] for c in crowd]
        print(f"{name:9} alone (baseline) {alone[index]:6.2f} s | {users} at once: median {statistics.median(times):6.2f} s "
              f"({statistics.median(times) / alone[index]:.1f}× baseline), worst {max(times):6.2f} s "
              f"({max(times) / alone[index]:.1f}×)")
    print(f"sessions that saw an error: {sum(1 for c in crowd if c[2])} of {users}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/loopboard.db"}
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.5)
            asyncio.run(_run(url, args.users))
        finally:
            server.terminate()
            server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
