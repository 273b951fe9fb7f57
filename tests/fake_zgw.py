"""A local case system speaking the documented subset of the ZGW Zaken and
Documenten APIs that the add-on uses.

Checks what a real one checks: a JWT (HS256) with the client id, the CRS
headers on zaken, the required fields, a known zaaktype and
informatieobjecttype, a unique identificatie per bronorganisatie, and the size
of a document. Faults can be switched on: answer 503 to everything
(``down``), create a zaak but answer 500 as if the connection broke
(``crash_after_zaak``), or refuse the next document (``fail_documents``).
"""

from fake_http import JsonHandler
from fake_http import LocalServer
import base64
import json
import jwt
import threading
import urllib.parse
import uuid


ZAAKTYPE = "https://catalogi.example.nl/catalogi/api/v1/zaaktypen/4b1c"
DOCUMENTTYPE = "https://catalogi.example.nl/catalogi/api/v1/informatieobjecttypen/9d2e"
STATUSTYPE = "https://catalogi.example.nl/catalogi/api/v1/statustypen/eind"


class FakeZgw(LocalServer):
    def __init__(self, client_id, secret, max_document=5 * 1024 * 1024):
        self.client_id = client_id
        self.secret = secret
        self.max_document = max_document
        self.zaken, self.documenten, self.zios, self.statussen = [], [], [], []
        self.claims = []  # the JWT claims of every call
        self.down = False
        self.crash_after_zaak = 0
        self.fail_documents = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(JsonHandler):
            def invalid(self, name, code, reason, status=400):
                self.answer(
                    status,
                    {
                        "code": "invalid",
                        "title": "Invalid input.",
                        "invalidParams": [
                            {"name": name, "code": code, "reason": reason}
                        ],
                    },
                )

            def authorized(self):
                header = self.headers.get("Authorization", "")
                try:
                    claims = jwt.decode(
                        header.removeprefix("Bearer "),
                        fake.secret,
                        algorithms=["HS256"],
                    )
                except jwt.PyJWTError:
                    return False
                if (
                    claims.get("client_id") != fake.client_id
                    or claims.get("iss") != fake.client_id
                ):
                    return False
                fake.claims.append(claims)
                return True

            def route(self):
                parsed = urllib.parse.urlparse(self.path)
                return parsed.path.rstrip("/"), urllib.parse.parse_qs(parsed.query)

            def base(self):
                return f"http://{self.headers['Host']}"

            def crs_ok(self, path):
                if not path.startswith("/zaken/api/v1/zaken") and not path.endswith(
                    "/statussen"
                ):
                    return True
                return self.headers.get("Accept-Crs") == "EPSG:4326" and (
                    self.command == "GET"
                    or self.headers.get("Content-Crs") == "EPSG:4326"
                )

            def do_GET(self):
                self.handle_call()

            def do_POST(self):
                self.handle_call()

            def handle_call(self):
                if fake.down:
                    return self.answer(503, {"detail": "Service unavailable"})
                if not self.authorized():
                    return self.answer(
                        403, {"code": "permission_denied", "detail": "JWT refused"}
                    )
                path, query = self.route()
                if not self.crs_ok(path):
                    return self.answer(
                        412, {"code": "precondition_failed", "detail": "CRS headers"}
                    )
                body = {}
                if self.command == "POST":
                    length = int(self.headers.get("Content-Length") or 0)
                    try:
                        body = json.loads(self.rfile.read(length))
                    except ValueError:
                        return self.invalid("body", "parse_error", "Not JSON")
                with fake.lock:
                    return self.dispatch(path, query, body)

            def dispatch(self, path, query, body):
                first = lambda name: (query.get(name) or [""])[0]  # noqa: E731
                if path == "/zaken/api/v1/zaken":
                    if self.command == "GET":
                        found = [
                            z
                            for z in fake.zaken
                            if z["identificatie"] == first("identificatie")
                            and z["bronorganisatie"] == first("bronorganisatie")
                        ]
                        return self.answer(
                            200,
                            {
                                "count": len(found),
                                "next": None,
                                "previous": None,
                                "results": found,
                            },
                        )
                    for name in (
                        "bronorganisatie",
                        "zaaktype",
                        "verantwoordelijkeOrganisatie",
                        "startdatum",
                    ):
                        if not body.get(name):
                            return self.invalid(
                                name, "required", "Dit veld is vereist."
                            )
                    if body["zaaktype"] != ZAAKTYPE:
                        return self.invalid(
                            "zaaktype", "bad-url", "Ongeldige zaaktype."
                        )
                    if any(
                        z["identificatie"] == body.get("identificatie")
                        and z["bronorganisatie"] == body["bronorganisatie"]
                        for z in fake.zaken
                    ):
                        return self.invalid(
                            "identificatie", "identificatie-niet-uniek", "Niet uniek."
                        )
                    zaak = dict(
                        body, url=f"{self.base()}/zaken/api/v1/zaken/{uuid.uuid4()}"
                    )
                    fake.zaken.append(zaak)
                    if fake.crash_after_zaak:
                        fake.crash_after_zaak -= 1
                        return self.answer(500, {"detail": "connection lost"})
                    return self.answer(201, zaak)
                if path == "/documenten/api/v1/enkelvoudiginformatieobjecten":
                    if self.command == "GET":
                        found = [
                            d
                            for d in fake.documenten
                            if d["identificatie"] == first("identificatie")
                            and d["bronorganisatie"] == first("bronorganisatie")
                        ]
                        return self.answer(200, {"count": len(found), "results": found})
                    if fake.fail_documents:
                        fake.fail_documents -= 1
                        return self.answer(502, {"detail": "bad gateway"})
                    for name in (
                        "bronorganisatie",
                        "creatiedatum",
                        "titel",
                        "auteur",
                        "taal",
                        "inhoud",
                        "informatieobjecttype",
                        "bestandsnaam",
                        "formaat",
                    ):
                        if not body.get(name):
                            return self.invalid(
                                name, "required", "Dit veld is vereist."
                            )
                    if body["informatieobjecttype"] != DOCUMENTTYPE:
                        return self.invalid(
                            "informatieobjecttype", "bad-url", "Ongeldig type."
                        )
                    content = base64.b64decode(body["inhoud"])
                    if len(content) > fake.max_document:
                        return self.answer(413, {"detail": "Bestand te groot"})
                    if len(content) != body.get("bestandsomvang"):
                        return self.invalid("bestandsomvang", "invalid", "Klopt niet.")
                    document = dict(
                        body,
                        url=f"{self.base()}/documenten/api/v1/enkelvoudiginformatieobjecten/{uuid.uuid4()}",
                    )
                    fake.documenten.append(document)
                    return self.answer(201, document)
                if path == "/zaken/api/v1/zaakinformatieobjecten":
                    if self.command == "GET":
                        found = [
                            z
                            for z in fake.zios
                            if z["zaak"] == first("zaak")
                            and z["informatieobject"] == first("informatieobject")
                        ]
                        return self.answer(200, found)
                    if not any(z["url"] == body.get("zaak") for z in fake.zaken):
                        return self.invalid("zaak", "bad-url", "Onbekende zaak.")
                    if not any(
                        d["url"] == body.get("informatieobject")
                        for d in fake.documenten
                    ):
                        return self.invalid(
                            "informatieobject", "bad-url", "Onbekend document."
                        )
                    zio = dict(
                        body,
                        url=f"{self.base()}/zaken/api/v1/zaakinformatieobjecten/{uuid.uuid4()}",
                    )
                    fake.zios.append(zio)
                    return self.answer(201, zio)
                if path == "/zaken/api/v1/statussen" and self.command == "POST":
                    if body.get("statustype") != STATUSTYPE or not body.get(
                        "datumStatusGezet"
                    ):
                        return self.invalid(
                            "statustype", "bad-url", "Ongeldig statustype."
                        )
                    status = dict(
                        body, url=f"{self.base()}/zaken/api/v1/statussen/{uuid.uuid4()}"
                    )
                    fake.statussen.append(status)
                    return self.answer(201, status)
                return self.answer(404, {"detail": "Not found"})

        self.serve(Handler)
