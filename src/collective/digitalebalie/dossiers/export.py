"""Export of a dossier: a ZIP with its documents and a PDF/A summary.

The summary is PDF/A-2B (fpdf2 enforces the profile: embedded fonts, XMP
metadata, an sRGB output intent), so it can be archived as it is. It lists
the appointments, the participants, the documents with their SHA-256, and the
workflow history. The same facts feed the print view.
"""

from collective.digitalebalie import _
from collective.digitalebalie import settings
from collective.digitalebalie import teams
from collective.digitalebalie.browser import formatting
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import dossiers
from datetime import UTC
from datetime import datetime
from fpdf import FPDF
from pathlib import Path
from plone import api
from zope.i18n import translate
import io
import xml.etree.ElementTree as ET  # noqa: N817 - writing only
import zipfile


FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian: fonts-dejavu-core


def _when(value, tz):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def summary(dossier):
    """The facts of a dossier, as plain data (for the PDF and the print view)."""
    tz = settings.site_timezone()
    workflow = api.portal.get_tool("portal_workflow")
    history = workflow.getInfoFor(dossier, "review_history", []) or []
    appointment_rows = []
    participants = {}
    for appointment in dossiers.appointments_of(dossier):
        appointment_rows.append(
            {
                "when": _when(appointment.start, tz),
                "state": api.content.get_state(appointment),
                "channel": appointment.channel,
                "persons": getattr(appointment, "persons", 1) or 1,
                "citizen": appointment.fullname,
                "email": appointment.email,
                "employee": teams.fullname(getattr(appointment, "assignee", None)),
            }
        )
        participants[appointment.fullname] = "citizen"
        assignee = getattr(appointment, "assignee", None)
        if assignee:
            participants[teams.fullname(assignee)] = "employee"
    documents = [
        {
            "id": doc.getId(),
            "title": doc.Title(),
            "size": doc.file.getSize(),
            "sha256": doc.sha256,
            "type": doc.file.contentType,
            "by": doc.uploaded_by,
            "when": _when(doc.created().asdatetime(), tz),
        }
        for doc in sorted(dossier.objectValues(), key=lambda d: d.created())
    ]
    return {
        "id": dossier.getId(),
        "subject": dossier.subject,
        "case_type": dossier.case_type or "",
        "state": api.content.get_state(dossier),
        "opened": _when(dossier.opened, tz),
        "closed": _when(dossier.closed, tz),
        "archived": _when(dossier.archived, tz),
        "destroy_after": _when(dossier.destroy_after, tz),
        "retention_years": dossier.retention_years,
        "appointments": appointment_rows,
        "participants": sorted(participants.items()),
        "documents": documents,
        "history": [
            {
                "when": _when(entry["time"].asdatetime(), tz),
                "state": entry.get("review_state", ""),
                "action": entry.get("action") or "",
                "actor": entry.get("actor") or "",
            }
            for entry in history
        ],
        "exported": datetime.now(UTC).astimezone(tz).strftime("%Y-%m-%d %H:%M"),
    }


class _Summary(FPDF):
    def header(self):
        self.set_font("DejaVu", "", 8)
        self.cell(0, 6, self.title_text, new_x="LMARGIN", new_y="NEXT")

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 6, f"{self.page_no()}/{{nb}}", align="R")


def _pdfa(pdf, title, municipality):
    """Set up a PDF/A-2B document: metadata and the embedded fonts the profile needs."""
    pdf.set_title(title)
    pdf.set_author(municipality or "Digitale Balie")
    pdf.set_creator("collective.digitalebalie")
    pdf.set_lang("nl-NL")
    pdf.add_font("DejaVu", "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    return pdf


def summary_pdf(facts, municipality=""):
    """A PDF/A-2B document with the summary; returns bytes."""
    pdf = _Summary(enforce_compliance="PDF/A-2B")
    pdf.title_text = f"{municipality} — dossier {facts['id']}".strip(" —")
    _pdfa(pdf, f"Dossier {facts['id']}: {facts['subject']}", municipality)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.epw

    def heading(text):
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(width, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)

    def line(text):
        pdf.multi_cell(width, 5, text, new_x="LMARGIN", new_y="NEXT")

    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 9, facts["subject"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for label, key in (
        ("Dossier", "id"),
        ("Zaaktype", "case_type"),
        ("Status", "state"),
        ("Geopend", "opened"),
        ("Gesloten", "closed"),
        ("Gearchiveerd", "archived"),
        ("Bewaartermijn (jaren)", "retention_years"),
        ("Vernietigen na", "destroy_after"),
        ("Export gemaakt", "exported"),
    ):
        if facts.get(key) not in ("", None):
            line(f"{label}: {facts[key]}")
    heading("Afspraken")
    for row in facts["appointments"] or [{"when": "-"}]:
        persons = row.get("persons", 1)
        line(
            " · ".join(
                [
                    str(row.get(k, ""))
                    for k in (
                        "when",
                        "state",
                        "channel",
                        "citizen",
                        "email",
                        "employee",
                    )
                    if row.get(k)
                ]
                + ([f"{persons} personen"] if persons > 1 else [])
            )
        )
    heading("Deelnemers")
    for name, role in facts["participants"]:
        line(f"{name} ({'inwoner' if role == 'citizen' else 'medewerker'})")
    heading("Documenten")
    if not facts["documents"]:
        line("Geen documenten.")
    for doc in facts["documents"]:
        line(
            f"{doc['title']} · {doc['type']} · {doc['size']} bytes · {doc['when']} · {doc['by']}"
        )
        line(f"SHA-256: {doc['sha256']}")
    heading("Verloop (workflow)")
    for entry in facts["history"]:
        line(
            f"{entry['when']} · {entry['action'] or 'start'} → {entry['state']} · {entry['actor']}"
        )
    return bytes(pdf.output())


MDTO = "https://www.nationaalarchief.nl/mdto"


def mdto_xml(facts, municipality=""):
    """Archival metadata in MDTO (Nationaal Archief): the dossier as an
    informatieobject, each document as a bestand with its SHA-256."""
    ET.register_namespace("", MDTO)

    def sub(parent, name, text=None):
        element = ET.SubElement(parent, f"{{{MDTO}}}{name}")
        if text is not None:
            element.text = str(text)
        return element

    def identificatie(parent, kenmerk):
        ident = sub(parent, "identificatie")
        sub(ident, "identificatieKenmerk", kenmerk)
        sub(ident, "identificatieBron", "collective.digitalebalie")

    def begrip(parent, name, label, lijst):
        element = sub(parent, name)
        sub(element, "begripLabel", label)
        begrippenlijst = sub(element, "begripBegrippenlijst")
        sub(begrippenlijst, "verwijzingNaam", lijst)

    root = ET.Element(f"{{{MDTO}}}MDTO")
    dossier = sub(root, "informatieobject")
    identificatie(dossier, f"DB-{facts['id']}")
    sub(dossier, "naam", facts["subject"])
    begrip(
        dossier, "aggregatieniveau", "Dossier", "MDTO-begrippenlijst aggregatieniveau"
    )
    if facts["case_type"]:
        classificatie = sub(dossier, "classificatie")
        sub(classificatie, "begripLabel", facts["case_type"])
        lijst = sub(classificatie, "begripBegrippenlijst")
        sub(lijst, "verwijzingNaam", "zaaktype")
    dekking = sub(dossier, "dekkingInTijd")
    begrip(
        dekking, "dekkingInTijdType", "Looptijd", "MDTO-begrippenlijst dekking in tijd"
    )
    sub(dekking, "dekkingInTijdBegindatum", facts["opened"][:10])
    if facts["closed"]:
        sub(dekking, "dekkingInTijdEinddatum", facts["closed"][:10])
    bewaartermijn = sub(dossier, "bewaartermijn")
    sub(bewaartermijn, "termijnLooptijd", f"P{facts['retention_years']}Y")
    sub(bewaartermijn, "termijnEinddatum", facts["destroy_after"] or "")
    begrip(dossier, "waardering", "V", "Selectielijst")
    archiefvormer = sub(dossier, "archiefvormer")
    sub(archiefvormer, "verwijzingNaam", municipality or "Gemeente")
    for doc in facts["documents"]:
        bestand = sub(root, "bestand")
        identificatie(bestand, doc["id"])
        sub(bestand, "naam", doc["title"])
        sub(bestand, "omvang", doc["size"])
        begrip(bestand, "bestandsformaat", doc["type"], "MIME-types")
        checksum = sub(bestand, "checksum")
        begrip(checksum, "checksumAlgoritme", "SHA-256", "MDTO-begrippenlijst checksum")
        sub(checksum, "checksumWaarde", doc["sha256"])
        sub(checksum, "checksumDatum", facts["exported"][:10])
        representatie = sub(bestand, "isRepresentatieVan")
        sub(representatie, "verwijzingNaam", facts["subject"])
        ident = sub(representatie, "verwijzingIdentificatie")
        sub(ident, "identificatieKenmerk", f"DB-{facts['id']}")
        sub(ident, "identificatieBron", "collective.digitalebalie")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


RECEIPT = _("Receipt")
RECEIPT_LINES = (
    _("For: ${what}"),
    _("Case: ${subject}"),
    _("Amount: ${amount}"),
    _("Paid on: ${date} at ${time}"),
    _("Payment: ${id} (${provider}: ${provider_id})"),
)


def receipt_pdf(payment, municipality, subject, language="nl"):
    """A PDF/A-2B receipt of a paid payment, in ``language`` (nl or en)."""

    def t(message, **mapping):
        return translate(_(message, mapping=mapping), target_language=language)

    title = t(RECEIPT)
    pdf = _pdfa(
        FPDF(enforce_compliance="PDF/A-2B"), f"{title} {payment['id']}", municipality
    )
    pdf.set_lang("en-GB" if language == "en" else "nl-NL")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(
        pdf.epw,
        9,
        f"{municipality} — {title}".strip(" —"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("DejaVu", "", 11)
    amount = formatting.price(f"{payment['amount'] / 100:.2f}", language)
    paid = payment.get("paid")
    paid = paid.astimezone(settings.site_timezone()) if paid else None
    what, case, amount_line, paid_line, reference = RECEIPT_LINES
    for line in (
        t(what, what=payment["description"]),
        t(case, subject=subject),
        t(amount_line, amount=amount),
        t(
            paid_line,
            date=formatting.long_date(paid.date(), language),
            time=formatting.clock(paid),
        )
        if paid
        else "",
        t(
            reference,
            id=payment["id"],
            provider=payment["provider"],
            provider_id=payment["provider_id"],
        ),
    ):
        if line:
            pdf.multi_cell(pdf.epw, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _unique(name, used):
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
    used.add(candidate)
    return candidate


def export_zip(dossier, municipality=""):
    """The ZIP of the dossier: summary.pdf and documents/. Audited."""
    facts = summary(dossier)
    buffer = io.BytesIO()
    used = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.pdf", summary_pdf(facts, municipality))
        archive.writestr("mdto.xml", mdto_xml(facts, municipality))
        for doc in sorted(dossier.objectValues(), key=lambda d: d.created()):
            with doc.file.open() as blob:
                archive.writestr(f"documents/{_unique(doc.Title(), used)}", blob.read())
    audit.log(dossier, "exported", f"{len(facts['documents'])} documents")
    return buffer.getvalue()
