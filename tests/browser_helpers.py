"""Helpers of the browser tests (Chromium driven by Playwright)."""


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
