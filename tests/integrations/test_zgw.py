"""Closed dossiers go to a case system speaking the ZGW APIs: once, completely, with retries."""

from bs4 import BeautifulSoup
from collective.digitalebalie import secrets
from collective.digitalebalie.integrations import digid
from fake_zgw import BEHANDELAAR_ROLTYPE
from fake_zgw import DOCUMENTTYPE
from fake_zgw import OTHER_RESULTAATTYPE
from fake_zgw import OTHER_ROLTYPE
from fake_zgw import RESULTAATTYPE
from fake_zgw import ROLTYPE
from fake_zgw import STATUSTYPE
from fake_zgw import ZAAKTYPE
from fake_zgw import FakeZgw
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
import base64
import json
import jwt
import pytest
import transaction
import urllib.error
import urllib.request


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
        result_type=RESULTAATTYPE,
        result_explanation="Paspoort uitgereikt",
        initiator_role_type=ROLTYPE,
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
    return {
        "anna": anna,
        "dossier": dossier,
        "manager": manager,
        "product": product,
        "portal": functional["portal"],
    }


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


# --- what the case system must have before the eindstatus --------------------------


def archive(case):
    act(case["anna"], case["dossier"], transition="dossier-transition-archive")


def dossier_object(case):
    """The dossier, read in a fresh transaction (to change it in a test)."""
    transaction.begin()
    portal = case["portal"]
    return portal.unrestrictedTraverse(
        case["dossier"].replace(portal.absolute_url() + "/", "")
    )


def test_result_and_usage_rights_come_before_the_final_status(browser, case, zgw):
    close(case)
    assert job(browser)["archived"] == 1
    assert zgw.resultaten == [] and zgw.statussen == []  # only when archived
    archive(case)
    assert job(browser)["archived"] == 1
    (zaak,) = zgw.zaken
    (result,) = zgw.resultaten
    assert result["zaak"] == zaak["url"] and result["resultaattype"] == RESULTAATTYPE
    assert result["toelichting"] == "Paspoort uitgereikt"
    assert [d["indicatieGebruiksrecht"] for d in zgw.documenten] == [False, False]
    assert not any(d["locked"] for d in zgw.documenten)
    assert len(zgw.statussen) == 1  # the case system accepted it
    posts = [path.rsplit("/", 1)[1] for method, path in zgw.calls if method == "POST"]
    assert posts.index("resultaten") < posts.index("statussen")
    assert "Sent" in archive_box(case)


def test_no_result_type_is_shown_and_no_final_status_sent(browser, case, zgw):
    case["manager"].patch(case["product"], json={"result_type": None}, headers=JSON)
    close(case)
    archive(case)
    assert job(browser)["failed"] == 1
    box = archive_box(case)
    assert "Not sent" in box and "result type" in box
    assert job(case["manager"], force=True)["failed"] == 0  # not retried
    assert zgw.statussen == [] and zgw.resultaten == []
    # Set right, then sent again from the archived (read-only) dossier.
    case["manager"].patch(
        case["product"], json={"result_type": RESULTAATTYPE}, headers=JSON
    )
    act(case["anna"], case["dossier"], action="zgw-retry")
    assert job(browser)["archived"] == 1
    assert len(zgw.resultaten) == 1 and len(zgw.statussen) == 1
    assert "Sent" in archive_box(case)


def test_result_of_another_zaaktype_is_refused_and_not_retried(browser, case, zgw):
    case["manager"].patch(
        case["product"], json={"result_type": OTHER_RESULTAATTYPE}, headers=JSON
    )
    close(case)
    archive(case)
    assert job(browser)["failed"] == 1
    box = archive_box(case)
    assert "Not sent" in box and "zaaktype-mismatch" in box
    assert job(case["manager"], force=True)["failed"] == 0
    assert zgw.resultaten == [] and zgw.statussen == []


def test_lost_answer_to_the_result_gives_exactly_one_result(browser, case, zgw):
    close(case)
    archive(case)
    zgw.crash_after_resultaat = 1  # made there, but we never heard back
    assert job(browser)["failed"] == 1
    assert len(zgw.resultaten) == 1 and zgw.statussen == []
    assert job(case["manager"], force=True)["archived"] == 1
    assert len(zgw.resultaten) == 1 and len(zgw.statussen) == 1


def test_lost_answer_to_the_final_status_closes_the_zaak_once(browser, case, zgw):
    close(case)
    archive(case)
    zgw.crash_after_status = 1  # set there (the zaak is closed), never heard back
    assert job(browser)["failed"] == 1
    assert len(zgw.statussen) == 1 and zgw.zaken[0]["einddatum"]
    # Sent again: found, not posted a second time (a closed zaak refuses it).
    assert job(case["manager"], force=True)["archived"] == 1
    assert len(zgw.statussen) == 1
    assert "Not sent" not in archive_box(case)


def test_documents_sent_without_usage_indication_get_it_under_their_lock(
    browser, case, zgw
):
    """Documents sent by an earlier version have no indicatieGebruiksrecht."""
    close(case)
    assert job(browser)["archived"] == 1
    for document in zgw.documenten:
        document["indicatieGebruiksrecht"] = None
    for record in dossier_object(case).zgw["documents"].values():
        record.pop("usage", None)
    transaction.commit()
    archive(case)
    assert job(browser)["archived"] == 1
    assert [d["indicatieGebruiksrecht"] for d in zgw.documenten] == [False, False]
    assert not any(d["locked"] for d in zgw.documenten)
    assert len(zgw.statussen) == 1
    locks = [path for method, path in zgw.calls if path.endswith("/lock")]
    assert len(locks) == 2


def test_conditions_of_use_become_gebruiksrechten(browser, case, zgw):
    case["manager"].patch(
        case["product"],
        json={"usage_conditions": "Alleen voor de afhandeling van deze aanvraag."},
        headers=JSON,
    )
    close(case)
    archive(case)
    zgw.crash_after_resultaat = 1
    assert job(browser)["failed"] == 1
    assert len(zgw.gebruiksrechten) == 2
    # Sent again: no second gebruiksrechten.
    assert job(case["manager"], force=True)["archived"] == 1
    assert len(zgw.gebruiksrechten) == 2
    assert {g["informatieobject"] for g in zgw.gebruiksrechten} == {
        d["url"] for d in zgw.documenten
    }
    assert {g["omschrijvingVoorwaarden"] for g in zgw.gebruiksrechten} == {
        "Alleen voor de afhandeling van deze aanvraag."
    }
    assert [d["indicatieGebruiksrecht"] for d in zgw.documenten] == [True, True]
    assert len(zgw.statussen) == 1


# --- the initiator -----------------------------------------------------------------

BSN = "999993653"
KVK = "69599084"
RSIN_COMPANY = "111222333"
BRANCH = "000038509504"


def eherkenning(kind, number, branch=""):
    return {
        "scheme": "eherkenning",
        "legal_subject": {"kind": kind, "number": number},
        "branch": branch,
        "acting": "b9c3f1e0a7",
        "loa": "urn:etoegang:core:assurance-class:loa3",
        "when": "2026-01-05T10:00:00+00:00",
    }


def identify(case, identity):
    dossier_object(case).identity = digid.encrypt(identity)
    transaction.commit()


@pytest.mark.parametrize(
    "identity, kind, identification",
    [
        (
            {"bsn": BSN, "name": "Jan Jansen", "loa": "midden", "when": "x"},
            "natuurlijk_persoon",
            {"inpBsn": BSN},
        ),
        (
            eherkenning("kvk", KVK, BRANCH),
            "vestiging",
            {"kvkNummer": KVK, "vestigingsNummer": BRANCH},
        ),
        (eherkenning("kvk", KVK), "vestiging", {"kvkNummer": KVK}),
        (
            eherkenning("rsin", RSIN_COMPANY),
            "niet_natuurlijk_persoon",
            {"innNnpId": RSIN_COMPANY},
        ),
    ],
    ids=["digid", "eherkenning-branch", "eherkenning-kvk", "eherkenning-rsin"],
)
def test_identified_citizen_is_the_initiator(
    browser, case, zgw, identity, kind, identification, caplog
):
    identify(case, identity)
    close(case)
    assert job(browser)["archived"] == 1
    (zaak,) = zgw.zaken
    (role,) = zgw.rollen
    assert role["zaak"] == zaak["url"] and role["roltype"] == ROLTYPE
    assert role["omschrijvingGeneriek"] == "initiator"
    assert role["betrokkeneType"] == kind
    assert role["betrokkeneIdentificatie"] == identification
    assert role["roltoelichting"]
    archive(case)
    assert job(browser)["archived"] == 1
    assert len(zgw.rollen) == 1 and len(zgw.statussen) == 1
    number = identity.get("bsn") or identity["legal_subject"]["number"]
    assert number not in caplog.text


def test_no_identity_no_initiator(browser, case, zgw):
    close(case)
    assert job(browser)["archived"] == 1
    assert zgw.rollen == []
    # Identified later: the next sending adds the initiator.
    identify(case, eherkenning("kvk", KVK))
    act(case["anna"], case["dossier"], action="zgw-retry")
    assert job(browser)["archived"] == 1
    (role,) = zgw.rollen
    assert role["betrokkeneIdentificatie"] == {"kvkNummer": KVK}


def test_lost_answer_to_the_initiator_gives_exactly_one(browser, case, zgw):
    identify(case, {"bsn": BSN, "name": "Jan", "loa": "midden", "when": "x"})
    close(case)
    zgw.crash_after_rol = 1
    assert job(browser)["failed"] == 1
    assert len(zgw.rollen) == 1
    assert job(case["manager"], force=True)["archived"] == 1
    archive(case)
    assert job(browser)["archived"] == 1
    assert len(zgw.rollen) == 1 and len(zgw.zaken) == 1


def test_refused_initiator_is_shown_without_the_number(browser, case, zgw, caplog):
    case["manager"].patch(
        case["product"], json={"initiator_role_type": OTHER_ROLTYPE}, headers=JSON
    )
    identify(case, eherkenning("kvk", KVK, BRANCH))
    close(case)
    assert job(browser)["failed"] == 1
    box = archive_box(case)
    assert "Not sent" in box and "zaaktype-mismatch" in box
    assert KVK not in box and BRANCH not in box
    assert KVK not in caplog.text and BRANCH not in caplog.text
    assert zgw.rollen == []


# --- the fake refuses what a conforming Zaken/Documenten API refuses ----------------


class Api:
    """Calls the fake directly, as a client with a valid JWT."""

    def __init__(self, fake):
        self.fake = fake

    def __call__(self, method, path, body=None, crs=False):
        token = jwt.encode(
            {"iss": "digitale-balie", "client_id": "digitale-balie"},
            SECRET,
            algorithm="HS256",
        )
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        }
        if crs:
            headers.update({"Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"})
        url = path if path.startswith("http") else self.fake.base + path
        request = urllib.request.Request(
            url,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def refused(answer):
    """(name, code) of a 400 in the form of the real one."""
    status, body = answer
    assert status == 400, answer
    assert body["title"] and body["code"] == "invalid"
    (param,) = body["invalidParams"]
    assert param["reason"]
    return param["name"], param["code"]


@pytest.fixture
def api_with_zaak(zgw):
    api = Api(zgw)
    status, zaak = api(
        "POST",
        "/zaken/api/v1/zaken",
        {
            "bronorganisatie": RSIN,
            "verantwoordelijkeOrganisatie": RSIN,
            "zaaktype": ZAAKTYPE,
            "startdatum": "2026-01-05",
            "identificatie": "Z-1",
        },
        crs=True,
    )
    assert status == 201
    status, document = api(
        "POST",
        "/documenten/api/v1/enkelvoudiginformatieobjecten",
        {
            "bronorganisatie": RSIN,
            "creatiedatum": "2026-01-05",
            "titel": "a.pdf",
            "auteur": "inwoner",
            "taal": "nld",
            "inhoud": base64.b64encode(PDF).decode(),
            "bestandsomvang": len(PDF),
            "informatieobjecttype": DOCUMENTTYPE,
            "bestandsnaam": "a.pdf",
            "formaat": "application/pdf",
        },
    )
    assert status == 201 and document["indicatieGebruiksrecht"] is None
    status, _ = api(
        "POST",
        "/zaken/api/v1/zaakinformatieobjecten",
        {"zaak": zaak["url"], "informatieobject": document["url"]},
    )
    assert status == 201
    return api, zaak, document


def test_fake_eindstatus_needs_usage_indication_then_a_result(api_with_zaak):
    api, zaak, document = api_with_zaak
    status = {
        "zaak": zaak["url"],
        "statustype": STATUSTYPE,
        "datumStatusGezet": "2026-01-05T10:00:00",
    }
    assert refused(api("POST", "/zaken/api/v1/statussen", status, crs=True)) == (
        "nonFieldErrors",
        "indicatiegebruiksrecht-unset",
    )
    # Changed only under its lock.
    change = {"indicatieGebruiksrecht": False}
    assert refused(api("PATCH", document["url"], change)) == (
        "nonFieldErrors",
        "unlocked",
    )
    _, answer = api("POST", document["url"] + "/lock", {})
    assert refused(api("POST", document["url"] + "/lock", {}))[1] == "existing-lock"
    assert refused(api("PATCH", document["url"], change))[1] == "missing-lock-id"
    assert refused(api("PATCH", document["url"], dict(change, lock="x")))[1] == (
        "incorrect-lock-id"
    )
    ok = api("PATCH", document["url"], dict(change, lock=answer["lock"]))
    assert ok[0] == 200
    # Still locked: refused.
    assert refused(api("POST", "/zaken/api/v1/statussen", status, crs=True))[1] == (
        "informatieobject-locked"
    )
    assert api("POST", document["url"] + "/unlock", {"lock": answer["lock"]})[0] == 204
    assert refused(api("POST", "/zaken/api/v1/statussen", status, crs=True)) == (
        "nonFieldErrors",
        "resultaat-does-not-exist",
    )
    result = {"zaak": zaak["url"], "resultaattype": RESULTAATTYPE}
    assert api("POST", "/zaken/api/v1/resultaten", result)[0] == 201
    assert api("POST", "/zaken/api/v1/statussen", status, crs=True)[0] == 201


def test_fake_usage_indication_true_only_through_gebruiksrechten(api_with_zaak):
    api, _, document = api_with_zaak
    _, answer = api("POST", document["url"] + "/lock", {})
    change = {"indicatieGebruiksrecht": True, "lock": answer["lock"]}
    assert refused(api("PATCH", document["url"], change)) == (
        "indicatieGebruiksrecht",
        "missing-gebruiksrechten",
    )
    rights = {"informatieobject": document["url"], "startdatum": "2026-01-05T10:00"}
    assert refused(api("POST", "/documenten/api/v1/gebruiksrechten", rights)) == (
        "omschrijvingVoorwaarden",
        "required",
    )
    rights["omschrijvingVoorwaarden"] = "Alleen intern."
    assert api("POST", "/documenten/api/v1/gebruiksrechten", rights)[0] == 201
    assert api("GET", document["url"])[1]["indicatieGebruiksrecht"] is True


def test_fake_refuses_a_wrong_result(api_with_zaak):
    api, zaak, _ = api_with_zaak
    post = lambda body: api("POST", "/zaken/api/v1/resultaten", body)  # noqa: E731
    good = {"zaak": zaak["url"], "resultaattype": RESULTAATTYPE}
    assert refused(post({"zaak": zaak["url"]})) == ("resultaattype", "required")
    assert refused(post(dict(good, resultaattype=STATUSTYPE + "x")))[1] == "bad-url"
    assert refused(post(dict(good, resultaattype=OTHER_RESULTAATTYPE))) == (
        "nonFieldErrors",
        "zaaktype-mismatch",
    )
    assert refused(post(dict(good, toelichting="x" * 1001))) == (
        "toelichting",
        "max_length",
    )
    assert post(dict(good, toelichting="x" * 1000))[0] == 201
    assert refused(post(good)) == ("zaak", "unique")  # one per zaak


def test_fake_refuses_a_wrong_role(api_with_zaak):
    api, zaak, _ = api_with_zaak
    post = lambda body: api("POST", "/zaken/api/v1/rollen", body)  # noqa: E731
    good = {
        "zaak": zaak["url"],
        "betrokkeneType": "natuurlijk_persoon",
        "roltype": ROLTYPE,
        "roltoelichting": "Inwoner",
        "betrokkeneIdentificatie": {"inpBsn": BSN},
    }
    without = {k: v for k, v in good.items() if k != "roltoelichting"}
    assert refused(post(without)) == ("roltoelichting", "required")
    assert refused(post(dict(good, roltoelichting=""))) == ("roltoelichting", "blank")
    assert refused(post(dict(good, betrokkeneType="bedrijf"))) == (
        "betrokkeneType",
        "invalid_choice",
    )
    assert refused(post(dict(good, roltype=OTHER_ROLTYPE))) == (
        "nonFieldErrors",
        "zaaktype-mismatch",
    )
    assert refused(post(dict(good, betrokkeneIdentificatie={}))) == (
        "nonFieldErrors",
        "invalid-betrokkene",
    )
    for bsn, code in (("999993654", "invalid"), ("12345", "invalid-length")):
        answer = post(dict(good, betrokkeneIdentificatie={"inpBsn": bsn}))
        assert refused(answer) == ("betrokkeneIdentificatie.inpBsn", code)
    answer = post(
        dict(
            good,
            betrokkeneType="niet_natuurlijk_persoon",
            betrokkeneIdentificatie={"innNnpId": "111222334"},
        )
    )
    assert refused(answer) == ("betrokkeneIdentificatie.innNnpId", "invalid")
    answer = post(
        dict(
            good,
            betrokkeneType="vestiging",
            betrokkeneIdentificatie={"kvkNummer": "123456789"},
        )
    )
    assert refused(answer) == ("betrokkeneIdentificatie.kvkNummer", "max_length")
    # Fields of another betrokkeneType are not taken.
    status, role = post(
        dict(good, betrokkeneIdentificatie={"inpBsn": BSN, "kvkNummer": KVK})
    )
    assert status == 201 and role["betrokkeneIdentificatie"] == {"inpBsn": BSN}
    assert role["omschrijvingGeneriek"] == "initiator"
    # One initiator per zaak; other roles may be added.
    assert refused(post(good)) == ("roltype", "max-occurences")
    other = dict(good, roltype=BEHANDELAAR_ROLTYPE)
    assert post(other)[0] == 201
