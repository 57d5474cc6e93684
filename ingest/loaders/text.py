"""Load plain-text (.txt) and Markdown (.md) files as light Markdown documents."""

from __future__ import annotations

import codecs
import logging
import re

from ingest.clean import format_table, join_blocks, normalize_space
from ingest.dates import find_document_date
from ingest.document import Document, LoadError
from ingest.loaders.titles import first_content_line

logger = logging.getLogger(__name__)

_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)[\s#]*$")
_BULLET = re.compile(r"^(\s*)(?:[-*+\u2022\u25aa\u2013]|\d{1,3}[.)])\s+(.*)$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_FRONT_MATTER_LINE = re.compile(r"^(?:[A-Za-z_][\w.-]*\s*:|\s|-\s|#|$)")
_HEADER_LINE = re.compile(r"^(Title|URL|Date|Source)\s*:\s*(\S.*)$", re.IGNORECASE)
_HEADER_LINES = 6
_URL_LINE = re.compile(r"^\s*<?https?://\S+>?\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_INLINE_RULES = [
    (re.compile(r"<!--.*?-->"), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[a-zA-Z][^>]*>"), " "),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*\\])\*(?=\S)(.+?)(?<=[^\s\\])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w\\])_(?=\S)(.+?)(?<=[^\s\\])_(?!\w)"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),
]


def decode_text(data: bytes) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252.

    Args:
        data: The raw file contents.

    Returns:
        The text, with Unix line endings.

    Raises:
        LoadError: The bytes are binary (NUL or many control bytes) or cannot be decoded.

    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError("text could not be decoded as UTF-16") from exc
    elif b"\x00" in data:
        raise LoadError("binary file, not text")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise LoadError("text could not be decoded (not UTF-8 or cp1252)") from exc
    if len(_CONTROL.findall(text[:65536])) > max(8, len(text[:65536]) // 100):
        raise LoadError("binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_text(data: bytes, *, source: str) -> Document:
    """Load a plain-text file, recognising underlined and ALL-CAPS headings and bullets.

    A file may open with a header of ``Title:`` / ``URL:`` lines ended by a blank line, as
    saved web pages and mail-like notes do: the header names the document, it is not its text.
    """
    meta, lines = _header(decode_text(data).split("\n"))
    text = _to_blocks(_mark_plain_headings(lines), inline=False)
    return Document(
        source=source,
        title=meta.get("title") or _first_line_title(text),
        text=text,
        kind="text",
        url=meta.get("url"),
        date=find_document_date(text, hint=meta.get("date")),
    )


def _header(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Read a ``Key: value`` header of known keys at the top, ended by a blank line."""
    meta: dict[str, str] = {}
    for index, line in enumerate(lines[:_HEADER_LINES]):
        if not line.strip():
            return (meta, lines[index + 1 :]) if "title" in meta or "url" in meta else ({}, lines)
        match = _HEADER_LINE.match(line)
        if match is None:
            return {}, lines
        meta[match.group(1).lower()] = match.group(2).strip()
    return {}, lines


def load_markdown(data: bytes, *, source: str, url: str | None = None) -> Document:
    """Load a Markdown file; front matter may give ``title``, ``url`` and ``date``."""
    lines = decode_text(data).split("\n")
    meta, lines = _front_matter(lines)
    text = _to_blocks(_mark_setext_headings(lines), inline=True)
    title = meta.get("title") or _first_heading(text) or _first_line_title(text)
    return Document(
        source=source,
        title=title,
        text=text,
        kind="markdown",
        url=meta.get("url") or meta.get("canonical_url") or url,
        date=find_document_date(text, hint=meta.get("date")),
    )


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Read simple ``key: value`` front matter between ``---`` lines at the top."""
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for end in range(1, min(len(lines), 100)):
        if lines[end].strip() in {"---", "..."}:
            break
    else:
        return {}, lines
    block = lines[1:end]
    # A file may simply open with a horizontal rule; only YAML-like lines make front matter.
    if not all(_FRONT_MATTER_LINE.match(line) for line in block):
        return {}, lines
    meta: dict[str, str] = {}
    for line in block:
        key, colon, value = line.partition(":")
        if colon and key.strip() and not line.startswith((" ", "\t", "-")):
            value = value.strip().strip("'\"").strip()
            if value:
                meta[key.strip().lower()] = value
    return meta, lines[end + 1 :]


def _mark_setext_headings(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        underline = _UNDERLINE.match(line)
        previous = out[-1] if out else ""
        if underline and len(underline.group(1)) >= 2 and _is_heading_candidate(previous):
            level = "#" if underline.group(1).startswith("=") else "##"
            out[-1] = f"{level} {previous.strip()}"
        else:
            out.append(line)
    return out


def _mark_plain_headings(lines: list[str]) -> list[str]:
    lines = _mark_setext_headings(lines)
    # Underlines left over (no text above them) are separators, not content.
    lines = [line for line in lines if not _UNDERLINE.match(line) or len(line.strip()) < 3]
    out: list[str] = []
    for index, line in enumerate(lines):
        before = lines[index - 1] if index else ""
        after = lines[index + 1] if index + 1 < len(lines) else ""
        stripped = line.strip()
        shouting = (
            len(stripped) <= 80
            and sum(char.isalpha() for char in stripped) >= 3
            and stripped.upper() == stripped
            and not before.strip()
            and not after.strip()
            and _is_heading_candidate(line)
        )
        out.append(f"## {stripped}" if shouting else line)
    return out


def _is_heading_candidate(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not (
        _ATX.match(line) or _BULLET.match(line) or _URL_LINE.match(line) or "|" in stripped
    )


def _to_blocks(lines: list[str], *, inline: bool) -> str:
    """Join wrapped lines into paragraphs and list items; emit headings and table rows."""
    blocks: list[tuple[str, str]] = []
    paragraph: list[str] = []
    item: list[str] = []
    item_indent = 0

    def clean(text: str) -> str:
        return normalize_space(_strip_inline(text) if inline else text)

    def flush() -> None:
        nonlocal item_indent
        if paragraph:
            blocks.append(("para", clean(" ".join(paragraph))))
            paragraph.clear()
        if item:
            blocks.append(("item", "- " + clean(" ".join(item))))
            item.clear()
        item_indent = 0

    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        index += 1
        if inline and _FENCE.match(line):
            flush()
            code: list[str] = []
            while index < len(lines) and not _FENCE.match(lines[index]):
                code.append(lines[index].rstrip())
                index += 1
            index += 1
            blocks.append(("para", "\n".join(code).strip("\n")))
            continue
        if inline and stripped.startswith(">"):
            stripped = stripped.lstrip("> ")
            line = stripped
        heading = _ATX.match(line)
        bullet = _BULLET.match(line)
        if not stripped or _RULE.match(line) or (inline and _REFERENCE.match(line)):
            flush()
        elif heading:
            flush()
            blocks.append(("heading", f"{heading.group(1)} {clean(heading.group(2))}"))
        elif "|" in stripped and index < len(lines) and _TABLE_SEPARATOR.match(lines[index]):
            flush()
            rows = [_table_cells(stripped)]
            index += 1
            while index < len(lines) and "|" in lines[index]:
                rows.append(_table_cells(lines[index]))
                index += 1
            rows = [[clean(cell) for cell in row] for row in rows]
            blocks.extend(("row", row) for row in format_table(rows, has_header=True))
        elif bullet:
            flush()
            item.append(bullet.group(2))
            item_indent = len(bullet.group(1)) + 1
        elif item and len(line) - len(line.lstrip()) >= item_indent:
            item.append(stripped)
        elif _URL_LINE.match(line):
            flush()
            blocks.append(("url", clean(stripped.strip("<>"))))
        else:
            if item:
                flush()
            paragraph.append(stripped)
    flush()
    return join_blocks(blocks)


def _table_cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", stripped)]


def _strip_inline(text: str) -> str:
    for pattern, replacement in _INLINE_RULES:
        text = pattern.sub(replacement, text)
    return text


def _first_heading(text: str) -> str:
    for line in text.split("\n"):
        match = _ATX.match(line)
        if match and len(match.group(1)) == 1:
            return match.group(2).strip()
    return ""


def _first_line_title(text: str) -> str:
    """The first line that reads as a title; a text opening with a paragraph has none."""
    line = first_content_line(text)
    return line if len(line) <= 150 else ""
