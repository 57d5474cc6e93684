"""Turn files and fetched bytes into ``Document`` objects, choosing a loader by type."""

from __future__ import annotations

import dataclasses
import logging
import pathlib
import re
from urllib.parse import urlsplit

from ingest.document import Document, LoadError, UnsupportedTypeError
from ingest.loaders.docx import load_docx
from ingest.loaders.html import load_html
from ingest.loaders.pdf import load_pdf
from ingest.loaders.text import load_markdown, load_text
from ingest.loaders.titles import first_content_line

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".html", ".htm", ".pdf", ".docx", ".md", ".markdown", ".txt"}
)
# Larger files are almost certainly not knowledge-base documents, and parsing them could
# exhaust memory.
MAX_BYTES = 100 * 1024 * 1024
# About 600 printed pages. Every 700 characters become a chunk and its sentences, embedded at
# about 40 a second, so a document past this (a 20 MB text node, say) would tie up the refresh
# for an hour; its first part is kept, like a PDF's first MAX_PAGES pages.
MAX_TEXT_CHARS = 2_000_000
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    DOCX_CONTENT_TYPE: ".docx",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "text/plain": ".txt",
}
_LABELS = {
    ".html": "HTML",
    ".htm": "HTML",
    ".pdf": "PDF",
    ".docx": "DOCX",
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".txt": "text",
}
_MAX_LINE_TITLE = 100
_MEANINGFUL_NAME_WORDS = 2
_OPENING_WORDS = 8
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)


def load_file(path: pathlib.Path, *, source: str | None = None) -> Document:
    """Load one file, choosing the loader by its suffix.

    Args:
        path: The file to read.
        source: How the document is identified later; defaults to ``str(path)``.

    Returns:
        The loaded document, its text in light Markdown.

    Raises:
        UnsupportedTypeError: No loader handles the file's suffix.
        LoadError: The file cannot be read or parsed, or holds no text.

    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedTypeError(f"unsupported file type {suffix or '(no suffix)'}")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise LoadError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"file could not be read: {exc.strerror or type(exc).__name__}") from exc
    return _load(data, suffix, source=source or str(path), url=None, charset=None)


def load_bytes(
    data: bytes, *, source: str, content_type: str | None = None, url: str | None = None
) -> Document:
    """Load fetched bytes, choosing the loader by content type, else by the source's suffix.

    Args:
        data: The raw content.
        source: The URL or path the bytes came from.
        content_type: An HTTP ``Content-Type`` value, parameters allowed.
        url: The address the content was fetched from, if it was fetched.

    Returns:
        The loaded document, its text in light Markdown.

    Raises:
        UnsupportedTypeError: Neither the content type nor the suffix is a supported type.
        LoadError: The content cannot be parsed or holds no text.

    """
    media_type, charset = _parse_content_type(content_type)
    suffix = _CONTENT_TYPES.get(media_type) or _suffix_of(source)
    if suffix not in SUPPORTED_SUFFIXES:
        sniffed = _sniff(data)
        if sniffed is None:
            raise UnsupportedTypeError(f"unsupported file type {suffix or media_type or 'unknown'}")
        suffix = sniffed
    if len(data) > MAX_BYTES:
        raise LoadError(f"content is larger than {MAX_BYTES // (1024 * 1024)} MB")
    return _load(data, suffix, source=source, url=url, charset=charset)


def _load(
    data: bytes, suffix: str, *, source: str, url: str | None, charset: str | None
) -> Document:
    try:
        if suffix in {".html", ".htm"}:
            document = load_html(data, source=source, url=url, charset=charset)
        elif suffix == ".pdf":
            document = load_pdf(data, source=source)
        elif suffix == ".docx":
            document = load_docx(data, source=source)
        elif suffix in {".md", ".markdown"}:
            document = load_markdown(data, source=source, url=url)
        else:
            document = load_text(data, source=source)
    except LoadError:
        raise
    except Exception as exc:  # callers report and skip; no parser error may escape
        logger.debug("%s: loader failed", source, exc_info=True)
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        raise LoadError(f"{_LABELS[suffix]} could not be parsed: {reason}") from exc
    if not document.text.strip():
        raise LoadError("no text found")
    if len(document.text) > MAX_TEXT_CHARS:
        logger.warning(
            "%s: keeping the first %d of %d characters of text",
            source,
            MAX_TEXT_CHARS,
            len(document.text),
        )
        document = dataclasses.replace(document, text=document.text[:MAX_TEXT_CHARS])
    if url and not document.url:
        document = dataclasses.replace(document, url=url)
    if not document.title:
        document = dataclasses.replace(document, title=_fallback_title(document.text, source))
    return document


def _fallback_title(text: str, source: str) -> str:
    """First heading, else a short first line, else the file name made readable."""
    heading = _HEADING.search(text)
    if heading:
        return heading.group(1).strip()
    first_line = first_content_line(text)
    if len(first_line) <= _MAX_LINE_TITLE:
        return first_line
    name = _readable_name(source)
    # A name like "000_b688d49e53fce45f" says nothing; the text's opening words say more.
    if len(re.findall(r"[A-Za-z]{3,}", name)) >= _MEANINGFUL_NAME_WORDS:
        return name
    words = first_line.split()
    return " ".join(words[:_OPENING_WORDS]).rstrip(",;:.") + "…"


def _parse_content_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    media_type, *params = content_type.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("'\"") or None
    return media_type.strip().lower(), charset


def _suffix_of(source: str) -> str:
    path = urlsplit(source).path if "://" in source else source
    return pathlib.PurePosixPath(path.replace("\\", "/")).suffix.lower()


def _sniff(data: bytes) -> str | None:
    """Recognise PDFs and HTML pages served without a usable type or suffix."""
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return ".pdf"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return ".html"
    return None


def _readable_name(source: str) -> str:
    path = urlsplit(source).path if "://" in source else source
    stem = pathlib.PurePosixPath(path.replace("\\", "/").rstrip("/")).stem
    words = re.sub(r"[_\-.\s]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else source
