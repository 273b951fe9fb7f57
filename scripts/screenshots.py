"""Make the screenshots in docs/ from a fresh demo site (real Chromium).

    .venv/bin/python scripts/screenshots.py

Starts the demo in a temporary folder, books an appointment and photographs
the main pages at phone and desktop width.
"""

from pathlib import Path
import sys
import tempfile


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from live import CHROMIUM_ARGS  # noqa: E402
from live import Launcher  # noqa: E402
from live import book_first_free  # noqa: E402
from live import clean_env  # noqa: E402
from live import free_port  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def main():
    docs = ROOT / "docs"
    with tempfile.TemporaryDirectory() as directory:
        launcher = Launcher(
            Path(directory),
            free_port(),
            clean_env(ADMIN_PASSWORD="shots-Admin-1"),  # noqa: S106 - a throwaway demo
        )
        launcher.wait_ready(timeout=300)
        site = launcher.site
        try:
            booking = book_first_free(
                f"{site}/balie/verhuizing-doorgeven", "Fatima el Amrani"
            )
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                shots = [
                    (
                        "product-phone.png",
                        PHONE,
                        f"{site}/balie/verhuizing-doorgeven",
                        None,
                    ),
                    (
                        "product-desktop.png",
                        DESKTOP,
                        f"{site}/balie/verhuizing-doorgeven",
                        None,
                    ),
                    ("appointment-phone.png", PHONE, booking["url"], None),
                    (
                        "agenda-desktop.png",
                        DESKTOP,
                        f"{site}/@@agenda?period=upcoming&scope=team",
                        "medewerker",
                    ),
                ]
                for name, viewport, url, login in shots:
                    context = browser.new_context(viewport=viewport, locale="nl-NL")
                    page = context.new_page()
                    if login:
                        page.goto(f"{site}/login")
                        page.fill("#__ac_name", login)
                        page.fill("#__ac_password", "balie-demo-2026")
                        with page.expect_navigation():
                            page.keyboard.press("Enter")
                    page.goto(url)
                    page.screenshot(path=str(docs / name), full_page=True)
                    print(f"docs/{name}")
                    context.close()
                browser.close()
        finally:
            launcher.stop()


if __name__ == "__main__":
    main()
