"""One walk-in queue for all translations of a product (plone.app.multilingual):
a citizen who joins through the English page and one through the Dutch page
wait in one line, in order, and one employee takes both. Over HTTP against a
live demo site in Dutch and English."""

from helpers import JSON
from helpers import walk_in_all_day
import pytest
import requests


DUTCH = "/balie/verhuizing-doorgeven"
ENGLISH = "/en/balie/verhuizing-doorgeven"
EMPLOYEE = ("medewerker", "balie-demo-2026")


def call(method, url, auth=None, **kwargs):
    return requests.request(method, url, headers=JSON, auth=auth, timeout=60, **kwargs)


@pytest.fixture
def walk_in(live_site):
    """Walking in switched on through the English translation (the setting is
    the same in every language), the demo employee available; undone after."""
    site, admin = live_site.site, live_site.admin
    on = call(
        "PATCH",
        f"{site}{ENGLISH}",
        auth=admin,
        json={"walk_in": True, "walk_in_hours": walk_in_all_day()},
    )
    assert on.status_code == 204, on.text
    available = call(
        "POST", f"{site}/@availability", auth=EMPLOYEE, json={"available": True}
    )
    assert available.status_code == 200, available.text
    yield site
    call("POST", f"{site}/@availability", auth=EMPLOYEE, json={"available": False})
    call("PATCH", f"{site}{DUTCH}", auth=admin, json={"walk_in": False})


def join(url, fullname):
    response = call("POST", f"{url}/@queue", json={"fullname": fullname})
    assert response.status_code == 201, response.text
    return response.json()


def ticket(site, token):
    response = call("GET", f"{site}/@queue-ticket/{token}")
    assert response.status_code == 200, response.text
    return response.json()


def test_english_and_dutch_walk_ins_wait_in_one_queue(walk_in):
    site = walk_in
    english = join(f"{site}{ENGLISH}", "Emily English")
    dutch = join(f"{site}{DUTCH}", "Nina Nederlands")
    assert (english["position"], dutch["position"]) == (1, 2)

    # Each ticket keeps the page it came from: its language and its title.
    first, second = ticket(site, english["token"]), ticket(site, dutch["token"])
    assert (first["position"], second["position"]) == (1, 2)
    assert (first["language"], second["language"]) == ("en", "nl")
    assert first["product"]["url"].endswith(ENGLISH)
    assert second["product"]["url"].endswith(DUTCH)
    assert first["product"]["title"] != second["product"]["title"]

    # The employee sees one queue, in the order of joining.
    line = call("GET", f"{site}/@queue", auth=EMPLOYEE).json()
    waiting = [(i["fullname"], i["language"]) for i in line["items"]]
    assert waiting == [("Emily English", "en"), ("Nina Nederlands", "nl")]
    assert len({i["product"]["uid"] for i in line["items"]}) == 1

    # ... and takes both, the English citizen first.
    taken = []
    for _ in range(2):
        response = call("POST", f"{site}/@queue/next", auth=EMPLOYEE, json={})
        assert response.status_code == 201, response.text
        taken.append(response.json()["ticket"]["fullname"])
    assert taken == ["Emily English", "Nina Nederlands"]
    empty = call("POST", f"{site}/@queue/next", auth=EMPLOYEE, json={})
    assert empty.status_code == 409, empty.text
    assert empty.json()["error"]["type"] == "QueueEmpty"

    # The English citizen's appointment names the product in English.
    now = ticket(site, english["token"])
    assert now["state"] in ("called", "in_call"), now
    mine = call("GET", f"{site}/@appointment/{english['token']}").json()
    assert mine["language"] == "en"
    assert mine["product"]["url"].endswith(ENGLISH)
    theirs = call("GET", f"{site}/@appointment/{dutch['token']}").json()
    assert theirs["language"] == "nl"
    assert theirs["product"]["url"].endswith(DUTCH)
