"""Closed dossiers go to a case system speaking the ZGW APIs: once, completely, with retries."""

from bs4 import BeautifulSoup
from collective.digitalebalie import secrets
from fake_zgw import DOCUMENTTYPE
from fake_zgw import STATUSTYPE
from fake_zgw import ZAAKTYPE
from fake_zgw import FakeZgw
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
import base64
import pytest
import transaction


SECRET = "zgw-shared-secret-for-the-tests-0123456789"
RSIN = "002220647"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00"
    b"\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def zgw():
    fake = FakeZgw("digitale-balie", SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture
def case(functional, clamd, zgw, browser, browser_as, make_product, make_team):
    anna = make_team("burgerzaken", "anna")["anna"]
    manager = browser_as("Manager", language="en")
    response = manager.patch(
        "@controlpanels/digitalebalie",
        json={
            "clamd_address": clamd,
            "zgw_enabled": True,
            "zaken_api_url": f"{zgw.base}/zaken/api/v1",
            "documenten_api_url": f"{zgw.base}/documenten/api/v1",
            "zgw_client_id": "digitale-balie",
            "rsin": RSIN,
            "reminder_hours": 0,
        },
        headers=JSON,
    )
    assert response.status_code == 204, response.text
    secrets.set_secret("zgw_secret", SECRET)
    transaction.commit()
    product = make_product(
        teams=["burgerzaken"],
        title="Paspoort",
        case_type=ZAAKTYPE,
        document_type=DOCUMENTTYPE,
        final_status_type=STATUSTYPE,
    )
    token = book(browser, product, at(tomorrow(), "10:00")).json()["token"]
    for name, data in (("paspoort.pdf", PDF), ("pasfoto.png", PNG)):
        response = browser.post(
            f"@appointment/{token}/documents",
            files={"file": (name, data, "application/octet-stream")},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 201
    dossier = team_agenda(anna)[0]["dossier"]
    return {"anna": anna, "dossier": dossier, "manager": manager, "product": product}


def act(session, dossier, **data):
    page = session.get(dossier)
    authenticator = BeautifulSoup(page.text, "html.parser").find(
        "input", attrs={"name": "_authenticator"}
    )["value"]
    response = session.post(dossier, data={"_authenticator": authenticator, **data})
    assert response.status_code == 200, response.text[:300]
    return response


def close(case):
    act(case["anna"], case["dossier"], transition="dossier-transition-close")


def job(session, force=False):
    response = session.post(
        "@@digitalebalie-deliver",
        headers={"X-Digitalebalie-Job-Key": secrets.get_secret("job_key")},
        params={"all": 1} if force else {},
    )
    assert response.status_code == 200, response.text
    return response.json()["archive"]


def archive_box(case):
    page = case["anna"].get(case["dossier"])
    return (
        BeautifulSoup(page.text, "html.parser")
        .find("h2", string="Case system")
        .parent.text
    )


def test_closed_dossier_becomes_one_zaak_with_its_documents(browser, case, zgw):
    assert job(browser) == {"archived": 0, "failed": 0, "skipped": 0}  # not closed yet
    close(case)
    assert job(browser) == {"archived": 1, "failed": 0, "skipped": 0}
    (zaak,) = zgw.zaken
    assert zaak["zaaktype"] == ZAAKTYPE and zaak["bronorganisatie"] == RSIN
    assert zaak["identificatie"] == "DB-" + case["dossier"].rsplit("/", 1)[1]
    assert sorted(d["titel"] for d in zgw.documenten) == ["pasfoto.png", "paspoort.pdf"]
    contents = {d["titel"]: base64.b64decode(d["inhoud"]) for d in zgw.documenten}
    assert contents == {"paspoort.pdf": PDF, "pasfoto.png": PNG}
    assert {d["formaat"] for d in zgw.documenten} == {"application/pdf", "image/png"}
    assert all(
        d["vertrouwelijkheidaanduiding"] == "vertrouwelijk" for d in zgw.documenten
    )
    assert len(zgw.zios) == 2 and {z["zaak"] for z in zgw.zios} == {zaak["url"]}
    # Every call carried a JWT naming the employee who closed the dossier.
    assert {c["user_id"] for c in zgw.claims} == {"anna"}
    box = archive_box(case)
    assert "Sent" in box and zaak["identificatie"] in box
    assert job(browser)["archived"] == 0  # nothing twice
    # Archiving sets the final status.
    act(case["anna"], case["dossier"], transition="dossier-transition-archive")
    assert job(browser)["archived"] == 1
    (status,) = zgw.statussen
    assert status["zaak"] == zaak["url"] and status["statustype"] == STATUSTYPE
    assert len(zgw.zaken) == 1


def test_down_then_up_gives_exactly_one_zaak(browser, case, zgw):
    close(case)
    zgw.down = True
    assert job(browser)["failed"] == 1
    box = archive_box(case)
    assert "tried again automatically" in box and "503" in box
    assert job(browser)["failed"] == 0  # waits before trying again
    zgw.down = False
    assert job(case["manager"], force=True)["archived"] == 1
    assert len(zgw.zaken) == 1 and len(zgw.documenten) == 2 and len(zgw.zios) == 2


def test_crash_after_the_zaak_recovers_without_duplicates(browser, case, zgw):
    close(case)
    zgw.crash_after_zaak = 1  # created there, but we never heard back
    assert job(browser)["failed"] == 1
    assert len(zgw.zaken) == 1
    assert job(case["manager"], force=True)["archived"] == 1
    assert len(zgw.zaken) == 1 and len(zgw.documenten) == 2 and len(zgw.zios) == 2


def test_half_done_delivery_continues_where_it_stopped(browser, case, zgw):
    close(case)
    zgw.fail_documents = 1
    assert job(browser)["failed"] == 1
    assert len(zgw.zaken) == 1 and len(zgw.documenten) == 0
    assert job(case["manager"], force=True)["archived"] == 1
    assert len(zgw.zaken) == 1 and len(zgw.documenten) == 2 and len(zgw.zios) == 2


def test_wrong_zaaktype_is_shown_and_not_retried(browser, case, zgw):
    response = case["manager"].patch(
        case["product"],
        json={
            "case_type": "https://catalogi.example.nl/catalogi/api/v1/zaaktypen/nope"
        },
        headers=JSON,
    )
    assert response.status_code == 204
    close(case)
    assert job(browser)["failed"] == 1
    assert job(case["manager"], force=True) == {
        "archived": 0,
        "failed": 0,
        "skipped": 0,
    }
    box = archive_box(case)
    assert "Not sent" in box and "zaaktype" in box
    assert zgw.zaken == []
    # Fixed, then sent again by the employee.
    case["manager"].patch(case["product"], json={"case_type": ZAAKTYPE}, headers=JSON)
    act(case["anna"], case["dossier"], action="zgw-retry")
    assert job(browser)["archived"] == 1
    assert len(zgw.zaken) == 1


def test_refused_jwt_and_too_large_document_are_not_retried(browser, case, zgw):
    secrets.set_secret("zgw_secret", "another-secret-that-the-server-does-not-know")
    transaction.commit()
    close(case)
    assert job(browser)["failed"] == 1
    assert "403" in archive_box(case)
    secrets.set_secret("zgw_secret", SECRET)
    transaction.commit()
    zgw.max_document = 10
    act(case["anna"], case["dossier"], action="zgw-retry")
    assert job(browser)["failed"] == 1
    assert "413" in archive_box(case)
    assert job(case["manager"], force=True)["failed"] == 0


def test_employee_sends_before_closing_and_again_after_a_new_document(
    browser, case, zgw
):
    assert "Not sent to the case system yet" in archive_box(case)
    act(case["anna"], case["dossier"], action="zgw-retry")
    assert job(browser)["archived"] == 1
    assert len(zgw.zaken) == 1 and len(zgw.documenten) == 2
    # A document added later goes with the next sending; nothing is duplicated.
    act_upload = case["anna"].get(case["dossier"])
    authenticator = BeautifulSoup(act_upload.text, "html.parser").find(
        "input", attrs={"name": "_authenticator"}
    )["value"]
    response = case["anna"].post(
        case["dossier"],
        data={"_authenticator": authenticator, "action": "upload"},
        files={"file": ("besluit.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 200
    close(case)
    assert job(browser)["archived"] == 1
    assert len(zgw.zaken) == 1 and len(zgw.documenten) == 3 and len(zgw.zios) == 3
