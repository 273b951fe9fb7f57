"""Helpers of the browser tests (Chromium driven by Playwright)."""

from datetime import datetime
from datetime import timedelta
from helpers import AMS
from pathlib import Path
import time


AXE = Path(__file__).parent.parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}


def phone_page(chromium, locale="nl-NL"):
    """(context, page) of a citizen on a phone (390 × 844), in a fresh context."""
    context = chromium.new_context(viewport=PHONE, locale=locale)
    return context, context.new_page()


def day_ahead(days):
    """A local date some days from now: past the notice, whatever the hour."""
    return datetime.now(AMS).date() + timedelta(days=days)


def times_of(product, day):
    """The product page with the times of ``day`` (the day links' address)."""
    return f"{product}?from={day.isoformat()}&day={day.isoformat()}#times"


def logged_in_page(chromium, site, login, password, width=1280, height=800):
    """(context, page) of someone logged in through Plone's login form, in Dutch."""
    context = chromium.new_context(
        viewport={"width": width, "height": height}, locale="nl-NL"
    )
    page = context.new_page()
    page.goto(f"{site}/login")
    page.fill("#__ac_name", login)
    page.fill("#__ac_password", password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return context, page


def wait_for(page, expression, timeout=30000):
    """Wait until a JavaScript expression (or ``() => ...``) is true on the page.

    Like page.wait_for_function, but without compiling the predicate inside the
    page (Playwright does that with ``new Function``): the citizen pages' CSP
    forbids eval, as it should. page.evaluate is not subject to it.
    """
    function = (
        expression if expression.lstrip().startswith("()") else f"() => ({expression})"
    )
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(function):
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for: {expression}")
        page.wait_for_timeout(100)


def audit(page):
    """axe on a page got with GET as a returning citizen sees it: loaded once
    more, so that links to pages already seen get their :visited colours."""
    page.reload()
    return run_axe(page)


def run_axe(page):
    """axe-core's violations of WCAG 2.1 A and AA on the page as it is now."""
    # Evaluated, not added as an inline <script>: the pages' CSP refuses those.
    page.evaluate(AXE.read_text())
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))",
        TAGS,
    )
