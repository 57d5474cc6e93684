"""Recognise XML sitemaps (``urlset`` and ``sitemapindex``) and list the addresses they name."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

_KINDS = frozenset({"urlset", "sitemapindex"})


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: ``urlset`` lists pages, ``sitemapindex`` lists further sitemaps."""

    kind: str
    locations: tuple[str, ...]

    @property
    def is_index(self) -> bool:
        """True for a sitemap index, whose entries are sitemaps rather than pages."""
        return self.kind == "sitemapindex"


def looks_like_xml(data: bytes) -> bool:
    """True when the bytes start like an XML document rather than HTML or a binary format."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<urlset", b"<sitemapindex"))


def parse_sitemap(data: bytes) -> Sitemap | None:
    """Parse a sitemap; None when the bytes are not one (another XML document, or not XML).

    External entities, DTDs and network access are all refused while parsing.
    """
    if not looks_like_xml(data):
        return None
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        return None
    if root is None or not isinstance(root.tag, str):
        return None
    kind = etree.QName(root).localname
    if kind not in _KINDS:
        return None
    entry = "url" if kind == "urlset" else "sitemap"
    locations = []
    for child in root:
        if not isinstance(child.tag, str) or etree.QName(child).localname != entry:
            continue
        for field in child:
            if isinstance(field.tag, str) and etree.QName(field).localname == "loc":
                text = (field.text or "").strip()
                if text:
                    locations.append(text)
    return Sitemap(kind, tuple(dict.fromkeys(locations)))
