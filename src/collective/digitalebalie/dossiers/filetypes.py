"""What a file is, judged by its content (its first bytes), not by its name.

No Plone imports.
"""

import zipfile


TYPES = {
    "pdf": ("application/pdf", ".pdf"),
    "jpeg": ("image/jpeg", ".jpg"),
    "png": ("image/png", ".png"),
    "heic": ("image/heic", ".heic"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "odt": ("application/vnd.oasis.opendocument.text", ".odt"),
}
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1"}


def _zip_kind(stream):
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            # Never unpack more than a few bytes before the virus scan: a small
            # zip can hold gigabytes.
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100).strip()
                if mimetype == TYPES["odt"][0].encode():
                    return "odt"
            if "[Content_Types].xml" in names and any(
                n.startswith("word/") for n in names
            ):
                return "docx"
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    return None


ZIP_KINDS = ("docx", "odt")


def zip_sizes(stream):
    """(unpacked, packed): the sizes the zip's central directory gives for all its
    members together. Nothing is unpacked. The stream is left at its start."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    finally:
        stream.seek(0)
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    return unpacked, packed


def sniff(stream):
    """The key of TYPES this file is, or None. The stream is left at its start."""
    stream.seek(0)
    head = stream.read(32)
    stream.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        kind = "heic"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(stream)
    stream.seek(0)
    return kind
