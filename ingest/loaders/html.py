"""Load HTML pages as light Markdown documents, without the site's chrome."""

from __future__ import annotations

import codecs
import logging
import re

from ingest.clean import clean_html
from ingest.dates import find_document_date
from ingest.document import Document, LoadError

logger = logging.getLogger(__name__)

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE
)
# Browsers read these labels as Windows-1252, and so do pages that declare them.
_WINDOWS_1252_ALIASES = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "iso8859-1"}


def load_html(
    data: bytes, *, source: str, url: str | None = None, charset: str | None = None
) -> Document:
    """Load an HTML page: strip chrome, keep the content as light Markdown.

    Args:
        data: The raw page bytes.
        source: Where the page came from (file path or URL), kept on the document.
        url: The address the page was fetched from, used when it names no canonical URL.
        charset: The charset from an HTTP Content-Type header, if any.

    Returns:
        The document, with the canonical URL and the date the page states about itself.

    Raises:
        LoadError: The bytes are binary rather than HTML.

    """
    cleaned = clean_html(decode_html(data, charset=charset))
    return Document(
        source=source,
        title=cleaned.title,
        text=cleaned.text,
        kind="html",
        url=cleaned.canonical_url or url,
        date=find_document_date(cleaned.text, hint=cleaned.date_hint),
    )


def decode_html(data: bytes, *, charset: str | None = None) -> str:
    """Decode page bytes: byte-order mark, then the given or ``<meta>`` charset, else UTF-8.

    Undecodable bytes become U+FFFD rather than failing the whole page.

    Raises:
        LoadError: The bytes contain NUL bytes without a UTF-16 byte-order mark.

    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data:
        raise LoadError("binary file, not HTML")
    declared = charset
    if not declared:
        match = _META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii") if match else None
    encoding = _known_encoding(declared)
    return data.decode(encoding, errors="replace")


def _known_encoding(label: str | None) -> str:
    if not label:
        return "utf-8"
    label = label.strip().lower()
    if label in _WINDOWS_1252_ALIASES:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        logger.debug("unknown charset %r, decoding as UTF-8", label)
        return "utf-8"
