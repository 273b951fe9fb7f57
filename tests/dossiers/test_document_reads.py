"""Every way an employee reads a dossier document is in the audit trail, or closed;
zip bombs are refused before anything unpacks them."""

from collective.digitalebalie.dossiers import audit
from helpers import ACCEPT
from helpers import JSON
from helpers import at
from helpers import book
from helpers import team_agenda
from helpers import tomorrow
import io
import pytest
import random
import transaction
import zipfile


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def docx(members):
    """A DOCX-like archive: the parts a word processor writes, and ``members``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = docx([("word/document.xml", "<w:document><w:body>Brief</w:body></w:document>")])


@pytest.fixture
def site(functional, clamd, browser, browser_as, make_product, make_team):
    anna = make_team("burgerzaken", "anna")["anna"]
    manager = browser_as("Manager", language="en")
    response = manager.patch(
        "@controlpanels/digitalebalie",
        json={"clamd_address": clamd, "reminder_hours": 0, "upload_max_mb": 1},
        headers=JSON,
    )
    assert response.status_code == 204, response.text
    product = make_product(teams=["burgerzaken"])
    response = book(browser, product, at(tomorrow(), "10:00"))
    assert response.status_code == 201, response.text
    return {
        "anna": anna,
        "browser": browser,
        "token": response.json()["token"],
        "portal": functional["portal"],
    }


def upload(site, data, filename):
    return site["browser"].post(
        f"@appointment/{site['token']}/documents",
        files={"file": (filename, data, "application/octet-stream")},
        headers=ACCEPT,
    )


def stored(site):
    transaction.begin()
    folder = site["portal"]["dossiers"]
    return [doc for dossier in folder.objectValues() for doc in dossier.objectValues()]


def reads(site):
    """How many reads of documents the audit trail holds."""
    transaction.begin()
    (dossier,) = site["portal"]["dossiers"].objectValues()
    return len([e for e in audit.entries(dossier) if e[2] == "downloaded"])


@pytest.fixture
def documents(site):
    ids = {}
    for name, data in (("brief.pdf", PDF), ("brief.docx", DOCX)):
        response = upload(site, data, name)
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    dossier = team_agenda(site["anna"])[0]["dossier"]
    return {name: f"{dossier}/{doc_id}" for name, doc_id in ids.items()}


AUDITED = [
    "{doc}/@@download/file",
    "{doc}/@@download/file/brief.pdf",
    "{doc}/@@download",
    "{doc}/download/file",
    "{doc}/@@display-file/file",
    "{doc}/display-file/file",
    "{api}/@@download/file",
    "{api}/@@display-file/file",
]
CLOSED = [
    "{doc}/@@images/file",
    "{doc}/@@images/file/preview",
    "{doc}/images/file",
    "{api}/@@images/file",
    "{doc}/@@download/sha256",
]
# Answer something (a login page, the fields as text), never the file.
WITHOUT_THE_FILE = ["{doc}/file", "{doc}/manage_FTPget", "{doc}/manage_DAVget"]


def _urls(site, documents, pattern):
    doc = documents["brief.pdf"]
    portal = site["portal"].absolute_url()
    api = doc.replace(portal, portal + "/++api++")
    return pattern.format(doc=doc, api=api)


@pytest.mark.parametrize("pattern", AUDITED)
def test_each_read_is_audited(site, documents, pattern):
    before = reads(site)
    response = site["anna"].get(_urls(site, documents, pattern))
    assert response.status_code == 200, response.text[:300]
    assert response.content == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert reads(site) == before + 1


@pytest.mark.parametrize("pattern", CLOSED)
def test_other_ways_are_closed(site, documents, pattern):
    before = reads(site)
    response = site["anna"].get(_urls(site, documents, pattern), allow_redirects=False)
    assert response.status_code in (401, 403, 404), response.status_code
    assert PDF not in response.content
    assert reads(site) == before


@pytest.mark.parametrize("pattern", WITHOUT_THE_FILE)
def test_other_answers_do_not_hold_the_file(site, documents, pattern):
    response = site["anna"].get(_urls(site, documents, pattern), allow_redirects=False)
    assert PDF not in response.content


@pytest.mark.parametrize("view", ["@@download/file", "@@display-file/file"])
def test_a_docx_is_an_attachment(site, documents, view):
    response = site["anna"].get(f"{documents['brief.docx']}/{view}")
    assert response.status_code == 200
    assert response.content == DOCX
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_is_shown_inline(site, documents):
    response = site["anna"].get(f"{documents['brief.pdf']}/@@display-file/file")
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["Content-Type"] == "application/pdf"


def test_a_real_docx_is_accepted(site):
    response = upload(site, DOCX, "brief.docx")
    assert response.status_code == 201, response.text


def _ratio(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    return sum(m.file_size for m in members) / sum(m.compress_size for m in members)


def test_a_highly_compressed_docx_is_refused(site):
    # 5 MB of one character in word/document.xml: under 10 x the limit, but a
    # ratio of about a thousand.
    bomb = docx([("word/document.xml", b"<w:t>" + b"A" * (5 * 1024 * 1024))])
    assert len(bomb) < 1024 * 1024 and _ratio(bomb) > 100
    response = upload(site, bomb, "brief.docx")
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["type"] == "UnsupportedType"
    assert "uitgepakt veel groter" in error["message"]  # Dutch by default
    assert stored(site) == []


def test_a_docx_that_unpacks_to_more_than_ten_times_the_limit_is_refused(site):
    # Compressible, but not suspiciously so (ratio under 100): 11 MB unpacked,
    # more than 10 x the upload limit of 1 MB.
    noise = random.Random(15)
    blocks = [noise.randbytes(100) + b"\0" * 3900 for _ in range(11 * 256)]
    bomb = docx([("word/document.xml", b"".join(blocks))])
    assert len(bomb) < 1024 * 1024 and _ratio(bomb) < 100
    response = upload(site, bomb, "brief.docx")
    assert response.status_code == 422, response.text
    assert response.json()["error"]["type"] == "UnsupportedType"
    assert stored(site) == []
