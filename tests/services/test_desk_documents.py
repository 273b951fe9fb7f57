"""The employee's desk lists, adds and shows dossier documents with a fetch (issue 17).

GET and POST {appointment}/@documents and POST {appointment}/@show-document,
over HTTP with a real clamd: the same checks as every upload, a clear error
that stores nothing, and a notice to the appointment's pages for each change.
"""

from desk_case import DeskCase
from fake_rooms import room_server  # noqa: F401 - a fixture
from helpers import ACCEPT
from helpers import EICAR
from helpers import JSON
from helpers import cookie_login
from helpers import origin
import hashlib
import io
import pytest
import zipfile


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
INFECTED_PDF = b"%PDF-1.4\n% " + EICAR + b"\n%%EOF\n"


def docx(body=b"<w:document/>"):
    """A DOCX (as the type check knows one) whose text is ``body``."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body)
    return data.getvalue()


class Desk(DeskCase):
    def __init__(self, functional, browser, browser_as, make_product, make_team, clamd):
        self.manager = browser_as("Manager", language="en")
        self.settings(clamd_address=clamd, reminder_hours=0)
        super().__init__(functional, browser, make_product, make_team, title="Paspoort")

    def settings(self, **values):
        response = self.manager.patch(
            "@controlpanels/digitalebalie", json=values, headers=JSON
        )
        assert response.status_code == 204, response.text

    def upload(self, data, filename="uittreksel.pdf", session=None, **headers):
        return (session or self.anna).post(
            f"{self.url}/@documents",
            files={"file": (filename, data, "application/octet-stream")},
            headers={**ACCEPT, **headers},
        )

    def listed(self):
        response = self.anna.get(f"{self.url}/@documents", headers=ACCEPT)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def citizen_upload(self, data, filename="brief.pdf"):
        return self.browser.post(
            f"@appointment/{self.token}/documents",
            files={"file": (filename, data, "application/pdf")},
            headers=ACCEPT,
        )


@pytest.fixture
def desk(functional, clamd, browser, browser_as, make_product, make_team, room_server):  # noqa: F811
    return Desk(functional, browser, browser_as, make_product, make_team, clamd)


def test_employee_uploads_with_a_fetch(desk, room_server):  # noqa: F811
    room_server.clear()
    response = desk.upload(PDF, "Uittreksel BRP.pdf")
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["title"] == "Uittreksel BRP.pdf"
    assert document["size"] == len(PDF)
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert document["kind"] == "pdf" and document["showable"] is True
    assert document["uploaded_by"] == "employee" and document["shown"] is False
    assert desk.listed() == [document]
    assert room_server.parts(desk.room) == ["documents"]
    # In the dossier as any upload, audited; the citizen does not see it yet.
    assert "Uittreksel BRP.pdf" in desk.anna.get(desk.dossier).text
    assert "uploaded" in desk.manager.get(f"{desk.dossier}/@@dossier-audit").text
    own = desk.browser.get(f"@appointment/{desk.token}/documents", headers=ACCEPT)
    assert own.json()["items"] == []


def test_the_list_has_the_citizens_documents_and_what_can_be_shown(
    desk,
    room_server,  # noqa: F811
):
    room_server.clear()
    sent = desk.citizen_upload(PDF, "paspoort.pdf")
    assert sent.status_code == 201, sent.text
    # The citizen's upload reaches the employee's page.
    assert room_server.parts(desk.room) == ["documents"]
    assert desk.upload(docx(), "brief.docx").status_code == 201
    items = desk.listed()
    assert [
        (d["title"], d["kind"], d["uploaded_by"], d["showable"]) for d in items
    ] == [
        ("paspoort.pdf", "pdf", "citizen", True),
        ("brief.docx", "docx", "employee", False),
    ]
    assert {"id", "title", "kind", "size", "uploaded_by", "showable"} <= set(items[0])


def test_showing_a_document_reaches_the_pages(desk, room_server):  # noqa: F811
    document = desk.upload(PDF).json()
    room_server.clear()
    response = desk.anna.post(
        f"{desk.url}/@show-document", json={"id": document["id"]}, headers=JSON
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": document["id"],
        "title": "uittreksel.pdf",
        "kind": "pdf",
    }
    assert room_server.parts(desk.room) == ["documents"]
    assert desk.listed()[0]["shown"] is True
    opened = desk.browser.get(
        f"@@my-appointment/{desk.token}/document/{document['id']}"
    )
    assert opened.status_code == 200 and opened.content == PDF
    # A document that cannot be shown: refused, nothing told.
    letter = desk.upload(docx(), "brief.docx").json()
    room_server.clear()
    before = desk.ready()
    response = desk.anna.post(
        f"{desk.url}/@show-document", json={"id": letter["id"]}, headers=JSON
    )
    assert response.status_code == 415
    assert desk.db.lastTransaction() == before
    assert room_server.parts(desk.room) == []


# (id, file or None, file name, status, error type)
BAD = [
    ("virus", INFECTED_PDF, "brief.pdf", 422, "VirusFound"),
    ("eicar-named-pdf", EICAR, "paspoort.pdf", 415, "UnsupportedType"),
    ("program", b"MZ\x90\x00 program", "foto.jpg", 415, "UnsupportedType"),
    ("empty", b"", "leeg.pdf", 400, "ValidationError"),
    ("zip-bomb", None, "bom.docx", 422, "UnsupportedType"),
    ("too-large", PDF + b"%" + b"x" * (1024 * 1024), "groot.pdf", 413, "TooLarge"),
]


@pytest.mark.parametrize(
    "data,filename,status,error_type",
    [row[1:] for row in BAD],
    ids=[row[0] for row in BAD],
)
def test_bad_uploads_are_refused(desk, room_server, data, filename, status, error_type):  # noqa: F811
    desk.settings(upload_max_mb=1)
    before = desk.ready()
    room_server.clear()
    if data is None:  # a zip bomb: unpacks to 30 times the limit
        data = docx(b"\0" * (30 * 1024 * 1024))
    response = desk.upload(data, filename)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["type"] == error_type and error["message"]
    assert desk.listed() == []
    assert desk.db.lastTransaction() == before, "the refused upload stored something"
    assert room_server.parts(desk.room) == []


def test_no_file_is_400_naming_the_field(desk):
    before = desk.ready()
    for kwargs in (
        {"json": {"file": "x"}, "headers": JSON},
        {"files": {"other": ("a.pdf", PDF, "application/pdf")}, "headers": ACCEPT},
        {"data": {"file": "not a file"}, "files": {"x": ("", b"")}, "headers": ACCEPT},
    ):
        response = desk.anna.post(f"{desk.url}/@documents", **kwargs)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["fields"]["file"]
    assert desk.db.lastTransaction() == before


def test_scanner_down_is_503_and_nothing_stored(desk, tmp_path):
    desk.settings(clamd_address=f"unix://{tmp_path}/no-clamd.sock")
    before = desk.ready()
    response = desk.upload(PDF)
    assert response.status_code == 503
    assert response.json()["error"]["type"] == "ScannerUnavailable"
    assert desk.db.lastTransaction() == before


def test_closed_dossier_takes_no_documents(desk):
    desk.close_dossier()
    before = desk.ready()
    response = desk.upload(PDF)
    assert response.status_code == 409, response.text
    assert response.json()["error"]["type"] == "WrongState"
    assert desk.db.lastTransaction() == before


def test_upload_with_the_login_cookie_from_the_page(desk, portal_url):
    """The page's fetch: the cookie, this site's origin, multipart. Another
    site's form with the same cookie is refused."""
    session = cookie_login(portal_url, "anna")
    response = desk.upload(PDF, session=session, Origin=origin(portal_url))
    assert response.status_code == 201, response.text
    before = desk.ready()
    for headers in ({"Origin": "https://evil.example"}, {}):
        response = desk.upload(PDF, "b.pdf", session=session, **headers)
        assert response.status_code == 403, response.text
        assert response.json()["error"]["type"] == "CSRFRefused"
    assert desk.db.lastTransaction() == before
    assert len(desk.listed()) == 1
    session.close()
