"""A local case system speaking the documented subset of the ZGW Zaken API
1.5, Documenten API 1.5 and (inside it) the Catalogi API that the add-on uses.

Checks what a conforming one (the VNG reference implementation, Open Zaak)
checks: a JWT (HS256) with the client id, the CRS headers on zaken, the
required fields, a known zaaktype and informatieobjecttype, a unique
identificatie per bronorganisatie, the size of a document; statustype,
resultaattype and roltype must be known and belong to the zaaktype of the zaak
(``zaaktype-mismatch``); one resultaat per zaak; one initiator per zaak; the
betrokkeneIdentificatie of a rol as its betrokkeneType defines it (a BSN or
RSIN passes the eleven test); ``indicatieGebruiksrecht`` can only become true
through gebruiksrechten and a document can only be changed under its lock.
Before an eindstatus every informatieobject of the zaak must be unlocked and
have ``indicatieGebruiksrecht`` set (``indicatiegebruiksrecht-unset``, rule
zrc-008) and the zaak must have a resultaat (``resultaat-does-not-exist``);
the eindstatus closes the zaak (``einddatum``), and a status after it needs
the scope ``zaken.heropenen``, which this client does not have: 403.
Refusals are 400 with ``invalidParams`` [{name, code, reason}] like the real
one. Faults can be switched on: answer 503 to everything (``down``), create a
zaak, resultaat, rol or status but answer 500 as if the connection broke
(``crash_after_zaak``, ``crash_after_resultaat``, ``crash_after_rol``,
``crash_after_status``), or
refuse the next document (``fail_documents``).
"""

from fake_http import JsonHandler
from fake_http import LocalServer
import base64
import json
import jwt
import threading
import urllib.parse
import uuid


CATALOGI = "https://catalogi.example.nl/catalogi/api/v1"
ZAAKTYPE = f"{CATALOGI}/zaaktypen/4b1c"
OTHER_ZAAKTYPE = f"{CATALOGI}/zaaktypen/7f3a"
DOCUMENTTYPE = f"{CATALOGI}/informatieobjecttypen/9d2e"
STATUSTYPE = f"{CATALOGI}/statustypen/eind"
RESULTAATTYPE = f"{CATALOGI}/resultaattypen/verleend"
ROLTYPE = f"{CATALOGI}/roltypen/aanvrager"
# Types of another zaaktype: a zaak of ZAAKTYPE refuses them.
OTHER_RESULTAATTYPE = f"{CATALOGI}/resultaattypen/geweigerd-ander"
OTHER_ROLTYPE = f"{CATALOGI}/roltypen/aanvrager-ander"
BEHANDELAAR_ROLTYPE = f"{CATALOGI}/roltypen/behandelaar"

# What the Zaken API reads from the Catalogi API.
CATALOGUE = {
    STATUSTYPE: {"zaaktype": ZAAKTYPE, "isEindstatus": True},
    RESULTAATTYPE: {"zaaktype": ZAAKTYPE, "omschrijving": "Verleend"},
    OTHER_RESULTAATTYPE: {"zaaktype": OTHER_ZAAKTYPE, "omschrijving": "Geweigerd"},
    ROLTYPE: {
        "zaaktype": ZAAKTYPE,
        "omschrijving": "Aanvrager",
        "omschrijvingGeneriek": "initiator",
    },
    OTHER_ROLTYPE: {
        "zaaktype": OTHER_ZAAKTYPE,
        "omschrijving": "Aanvrager",
        "omschrijvingGeneriek": "initiator",
    },
    BEHANDELAAR_ROLTYPE: {
        "zaaktype": ZAAKTYPE,
        "omschrijving": "Behandelaar",
        "omschrijvingGeneriek": "behandelaar",
    },
}

# Zaken API 1.5: the fields of betrokkeneIdentificatie per betrokkeneType
# (the ones we check; others are accepted as they come).
BETROKKENE = {
    "natuurlijk_persoon": {
        "inpBsn": 9,
        "anpIdentificatie": 17,
        "inpA_nummer": 10,
        "geslachtsnaam": 200,
        "voornamen": 200,
    },
    "niet_natuurlijk_persoon": {
        "innNnpId": 9,
        "annIdentificatie": 17,
        "statutaireNaam": 500,
    },
    "vestiging": {"vestigingsNummer": 24, "kvkNummer": 8, "handelsnaam": None},
    "organisatorische_eenheid": {"identificatie": 24, "naam": 50},
    "medewerker": {"identificatie": 24, "achternaam": 200, "voorletters": 20},
}
ELEVEN_TEST = {"inpBsn", "innNnpId"}


def eleven_test(number):
    """The check of a BSN or RSIN (vng_api_common's validators)."""
    if not number.isdigit():
        return "only-digits"
    if len(number) != 9:
        return "invalid-length"
    total = sum(int(d) * w for d, w in zip(number[:8], range(9, 1, -1), strict=True))
    return None if (total - int(number[8])) % 11 == 0 else "invalid"


class Refused(Exception):
    def __init__(self, name, code, reason):
        super().__init__(reason)
        self.name, self.code, self.reason = name, code, reason


class FakeZgw(LocalServer):
    def __init__(self, client_id, secret, max_document=5 * 1024 * 1024):
        self.client_id = client_id
        self.secret = secret
        self.max_document = max_document
        self.zaken, self.documenten, self.zios, self.statussen = [], [], [], []
        self.resultaten, self.rollen, self.gebruiksrechten = [], [], []
        self.claims = []  # the JWT claims of every call
        self.calls = []  # (method, path) of every authorized call, in order
        self.down = False
        self.crash_after_zaak = 0
        self.crash_after_resultaat = 0
        self.crash_after_rol = 0
        self.crash_after_status = 0
        self.fail_documents = 0
        self.lock = threading.Lock()
        fake = self

        def required(body, *names):
            for name in names:
                if name not in body or body[name] is None:
                    raise Refused(name, "required", "Dit veld is vereist.")
                if body[name] == "":
                    raise Refused(name, "blank", "Dit veld mag niet leeg zijn.")

        def max_length(body, name, limit):
            if len(str(body.get(name) or "")) > limit:
                raise Refused(
                    name,
                    "max_length",
                    f"Zorg ervoor dat dit veld niet meer dan {limit} karakters bevat.",
                )

        def zaak_of(body):
            zaak = next((z for z in fake.zaken if z["url"] == body.get("zaak")), None)
            if zaak is None:
                raise Refused("zaak", "does_not_exist", "Ongeldige hyperlink.")
            return zaak

        def type_of(body, name, zaak):
            """A catalogue object of the zaak's zaaktype (ResourceValidator, CorrectZaaktypeValidator)."""
            found = CATALOGUE.get(body.get(name))
            if found is None:
                raise Refused(name, "bad-url", "De URL is geen geldige resource.")
            if found["zaaktype"] != zaak["zaaktype"]:
                raise Refused(
                    "nonFieldErrors",
                    "zaaktype-mismatch",
                    "De referentie hoort niet bij het zaaktype van de zaak.",
                )
            return found

        class Handler(JsonHandler):
            def invalid(self, name, code, reason, status=400):
                self.answer(
                    status,
                    {
                        "type": "https://vng.nl/ref/fouten/ValidationError/",
                        "code": "invalid",
                        "title": "Invalid input.",
                        "status": status,
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

            def do_PATCH(self):
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
                if self.command in ("POST", "PATCH"):
                    length = int(self.headers.get("Content-Length") or 0)
                    try:
                        body = json.loads(self.rfile.read(length) or b"{}")
                    except ValueError:
                        return self.invalid("body", "parse_error", "Not JSON")
                    if not isinstance(body, dict):
                        return self.invalid("body", "parse_error", "Not an object")
                with fake.lock:
                    fake.calls.append((self.command, path))
                    try:
                        return self.dispatch(path, query, body)
                    except Refused as refused:
                        return self.invalid(refused.name, refused.code, refused.reason)

            def listing(self, found):
                return self.answer(
                    200,
                    {
                        "count": len(found),
                        "next": None,
                        "previous": None,
                        "results": found,
                    },
                )

            def dispatch(self, path, query, body):
                first = lambda name: (query.get(name) or [""])[0]  # noqa: E731
                documents = "/documenten/api/v1/enkelvoudiginformatieobjecten"
                if path == "/zaken/api/v1/zaken":
                    if self.command == "GET":
                        return self.listing(
                            [
                                z
                                for z in fake.zaken
                                if z["identificatie"] == first("identificatie")
                                and z["bronorganisatie"] == first("bronorganisatie")
                            ]
                        )
                    required(
                        body,
                        "bronorganisatie",
                        "zaaktype",
                        "verantwoordelijkeOrganisatie",
                        "startdatum",
                    )
                    if body["zaaktype"] not in (ZAAKTYPE, OTHER_ZAAKTYPE):
                        raise Refused("zaaktype", "bad-url", "Ongeldige zaaktype.")
                    if any(
                        z["identificatie"] == body.get("identificatie")
                        and z["bronorganisatie"] == body["bronorganisatie"]
                        for z in fake.zaken
                    ):
                        raise Refused(
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
                if path == documents:
                    if self.command == "GET":
                        return self.listing(
                            [
                                d
                                for d in fake.documenten
                                if d["identificatie"] == first("identificatie")
                                and d["bronorganisatie"] == first("bronorganisatie")
                            ]
                        )
                    if fake.fail_documents:
                        fake.fail_documents -= 1
                        return self.answer(502, {"detail": "bad gateway"})
                    required(
                        body,
                        "bronorganisatie",
                        "creatiedatum",
                        "titel",
                        "auteur",
                        "taal",
                        "inhoud",
                        "informatieobjecttype",
                        "bestandsnaam",
                        "formaat",
                    )
                    if body["informatieobjecttype"] != DOCUMENTTYPE:
                        raise Refused(
                            "informatieobjecttype", "bad-url", "Ongeldig type."
                        )
                    if body.get("indicatieGebruiksrecht") is True:
                        raise Refused(
                            "indicatieGebruiksrecht",
                            "missing-gebruiksrechten",
                            "De indicatie moet op 'ja' gezet worden door "
                            "`gebruiksrechten` aan te maken.",
                        )
                    content = base64.b64decode(body["inhoud"])
                    if len(content) > fake.max_document:
                        return self.answer(413, {"detail": "Bestand te groot"})
                    if len(content) != body.get("bestandsomvang"):
                        raise Refused("bestandsomvang", "invalid", "Klopt niet.")
                    document = dict(
                        body,
                        indicatieGebruiksrecht=body.get("indicatieGebruiksrecht"),
                        locked=False,
                        url=f"{self.base()}{documents}/{uuid.uuid4()}",
                    )
                    fake.documenten.append(document)
                    return self.answer(201, document)
                if path.startswith(documents + "/"):
                    return self.document(path.removeprefix(documents + "/"), body)
                if path == "/documenten/api/v1/gebruiksrechten":
                    return self.usage_rights(first, body)
                if path == "/zaken/api/v1/zaakinformatieobjecten":
                    if self.command == "GET":
                        found = [
                            z
                            for z in fake.zios
                            if z["zaak"] == first("zaak")
                            and z["informatieobject"] == first("informatieobject")
                        ]
                        return self.answer(200, found)
                    zaak_of(body)
                    if not any(
                        d["url"] == body.get("informatieobject")
                        for d in fake.documenten
                    ):
                        raise Refused(
                            "informatieobject", "bad-url", "Onbekend document."
                        )
                    zio = dict(
                        body,
                        url=f"{self.base()}/zaken/api/v1/zaakinformatieobjecten/{uuid.uuid4()}",
                    )
                    fake.zios.append(zio)
                    return self.answer(201, zio)
                if path == "/zaken/api/v1/statussen":
                    if self.command == "GET":
                        return self.listing(
                            [
                                st
                                for st in fake.statussen
                                if st["zaak"] == first("zaak")
                                and first("statustype") in ("", st["statustype"])
                            ]
                        )
                    return self.status(body)
                if path == "/zaken/api/v1/resultaten":
                    return self.result(first, body)
                if path == "/zaken/api/v1/rollen":
                    return self.role(first, body)
                return self.answer(404, {"detail": "Not found"})

            def document(self, rest, body):
                """GET/PATCH one document, and its lock and unlock."""
                key, _, action = rest.partition("/")
                document = next(
                    (d for d in fake.documenten if d["url"].endswith("/" + key)),
                    None,
                )
                if document is None:
                    return self.answer(404, {"detail": "Niet gevonden."})
                if self.command == "GET" and not action:
                    return self.answer(200, document)
                if self.command == "POST" and action == "lock":
                    if document["locked"]:
                        raise Refused(
                            "nonFieldErrors",
                            "existing-lock",
                            "The document is already locked",
                        )
                    document["locked"] = True
                    document["lock"] = uuid.uuid4().hex
                    return self.answer(200, {"lock": document["lock"]})
                if self.command == "POST" and action == "unlock":
                    if body.get("lock") != document.get("lock"):
                        raise Refused(
                            "nonFieldErrors",
                            "incorrect-lock-id",
                            "Lock id is not correct",
                        )
                    document["locked"] = False
                    document.pop("lock", None)
                    self.send_response(204)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if self.command == "PATCH" and not action:
                    if not document["locked"]:
                        raise Refused(
                            "nonFieldErrors",
                            "unlocked",
                            "Unlocked document can't be modified",
                        )
                    if "lock" not in body:
                        raise Refused(
                            "nonFieldErrors",
                            "missing-lock-id",
                            "Lock id must be provided",
                        )
                    if body["lock"] != document["lock"]:
                        raise Refused(
                            "nonFieldErrors",
                            "incorrect-lock-id",
                            "Lock id is not correct",
                        )
                    if body.get("indicatieGebruiksrecht") is True and not any(
                        g["informatieobject"] == document["url"]
                        for g in fake.gebruiksrechten
                    ):
                        raise Refused(
                            "indicatieGebruiksrecht",
                            "missing-gebruiksrechten",
                            "De indicatie moet op 'ja' gezet worden door "
                            "`gebruiksrechten` aan te maken.",
                        )
                    changes = {k: v for k, v in body.items() if k != "lock"}
                    document.update(changes)
                    return self.answer(200, document)
                return self.answer(405, {"detail": "Method not allowed"})

            def usage_rights(self, first, body):
                if self.command == "GET":
                    return self.answer(
                        200,
                        [
                            g
                            for g in fake.gebruiksrechten
                            if g["informatieobject"] == first("informatieobject")
                        ],
                    )
                required(
                    body, "informatieobject", "startdatum", "omschrijvingVoorwaarden"
                )
                document = next(
                    (
                        d
                        for d in fake.documenten
                        if d["url"] == body["informatieobject"]
                    ),
                    None,
                )
                if document is None:
                    raise Refused("informatieobject", "bad-url", "Onbekend document.")
                rights = dict(
                    body,
                    url=f"{self.base()}/documenten/api/v1/gebruiksrechten/{uuid.uuid4()}",
                )
                fake.gebruiksrechten.append(rights)
                document["indicatieGebruiksrecht"] = True
                return self.answer(201, rights)

            def status(self, body):
                required(body, "zaak", "statustype", "datumStatusGezet")
                zaak = zaak_of(body)
                if zaak.get("einddatum"):
                    # ZaakClosed: only with the scope zaken.heropenen.
                    return self.answer(
                        403,
                        {
                            "code": "permission_denied",
                            "detail": "Je mag geen gegevens aanpassen van een "
                            "gesloten zaak.",
                        },
                    )
                statustype = type_of(body, "statustype", zaak)
                if statustype["isEindstatus"]:
                    for zio in fake.zios:
                        if zio["zaak"] != zaak["url"]:
                            continue
                        document = next(
                            d
                            for d in fake.documenten
                            if d["url"] == zio["informatieobject"]
                        )
                        if document["locked"]:
                            raise Refused(
                                "nonFieldErrors",
                                "informatieobject-locked",
                                "Er zijn gerelateerde informatieobjecten die nog "
                                "gelocked zijn.",
                            )
                        if document.get("indicatieGebruiksrecht") is None:
                            raise Refused(
                                "nonFieldErrors",
                                "indicatiegebruiksrecht-unset",
                                "Er zijn gerelateerde informatieobjecten waarvoor "
                                "`indicatieGebruiksrecht` nog niet gespecifieerd is. "
                                "Je moet deze zetten voor je de zaak kan afsluiten.",
                            )
                    if not any(r["zaak"] == zaak["url"] for r in fake.resultaten):
                        raise Refused(
                            "nonFieldErrors",
                            "resultaat-does-not-exist",
                            "Resultaat matching query does not exist.",
                        )
                status = dict(
                    body, url=f"{self.base()}/zaken/api/v1/statussen/{uuid.uuid4()}"
                )
                fake.statussen.append(status)
                if statustype["isEindstatus"]:
                    zaak["einddatum"] = body["datumStatusGezet"][:10]
                if fake.crash_after_status:
                    fake.crash_after_status -= 1
                    return self.answer(500, {"detail": "connection lost"})
                return self.answer(201, status)

            def result(self, first, body):
                if self.command == "GET":
                    return self.listing(
                        [
                            r
                            for r in fake.resultaten
                            if r["zaak"] == first("zaak")
                            and first("resultaattype") in ("", r["resultaattype"])
                        ]
                    )
                required(body, "zaak", "resultaattype")
                max_length(body, "toelichting", 1000)
                zaak = zaak_of(body)
                type_of(body, "resultaattype", zaak)
                if any(r["zaak"] == zaak["url"] for r in fake.resultaten):
                    raise Refused(
                        "zaak", "unique", "Er bestaat al een resultaat met deze zaak."
                    )
                result = dict(
                    body, url=f"{self.base()}/zaken/api/v1/resultaten/{uuid.uuid4()}"
                )
                fake.resultaten.append(result)
                if fake.crash_after_resultaat:
                    fake.crash_after_resultaat -= 1
                    return self.answer(500, {"detail": "connection lost"})
                return self.answer(201, result)

            def role(self, first, body):
                if self.command == "GET":
                    return self.listing(
                        [
                            r
                            for r in fake.rollen
                            if r["zaak"] == first("zaak")
                            and first("roltype") in ("", r["roltype"])
                            and first("omschrijvingGeneriek")
                            in ("", r["omschrijvingGeneriek"])
                        ]
                    )
                required(body, "zaak", "betrokkeneType", "roltype", "roltoelichting")
                max_length(body, "roltoelichting", 1000)
                kind = body["betrokkeneType"]
                if kind not in BETROKKENE:
                    raise Refused(
                        "betrokkeneType",
                        "invalid_choice",
                        f'"{kind}" is een ongeldige keuze.',
                    )
                zaak = zaak_of(body)
                roltype = type_of(body, "roltype", zaak)
                generic = roltype["omschrijvingGeneriek"]
                if generic in ("initiator", "zaakcoordinator") and any(
                    r["zaak"] == zaak["url"] and r["omschrijvingGeneriek"] == generic
                    for r in fake.rollen
                ):
                    raise Refused(
                        "roltype",
                        "max-occurences",
                        f"There are already 1 `{generic}` occurences",
                    )
                given = body.get("betrokkeneIdentificatie")
                if not body.get("betrokkene") and not given:
                    raise Refused(
                        "nonFieldErrors",
                        "invalid-betrokkene",
                        "betrokkene or betrokkeneIdentificatie must be provided",
                    )
                identification = {}
                for name, limit in BETROKKENE[kind].items():
                    if name not in (given or {}):
                        continue
                    value = given[name]
                    field = f"betrokkeneIdentificatie.{name}"
                    if limit is not None and len(str(value)) > limit:
                        raise Refused(
                            field,
                            "max_length",
                            f"Zorg ervoor dat dit veld niet meer dan {limit} "
                            "karakters bevat.",
                        )
                    if name in ELEVEN_TEST and value:
                        code = eleven_test(str(value))
                        if code:
                            raise Refused(field, code, "Onjuist nummer.")
                    # Like the real one, fields of another type are ignored.
                    identification[name] = value
                role = dict(
                    body,
                    betrokkeneIdentificatie=identification,
                    omschrijving=roltype["omschrijving"],
                    omschrijvingGeneriek=generic,
                    url=f"{self.base()}/zaken/api/v1/rollen/{uuid.uuid4()}",
                )
                fake.rollen.append(role)
                if fake.crash_after_rol:
                    fake.crash_after_rol -= 1
                    return self.answer(500, {"detail": "connection lost"})
                return self.answer(201, role)

        self.serve(Handler)
