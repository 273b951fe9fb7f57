"""What a citizen's phone loads: every citizen page's weight and Largest
Contentful Paint in Chromium, on a cheap phone's connection.

    python bench/bench_pages.py [--site http://127.0.0.1:8080/Plone]

Without ``--site`` it starts the demo (``digitalebalie-start``) in a
temporary folder on a free port. The walk-in queue page needs a product with
walk-in hours and an available employee: the bench adds ``/bench-inloop`` (not
in the navigation, as the site's administrator) and makes the demo's employee
available (``--admin``, ``--employee``). Debian's Chromium, driven by Playwright,
390 x 844, with Chromium's own emulation of DevTools' "Slow 4G" (562.5 ms
latency, 1.44 Mbit/s down) and a 4x slower CPU. For each page it prints the
requests and the kilobytes that crossed the network (compressed bodies plus
headers) on a first visit with an empty cache and on a second visit, and the
LCP of the first visit and the element it was. Prints figures; it does not
pass or fail. The booking and ``@slots`` medians are bench/bench_booking.py's
(``make bench`` runs both).
"""

from datetime import date
from datetime import timedelta
from pathlib import Path
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright
import argparse
import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid


BIN = Path(sys.executable).parent
PRODUCT = "/balie/verhuizing-doorgeven"
QUEUE_PRODUCT = "bench-inloop"
ADMIN = "admin:bench-Admin-pw"
# The demo's counter employee (demo.py), in the team of the demo's products.
EMPLOYEE = "medewerker:" + os.environ.get("DEMO_EMPLOYEE_PASSWORD", "balie-demo-2026")
TEAM = "team-burgerzaken"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# DevTools' "Slow 4G" preset (what Lighthouse calls mobile throttling).
SLOW_4G = {
    "offline": False,
    "latency": 150 * 3.75,
    "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
    "uploadThroughput": 750 * 1000 / 8 * 0.9,
}
CPU_SLOWDOWN = 4
VIEWPORT = {"width": 390, "height": 844}
TARGETS = {"cold_kb": 450, "warm_kb": 40, "lcp_s": 2.5}

# The latest LCP candidate, kept by the page itself.
LCP_SCRIPT = """
window.__lcp = 0;
window.__lcpElement = "";
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    window.__lcp = entry.startTime;
    const el = entry.element;
    window.__lcpElement = el ? `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}` : "";
  }
}).observe({type: "largest-contentful-paint", buffered: true});
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_demo(directory):
    port, rooms = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEMO_")}
    env["ADMIN_PASSWORD"] = "bench-Admin-pw"
    process = subprocess.Popen(
        [
            str(BIN / "digitalebalie-start"),
            "--dir",
            directory,
            "--port",
            str(port),
            "--rooms-port",
            str(rooms),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    for line in process.stdout:
        if "Digitale Balie is running" in line:
            break
    else:
        raise SystemExit("the demo did not start")
    return process, f"http://127.0.0.1:{port}/Plone"


def request_json(url, method="GET", body=None, login=None):
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if login:
        headers["Authorization"] = f"Basic {base64.b64encode(login.encode()).decode()}"
    request = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers=headers,
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def book(site):
    """A video appointment a few days ahead; returns its secret link."""
    product = f"{site}{PRODUCT}"
    first = date.today() + timedelta(days=3)
    slots = request_json(
        f"{product}/@slots?start={first}&end={first + timedelta(days=7)}"
    )["items"]
    for slot in slots:
        if not slot["available"]:
            continue
        try:
            return request_json(
                f"{product}/@book",
                "POST",
                {
                    "start": slot["start"],
                    "fullname": "Bench Burger",
                    # Another address each run: the demo limits bookings per person.
                    "email": f"bench-{uuid.uuid4().hex[:8]}@example.nl",
                    "channel": "video",
                },
            )["url"]
        except urllib.error.HTTPError:
            continue
    raise SystemExit("no free slot to book")


def queue_ticket(site, admin, employee):
    """A citizen's place in a walk-in queue; returns the queue page's address.

    The product is made once, at the site's root and out of the navigation, so
    the other pages stay as they were."""
    product = f"{site}/{QUEUE_PRODUCT}"
    try:
        request_json(product, login=admin)
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise
        request_json(
            site,
            "POST",
            {
                "@type": "CounterProduct",
                "id": QUEUE_PRODUCT,
                "title": "Inloopspreekuur",
                "description": "Spreek meteen een medewerker via video.",
                "duration": 10,
                "channels": ["video"],
                "teams": [TEAM],
                "exclude_from_nav": True,
                "walk_in": True,
                "walk_in_hours": [
                    {"weekday": day, "start": "00:00", "end": "23:59"}
                    for day in range(7)
                ],
            },
            login=admin,
        )
        request_json(f"{product}/@workflow/publish", "POST", {}, login=admin)
    # Walking in needs an employee of the product's team who is available.
    request_json(f"{site}/@availability", "POST", {"available": True}, login=employee)
    return request_json(
        f"{product}/@queue", "POST", {"fullname": "Bench Burger", "language": "nl"}
    )["url"]


class Meter:
    """Counts what a page loads over the network, through the DevTools protocol."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.requestServedFromCache", self._cached)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.reset()

    def reset(self):
        self.requests = {}
        self.from_cache = set()
        self.bytes = 0
        self.types = {}
        self.by_type = {}

    def _sent(self, event):
        if not event["request"]["url"].startswith(("data:", "blob:")):
            self.requests[event["requestId"]] = event["request"]["url"]

    def _cached(self, event):
        self.from_cache.add(event["requestId"])

    def _response(self, event):
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromMemoryCache"):
            self.from_cache.add(event["requestId"])
        self.types[event["requestId"]] = event["type"]

    def _finished(self, event):
        if event["requestId"] in self.requests:
            self.bytes += event["encodedDataLength"]
            kind = self.types.get(event["requestId"], "Other")
            self.by_type[kind] = self.by_type.get(kind, 0) + event["encodedDataLength"]

    def figures(self):
        over_network = [r for r in self.requests if r not in self.from_cache]
        return {
            "requests": len(self.requests),
            "network_requests": len(over_network),
            "kb": self.bytes / 1024,
            "by_type_kb": {k: v / 1024 for k, v in self.by_type.items()},
        }


def settle(page):
    # A page that keeps a connection open (the live desk) still counts.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=20000)


def visit(page, meter, action):
    meter.reset()
    started = time.monotonic()
    action()
    page.wait_for_load_state("load")
    settle(page)
    figures = meter.figures()
    figures["load_s"] = time.monotonic() - started
    figures["lcp_s"] = page.evaluate("window.__lcp") / 1000
    figures["lcp_element"] = page.evaluate("window.__lcpElement")
    return figures


def measure(browser, name, open_page):
    """A fresh profile (empty cache): the first visit, then the same page again."""
    context = browser.new_context(locale="nl-NL", viewport=VIEWPORT)
    context.add_init_script(LCP_SCRIPT)
    page = context.new_page()
    # 2 MB at 1.44 Mbit/s on a busy machine takes longer than Playwright's 30 s.
    page.set_default_timeout(180_000)
    meter = Meter(page)
    prepare = getattr(open_page, "prepare", None)
    if prepare:
        prepare(page)
        meter.cdp.send("Network.clearBrowserCache")
    cold = visit(page, meter, lambda: open_page(page))
    if prepare:
        prepare(page)
    warm = visit(page, meter, lambda: open_page(page))
    context.close()
    return {"page": name, "cold": cold, "warm": warm}


def warm_up(urls):
    """Zope compiles a template and loads its objects on a page's first
    request: ask each page twice first, so the figures are the browser's."""
    for url in urls:
        for _ in range(2):
            with urllib.request.urlopen(url, timeout=120) as response:
                response.read()


def pages(site, admin=ADMIN, employee=EMPLOYEE):
    appointment = book(site)
    warm_up(
        [
            site,
            f"{site}/balie",
            f"{site}{PRODUCT}",
            appointment,
            f"{appointment}/device-test",
        ]
    )

    def go(url):
        return lambda page: page.goto(url, wait_until="load")

    def queue_page(page):
        page.goto(queue_page.url, wait_until="load")

    def join_queue(page):
        # Joined just before it is measured (last): a ticket nobody asks for
        # leaves the queue after 2 minutes.
        if not hasattr(queue_page, "url"):
            queue_page.url = queue_ticket(site, admin, employee)
            warm_up([queue_page.url])

    queue_page.prepare = join_queue

    def submit_empty_form(page):
        with page.expect_navigation():
            page.click("button[name=book]")

    # The error page answers a POST: open the form first (not counted).
    submit_empty_form.prepare = lambda page: page.goto(f"{site}{PRODUCT}")
    return {
        "home": go(site),
        "counter folder": go(f"{site}/balie"),
        "product page": go(f"{site}{PRODUCT}"),
        "booking with errors": submit_empty_form,
        "appointment page": go(appointment),
        "device test": go(f"{appointment}/device-test"),
        "queue page": queue_page,
    }


def report(results):
    print(
        f"Chromium {VIEWPORT['width']}x{VIEWPORT['height']}, Slow 4G "
        f"({SLOW_4G['latency']:.1f} ms, {SLOW_4G['downloadThroughput'] * 8 / 1e6:.2f} "
        f"Mbit/s), CPU {CPU_SLOWDOWN}x slower"
    )
    print(
        f"{'page':<22}{'requests':>9}{'KB cold':>9}{'requests':>10}{'KB 2nd':>8}"
        f"{'LCP s':>7}  cold KB by type"
    )
    for row in results:
        cold, warm = row["cold"], row["warm"]
        kinds = ", ".join(
            f"{kind} {kb:.0f}"
            for kind, kb in sorted(cold["by_type_kb"].items(), key=lambda i: -i[1])
            if kb >= 1
        )
        print(
            f"{row['page']:<22}{cold['requests']:>9}{cold['kb']:>9.0f}"
            f"{warm['network_requests']:>10}{warm['kb']:>8.1f}{cold['lcp_s']:>7.2f}"
            f"  {kinds}"
        )
    print(
        f"targets: <= {TARGETS['cold_kb']} KB cold, <= {TARGETS['warm_kb']} KB on "
        f"a second visit, LCP < {TARGETS['lcp_s']} s; 2nd-visit requests: those "
        "that went to the network"
    )
    missed = [
        row["page"]
        for row in results
        if row["cold"]["kb"] > TARGETS["cold_kb"]
        or row["warm"]["kb"] > TARGETS["warm_kb"]
        or row["cold"]["lcp_s"] >= TARGETS["lcp_s"]
    ]
    print("all targets met" if not missed else f"targets missed: {', '.join(missed)}")
    print(
        "LCP element: "
        + "; ".join(f"{row['page']}: {row['cold']['lcp_element']}" for row in results)
    )
    print(
        "The booking (POST @book) and @slots medians: bench/bench_booking.py "
        "(make bench runs it too)."
    )


def run(site, as_json=None, only=None, admin=ADMIN, employee=EMPLOYEE):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            results = [
                measure(browser, name, open_page)
                for name, open_page in pages(site, admin, employee).items()
                if not only or name in only
            ]
        finally:
            browser.close()
    report(results)
    if as_json:
        Path(as_json).write_text(json.dumps(results, indent=1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", help="a running site (default: start the demo)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--page", action="append", help="only this page (repeatable), e.g. 'home'"
    )
    parser.add_argument(
        "--admin", default=ADMIN, help="USER:PASSWORD of a site administrator"
    )
    parser.add_argument(
        "--employee",
        default=EMPLOYEE,
        help=f"USER:PASSWORD of a counter employee of {TEAM} (the queue page)",
    )
    args = parser.parse_args()
    logins = {"admin": args.admin, "employee": args.employee}
    if args.site:
        run(args.site.rstrip("/"), args.json, args.page, **logins)
        return
    with tempfile.TemporaryDirectory() as directory:
        process, site = start_demo(directory)
        try:
            run(site, args.json, args.page, **logins)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
