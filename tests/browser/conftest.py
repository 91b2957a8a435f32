"""Fixtures for browser tests: Debian's Chromium driven by Playwright against ``live_server``.

Playwright's sync API keeps an event loop in the test thread, and Django refuses database
access from a thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The
variable is set only while a browser is open (never for the rest of the suite); the
database work of these tests happens between browser steps, never concurrently with them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """A headless Chromium (Debian's binary: browsers are never downloaded)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page, in English, 1280 pixels wide."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
