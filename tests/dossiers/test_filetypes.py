"""Judging a file by its content (pure, no Plone)."""

from collective.digitalebalie.dossiers.filetypes import sniff
import io
import pytest
import zipfile


def zipped(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped([("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w/>")])
ODT = zipped(
    [("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<x/>")]
)
ODS = zipped([("mimetype", "application/vnd.oasis.opendocument.spreadsheet")])


@pytest.mark.parametrize(
    "data,kind",
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "heic"),
        (DOCX, "docx"),
        (ODT, "odt"),
        (ODS, None),
        (b"MZ\x90\x00 an exe named paspoort.pdf", None),
        (b"<html><script>alert(1)</script>", None),
        (b"PK\x03\x04 not really a zip", None),
        (b"", None),
    ],
)
def test_sniff(data, kind):
    stream = io.BytesIO(data)
    assert sniff(stream) == kind
    assert stream.tell() == 0


def test_a_zip_bomb_is_not_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mimetype", b"\0" * (50 * 1024 * 1024)
        )  # 50 MB, about 50 kB packed
    assert len(buffer.getvalue()) < 1024 * 1024
    assert sniff(io.BytesIO(buffer.getvalue())) is None
