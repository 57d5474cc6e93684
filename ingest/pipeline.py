"""A refresh: resolve -> load -> split -> chunk, then hand the chunks to a version builder.

What goes into the new version (added, updated, carried over, removed) is decided here; how a
version is written, published and retired is ``knowledge.store.builder``'s. Nothing the bot is
serving changes until the builder publishes, a single database transaction; a refresh that
fails anywhere before it leaves the previous version answering questions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunk import chunk_sections
from ingest.document import Document, LoadError
from ingest.loaders import load_file
from ingest.sources import ResolvedSource, document_id, is_under, resolve
from ingest.split import split_sections
from ingest.summary import FailedSource, RefreshSummary
from ingest.web import WebLoader, reusable_validators
from ingest.web_options import WebOptions
from ingest.web_state import WebPageRecord, load_pages, save_pages
from knowledge import (
    CachedEmbedder,
    Chunk,
    DocumentRecord,
    KnowledgeBase,
    VersionBuilder,
    VersionRecord,
    current_version,
    documents_of,
    retire_old_versions,
)

logger = logging.getLogger(__name__)

# Bump when loading, splitting, chunking or what a sentence is embedded as changes, so every
# document is rebuilt once.
PIPELINE_VERSION = "12"

Progress = Callable[[str, int, int], None]


class RefreshError(Exception):
    """A refresh failed; the previous version is still being served."""


@dataclass
class _Plan:
    """What goes into the new version."""

    loaded: dict[str, tuple[ResolvedSource, Document, str]] = field(default_factory=dict)
    carried: list[str] = field(default_factory=list)
    # Documents to keep from the previous version: sources that failed (also pages of a sitemap
    # that could not be read) and pages the server said are unchanged (HTTP 304).
    keep: set[str] = field(default_factory=set)
    # Pages an earlier refresh found in a sitemap that no longer lists them.
    dropped: set[str] = field(default_factory=set)
    # Validators of the pages fetched, remembered once the version is published.
    fetched: list[WebPageRecord] = field(default_factory=list)


@dataclass
class _LoadContext:
    """What loading needs beyond the sources: the fetcher and what was served before."""

    web: WebLoader
    pages: dict[str, WebPageRecord]
    old_documents: dict[str, DocumentRecord]


def refresh(
    kb: KnowledgeBase,
    locations: list[tuple[str, str | None]],
    *,
    full: bool,
    reset: bool = False,
    progress: Progress | None = None,
    web: WebOptions | None = None,
) -> RefreshSummary:
    """Build and publish a new knowledge-base version from ``locations``.

    Args:
        kb: the knowledge base to refresh.
        locations: (file, folder or URL, optional URL to cite it by) pairs.
        full: the locations are the configured sources: configured documents not found among
            them are removed (documents added by hand with ``ingest PATH`` stay). Otherwise they
            are added to what is already indexed, and only documents that vanished from a named
            folder are removed.
        reset: start from nothing: the new version holds exactly these locations.
        progress: called as (step, done, total) while work goes on.
        web: how web sources are fetched (allowed domains, page limits, private hosts); by
            default each URL may visit only its own host and private addresses are refused.

    """
    started = time.monotonic()
    report = progress or (lambda _step, _done, _total: None)
    summary = RefreshSummary()
    resolution = resolve(locations)
    summary.failed.extend(
        FailedSource(name, "no such file or folder") for name in resolution.missing
    )
    previous = None if reset else current_version(kb.engine)
    old_documents = documents_of(kb.engine, previous.version_id) if previous else {}

    context = _LoadContext(WebLoader(web or WebOptions()), load_pages(kb.engine), old_documents)
    plan = _load_all(resolution.sources, summary, report, context)
    for doc_id, (source, _document, content_hash) in plan.loaded.items():
        old = old_documents.get(doc_id)
        name = source.display_path or source.location
        if old is None:
            summary.added.append(name)
        elif old.content_hash == content_hash:
            summary.unchanged.append(name)
        else:
            summary.updated.append(name)
    failed_ids = {s.doc_id for s in resolution.sources if s.doc_id not in plan.loaded}
    failed_ids |= plan.keep
    for doc_id, old in old_documents.items():
        if doc_id in plan.loaded:
            continue
        # A refresh of the configured sources removes what is no longer configured, but not
        # what someone added by hand with `sectorbot ingest PATH`.
        vanished = (
            (full and old.origin == "configured")
            or is_under(old.source, resolution.roots)
            or doc_id in plan.dropped
        )
        if doc_id in failed_ids or not vanished:
            plan.carried.append(doc_id)  # keep what we had rather than lose it to a bad read
        else:
            summary.removed.append(old.path or old.source)

    same_model = previous is not None and previous.embedding_model == kb.embedder.model_id
    if previous and same_model and not (summary.added or summary.updated or summary.removed):
        summary.documents = previous.document_count
        summary.chunks = previous.chunk_count
        summary.version_id = previous.version_id
        summary.seconds = time.monotonic() - started
        save_pages(kb.engine, plan.fetched)
        return summary
    if not (plan.loaded or plan.carried):
        # An empty version would replace what is served with nothing (and would stop `ask` from
        # building the configured sources); a refresh that indexes nothing changes nothing.
        logger.warning("nothing could be indexed; the knowledge base is left as it was")
        summary.removed.clear()
        serving = current_version(kb.engine)
        if serving:
            summary.documents, summary.chunks = serving.document_count, serving.chunk_count
            summary.version_id = serving.version_id
        summary.seconds = time.monotonic() - started
        return summary

    embedder = CachedEmbedder(kb.embedder, kb.engine)
    builder = VersionBuilder(kb, embedder)
    try:
        origin = "configured" if full else "manual"
        _write_version(builder, previous, old_documents, plan, report, origin)
        builder.publish()
    except Exception as error:
        builder.abandon(error)
        raise RefreshError(
            f"refresh failed, the previous version is still served: {error}"
        ) from error
    save_pages(kb.engine, plan.fetched)
    retire_old_versions(kb)
    summary.version_id = builder.version_id
    summary.documents = len(builder.documents)
    summary.chunks = sum(d.chunk_count for d in builder.documents)
    summary.embedded = embedder.computed
    summary.seconds = time.monotonic() - started
    return summary


def _load_all(
    sources: list[ResolvedSource], summary: RefreshSummary, report: Progress, context: _LoadContext
) -> _Plan:
    plan = _Plan()
    queue = list(sources)  # a sitemap adds its pages at the end
    queued = {source.doc_id for source in queue}
    expanded: set[str] = set()
    done = 0
    while done < len(queue):
        source = queue[done]
        report("load", done, len(queue))
        done += 1
        name = source.display_path or source.location
        record = None
        try:
            if not source.is_web:
                document = _load(source)
            else:
                loaded = _load_web(source, context)
                if isinstance(loaded, list):  # a sitemap: its pages join the queue
                    expanded.add(source.location)
                    for page in loaded:
                        if page.doc_id not in queued:
                            queued.add(page.doc_id)
                            queue.append(page)
                    continue
                if loaded is None:  # HTTP 304: the served document is current
                    plan.keep.add(source.doc_id)
                    summary.unchanged.append(name)
                    checked = context.pages.get(source.location)
                    if checked is not None:
                        plan.fetched.append(checked)  # remembered as checked just now
                    continue
                document, record = loaded
        except LoadError as error:
            logger.info("skipped %s: %s", name, error.reason)
            summary.failed.append(FailedSource(name, error.reason))
            plan.keep.add(source.doc_id)
            # The pages of a sitemap that cannot be read stay as they were.
            plan.keep.update(
                page.doc_id for page in context.pages.values() if page.sitemap == source.location
            )
            continue
        content_hash = _content_hash(document, source.url_override)
        plan.loaded[source.doc_id] = (source, document, content_hash)
        if record is not None:
            plan.fetched.append(dataclasses.replace(record, content_hash=content_hash))
    plan.dropped = {
        page.doc_id
        for page in context.pages.values()
        if page.sitemap in expanded and page.doc_id not in queued
    }
    report("load", len(queue), len(queue))
    return plan


def _load_web(
    source: ResolvedSource, context: _LoadContext
) -> tuple[Document, WebPageRecord] | list[ResolvedSource] | None:
    """A web page's document and validators, a sitemap's pages, or None when unchanged (304)."""
    old = context.old_documents.get(source.doc_id)
    basis = _web_basis(source.url_override)
    validators = reusable_validators(
        context.pages.get(source.location), source.doc_id, old.content_hash if old else None, basis
    )
    outcome = context.web.load(source.location, validators)
    if outcome.is_sitemap:
        return [ResolvedSource(document_id(page), page, None, None) for page in outcome.pages]
    if outcome.unchanged:
        return None
    assert outcome.document is not None
    return outcome.document, WebPageRecord(
        url=source.location,
        doc_id=source.doc_id,
        etag=outcome.validators.etag,
        last_modified=outcome.validators.last_modified,
        content_hash="",  # filled in once the document's hash is known
        basis=basis,
        sitemap=context.web.listed_in.get(source.location),
    )


def _web_basis(url_override: str | None) -> str:
    return f"{PIPELINE_VERSION}\x1f{url_override or ''}"


def _load(source: ResolvedSource) -> Document:
    if not Path(source.location).exists():
        raise LoadError("file not found (a broken link?)")
    try:
        return load_file(Path(source.location), source=source.display_path or source.location)
    except LoadError:
        raise
    except Exception as error:  # noqa: BLE001 - one bad file must never stop a refresh
        raise LoadError(f"could not be read ({type(error).__name__})") from error


def _content_hash(document: Document, url_override: str | None) -> str:
    # The configured URL is part of what is stored, so changing it must rebuild the document.
    parts = [
        PIPELINE_VERSION,
        document.title,
        url_override or document.url or "",
        str(document.date),
        document.text,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _write_version(
    builder: VersionBuilder,
    previous: VersionRecord | None,
    old_documents: dict[str, DocumentRecord],
    plan: _Plan,
    report: Progress,
    origin: str,
) -> None:
    if plan.carried and previous:
        builder.carry_over(previous, [old_documents[doc_id] for doc_id in plan.carried])
    now = dt.datetime.now(dt.UTC)
    total = len(plan.loaded)
    for done, (doc_id, (source, document, content_hash)) in enumerate(plan.loaded.items()):
        report("embed", done, total)
        record = DocumentRecord(
            doc_id=doc_id,
            source=source.location,
            title=document.title,
            kind=document.kind,
            url=source.url_override or document.url,
            path=source.display_path,
            date=document.date,
            content_hash=content_hash,
            chunk_count=0,  # counted by the builder
            fetched_at=now,
            origin=origin,
        )
        builder.add([(record, _chunks_of(doc_id, source, document))])
    report("embed", total, total)


def _chunks_of(doc_id: str, source: ResolvedSource, document: Document) -> list[Chunk]:
    pieces = chunk_sections(split_sections(document.text))
    return [
        Chunk(
            chunk_id=f"{doc_id}-{position:04d}",
            doc_id=doc_id,
            text=piece.text,
            title=document.title,
            headings=piece.headings,
            path=source.display_path,
            url=source.url_override or document.url,
            date=document.date,
            position=position,
        )
        for position, piece in enumerate(pieces)
    ]
