"""Load PDF files as light Markdown: headings from font sizes, tables from column layout."""

from __future__ import annotations

import io
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PageObject, PasswordType, PdfReader

from ingest.clean import format_table, join_blocks, normalize_space
from ingest.dates import find_document_date
from ingest.document import Document, LoadError

logger = logging.getLogger(__name__)

MAX_PAGES = 500
# A page of text carries 5-50 KB of drawing instructions, and pypdf reads them at about 0.5 MB a
# second, so a page with more than this (a detailed map, or a file made to stall the refresh) is
# skipped, and reading stops once the pages read so far hold MAX_CONTENT_BYTES.
MAX_PAGE_CONTENT_BYTES = 1024 * 1024
MAX_CONTENT_BYTES = 16 * 1024 * 1024
_BULLETS = set(
    "\u2022\u25aa\u25cf\u25e6\u2023\u2043\u2219\u00b7\u25a0\u25a1\x7f\uf0b7\uf0a7*-\u2013"
)
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PAGE_LABEL = re.compile(r"^\s*page\s+\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\s*[-\u2013]?\s*\d{1,4}\s*[-\u2013]?\s*$")
# Layout mode pads columns with spaces; three or more in a row separate table cells.
_SEGMENT = re.compile(r"\S+(?: {1,2}\S+)*")
_TERMINAL = (".", "!", "?", ":", '."', ".)", ".\u201d")
_HEADING_RATIO = 1.15
MB = 1024 * 1024
_COLUMN_SLACK = 2


@dataclass(frozen=True)
class _StyledLine:
    text: str
    size: float
    bold: bool


def load_pdf(data: bytes, *, source: str) -> Document:
    """Load a PDF (at most ``MAX_PAGES`` pages) as light Markdown.

    Raises:
        LoadError: The PDF is corrupt, encrypted with a password, or no page can be read.

    """
    reader = _open(data)
    page_count = len(reader.pages)
    if page_count > MAX_PAGES:
        logger.warning("%s: reading only the first %d of %d pages", source, MAX_PAGES, page_count)
    styled: list[_StyledLine] = []
    pages: list[list[str]] = []
    budget, oversized = MAX_CONTENT_BYTES, 0
    for number in range(min(page_count, MAX_PAGES)):
        try:
            page = reader.pages[number]
            size = _content_size(page)
            if size > MAX_PAGE_CONTENT_BYTES:
                oversized += 1
                logger.warning(
                    "%s: page %d skipped: %.1f MB of drawing instructions (the limit is %g MB)",
                    source,
                    number + 1,
                    size / MB,
                    MAX_PAGE_CONTENT_BYTES / MB,
                )
                continue
            budget -= size
            if budget < 0:
                logger.warning(
                    "%s: reading stops at page %d: the pages before it hold %s MB of drawing "
                    "instructions",
                    source,
                    number + 1,
                    MAX_CONTENT_BYTES // MB,
                )
                break
            styled.extend(_styled_lines(page))
            pages.append(_layout_lines(page))
        except Exception as exc:  # one damaged page should not cost the whole document
            logger.warning("%s: page %d could not be read: %s", source, number + 1, exc)
    if not pages and oversized:
        raise LoadError(
            f"PDF pages too large: {oversized} page(s) over {MAX_PAGE_CONTENT_BYTES / MB:g} MB "
            "of drawing instructions each, no other readable page"
        )
    if not pages:
        raise LoadError("PDF could not be parsed: no page could be read")
    headings = _heading_levels(styled)
    text = _to_markdown(_drop_running_lines(pages), headings)
    return Document(
        source=source,
        title=_metadata_title(reader),
        text=text,
        kind="pdf",
        date=find_document_date(text),
    )


def _content_size(page: PageObject) -> int:
    """Bytes of the page's drawing instructions, decompressed (pypdf caps decompression)."""
    contents = page.get_contents()
    return len(contents.get_data()) if contents is not None else 0


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # Many PDFs only carry an owner password and open with an empty user password.
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise LoadError("PDF is encrypted and needs a password")
        len(reader.pages)
    except LoadError:
        raise
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        raise LoadError(f"PDF could not be parsed: {reason}") from exc
    return reader


def _styled_lines(page: PageObject) -> list[_StyledLine]:
    """Text lines with their font size and boldness, from pypdf's text visitor."""
    lines: list[_StyledLine] = []
    runs: list[tuple[str, float, bool]] = []

    def end_line() -> None:
        text = normalize_space("".join(run for run, _, _ in runs))
        if text:
            sizes = [size for run, size, _ in runs if run.strip()]
            bold = all(is_bold for run, _, is_bold in runs if run.strip())
            lines.append(_StyledLine(normalize_space(_clean(text)), min(sizes), bold))
        runs.clear()

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], font: Any, size: float) -> None:
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]) or 1.0
        name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
        bold = "bold" in name.lower() or "black" in name.lower()
        parts = text.split("\n")
        for index, part in enumerate(parts):
            if part:
                runs.append((part, round(size * scale * 2) / 2, bold))
            if index < len(parts) - 1:
                end_line()

    page.extract_text(visitor_text=visit)
    end_line()
    return lines


def _layout_lines(page: PageObject) -> list[str]:
    try:
        text = page.extract_text(extraction_mode="layout", layout_mode_space_vertically=False)
    except Exception as exc:  # layout mode is less tolerant of odd fonts than plain mode
        logger.debug("layout extraction failed, using plain text: %s", exc)
        text = page.extract_text()
    return [_clean(line.rstrip(), keep_bullet=True) for line in text.splitlines()]


def _clean(text: str, *, keep_bullet: bool = False) -> str:
    text = text.translate(_LIGATURES)
    if keep_bullet and text.lstrip()[:1] == "\x7f":
        # Some fonts map the bullet glyph to DEL; keep it as a bullet marker.
        text = text.replace("\x7f", "\u2022", 1)
    return _CONTROL.sub(" ", text)


def _heading_levels(lines: list[_StyledLine]) -> dict[str, int]:
    """Map heading text to its level: larger fonts first, then bold lines at body size."""
    weights: Counter[float] = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    if not weights:
        return {}
    body = weights.most_common(1)[0][0]
    candidates = [line for line in lines if _headingish(line.text)]
    sizes = sorted({line.size for line in candidates if line.size >= body * _HEADING_RATIO})
    levels = {size: min(rank + 1, 3) for rank, size in enumerate(reversed(sizes))}
    bold_level = min(len(levels) + 1, 3)
    headings: dict[str, int] = {}
    for line in candidates:
        if line.size in levels:
            headings.setdefault(line.text, levels[line.size])
        elif line.bold and abs(line.size - body) < 1 and not line.text.endswith(_TERMINAL):
            headings.setdefault(line.text, bold_level)
    return headings


def _headingish(text: str) -> bool:
    return len(text) <= 150 and any(char.isalpha() for char in text)


def _drop_running_lines(pages: list[list[str]]) -> list[str]:
    """Remove running headers/footers (repeated at page edges) and page-number lines."""

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", normalize_space(line)).lower()

    def edges(lines: list[str]) -> list[int]:
        filled = [index for index, line in enumerate(lines) if line.strip()]
        return filled[:2] + filled[-2:]

    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({key(lines[index]) for index in edges(lines)})
    repeated = {k for k, count in seen.items() if count >= 2 and count * 2 >= len(pages)}
    kept: list[str] = []
    for lines in pages:
        edge = set(edges(lines))
        for index, line in enumerate(lines):
            at_edge = index in edge
            if _PAGE_LABEL.match(line) or (at_edge and _BARE_NUMBER.match(line)):
                continue
            if at_edge and key(line) in repeated:
                continue
            kept.append(line)
    return kept


def _to_markdown(lines: list[str], headings: dict[str, int]) -> str:
    guess_headings = not headings
    width = _typical_width(lines)
    blocks: list[tuple[str, str]] = []
    paragraph: list[str] = []
    item: list[str] = []
    item_indent = 0
    last_heading = 0

    def flush() -> None:
        if paragraph:
            blocks.append(("para", _join_wrapped(paragraph)))
            paragraph.clear()
        if item:
            blocks.append(("item", "- " + _join_wrapped(item)))
            item.clear()

    index = 0
    while index < len(lines):
        raw = lines[index]
        stripped = normalize_space(raw)
        index += 1
        if not stripped:
            flush()
            last_heading = 0
            continue
        level = headings.get(stripped, 0)
        if guess_headings and _looks_like_heading(lines, index - 1):
            level = 2
        if level:
            flush()
            if last_heading == level and blocks and blocks[-1][0] == "heading":
                # A long heading wraps onto a second line at the same size.
                blocks[-1] = ("heading", f"{blocks[-1][1]} {stripped}")
            else:
                blocks.append(("heading", f"{'#' * level} {stripped}"))
            last_heading = level
            continue
        last_heading = 0
        if stripped[0] in _BULLETS and (len(stripped) == 1 or stripped[1] == " "):
            flush()
            text = stripped[1:].strip()
            if not text and index < len(lines):
                text, index = normalize_space(lines[index]), index + 1
            item.append(text)
            item_indent = _indent(raw)
            continue
        segments = _segments(raw)
        if len(segments) >= 2 and _continues_table(lines, index, segments, headings):
            flush()
            rows, index = _read_table(lines, index - 1, headings)
            blocks.extend(("row", row) for row in rows)
            continue
        if item and _indent(raw) > item_indent:
            item.append(stripped)
            continue
        if stripped.startswith("http") and " " not in stripped:
            flush()
            blocks.append(("url", stripped))
            continue
        if " " not in stripped and blocks and blocks[-1][0] == "url" and not paragraph:
            blocks[-1] = ("url", blocks[-1][1] + stripped)  # a long URL wrapped mid-word
            continue
        if item or (paragraph and _ends_paragraph(paragraph[-1], width)):
            flush()
        paragraph.append(stripped)
    flush()
    return join_blocks(blocks)


def _typical_width(lines: list[str]) -> int:
    lengths = sorted(len(line.strip()) for line in lines if len(_segments(line)) == 1)
    return lengths[int(len(lengths) * 0.9)] if lengths else 80


def _ends_paragraph(line: str, width: int) -> bool:
    # Wrapped lines run to the margin; a short line ending a sentence closes its paragraph.
    return line.endswith(_TERMINAL) and len(line) < width * 0.8


def _join_wrapped(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        hyphenated = len(text) > 1 and text.endswith("-") and text[-2].isalpha()
        text += line if hyphenated and line[:1].islower() else " " + line
    return text


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _segments(line: str) -> list[tuple[int, str]]:
    return [(match.start(), match.group(0)) for match in _SEGMENT.finditer(line)]


def _columns(segments: list[tuple[int, str]], starts: list[int]) -> list[int] | None:
    """Assign each segment to a table column, or None when the line does not fit the grid."""
    columns: list[int] = []
    for start, text in segments:
        if start < starts[0] - _COLUMN_SLACK:
            return None
        column = max(c for c, edge in enumerate(starts) if start >= edge - _COLUMN_SLACK)
        following = starts[column + 1] if column + 1 < len(starts) else None
        if following is not None and start + len(text) > following:
            return None  # runs across a column boundary: running text, not a cell
        columns.append(column)
    return columns


def _continues_table(
    lines: list[str], index: int, segments: list[tuple[int, str]], headings: dict[str, int]
) -> bool:
    if index >= len(lines) or not lines[index].strip() or normalize_space(lines[index]) in headings:
        return False
    following = _segments(lines[index])
    return _columns(following, [start for start, _ in segments]) is not None


def _read_table(lines: list[str], start: int, headings: dict[str, int]) -> tuple[list[str], int]:
    first = _segments(lines[start])
    starts = [position for position, _ in first]
    rows = [[text for _, text in first]]
    index = start + 1
    while index < len(lines):
        line = lines[index]
        if not line.strip() or normalize_space(line) in headings:
            break
        segments = _segments(line)
        columns = _columns(segments, starts)
        if columns is None:
            break
        if len(set(columns)) == len(starts):
            rows.append([""] * len(starts))
        for column, (_, text) in zip(columns, segments, strict=True):
            # Lines filling only some columns continue the cells of the row above.
            rows[-1][column] = f"{rows[-1][column]} {text}".strip()
        index += 1
    header = rows[0]
    has_header = len(rows) > 1 and all(0 < len(cell) <= 60 for cell in header)
    return format_table(rows, has_header=has_header), index


def _looks_like_heading(lines: list[str], index: int) -> bool:
    """Guess headings for PDFs without font information: short Title Case or CAPS lines."""
    text = normalize_space(lines[index])
    words = text.split()
    if not words or len(text) > 80 or len(words) > 12 or text.endswith((*_TERMINAL, ",", ";")):
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    long_words = [word for word in words if len(word) >= 4 and word[0].isalpha()]
    title_case = bool(long_words) and sum(w[0].isupper() for w in long_words) >= 0.6 * len(
        long_words
    )
    if not (title_case or text.isupper()):
        return False
    before = normalize_space(lines[index - 1]) if index else ""
    after = normalize_space(lines[index + 1]) if index + 1 < len(lines) else ""
    return len(after) > len(text) and (not before or before.endswith(_TERMINAL))


def _metadata_title(reader: PdfReader) -> str:
    try:
        info = reader.metadata
        title = normalize_space(str(info.title or "")) if info is not None else ""
    except Exception:  # broken metadata dictionaries are common and never fatal
        return ""
    title = re.sub(r"^Microsoft (Word|PowerPoint) - ", "", title)
    if re.search(r"\.(docx?|pdf|pptx?|indd|txt)$", title, re.IGNORECASE):
        return ""  # tools write the file name when the author set no title
    return "" if title.lower() in {"untitled", "title", "(anonymous)"} else title
