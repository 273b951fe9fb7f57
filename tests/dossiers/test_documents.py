"""Documents from citizens: size, type, a real clamd, storage, listing and audit."""

from bs4 import BeautifulSoup
from helpers import ACCEPT
from helpers import EICAR
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
import hashlib
import pytest


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
INFECTED_PDF = b"%PDF-1.4\n% " + EICAR + b"\n%%EOF\n"


@pytest.fixture
def team(make_team):
    return make_team("burgerzaken", "anna")


@pytest.fixture
def site(functional, clamd, browser_as, make_product, team):
    manager = browser_as("Manager", language="en")
    response = manager.patch(
        "@controlpanels/digitalebalie",
        json={"clamd_address": clamd, "reminder_hours": 0},
        headers=JSON,
    )
    assert response.status_code == 204, response.text
    return {
        "manager": manager,
        "product": make_product(teams=["burgerzaken"], title="Paspoort"),
        "portal": functional["portal"],
    }


def upload(browser, token, data, filename="paspoort.pdf"):
    return browser.post(
        f"@appointment/{token}/documents",
        files={"file": (filename, data, "application/octet-stream")},
        headers=ACCEPT,
    )


def listed(browser, token):
    response = browser.get(f"@appointment/{token}/documents", headers=ACCEPT)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def stored_documents(site):
    """What the ZODB holds, read in a fresh transaction."""
    import transaction

    transaction.begin()
    folder = site["portal"]["dossiers"]
    return [doc for dossier in folder.objectValues() for doc in dossier.objectValues()]


def booked(browser, site, hhmm="10:00", **data):
    response = book(browser, site["product"], at(tomorrow(), hhmm), **data)
    assert response.status_code == 201, response.text
    return response.json()["token"]


def test_clean_pdf_is_stored_listed_and_audited(browser, site, team):
    token = booked(browser, site)
    response = upload(browser, token, PDF, "Mijn paspoort.pdf")
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["title"] == "Mijn paspoort.pdf"
    assert document["size"] == len(PDF)
    assert document["content_type"] == "application/pdf"
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert [d["id"] for d in listed(browser, token)] == [document["id"]]
    # The team sees it in the dossier and can download it; that is audited.
    agenda = team_agenda(team["anna"])
    dossier = agenda[0]["dossier"]
    page = team["anna"].get(dossier)
    assert page.status_code == 200
    link = BeautifulSoup(page.text, "html.parser").find("a", string="Mijn paspoort.pdf")
    download = team["anna"].get(link["href"])
    assert download.status_code == 200 and download.content == PDF
    audit = site["manager"].get(f"{dossier}/@@dossier-audit").text
    for action in ("opened", "uploaded", "viewed", "downloaded"):
        assert action in audit
    assert (
        team["anna"]
        .get(f"{dossier}/@@dossier-audit", allow_redirects=False)
        .status_code
        != 200
    )


def test_eicar_is_refused_and_not_stored(browser, site):
    token = booked(browser, site)
    response = upload(browser, token, INFECTED_PDF, "brief.pdf")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["type"] == "VirusFound"
    assert "Eicar" in error["message"]
    assert listed(browser, token) == []
    assert stored_documents(site) == []


def test_wrong_type_is_judged_by_content(browser, site):
    token = booked(browser, site)
    # The EICAR file itself, named as a PDF: not a PDF.
    response = upload(browser, token, EICAR, "paspoort.pdf")
    assert response.status_code == 415
    assert "PDF" in response.json()["error"]["message"]
    response = upload(browser, token, b"MZ\x90\x00 program", "foto.jpg")
    assert response.status_code == 415
    assert stored_documents(site) == []


def test_too_large_is_413(browser, site):
    response = site["manager"].patch(
        "@controlpanels/digitalebalie", json={"upload_max_mb": 1}, headers=JSON
    )
    assert response.status_code == 204
    token = booked(browser, site)
    big = PDF + b"%" + b"x" * (1024 * 1024)
    response = upload(browser, token, big)
    assert response.status_code == 413
    assert "1 MB" in response.json()["error"]["message"]
    assert stored_documents(site) == []


def test_scanner_down_is_503_and_nothing_stored(browser, site, tmp_path):
    response = site["manager"].patch(
        "@controlpanels/digitalebalie",
        json={"clamd_address": f"unix://{tmp_path}/no-clamd.sock"},
        headers=JSON,
    )
    assert response.status_code == 204
    token = booked(browser, site)
    response = upload(browser, token, PDF)
    assert response.status_code == 503
    assert response.json()["error"]["type"] == "ScannerUnavailable"
    assert (
        "later" in response.json()["error"]["message"]
    )  # nl: "Probeer het later nog eens"
    assert stored_documents(site) == []


def test_missing_file_and_unknown_token(browser, site):
    token = booked(browser, site)
    response = browser.post(
        f"@appointment/{token}/documents", data={"x": "1"}, headers=ACCEPT
    )
    assert response.status_code == 400
    assert upload(browser, "not-a-token", PDF).status_code == 404
    assert (
        browser.get("@appointment/not-a-token/documents", headers=ACCEPT).status_code
        == 404
    )


def test_a_typed_email_address_opens_no_one_elses_dossier(browser, site, team):
    first = booked(browser, site, "09:00")
    upload(browser, first, PDF, "een.pdf")
    # Someone books with the same address: a new dossier, nothing of the first to see.
    again = booked(browser, site, "11:00", email="FATIMA@example.nl")
    assert listed(browser, again) == []
    response = browser.get(f"@@my-appointment/{again}")
    assert "een.pdf" not in response.text
    # Counter staff who know the citizen join the open dossier; the documents
    # the citizen sent stay with the link they were sent with.
    response = team["anna"].post(
        f"{site['product']}/@book",
        json={
            "start": at(tomorrow(), "13:00"),
            "fullname": "Fatima el Amrani",
            "email": "fatima@example.nl",
        },
        headers=JSON,
    )
    assert response.status_code == 201
    items = team_agenda(team["anna"])
    dossiers = {i["start"][11:16]: i["dossier"] for i in items}
    assert dossiers["13:00"] == dossiers["09:00"] != dossiers["11:00"]


def test_other_team_and_anonymous_cannot_reach_the_dossier(
    browser, site, team, make_team
):
    token = booked(browser, site)
    upload(browser, token, PDF)
    agenda = team_agenda(team["anna"])
    dossier = agenda[0]["dossier"]
    carla = make_team("vergunningen", "carla")["carla"]
    for session in (carla, browser):
        response = session.get(dossier, allow_redirects=False)
        assert response.status_code in (302, 401, 403, 404)
        assert "paspoort" not in response.text.lower()
        response = session.get(f"{dossier}/@@dossier-audit", allow_redirects=False)
        assert response.status_code in (302, 401, 403, 404)


def dossier_of_first(team):
    items = team_agenda(team["anna"])
    return items[0]["dossier"]


def test_employee_uploads_and_works_the_dossier_in_the_page(browser, site, team):
    booked(browser, site)
    anna = team["anna"]
    dossier = dossier_of_first(team)
    page = anna.get(dossier)
    token = BeautifulSoup(page.text, "html.parser").find(
        "input", attrs={"name": "_authenticator"}
    )["value"]
    # A form upload is scanned like a REST upload.
    response = anna.post(
        dossier,
        data={"_authenticator": token, "action": "upload"},
        files={"file": ("brief.pdf", INFECTED_PDF, "application/pdf")},
    )
    assert response.status_code == 422
    assert "virus" in response.text
    assert stored_documents(site) == []
    response = anna.post(
        dossier,
        data={"_authenticator": token, "action": "upload"},
        files={"file": ("uittreksel.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 200
    assert "uittreksel.pdf is saved." in response.text
    assert [d.uploaded_by for d in stored_documents(site)] == ["anna"]
    # Without the form's token nothing happens.
    response = anna.post(dossier, data={"transition": "dossier-transition-start"})
    assert response.status_code == 403
    soup = BeautifulSoup(anna.get(dossier).text, "html.parser")
    # Who sent it by name; the checksum short, the whole value on demand.
    (row,) = soup.select("tbody tr")
    assert "Anna" in row.text
    whole = hashlib.sha256(PDF).hexdigest()
    hash_cell = row.find("details")
    assert whole[:12] in hash_cell.find("summary").text
    assert whole not in hash_cell.find("summary").text
    assert whole in hash_cell.text
    # The heading and the lead name the subject and the citizen, not the raw id.
    dossier_id = dossier.rsplit("/", 1)[-1]
    assert dossier_id not in soup.find("h1").text + soup.find("p", class_="lead").text
    assert "Dossier of" in soup.find("p", class_="lead").text
    for transition, done in (
        ("dossier-transition-start", "The dossier is in progress."),
        ("dossier-transition-close", "The dossier is closed."),
        ("dossier-transition-archive", "The dossier is archived."),
    ):
        if transition == "dossier-transition-close":
            # The appointment of tomorrow is still open: the employee is warned.
            page = BeautifulSoup(anna.get(dossier).text, "html.parser")
            warning = page.find(id="open-appointments")
            assert "has not taken place yet" in warning.text
        response = anna.post(
            dossier, data={"_authenticator": token, "transition": transition}
        )
        assert response.status_code == 200, transition
        assert done in response.text
        assert "The dossier is changed." not in response.text
    assert "Archived" in response.text
    assert (
        BeautifulSoup(response.text, "html.parser").find(id="open-appointments") is None
    )
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("input", attrs={"type": "file"}) is None  # read-only now
    assert soup.find("button", attrs={"name": "transition"}) is None


def test_citizen_page_upload_without_javascript(browser, site):
    token = booked(browser, site)
    page = browser.get(f"@@my-appointment/{token}")
    soup = BeautifulSoup(page.text, "html.parser")
    form = soup.find("form", class_="dbalie-upload")
    assert form is not None
    assert "20 MB" in form.text
    authenticator = form.find("input", attrs={"name": "_authenticator"})["value"]
    response = browser.post(
        f"@@my-appointment/{token}",
        data={"_authenticator": authenticator, "upload": "1"},
        files={"file": ("brief.pdf", INFECTED_PDF, "application/pdf")},
    )
    assert response.status_code == 422
    soup = BeautifulSoup(response.text, "html.parser")
    assert "virus" in soup.find(id="error-summary").text
    response = browser.post(
        f"@@my-appointment/{token}",
        data={"_authenticator": authenticator, "upload": "1"},
        files={"file": ("brief.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find(id="confirmation") is not None
    assert "brief.pdf" in soup.find("ul", class_="dbalie-document-list").text


def test_employee_uploads_from_the_appointment_page(browser, site, team):
    booked(browser, site)
    anna = team["anna"]
    items = team_agenda(anna)
    page = anna.get(items[0]["@id"])
    form = BeautifulSoup(page.text, "html.parser").find("input", id="room-file")
    form = form.find_parent("form")
    values = {
        i["name"]: i.get("value", "")
        for i in form.find_all("input")
        if i.get("type") != "file"
    }
    response = anna.post(
        form["action"],
        data=values,
        files={"file": ("notitie.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 200
    assert response.url == items[0]["@id"]  # back in the room page
    assert "notitie.pdf is saved." in response.text
    assert [d.Title() for d in stored_documents(site)] == ["notitie.pdf"]


def test_open_dossier_follows_the_product_team(browser, site, team, make_team):
    booked(browser, site)
    dossier = dossier_of_first(team)
    carla = make_team("vergunningen", "carla")["carla"]
    assert carla.get(dossier, allow_redirects=False).status_code != 200
    response = site["manager"].patch(
        site["product"], json={"teams": ["vergunningen"]}, headers=JSON
    )
    assert response.status_code == 204
    assert carla.get(dossier).status_code == 200
    assert team["anna"].get(dossier, allow_redirects=False).status_code != 200


def test_a_stored_document_cannot_be_replaced(browser, site, team):
    token = booked(browser, site)
    document = upload(browser, token, PDF).json()
    dossier = dossier_of_first(team)
    url = f"{dossier}/{document['id']}"
    for session in (team["anna"], site["manager"]):
        response = session.patch(
            url,
            json={
                "file": {
                    "data": "<script>alert(1)</script>",
                    "encoding": "utf8",
                    "filename": "x.html",
                    "content-type": "text/html",
                }
            },
            headers=JSON,
        )
        assert response.status_code in (401, 403), response.text
    opened = browser.get(f"@@my-appointment/{token}/document/{document['id']}")
    assert opened.content == PDF and opened.headers["Content-Type"] == "application/pdf"
