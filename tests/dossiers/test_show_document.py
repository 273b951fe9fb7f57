"""Showing a dossier document in the call: who may, and what the citizen may then open."""

from bs4 import BeautifulSoup
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
import json
import pytest


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00"
    b"\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def call(functional, clamd, browser, browser_as, make_product, make_team):
    anna = make_team("burgerzaken", "anna")["anna"]
    manager = browser_as("Manager", language="en")
    manager.patch(
        "@controlpanels/digitalebalie", json={"clamd_address": clamd}, headers=JSON
    )
    product = make_product(teams=["burgerzaken"])
    token = book(browser, product, at(tomorrow(), "10:00")).json()["token"]
    agenda = team_agenda(anna)[0]
    # The employee adds a letter to the dossier.
    page = anna.get(agenda["dossier"])
    authenticator = BeautifulSoup(page.text, "html.parser").find(
        "input", attrs={"name": "_authenticator"}
    )["value"]
    response = anna.post(
        agenda["dossier"],
        data={"_authenticator": authenticator, "action": "upload"},
        files={"file": ("besluit.png", PNG, "image/png")},
    )
    assert response.status_code == 200
    return {
        "anna": anna,
        "token": token,
        "appointment": agenda["@id"],
        "browser": browser,
        "product": product,
    }


def showable(call):
    page = call["anna"].get(call["appointment"])
    soup = BeautifulSoup(page.text, "html.parser")
    return [
        json.loads(b["data-show-document"]) for b in soup.select("[data-show-document]")
    ]


def test_citizen_opens_a_document_only_after_it_was_shown(call):
    (document,) = showable(call)
    assert document["title"] == "besluit.png" and document["kind"] == "image"
    url = f"@@my-appointment/{call['token']}/document/{document['id']}"
    assert call["browser"].get(url).status_code == 404  # not shown yet
    response = call["anna"].post(
        f"{call['appointment']}/@show-document",
        json={"id": document["id"]},
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    assert response.json() == document
    opened = call["browser"].get(url)
    assert opened.status_code == 200
    assert opened.content == PNG
    assert opened.headers["Content-Type"] == "image/png"
    assert opened.headers["X-Content-Type-Options"] == "nosniff"
    assert opened.headers["Cache-Control"] == "no-store"
    # Another citizen's link does not open it.
    other = book(
        call["browser"],
        call["product"],
        at(tomorrow(), "11:00"),
        email="jan@example.nl",
    )
    assert other.status_code == 201
    url = f"@@my-appointment/{other.json()['token']}/document/{document['id']}"
    assert call["browser"].get(url).status_code == 404


def test_citizen_opens_their_own_upload(call):
    response = call["browser"].post(
        f"@appointment/{call['token']}/documents",
        files={"file": ("brief.pdf", PDF, "application/pdf")},
        headers={"Accept": "application/json"},
    )
    own = response.json()["id"]
    opened = call["browser"].get(f"@@my-appointment/{call['token']}/document/{own}")
    assert opened.status_code == 200 and opened.content == PDF
    assert opened.headers["Content-Type"] == "application/pdf"


def test_show_needs_json_a_known_document_and_the_team(call, make_team):
    url = f"{call['appointment']}/@show-document"
    (document,) = showable(call)
    response = call["anna"].post(
        url, data={"id": document["id"]}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 415
    response = call["anna"].post(url, json={"id": "nothere"}, headers=JSON)
    assert response.status_code == 404
    carla = make_team("vergunningen", "carla")["carla"]
    assert carla.post(url, json={"id": document["id"]}, headers=JSON).status_code == 401
    assert (
        call["browser"].post(url, json={"id": document["id"]}, headers=JSON).status_code
        == 401
    )
