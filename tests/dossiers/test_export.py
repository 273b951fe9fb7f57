"""Export of a dossier: a ZIP with the documents and a PDF/A summary; a print view."""

from bs4 import BeautifulSoup
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
from pypdf import PdfReader
from xml.etree import ElementTree
import hashlib
import io
import pytest
import zipfile


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def dossier(functional, clamd, browser, browser_as, make_product, make_team):
    team = make_team("burgerzaken", "anna")
    manager = browser_as("Manager", language="en")
    assert (
        manager.patch(
            "@controlpanels/digitalebalie", json={"clamd_address": clamd}, headers=JSON
        ).status_code
        == 204
    )
    product = make_product(teams=["burgerzaken"], title="Paspoort aanvragen")
    token = book(
        browser, product, at(tomorrow(), "10:00"), fullname="Jan de Vries"
    ).json()["token"]
    for name in ("pasfoto.pdf", "pasfoto.pdf"):
        response = browser.post(
            f"@appointment/{token}/documents",
            files={"file": (name, PDF, "application/pdf")},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 201
    items = team_agenda(team["anna"])
    return team["anna"], items[0]["dossier"], manager


def test_zip_has_documents_and_a_pdfa_summary(dossier):
    anna, url, manager = dossier
    response = anna.get(f"{url}/@@dossier-export")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == [
        "documents/pasfoto (2).pdf",
        "documents/pasfoto.pdf",
        "mdto.xml",
        "summary.pdf",
    ]
    mdto = ElementTree.fromstring(archive.read("mdto.xml"))
    ns = {"m": "https://www.nationaalarchief.nl/mdto"}
    assert mdto.tag == "{https://www.nationaalarchief.nl/mdto}MDTO"
    kenmerk = "m:informatieobject/m:identificatie/m:identificatieKenmerk"
    assert mdto.findtext(kenmerk, namespaces=ns) == "DB-" + url.rsplit("/", 1)[1]
    assert (
        mdto.findtext("m:informatieobject/m:naam", namespaces=ns)
        == "Paspoort aanvragen"
    )
    checksums = [
        c.text for c in mdto.findall("m:bestand/m:checksum/m:checksumWaarde", ns)
    ]
    assert checksums == [hashlib.sha256(PDF).hexdigest()] * 2
    assert archive.read("documents/pasfoto.pdf") == PDF
    reader = PdfReader(io.BytesIO(archive.read("summary.pdf")))
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.get_element("", "http://www.aiim.org/pdfa/ns/id/", "part")
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert (
        "<pdfaid:part>2</pdfaid:part>" in raw
        and "<pdfaid:conformance>B</pdfaid:conformance>" in raw
    )
    assert "/OutputIntents" in reader.trailer["/Root"]
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Paspoort aanvragen" in text
    assert "Jan de Vries" in text
    assert hashlib.sha256(PDF).hexdigest() in text.replace("\n", "")
    assert "Afspraken" in text and "Verloop" in text
    audit = manager.get(f"{url}/@@dossier-audit").text
    assert "exported" in audit


def test_print_view(dossier):
    anna, url, _manager = dossier
    response = anna.get(f"{url}/@@dossier-print")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert "Paspoort aanvragen" in soup.find("h1").text
    assert hashlib.sha256(PDF).hexdigest() in soup.text


def test_export_refused_to_others(dossier, browser, make_team):
    _anna, url, _manager = dossier
    carla = make_team("vergunningen", "carla")["carla"]
    for session in (browser, carla):
        response = session.get(f"{url}/@@dossier-export", allow_redirects=False)
        assert response.status_code in (302, 401, 403, 404)
        assert response.headers.get("Content-Type") != "application/zip"
