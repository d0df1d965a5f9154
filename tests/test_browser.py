"""End to end in a real browser: `leanwatch ui` serves the corpus store, headless Chromium (Debian's,
driven by Playwright) opens every page, waits for its content, checks that no error or traceback
is shown, and saves a screenshot of each (into LEANWATCH_SCREENSHOTS, else the test's tmp dir)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from leanwatch.settings import Settings
from tests.test_app_pages import PAGE_CONTENT

PAGES = {
    **{("" if name == "overview" else name): text for name, text in PAGE_CONTENT.items()},
    "papers?q=quantization&label=quantization": "ranked by BM25",
}


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("LEANWATCH_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (Debian package `chromium`) but not installed")
        pytest.skip("no chromium here (apt-get install chromium)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(corpus: Settings) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("leanwatch")),
            "--data-dir",
            str(corpus.data_dir),
            "ui",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            pytest.fail("leanwatch ui did not come up in 60 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_every_page_in_a_real_browser(served: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("LEANWATCH_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=args)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        timings = {}
        for path, expected in PAGES.items():
            started = time.monotonic()
            page.goto(f"{served}/{path}")
            page.get_by_text(expected).first.wait_for(timeout=60_000)
            timings[path or "/"] = time.monotonic() - started
            page.wait_for_timeout(500)
            failures = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
            assert failures.count() == 0, f"/{path}: {failures.first.inner_text()}"
            assert "Traceback" not in page.content()
            name = (path.split("?")[0] or "overview") + ("-search" if "?" in path else "")
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        browser.close()
    assert sorted(p.name for p in shots.glob("*.png")) == sorted(
        (p.split("?")[0] or "overview") + ("-search" if "?" in p else "") + ".png" for p in PAGES
    )
    print("first content, seconds:", {k: round(v, 2) for k, v in timings.items()})
