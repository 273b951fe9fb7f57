"""Documents in a dossier: checked for size and type, scanned by ClamAV, then stored.

Nothing is stored unless all checks pass: a file too large (413), of a type
that is not allowed (415, judged by its content), infected (422) or not
scanned because the scanner cannot be reached (503, fail closed).
"""

from collective.digitalebalie import _
from collective.digitalebalie import logger
from collective.digitalebalie.dossiers import audit
from collective.digitalebalie.dossiers import filetypes
from collective.digitalebalie.dossiers import scanner
from collective.digitalebalie.errors import InvalidInput
from collective.digitalebalie.errors import UserError as BookingError
from collective.digitalebalie.settings import setting
from collective.digitalebalie.video import notices
from plone.dexterity.utils import createContentInContainer
from plone.namedfile.file import NamedBlobFile
import hashlib
import os
import re
import secrets


# What the call's viewer can show, by kind of file: PDF in a frame, photos as images.
VIEWABLE = {"pdf": "pdf", "jpeg": "image", "png": "image"}


class TooLarge(BookingError):
    type = "TooLarge"
    status = 413


class UnsupportedType(BookingError):
    type = "UnsupportedType"
    status = 415


class ZipBomb(UnsupportedType):
    """An archive (DOCX, ODT) that unpacks to far more than it is."""

    status = 422


# A DOCX or ODT unpacks to a few times its size; a zip bomb to thousands.
MAX_UNPACKED_FACTOR = 10  # times the upload limit
MAX_COMPRESSION_RATIO = 100


class VirusFound(BookingError):
    type = "VirusFound"
    status = 422


class ScannerDown(BookingError):
    type = "ScannerUnavailable"
    status = 503


def _configured(name, default):
    value = setting(name, default)
    return default if value is None else value


def allowed_types():
    return list(_configured("upload_types", list(filetypes.TYPES)))


def max_bytes():
    return int(_configured("upload_max_mb", 20)) * 1024 * 1024


def clean_filename(name, kind):
    """A safe file name: no path, no control characters, the right extension."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = re.sub(r"[^\w .()-]+", "_", name, flags=re.UNICODE).strip(" ._")[:120]
    stem, ext = os.path.splitext(name)
    wanted = filetypes.TYPES[kind][1]
    if ext.lower() not in (wanted, ".jpeg" if kind == "jpeg" else wanted):
        name = (stem or "document") + wanted
    return name or f"document{wanted}"


def _size(stream):
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _sha256(stream):
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _check_archive(stream, limit):
    """Refuse a zip bomb before the virus scanner unpacks it, by the sizes the
    archive states (the scanner and any reader trust them too)."""
    unpacked, packed = filetypes.zip_sizes(stream)
    if unpacked > MAX_UNPACKED_FACTOR * limit or (
        unpacked > MAX_COMPRESSION_RATIO * max(packed, 1)
    ):
        logger.warning(
            "upload refused: an archive of %s bytes unpacks to %s bytes",
            _size(stream),
            unpacked,
        )
        raise ZipBomb(
            _(
                "This document cannot be sent: it is a packed file that unpacks "
                "to far more than its size, which a real document does not do. "
                "Save it again in your word processor, or send it as a PDF."
            )
        )


def check(stream, filename):
    """Check an upload; return (kind, size, sha256). Raise a BookingError."""
    size = _size(stream)
    if size == 0:
        raise InvalidInput(_("The file is empty."), {"file": _("Choose a file.")})
    limit = max_bytes()
    if size > limit:
        raise TooLarge(
            _(
                "The file is too large: at most ${mb} MB.",
                mapping={"mb": limit // (1024 * 1024)},
            )
        )
    kind = filetypes.sniff(stream)
    allowed = allowed_types()
    if kind not in allowed:
        names = ", ".join(filetypes.TYPES[k][1].lstrip(".").upper() for k in allowed)
        raise UnsupportedType(
            _(
                "This type of file cannot be sent. Allowed: ${types}.",
                mapping={"types": names},
            )
        )
    if kind in filetypes.ZIP_KINDS:
        _check_archive(stream, limit)
    address = _configured("clamd_address", "unix:///run/clamav/clamd.ctl")
    try:
        scanner.scan(address, stream)
    except scanner.Infected as infected:
        stream.seek(0)
        logger.warning(
            "upload refused: virus %s found in a file of %s bytes, sha256 %s",
            infected.signature,
            size,
            _sha256(stream),
        )
        raise VirusFound(
            _(
                "The virus scanner found a virus in this file (${name}). It was "
                "not saved. Please send a clean file.",
                mapping={"name": infected.signature},
            )
        ) from None
    except scanner.ScannerUnavailable as error:
        logger.error("upload refused: %s", error)
        raise ScannerDown(
            _(
                "Documents cannot be checked for viruses at the moment, so they "
                "cannot be saved. Please try again later."
            )
        ) from None
    finally:
        stream.seek(0)
    return kind, size, _sha256(stream)


def add(dossier, stream, filename, uploaded_by, appointment_id=None):
    """Check, scan and store an upload in the dossier; return the document."""
    kind, size, sha256 = check(stream, filename)
    name = clean_filename(filename, kind)
    document = createContentInContainer(
        dossier,
        "DossierDocument",
        checkConstraints=False,
        id=secrets.token_hex(8),
        title=name,
        file=NamedBlobFile(
            data=stream.read(), filename=name, contentType=filetypes.TYPES[kind][0]
        ),
        sha256=sha256,
        kind=kind,
        scan="clean",
        uploaded_by=uploaded_by,
        appointment_id=appointment_id,
    )
    # A stored document never changes: a new file would skip the checks above.
    document.manage_permission("Modify portal content", [], acquire=False)
    audit.log(
        dossier,
        "uploaded",
        f"{name} ({size} bytes, sha256 {sha256})",
        who="citizen" if uploaded_by == "citizen" else None,
    )
    changed(dossier)
    return document


def changed(dossier):
    """The pages of the dossier's appointments list its documents anew."""
    for appointment_id in getattr(dossier, "appointment_ids", None) or ():
        notices.changed(appointment_id, "documents")


def document_json(document):
    return {
        "id": document.getId(),
        "title": document.Title(),
        "size": document.file.getSize(),
        "content_type": document.file.contentType,
        "sha256": document.sha256,
        "uploaded_by": "citizen" if document.uploaded_by == "citizen" else "employee",
        "created": document.created().ISO8601(),
    }
