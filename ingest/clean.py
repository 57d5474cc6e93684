"""Turn an HTML page into light Markdown without site chrome; shared light-Markdown helpers."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, PreformattedString, Tag

from ingest.dates import TAIL_CHARS, find_document_date

logger = logging.getLogger(__name__)

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Never content: dropped wherever they appear.
_DROP_ALWAYS = {
    "script", "style", "noscript", "template", "svg", "iframe", "canvas", "object", "embed",
    "link", "meta", "head", "select", "input", "textarea", "option", "img", "picture", "video",
    "audio", "map", "dialog",
}  # fmt: skip
# Chrome by convention; but a page may wrap everything in one of them (ASP.NET puts the whole
# page in a <form>), so these are only dropped when they hold a minority of the text.
_DROP_CHROME = {"nav", "header", "footer", "aside", "form", "menu"}
_CHROME_ROLES = {
    "navigation", "banner", "contentinfo", "search", "dialog", "alertdialog", "menu", "menubar",
    "complementary", "toolbar",
}  # fmt: skip
_CHROME_WORDS = {
    "cookie", "cookies", "consent", "gdpr", "breadcrumb", "breadcrumbs", "skip", "skiplink",
    "social", "share", "sharing", "sharethis", "addthis", "sidebar", "menu", "submenu",
    "megamenu", "navbar", "nav", "navigation", "feedback", "pagination", "pager", "toolbar",
    "masthead", "utility", "visually", "sr", "screenreader", "backtotop", "print", "translate",
}  # fmt: skip
_CHROME_CLASSES = re.compile(r"usa-banner|gov-banner|official-banner|site-banner|back-to-top")
_BLOCKS = {
    "p", "div", "section", "article", "main", "blockquote", "pre", "address", "figure",
    "figcaption", "header", "footer", "details", "summary", "center", "ul", "ol", "li", "dl",
    "body", "html", "fieldset", "legend", "caption", "hr",
}  # fmt: skip
_SITE_SEPARATORS = (" | ", " \u2013 ", " \u2014 ", " :: ", " - ")
_DATE_META = (
    "article:modified_time", "og:updated_time", "dcterms.modified", "dc.date.modified",
    "last-modified", "article:published_time", "dcterms.date", "dcterms.created",
    "dc.date", "date", "citation_publication_date",
)  # fmt: skip
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


@dataclass(frozen=True)
class CleanedHtml:
    """An HTML page reduced to its content."""

    title: str
    text: str
    canonical_url: str | None
    date_hint: str | None


def clean_html(html: str) -> CleanedHtml:
    """Strip site chrome from an HTML page and render its content as light Markdown.

    Headings become ``#`` lines, list items ``- item`` lines and table rows
    ``cell | cell`` lines. Prefers ``<main>`` (or ``role=main`` / ``<article>``) when present.
    Works without recursion, so deeply nested or malformed markup cannot exhaust the stack.

    Args:
        html: The page source, already decoded.

    Returns:
        The title, the Markdown text, the canonical URL and a date hint from meta tags.

    """
    soup = BeautifulSoup(html, "lxml")
    canonical_url = _canonical_url(soup)
    date_hint = _date_hint(soup)
    page_title = _text_of(soup.title) if soup.title else ""
    for tag in list(soup.find_all(sorted(_DROP_ALWAYS))):
        tag.decompose()
    body = soup.body or soup
    if date_hint is None:
        # A "Last updated" line often sits in the site footer, which is stripped below; only
        # the page's tail is read, so dated teasers in menus and sidebars do not count.
        stated = find_document_date(body.get_text("\n")[-TAIL_CHARS:])
        date_hint = stated.isoformat() if stated else None
    root = _content_root(body)
    _drop_chrome(root)
    text = _render(root)
    h1 = root.find("h1") or body.find("h1")
    title = _choose_title(page_title, _text_of(h1) if isinstance(h1, Tag) else "")
    return CleanedHtml(title=title, text=text, canonical_url=canonical_url, date_hint=date_hint)


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace (including non-breaking spaces) into single spaces."""
    return _SPACE.sub(" ", text.replace("\n", " ")).strip()


def format_table(rows: Sequence[Sequence[str]], *, has_header: bool) -> list[str]:
    """Render table rows as ``cell | cell`` lines that each read on their own.

    With a header row, every body cell is prefixed by its column header
    (``Industry: Health care``), so a row keeps its meaning when a chunk holds it alone.

    Args:
        rows: Cell texts, row by row; cells are whitespace-normalised here.
        has_header: Whether the first row holds the column headers.

    Returns:
        One line per non-empty row.

    """
    cleaned = [[normalize_space(cell) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return []
    if not has_header or len(cleaned) == 1:
        return [" | ".join(cell for cell in row if cell) for row in cleaned]
    header, body = cleaned[0], cleaned[1:]
    lines = []
    for row in body:
        cells = []
        for index, cell in enumerate(row):
            label = header[index] if index < len(header) else ""
            if cell:
                cells.append(f"{label}: {cell}" if label and label != cell else cell)
        lines.append(" | ".join(cells))
    return lines


def join_blocks(blocks: Sequence[tuple[str, str]]) -> str:
    """Join ``(kind, text)`` blocks into light Markdown.

    Blocks are separated by a blank line, except that consecutive list items (``item``),
    table rows (``row``) and bare URLs (``url``) stay on adjacent lines.

    Args:
        blocks: Kind and text of each block, in reading order; empty texts are skipped.

    Returns:
        The joined text.

    """
    out: list[str] = []
    previous = ""
    for kind, text in blocks:
        if not text:
            continue
        if out:
            tight = kind == previous and kind in {"item", "row", "url"}
            out.append("\n" if tight else "\n\n")
        out.append(text)
        previous = kind
    return "".join(out)


def _text_of(element: PageElement | None) -> str:
    if element is None:
        return ""
    return normalize_space(element.get_text(" "))


def _canonical_url(soup: BeautifulSoup) -> str | None:
    for link in soup.find_all("link", href=True):
        if "canonical" in [value.lower() for value in link.get_attribute_list("rel")]:
            href = str(link["href"]).strip()
            if href:
                return href
    og = soup.find("meta", attrs={"property": "og:url"})
    if isinstance(og, Tag):
        content = str(og.get("content") or "").strip()
        return content or None
    return None


def _date_hint(soup: BeautifulSoup) -> str | None:
    found: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        key = str(meta.get("property") or meta.get("name") or meta.get("itemprop") or "")
        content = str(meta.get("content") or "").strip()
        if key and content:
            found.setdefault(key.lower(), content)
    for key in _DATE_META:
        if key in found:
            return found[key]
    return None


def _content_root(body: Tag) -> Tag:
    mains = [tag for tag in body.find_all("main")]
    mains += [tag for tag in body.find_all(True, attrs={"role": "main"}) if tag not in mains]
    candidates = mains or body.find_all("article")
    if not candidates:
        return body
    best = max(candidates, key=lambda tag: len(tag.get_text()))
    # An empty <main> placeholder filled by JavaScript is not the content.
    return best if len(best.get_text().strip()) >= 200 else body


def _is_chrome(tag: Tag) -> bool:
    if tag.name == "button":
        return not any(parent.name in _HEADINGS for parent in tag.parents)
    if tag.name in _DROP_CHROME:
        return True
    attrs = tag.attrs or {}
    if str(attrs.get("role", "")).lower() in _CHROME_ROLES:
        return True
    label = str(attrs.get("aria-label", ""))[:200].lower()
    if "breadcrumb" in label or "share" in label:
        return True
    classes = [str(name) for name in tag.get_attribute_list("class") if name]
    names = [name[:200].lower() for name in classes[:50]]
    names.append(str(attrs.get("id", ""))[:200].lower())
    for name in names:
        if _CHROME_CLASSES.search(name):
            return True
        parts = set(re.split(r"[-_\s]+", name))
        if parts & _CHROME_WORDS:
            return True
    return False


def _drop_chrome(root: Tag) -> None:
    sizes = _text_sizes(root)
    total = sizes.get(id(root), 0)
    doomed = []
    for tag in root.find_all(True):
        # A "chrome" element holding most of the page is a layout wrapper, not chrome.
        minority = sizes.get(id(tag), 0) * 2 < total or total == 0
        if _is_chrome(tag) and (tag.name == "button" or minority):
            doomed.append(tag)
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()


def _text_sizes(root: Tag) -> dict[int, int]:
    """Text length under each element, computed bottom-up in one pass without recursion."""
    nodes = [root, *root.descendants]
    sizes: dict[int, int] = {}
    for node in reversed(nodes):
        if isinstance(node, Tag):
            sizes[id(node)] = sum(sizes.get(id(child), 0) for child in node.contents)
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            sizes[id(node)] = len(node.strip())
    return sizes


class _Writer:
    """Collects inline text into blocks: paragraphs, headings, list items and table rows."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str]] = []
        self.inline: list[str] = []
        self.prefix = ""

    def add_text(self, text: str) -> None:
        self.inline.append(text)

    def flush(self) -> None:
        lines = [normalize_space(line) for line in "".join(self.inline).split("\n")]
        text = "\n".join(line for line in lines if line)
        self.inline = []
        if text:
            kind = "item" if self.prefix else "para"
            self.blocks.append((kind, self.prefix + text))
            self.prefix = ""

    def add_block(self, kind: str, text: str) -> None:
        self.flush()
        self.prefix = ""
        if text:
            self.blocks.append((kind, text))

    def markdown(self) -> str:
        self.flush()
        return join_blocks(self.blocks)


def _render(root: Tag) -> str:
    writer = _Writer()
    in_pre = 0
    for node, leaving in _walk(root):
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):
                # Source line breaks are just spaces, except inside <pre>.
                writer.add_text(str(node) if in_pre else str(node).replace("\n", " "))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name == "pre":
            in_pre += -1 if leaving else 1
        if leaving:
            if name in _BLOCKS:
                writer.flush()
            continue
        if name == "br":
            writer.add_text("\n")
        elif name in _HEADINGS:
            text = _text_of(node)
            writer.add_block("heading", f"{'#' * _HEADINGS[name]} {text}" if text else "")
        elif name == "table":
            for row in _table_lines(node):
                writer.add_block("row", row)
            writer.flush()
        elif name == "dl":
            for line in _definition_lines(node):
                writer.add_block("para", line)
        elif name == "li":
            writer.flush()
            writer.prefix = "- "
        elif name in _BLOCKS:
            writer.flush()
    return writer.markdown()


def _walk(root: Tag) -> Iterator[tuple[PageElement, bool]]:
    """Yield (node, leaving) in document order; tables, lists of terms and headings are leaves."""
    stack: list[tuple[PageElement, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        yield node, leaving
        if leaving or not isinstance(node, Tag):
            continue
        stack.append((node, True))
        if node.name in _HEADINGS or node.name in {"table", "dl"}:
            continue
        stack.extend((child, False) for child in reversed(node.contents))


def _table_lines(table: Tag) -> list[str]:
    rows: list[list[str]] = []
    header_rows = 0
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue  # nested tables are read as part of their enclosing cell
        cells = tr.find_all(["th", "td"], recursive=False)
        if not cells:
            continue
        if not rows and (tr.find_parent("thead") or all(cell.name == "th" for cell in cells)):
            header_rows = 1
        rows.append([_text_of(cell) for cell in cells])
    return format_table(rows, has_header=header_rows == 1)


def _definition_lines(dl: Tag) -> list[str]:
    lines: list[str] = []
    term = ""
    definitions: list[str] = []
    for item in dl.find_all(["dt", "dd"]):
        if item.find_parent("dl") is not dl:
            continue
        if item.name == "dt":
            if term or definitions:
                lines.append(_definition(term, definitions))
            term, definitions = _text_of(item), []
        else:
            definitions.append(_text_of(item))
    if term or definitions:
        lines.append(_definition(term, definitions))
    return [line for line in lines if line]


def _definition(term: str, definitions: list[str]) -> str:
    body = " ".join(text for text in definitions if text)
    return f"{term}: {body}" if term and body else term or body


def _choose_title(page_title: str, h1: str) -> str:
    if len(h1) >= 8 and page_title.startswith(h1):
        return h1  # the page title is the h1 plus a site name
    title = page_title
    for separator in _SITE_SEPARATORS:
        if separator in title:
            head, _, tail = title.rpartition(separator)
            # " - " often sits inside real titles, so only cut it before a short site name.
            if separator != " - " or len(tail.split()) <= 4:
                title = head.strip()
                break
    if h1 and len(title) < 8:
        return h1  # missing or generic ("Home") page title
    return title or h1
