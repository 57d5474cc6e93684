"""A refresh: resolve -> load -> split -> chunk -> embed -> write a new version -> switch to it.

Nothing the bot is serving changes until the last step, a single database transaction; a
refresh that fails anywhere before it leaves the previous version answering questions.
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

import numpy as np

from ingest.chunk import chunk_sections
from ingest.document import Document, LoadError
from ingest.loaders import load_file
from ingest.sources import ResolvedSource, document_id, is_under, resolve
from ingest.split import split_sections
from ingest.summary import FailedSource, RefreshSummary
from ingest.web import WebLoader, WebOptions, reusable_validators
from ingest.web_state import WebPageRecord, load_pages, save_pages
from knowledge import registry
from knowledge.base import (
    KnowledgeBase,
    chunk_collection_name,
    chunk_from_item,
    chunk_metadata,
    embedding_text,
    heading_id,
    sentence_collection_name,
    sentence_id,
)
from knowledge.embedding_cache import CachedEmbedder
from knowledge.sentence_store import SentenceStore, drop_sentences, open_sentences
from knowledge.sentences import sentence_in_context, split_sentences
from knowledge.types import Chunk
from knowledge.vector_store import StoredItem, VectorCollection, drop_collections

logger = logging.getLogger(__name__)

# Bump when loading, splitting, chunking or what a sentence is embedded as changes, so every
# document is rebuilt once.
PIPELINE_VERSION = "11"
# Versions kept after a refresh: the current one and enough to roll back.
KEEP_VERSIONS = 3
ABANDONED_BUILD_AFTER = dt.timedelta(hours=6)

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
    old_documents: dict[str, registry.DocumentRecord]


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
    previous = None if reset else registry.current_version(kb.engine)
    old_documents = registry.documents_of(kb.engine, previous.version_id) if previous else {}

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
        serving = registry.current_version(kb.engine)
        if serving:
            summary.documents, summary.chunks = serving.document_count, serving.chunk_count
            summary.version_id = serving.version_id
        summary.seconds = time.monotonic() - started
        return summary

    embedder = CachedEmbedder(kb.embedder, kb.engine)
    version_id = registry.start_version(kb.engine, embedder.model_id)
    try:
        origin = "configured" if full else "manual"
        documents = _write_version(
            kb, version_id, previous, old_documents, plan, embedder, report, origin
        )
        registry.publish_version(kb.engine, version_id, documents)
    except Exception as error:
        registry.fail_version(kb.engine, version_id, f"{type(error).__name__}: {error}")
        _drop_versions(kb, [version_id])
        raise RefreshError(
            f"refresh failed, the previous version is still served: {error}"
        ) from error
    save_pages(kb.engine, plan.fetched)
    _retire_old_versions(kb)
    summary.version_id = version_id
    summary.documents = len(documents)
    summary.chunks = sum(d.chunk_count for d in documents)
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
    kb: KnowledgeBase,
    version_id: str,
    previous: registry.VersionRecord | None,
    old_documents: dict[str, registry.DocumentRecord],
    plan: _Plan,
    embedder: CachedEmbedder,
    report: Progress,
    origin: str,
) -> list[registry.DocumentRecord]:
    chunks_out = VectorCollection(kb.chroma, chunk_collection_name(version_id), create=True)
    sentences_out = SentenceStore(kb.engine, version_id)
    records: list[registry.DocumentRecord] = []
    if plan.carried and previous:
        records.extend(
            _carry_over(
                kb, previous, plan.carried, old_documents, chunks_out, sentences_out, embedder
            )
        )
    now = dt.datetime.now(dt.UTC)
    total = len(plan.loaded)
    for done, (doc_id, (source, document, content_hash)) in enumerate(plan.loaded.items()):
        report("embed", done, total)
        chunks = _chunks_of(doc_id, source, document)
        _add_chunks(chunks, chunks_out, sentences_out, embedder)
        records.append(
            registry.DocumentRecord(
                doc_id=doc_id,
                source=source.location,
                title=document.title,
                kind=document.kind,
                url=source.url_override or document.url,
                path=source.display_path,
                date=document.date,
                content_hash=content_hash,
                chunk_count=len(chunks),
                fetched_at=now,
                origin=origin,
            )
        )
    report("embed", total, total)
    return records


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


def _add_chunks(
    chunks: list[Chunk],
    chunks_out: VectorCollection,
    sentences_out: SentenceStore,
    embedder: CachedEmbedder,
) -> None:
    if not chunks:
        return
    sentence_ids, sentence_texts, sentence_inputs, sentence_meta = [], [], [], []
    counts = []
    for chunk in chunks:
        sentences = split_sentences(chunk.text)
        counts.append(len(sentences))
        # The section heading is stored beside the sentences: a question that matches a heading
        # ("What is a sector partnership?" in an FAQ) points at the sentences under it.
        sentence_ids.append(heading_id(chunk.chunk_id))
        sentence_texts.append(chunk.headings[-1] if chunk.headings else chunk.title)
        sentence_inputs.append(sentence_texts[-1])
        sentence_meta.append({"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "index": -1})
        for index, sentence in enumerate(sentences):
            sentence_ids.append(sentence_id(chunk.chunk_id, index))
            sentence_texts.append(sentence)
            sentence_inputs.append(sentence_in_context(chunk, sentences, index))
            sentence_meta.append(
                {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "index": index}
            )
    chunk_vectors = embedder.embed([embedding_text(chunk) for chunk in chunks])
    chunks_out.add(
        [c.chunk_id for c in chunks],
        chunk_vectors,
        [c.text for c in chunks],
        [chunk_metadata(c, n) for c, n in zip(chunks, counts, strict=True)],
    )
    if sentence_ids:
        sentences_out.add(
            sentence_ids, embedder.embed(sentence_inputs), sentence_texts, sentence_meta
        )


def _carry_over(
    kb: KnowledgeBase,
    previous: registry.VersionRecord,
    doc_ids: list[str],
    old_documents: dict[str, registry.DocumentRecord],
    chunks_out: VectorCollection,
    sentences_out: SentenceStore,
    embedder: CachedEmbedder,
) -> list[registry.DocumentRecord]:
    """Copy documents unchanged from the previous version, vectors included.

    Vectors of another embedding model cannot be mixed with this one's: then the stored chunks
    are embedded again, exactly as a fresh build of them would be.
    """
    old_chunks = VectorCollection(kb.chroma, chunk_collection_name(previous.version_id))
    if previous.embedding_model != embedder.model_id:
        items = sorted(old_chunks.get_by_documents(doc_ids), key=lambda item: item.item_id)
        _add_chunks([chunk_from_item(item) for item in items], chunks_out, sentences_out, embedder)
        return [old_documents[doc_id] for doc_id in doc_ids]
    old_sentences = open_sentences(
        kb.engine, kb.chroma, previous.version_id, sentence_collection_name(previous.version_id)
    )
    _copy(old_chunks.get_by_documents(doc_ids), chunks_out)
    _copy(old_sentences.get_by_documents(doc_ids), sentences_out)
    return [old_documents[doc_id] for doc_id in doc_ids]


def _copy(items: list[StoredItem], out: VectorCollection | SentenceStore) -> None:
    if not items:
        return
    vectors = np.vstack([item.vector for item in items if item.vector is not None])
    out.add(
        [i.item_id for i in items],
        vectors,
        [i.text for i in items],
        [dict(i.metadata) for i in items],
    )


def _retire_old_versions(kb: KnowledgeBase) -> None:
    versions = registry.list_versions(kb.engine)
    current = registry.current_version(kb.engine)
    ready = [v for v in versions if v.status == "ready"]
    keep = {v.version_id for v in ready[:KEEP_VERSIONS]}
    if current:
        keep.add(current.version_id)
    # A build that has run this long died with its process (a killed refresh): clear it away.
    abandoned_before = dt.datetime.now(dt.UTC) - ABANDONED_BUILD_AFTER
    stale = [
        v.version_id
        for v in versions
        if v.version_id not in keep and (v.status != "building" or v.created_at < abandoned_before)
    ]
    _drop_versions(kb, stale)
    registry.forget_versions(kb.engine, stale)


def discard_unfinished_builds(kb: KnowledgeBase) -> list[str]:
    """Fail and drop every version still marked as building; returns their ids.

    Only the holder of the refresh lock may call this: then no build can be in progress, so a
    version marked as building belongs to a refresh that was killed.
    """
    unfinished = [v.version_id for v in registry.list_versions(kb.engine) if v.status == "building"]
    for version_id in unfinished:
        registry.fail_version(kb.engine, version_id, "interrupted: the refresh process stopped")
    _drop_versions(kb, unfinished)
    return unfinished


def _drop_versions(kb: KnowledgeBase, version_ids: list[str]) -> None:
    """Delete what versions stored: chunk collections, sentences, older sentence collections."""
    drop_collections(
        kb.chroma,
        [
            name
            for vid in version_ids
            for name in (chunk_collection_name(vid), sentence_collection_name(vid))
        ],
    )
    drop_sentences(kb.engine, version_ids)
