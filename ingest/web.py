"""Web sources in a refresh: fetch pages, expand sitemaps, reuse validators for conditional GETs."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ingest.document import Document, LoadError
from ingest.fetch import (
    PAGE_TYPES,
    SITEMAP_TYPES,
    Fetcher,
    FetchError,
    FetchResult,
    Validators,
    host_of,
    in_domains,
)
from ingest.loaders import load_bytes
from ingest.sitemap import Sitemap, looks_like_xml, parse_sitemap
from ingest.web_options import MAX_SITEMAP_FILES, SiteRules, WebOptions
from ingest.web_state import WebPageRecord

logger = logging.getLogger(__name__)

# A sitemap index may list further indexes; deeper nesting than this is not followed.
MAX_SITEMAP_DEPTH = 3


@dataclass(frozen=True)
class WebOutcome:
    """A web source's result: a document, "unchanged" (304), or the pages a sitemap lists."""

    document: Document | None = None
    validators: Validators = field(default_factory=Validators)
    unchanged: bool = False
    pages: tuple[str, ...] = ()
    is_sitemap: bool = False


def domains_for(url: str, rules: SiteRules) -> tuple[str, ...]:
    """The domains a source may visit: the configured ones, else its own host."""
    return rules.allowed_domains or (host_of(url),)


class WebLoader:
    """Loads the web sources of one refresh with one fetcher (so robots.txt is read once)."""

    def __init__(self, options: WebOptions, fetcher: Fetcher | None = None) -> None:
        self.options = options
        self.fetcher = fetcher or Fetcher(
            allowed_private_hosts=options.allowed_private_hosts, max_requests=options.max_requests
        )
        # Pages a sitemap listed: the sitemap they came from, and its rules.
        self.listed_in: dict[str, str] = {}
        self._inherited: dict[str, SiteRules] = {}

    def rules_for(self, url: str) -> SiteRules:
        """Rules of a source: inherited from its sitemap for listed pages."""
        return self._inherited.get(url) or self.options.rules_for(url)

    def load(self, url: str, validators: Validators | None = None) -> WebOutcome:
        """Fetch ``url``: a page becomes a document, a sitemap the list of its pages.

        Raises:
            LoadError: the fetch was refused or failed, or the content cannot be loaded.

        """
        try:
            return self._load(url, validators)
        except LoadError:
            raise
        except Exception as error:  # noqa: BLE001 - one bad page must never stop a refresh
            logger.debug("%s: fetch failed", url, exc_info=True)
            raise LoadError(f"could not be fetched ({type(error).__name__})") from error

    def _load(self, url: str, validators: Validators | None) -> WebOutcome:
        rules = self.rules_for(url)
        domains = domains_for(url, rules)
        listed = url in self.listed_in
        result = self.fetcher.fetch(url, allowed_domains=domains, validators=validators)
        if result.not_modified:
            return WebOutcome(validators=result.validators, unchanged=True)
        sitemap = self._sitemap_in(result)
        if sitemap is not None:
            if listed:
                raise LoadError("a sitemap listed as a page of another sitemap")
            budget = _SitemapBudget(MAX_SITEMAP_FILES - 1)  # the source's own file is fetched
            pages = self._expand(sitemap, result.url, domains, rules.max_pages, 0, budget)
            for page in pages:
                self.listed_in.setdefault(page, url)
                self._inherited.setdefault(page, rules)
            return WebOutcome(pages=tuple(pages), is_sitemap=True)
        document = load_bytes(
            result.body, source=result.url, content_type=result.content_type, url=result.url
        )
        return WebOutcome(document=document, validators=result.validators)

    def _sitemap_in(self, result: FetchResult) -> Sitemap | None:
        if result.media_type in SITEMAP_TYPES or (
            result.media_type not in PAGE_TYPES and looks_like_xml(result.body)
        ):
            sitemap = parse_sitemap(result.body)
            if sitemap is None:
                raise FetchError(f"unsupported content type {result.media_type or 'XML'}")
            return sitemap
        return None

    def _expand(
        self,
        sitemap: Sitemap,
        url: str,
        domains: tuple[str, ...],
        limit: int,
        depth: int,
        budget: _SitemapBudget,
    ) -> list[str]:
        pages: list[str] = []
        for location in sitemap.locations:
            if len(pages) >= limit:
                logger.info("sitemap %s: page limit of %d reached", url, limit)
                break
            if budget.spent:
                break
            if not location.startswith(("http://", "https://")) or not in_domains(
                host_of(location), domains
            ):
                logger.info("sitemap %s: skipped %s (outside the allowed domains)", url, location)
                continue
            if not sitemap.is_index:
                pages.append(location)
                continue
            if depth + 1 >= MAX_SITEMAP_DEPTH:
                logger.info("sitemap %s: %s is nested too deeply; skipped", url, location)
                continue
            if not budget.take():
                logger.info(
                    "sitemap %s: %d sitemap files fetched for this source; the rest are skipped",
                    url,
                    MAX_SITEMAP_FILES,
                )
                break
            child_result = self.fetcher.fetch(location, allowed_domains=domains)
            child = self._sitemap_in(child_result) if child_result.body else None
            if child is None:
                raise FetchError(f"{location} is listed in a sitemap index but is no sitemap")
            pages.extend(
                self._expand(
                    child, child_result.url, domains, limit - len(pages), depth + 1, budget
                )
            )
        return list(dict.fromkeys(pages))


@dataclass
class _SitemapBudget:
    """The sitemap files a source may still fetch, shared by every level of its expansion."""

    files_left: int
    spent: bool = False

    def take(self) -> bool:
        """Use one file; False (and spent from now on) when none is left."""
        if self.files_left <= 0:
            self.spent = True
            return False
        self.files_left -= 1
        return True


def reusable_validators(
    record: WebPageRecord | None, doc_id: str, old_hash: str | None, basis: str
) -> Validators | None:
    """Validators worth sending: only when the served document is what they describe."""
    if record is None or old_hash is None:
        return None
    if record.doc_id != doc_id or record.content_hash != old_hash or record.basis != basis:
        return None
    validators = Validators(record.etag, record.last_modified)
    return validators or None
