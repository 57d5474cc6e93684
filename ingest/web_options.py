"""How a refresh may fetch from the web: its limits, per source and in all.

Kept apart from the fetcher so that settings can be read without loading it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Every HTTP request one refresh may make (pages, sitemaps, robots.txt files, redirect hops):
# a safety net under the per-source limits (``SiteRules``), so that no mix of sources and sites
# can keep a refresh, and the refresh lock it holds, going for hours. Twenty times the default
# page limit of a source; ``WebOptions.max_requests`` raises it for larger configurations.
MAX_REQUESTS_PER_REFRESH = 4000

DEFAULT_MAX_PAGES = 200
# Sitemap files one source may fetch, its own included. The page limit counts pages only, so
# without this an index of indexes (or a server making them up) was fetched without end. A real
# site reaches its 200 pages from one or two files; 50 leaves room for one split by section.
MAX_SITEMAP_FILES = 50


@dataclass(frozen=True)
class SiteRules:
    """Limits for one web source: where it may lead, and how many pages a sitemap may add.

    An empty ``allowed_domains`` means the source URL's own host (and its subdomains).
    """

    allowed_domains: tuple[str, ...] = ()
    max_pages: int = DEFAULT_MAX_PAGES


@dataclass(frozen=True)
class WebOptions:
    """How a refresh fetches web sources.

    Args:
        allowed_private_hosts: hosts allowed to resolve to private addresses.
        rules: per source URL (as given), its allowed domains and page limit.
        max_requests: the HTTP requests the whole refresh may make.

    """

    allowed_private_hosts: frozenset[str] = frozenset()
    rules: Mapping[str, SiteRules] = field(default_factory=dict)
    # Every HTTP request the refresh may make (``MAX_REQUESTS_PER_REFRESH``).
    max_requests: int = MAX_REQUESTS_PER_REFRESH

    def rules_for(self, url: str) -> SiteRules:
        """The rules configured for ``url``, or the defaults."""
        return self.rules.get(url) or SiteRules()
