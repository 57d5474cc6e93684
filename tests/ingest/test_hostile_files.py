"""Hostile files: a 50 MB PDF, zip bombs dressed as DOCX, and HTML built to break parsers.

Each is read within bounds or skipped with a reason the ingest summary can show; files are
generated in the test's temp dir (the biggest, the PDF, in well under a second).
"""

from __future__ import annotations

import io
import logging
import struct
import zipfile
from pathlib import Path

import docx
import pytest

from ingest import loaders
from ingest.document import LoadError
from ingest.loaders import MAX_TEXT_CHARS, load_bytes, load_file
from ingest.loaders import pdf as pdf_loader

MB = 1024 * 1024
PAGE_TEXT = b"BT /F1 12 Tf 72 700 Td (Sector partnerships bring Iowa employers together.) Tj ET"
FILLER = b"BT /F1 12 Tf 72 700 Td (Filler words drawn over and over.) Tj ET\n"


def _pdf(contents: list[bytes]) -> bytes:
    """A PDF with one page per content stream, streams stored uncompressed, written by hand."""
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(contents)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(contents)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, stream in enumerate(contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def test_a_50_mb_pdf_page_is_skipped_with_a_reason_and_the_other_pages_load(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "huge.pdf"
    path.write_bytes(_pdf([PAGE_TEXT, FILLER * (50 * MB // len(FILLER))]))
    assert path.stat().st_size > 50 * MB

    document = load_file(path)

    assert document.text.strip() == "Sector partnerships bring Iowa employers together."
    assert "page 2 skipped: 50.0 MB of drawing instructions" in caplog.text


def test_a_pdf_whose_only_page_is_huge_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    path = tmp_path / "only-huge.pdf"
    path.write_bytes(_pdf([FILLER * (2 * MB // len(FILLER))]))

    with pytest.raises(LoadError, match=r"^PDF pages too large: 1 page\(s\) over 1 MB"):
        load_file(path)


def test_pdf_reading_stops_when_the_pages_read_hold_the_content_budget(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Many ordinary pages: each is under the page limit, together they pass the budget.
    words = [b"Alpha", b"Bravo", b"Charlie", b"Delta", b"Echo", b"Foxtrot", b"Golf", b"Hotel"]
    pages = [b"BT /F1 12 Tf 72 700 Td (%s employers meet here.) Tj ET" % word for word in words]
    monkeypatch.setattr(pdf_loader, "MAX_CONTENT_BYTES", sum(len(page) for page in pages[:5]))

    text = load_bytes(_pdf(pages), source="many.pdf").text

    assert "Echo employers" in text and "Foxtrot" not in text
    assert "reading stops at page 6" in caplog.text


def _word_bytes() -> bytes:
    word = docx.Document()
    word.add_paragraph("Sector partnerships bring Iowa employers together.")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _with_member(name: str, size: int) -> bytes:
    """A real DOCX plus one member of ``size`` zero bytes (it compresses about 1000 to 1)."""
    out = io.BytesIO(_word_bytes())
    with (
        zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as package,
        package.open(name, "w", force_zip64=True) as member,
    ):
        chunk = bytes(MB)
        for _ in range(size // MB):
            member.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_docx_is_refused_before_anything_is_inflated() -> None:
    bomb = _with_member("word/media/image1.png", 300 * MB)
    assert len(bomb) < 2 * MB

    with pytest.raises(LoadError, match=r"^DOCX is too large once uncompressed \(300 MB"):
        load_bytes(bomb, source="bomb.docx")


def test_a_docx_with_too_much_xml_is_refused() -> None:
    with pytest.raises(LoadError, match=r"^DOCX text is too large once uncompressed \(40 MB"):
        load_bytes(_with_member("word/footer9.xml", 40 * MB), source="wordy.docx")


def test_a_docx_whose_zip_understates_a_member_is_a_load_error() -> None:
    # document.xml padded with 30 MB of (legal) trailing spaces, written last, then its sizes
    # rewritten to say 1 KB: zipfile inflates no more than that, and the CRC check fails.
    original = zipfile.ZipFile(io.BytesIO(_word_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for info in original.infolist():
            if info.filename != "word/document.xml":
                package.writestr(info.filename, original.read(info))
        package.writestr("word/document.xml", original.read("word/document.xml") + b" " * 30 * MB)
    data = bytearray(out.getvalue())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.rfind(signature)
        data[at + offset : at + offset + 4] = struct.pack("<I", 1024)

    with pytest.raises(LoadError, match=r"^DOCX could not be parsed: Bad CRC-32"):
        load_bytes(bytes(data), source="liar.docx")


@pytest.mark.parametrize(
    ("name", "html"),
    [
        ("deep nesting", "<div>" * 10_000 + "<p>Kept text.</p>" + "</div>" * 10_000),
        ("deep unclosed nesting", "<div><span><b>" * 10_000 + "Kept text."),
        (
            "huge attributes",
            f"<div class='{'a' * (10 * MB)}' data-x='{'b' * (5 * MB)}'><p>Kept text.</p></div>",
        ),
        ("many scripts", "<script>document.write('<p>x</p>')</script>" * 20_000 + "Kept text."),
    ],
    ids=lambda value: value if len(value) < 40 else "",
)
def test_hostile_html_loads_its_text(name: str, html: str) -> None:
    page = f"<html><head><title>Hostile</title></head><body>{html}</body></html>"

    document = load_bytes(page.encode(), source="hostile.html")

    assert document.text == "Kept text.", name


def test_a_20_mb_text_node_is_kept_up_to_the_text_limit(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    page = b"<html><body><p>" + b"word " * (4 * MB) + b"</p></body></html>"

    document = load_bytes(page, source="wall.html")

    assert len(document.text) == MAX_TEXT_CHARS == loaders.MAX_TEXT_CHARS
    assert f"keeping the first {MAX_TEXT_CHARS} of" in caplog.text
