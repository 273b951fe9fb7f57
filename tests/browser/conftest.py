"""Debian's Chromium, driven by Playwright, shared by the browser tests of a module."""

from live import CHROMIUM_ARGS
from live_messages import LiveMessages
from playwright.sync_api import sync_playwright
import pytest


class WatchedChromium:
    """The browser, with every page's console watched for Content-Security-Policy
    violations: a CSP that breaks a page is worse than none."""

    def __init__(self, browser):
        self.browser = browser
        self.violations = []

    def __getattr__(self, name):
        return getattr(self.browser, name)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.violations.append(f"{message.location.get('url')}: {message.text}")

    def new_context(self, *args, **kwargs):
        context = self.browser.new_context(*args, **kwargs)
        context.on("console", self._console)
        return context

    def new_page(self, *args, **kwargs):
        page = self.browser.new_page(*args, **kwargs)
        page.on("console", self._console)
        return page


@pytest.fixture(scope="module")
def chromium(request):
    """A test module may add arguments in ``CHROMIUM_EXTRA_ARGS`` (fake camera...)."""
    extra = getattr(request.module, "CHROMIUM_EXTRA_ARGS", [])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=[*CHROMIUM_ARGS, *extra]
        )
        yield WatchedChromium(browser)
        browser.close()


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Every browser test fails when a page reported a CSP violation."""
    if "chromium" not in request.fixturenames:
        yield
        return
    watched = request.getfixturevalue("chromium")
    del watched.violations[:]
    yield
    assert watched.violations == [], "\n".join(watched.violations)


@pytest.fixture(scope="module")
def messages(live_site):
    """The live site sends for real: mail to aiosmtpd, text messages to the
    local CM.com gateway (the demo's settings come back afterwards)."""
    with LiveMessages(live_site) as received:
        yield received
