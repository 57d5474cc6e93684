"""Load Word (.docx) files as light Markdown documents, keeping tables in reading order."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile

import docx
from docx.document import Document as WordDocument
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.clean import format_table, join_blocks, normalize_space
from ingest.dates import find_document_date
from ingest.document import Document, LoadError

logger = logging.getLogger(__name__)

# python-docx inflates every member into memory and parses the XML ones, so the sizes the zip
# declares are checked first (zipfile never inflates a member past its declared size: a lie
# ends in a CRC error). 200 MB leaves room for pictures; the XML, which lxml holds as a tree
# several times its size, stays under 25 MB even for a 500-page document.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_XML_BYTES = 25 * 1024 * 1024
# python-docx's blank template carries this timestamp, so documents generated from it all
# claim to be from December 2013; it says nothing about the content.
_TEMPLATE_STAMP = dt.datetime(2013, 12, 23, 23, 15)
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^list", re.IGNORECASE)
_HEADER_CELL_CHARS = 60
MB = 1024 * 1024


def load_docx(data: bytes, *, source: str) -> Document:
    """Load a DOCX file: Title/Heading styles become ``#`` lines, List styles ``- `` items.

    Raises:
        LoadError: The file is not a readable DOCX package.

    """
    _check_package(data)
    word = docx.Document(io.BytesIO(data))
    blocks = list(word.iter_inner_content())
    has_title = any(isinstance(b, Paragraph) and _style_name(b) == "title" for b in blocks)
    lines: list[tuple[str, str]] = []
    for block in blocks:
        if isinstance(block, Table):
            lines.extend(("row", row) for row in _table_rows(block))
        else:
            lines.append(_paragraph_line(block, title_offset=1 if has_title else 0))
    text = join_blocks(lines)
    properties = word.core_properties
    # An empty title falls back to the first heading in load_file / load_bytes.
    title = normalize_space(properties.title or "")
    return Document(
        source=source,
        title=title,
        text=text,
        kind="docx",
        date=find_document_date(text, hint=_date_hint(word)),
    )


def _check_package(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except zipfile.BadZipFile as exc:
        raise LoadError("DOCX could not be opened: not a valid zip package") from exc
    if "word/document.xml" not in {info.filename for info in members}:
        raise LoadError("DOCX could not be opened: no word/document.xml inside")
    size = sum(info.file_size for info in members)
    xml = sum(info.file_size for info in members if info.filename.endswith((".xml", ".rels")))
    if size > MAX_UNCOMPRESSED_BYTES:
        raise LoadError(
            f"DOCX is too large once uncompressed ({size // MB:,} MB; the limit is "
            f"{MAX_UNCOMPRESSED_BYTES // MB} MB)"
        )
    if xml > MAX_XML_BYTES:
        raise LoadError(
            f"DOCX text is too large once uncompressed ({xml // MB:,} MB of XML; the limit is "
            f"{MAX_XML_BYTES // MB} MB)"
        )


def _style_name(paragraph: Paragraph) -> str:
    """Return the paragraph's built-in style family, following custom styles to their base."""
    style: ParagraphStyle | None = paragraph.style
    for _ in range(10):
        if style is None:
            return ""
        name = (style.name or "").strip().lower()
        if name == "title" or _HEADING_STYLE.match(name) or _LIST_STYLE.match(name):
            return name
        style = style.base_style
    return ""


def _paragraph_line(paragraph: Paragraph, *, title_offset: int) -> tuple[str, str]:
    text = normalize_space(paragraph.text)
    if not text:
        return ("blank", "")
    style = _style_name(paragraph)
    if style == "title":
        return ("heading", f"# {text}")
    heading = _HEADING_STYLE.match(style)
    if heading:
        level = min(int(heading.group(1)) + title_offset, 6)
        return ("heading", f"{'#' * level} {text}")
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if _LIST_STYLE.match(style) or numbered:
        return ("item", f"- {text}")
    return ("para", text)


def _table_rows(table: Table) -> list[str]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # Merged cells repeat the same underlying cell once per grid column they span.
            if cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(cell.text)
        rows.append(cells)
    first = [normalize_space(cell) for cell in rows[0]] if rows else []
    has_header = len(rows) > 1 and all(0 < len(cell) <= _HEADER_CELL_CHARS for cell in first)
    return format_table(rows, has_header=has_header)


def _date_hint(word: WordDocument) -> str | None:
    properties = word.core_properties
    for stamp in (properties.modified, properties.created):
        if stamp is not None and stamp.replace(tzinfo=None) != _TEMPLATE_STAMP:
            return str(stamp.isoformat())
    return None
