"""Debian's Chromium, driven by Playwright, shared by the browser tests of a module."""

from live import CHROMIUM_ARGS
from playwright.sync_api import sync_playwright
import pytest


@pytest.fixture(scope="module")
def chromium(request):
    """A test module may add arguments in ``CHROMIUM_EXTRA_ARGS`` (fake camera...)."""
    extra = getattr(request.module, "CHROMIUM_EXTRA_ARGS", [])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=[*CHROMIUM_ARGS, *extra]
        )
        yield browser
        browser.close()
