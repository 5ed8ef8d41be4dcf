"""Headless Chromium (Debian's `chromium` package) driven by Playwright, for tests of the HTML report.

Playwright's own browser download cannot run here (no internet); it drives the system Chromium instead.
Tests that need it skip with the reason when the package is not installed (`make test` installs it).
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class ConsoleLog:
    errors: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


@contextmanager
def browser_page(width: int = 1280, height: int = 900):
    """A page in headless Chromium, and the console errors and page errors it collects."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    log = ConsoleLog()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: (log.errors if m.type == "error" else log.messages).append(m.text))
            page.on("pageerror", lambda e: log.errors.append(f"page error: {e}"))
            yield page, log
        finally:
            browser.close()
