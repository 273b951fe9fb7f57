"""The outbox page shows what was sent, never a working link to a citizen's
appointment or a guest's room: the token is masked."""

from bs4 import BeautifulSoup
from helpers import JSON
from helpers import book_soon
import pytest


@pytest.fixture
def site(functional, make_product, browser_as):
    manager = browser_as("Manager", language="en")
    response = manager.patch(
        "@controlpanels/digitalebalie",
        json={"reminder_hours": 0, "mail_capture_only": True},
        headers=JSON,
    )
    assert response.status_code == 204, response.text
    return {"manager": manager, "product": make_product()}


def test_outbox_masks_the_links_token(browser, site):
    token, _start = book_soon(browser, site["product"], email="jan@example.nl")
    page = site["manager"].get("@@digitalebalie-outbox")
    assert page.status_code == 200
    assert token not in page.text
    (row,) = [
        r
        for r in BeautifulSoup(page.text, "html.parser").select("tbody tr")
        if "jan@example.nl" in r.text
    ]
    # The administrator reads the message: subject, text, the link's place.
    assert "@@my-appointment/***" in row.text
    assert not [a for a in row.find_all("a") if token in a.get("href", "")]
