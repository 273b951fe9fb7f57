"""Build the CSS the citizen pages are first painted with (issue 22).

    .venv/bin/python scripts/build-first-paint-css.py [--site URL]

A phone on a slow connection waits a whole round trip for the stylesheets
before it paints anything. So the pages carry, inline, the rules of the site's
stylesheets that they use when they open (browser/first_paint.py), and load
the stylesheets themselves at the end of the page. This script finds those
rules: it opens the pages bench/bench_pages.py measures (and a few more,
more_pages) in Chromium with JavaScript off, at one width in each
band of the theme's breakpoints, and asks Chromium's CSS coverage which rules
matched. It writes src/collective/digitalebalie/browser/first-paint/
first-paint.css and first-paint.json (the pages and stylesheets it was made
from, and the tags, classes, ids and attributes the stylesheets name that none
of the pages had). Run it again when the theme, the add-on's CSS or the
templates change: tests/browser/test_first_paint.py fails until then.

Without ``--site`` it starts the demo in a temporary folder, like the bench.
"""

from pathlib import Path
import argparse
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import ADMIN  # noqa: E402
from bench_pages import CHROMIUM_ARGS  # noqa: E402
from bench_pages import EMPLOYEE  # noqa: E402
from bench_pages import PRODUCT  # noqa: E402
from bench_pages import pages  # noqa: E402
from bench_pages import queue_ticket  # noqa: E402
from bench_pages import start_demo  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402


OUT = ROOT / "src/collective/digitalebalie/browser/first-paint"
# One width in each band of Bootstrap's breakpoints (576, 768, 992, 1200, 1400).
WIDTHS = (390, 640, 800, 1024, 1280, 1440)
HEIGHT = 844

# What the stylesheets' selectors could name on a page: tags, classes, ids,
# attributes (with their values, for [type=radio]); style attributes' var()s.
PAGE_TOKENS = """() => {
  const tokens = new Set(), references = new Set();
  for (const el of [document.body, ...document.body.querySelectorAll("*")]) {
    tokens.add(el.localName);
    for (const name of el.classList) tokens.add("." + name);
    if (el.id) tokens.add("#" + el.id);
    for (const attr of el.attributes) {
      tokens.add(`[${attr.name}]`);
      tokens.add(`[${attr.name}=${attr.value}]`);
      if (attr.name === "style") {
        for (const m of attr.value.matchAll(/var\\(\\s*(--[\\w-]+)/g)) references.add(m[1]);
      }
    }
  }
  return {tokens: [...tokens], references: [...references]};
}"""


def sheet_path(url):
    """The stylesheet's address without the site and Plone's version:
    ++theme++barceloneta/css/barceloneta.min.css."""
    path = re.sub(r"\+\+webresource\+\+[^/]+/", "", url.split("?")[0])
    index = path.find("/++")
    return path[index + 1 :] if index >= 0 else path


def more_pages(site, admin, employee):
    """The English home, folder and product page, and the queue page of a
    citizen who is number 2 (the wait is long enough to offer a call back)."""

    def go(url):
        return lambda page: page.goto(url, wait_until="load")

    def second_in_queue(page):
        if not hasattr(second_in_queue, "url"):
            queue_ticket(site, admin, employee)
            second_in_queue.url = queue_ticket(site, admin, employee)
        page.goto(second_in_queue.url, wait_until="load")

    return {
        "home (en)": go(f"{site}/en"),
        "counter folder (en)": go(f"{site}/en/balie"),
        "product page (en)": go(f"{site}/en{PRODUCT}"),
        "queue page, call back offered": second_in_queue,
    }


class Coverage:
    def __init__(self):
        self.order = []  # stylesheet paths, in the pages' order
        self.texts = {}
        self.used = {}
        self.seen = set()
        self.references = set()

    def add_order(self, paths):
        """Merge one page's order of stylesheets into the order of all."""
        previous = None
        for path in paths:
            if path not in self.order:
                at = self.order.index(previous) + 1 if previous else 0
                self.order.insert(at, path)
            previous = path

    def visit(self, context, name, open_page):
        page = context.new_page()
        page.set_default_timeout(120_000)
        prepare = getattr(open_page, "prepare", None)
        if prepare:
            prepare(page)
        open_page(page)
        page.wait_for_load_state("load")
        cdp = context.new_cdp_session(page)
        headers = {}
        cdp.on(
            "CSS.styleSheetAdded",
            lambda event: headers.__setitem__(
                event["header"]["styleSheetId"], event["header"]
            ),
        )
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        # Tracking restyles the whole document: the rules in use now.
        cdp.send("CSS.startRuleUsageTracking")
        page.evaluate("document.body.offsetHeight")
        usage = cdp.send("CSS.stopRuleUsageTracking")["ruleUsage"]
        order = []
        for href in page.evaluate(
            "[...document.styleSheets].map(s => s.href).filter(Boolean)"
        ):
            if sheet_path(href) not in order:
                order.append(sheet_path(href))
        self.add_order(order)
        for sheet_id, header in headers.items():
            if header.get("isInline") or not header.get("sourceURL"):
                continue
            path = sheet_path(header["sourceURL"])
            text = cdp.send("CSS.getStyleSheetText", {"styleSheetId": sheet_id})["text"]
            if self.texts.setdefault(path, text) != text:
                raise SystemExit(f"{path} differs between pages")
            self.used.setdefault(path, set()).update(
                rule["startOffset"]
                for rule in usage
                if rule["styleSheetId"] == sheet_id and rule["used"]
            )
        found = page.evaluate(PAGE_TOKENS)
        self.seen.update(found["tokens"])
        self.references.update(found["references"])
        page.close()

    def as_json(self, names):
        return {
            "pages": names,
            "widths": WIDTHS,
            "sheets": [
                {
                    "path": path,
                    "text": self.texts[path],
                    "used": sorted(self.used[path]),
                }
                for path in self.order
                if path in self.texts
            ],
            "seen": sorted(self.seen),
            "references": sorted(self.references),
        }


def collect(site, admin, employee):
    coverage = Coverage()
    visits = {**pages(site, admin, employee), **more_pages(site, admin, employee)}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            for width in WIDTHS:
                # JavaScript off: the page is painted before its scripts run.
                context = browser.new_context(
                    locale="nl-NL",
                    viewport={"width": width, "height": HEIGHT},
                    java_script_enabled=False,
                )
                for name, open_page in visits.items():
                    coverage.visit(context, name, open_page)
                context.close()
        finally:
            browser.close()
    return coverage.as_json(list(visits))


def build(site, admin, employee):
    data = collect(site, admin, employee)
    OUT.mkdir(exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".json") as coverage:
        json.dump(data, coverage)
        coverage.flush()
        subprocess.run(
            [
                shutil.which("node") or "node",
                str(ROOT / "scripts/build-first-paint-css.mjs"),
                coverage.name,
                str(OUT / "first-paint.css"),
                str(OUT / "first-paint.json"),
            ],
            check=True,
            cwd=ROOT,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", help="a running demo site (default: start one)")
    parser.add_argument("--admin", default=ADMIN, help="USER:PASSWORD")
    parser.add_argument("--employee", default=EMPLOYEE, help="USER:PASSWORD")
    args = parser.parse_args()
    if args.site:
        build(args.site.rstrip("/"), args.admin, args.employee)
        return
    with tempfile.TemporaryDirectory() as directory:
        process, site = start_demo(directory)
        try:
            build(site, args.admin, args.employee)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
