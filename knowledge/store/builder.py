"""How a version is built: written beside the served one, published in one transaction, retired.

A ``VersionBuilder`` records a new version as building, takes documents with their chunks
(embedded and written a batch at a time: the chunk vectors to Chroma, the sentences and headings
with theirs to the database), copies unchanged documents over from the previous version, and
then either publishes (its facts and keyword index are saved, and the registry's ``kb_current``
row moves to it in the same transaction that stores its documents) or is abandoned (marked
failed and its writes dropped). Until ``publish`` returns, every reader keeps answering from
the version served before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Sequence

import numpy as np

from knowledge.embeddings import Embedder, Span, embed_spans
from knowledge.sentences import split_sentences
from knowledge.store import registry
from knowledge.store.facts import (
    FactsCollector,
    forget_facts,
    forget_facts_of_unknown_versions,
    save_facts,
)
from knowledge.store.keywords import KeywordTerms
from knowledge.store.layout import (
    chunk_collection_name,
    chunk_from_item,
    chunk_metadata,
    embedding_text,
    heading_id,
    keyword_text,
    sentence_collection_name,
    sentence_id,
)
from knowledge.store.reader import KnowledgeBase, keyword_index_dir, save_keyword_index
from knowledge.store.sentences import SentenceStore, drop_sentences, open_sentences
from knowledge.store.vectors import StoredItem, VectorCollection, drop_collections
from knowledge.types import Chunk

# Versions kept after a refresh: the current one and enough to roll back.
KEEP_VERSIONS = 3
# Chunks embedded and written together. One document at a time, 1,000 small files took 24 s,
# half of it in one Chroma add per file; in batches of this size they take 5 s.
WRITE_BATCH = 256
ABANDONED_BUILD_AFTER = dt.timedelta(hours=6)


class VersionBuilder:
    """One new version being written; nothing reads it until ``publish``."""

    def __init__(self, kb: KnowledgeBase, embedder: Embedder) -> None:
        """Record a version as building, embedded with ``embedder`` (usually a CachedEmbedder)."""
        self._kb = kb
        self._embedder = embedder
        self.version_id = registry.start_version(kb.engine, embedder.model_id)
        self._chunks = VectorCollection(
            kb.chroma, chunk_collection_name(self.version_id), create=True
        )
        self._sentences = SentenceStore(kb.engine, self.version_id)
        # Collected only where the index is saved: elsewhere each open builds its own.
        self._terms = KeywordTerms() if kb.index_dir is not None else None
        self._facts = FactsCollector()
        self.documents: list[registry.DocumentRecord] = []
        self._pending: list[Chunk] = []

    def add(self, documents: Sequence[tuple[registry.DocumentRecord, list[Chunk]]]) -> None:
        """Queue these documents' chunks; each record gets its count.

        Chunks are embedded and written ``WRITE_BATCH`` at a time, across documents; ``publish``
        writes what is still queued.
        """
        self._pending.extend(chunk for _, document_chunks in documents for chunk in document_chunks)
        self.documents.extend(
            dataclasses.replace(record, chunk_count=len(document_chunks))
            for record, document_chunks in documents
        )
        if len(self._pending) >= WRITE_BATCH:
            self._flush()

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        self._write(pending)

    def carry_over(
        self, previous: registry.VersionRecord, documents: Sequence[registry.DocumentRecord]
    ) -> None:
        """Copy documents unchanged from ``previous``, vectors included.

        Vectors of another embedding model cannot be mixed with this one's: then the stored
        chunks are embedded again, exactly as a fresh build of them would be.
        """
        doc_ids = [document.doc_id for document in documents]
        old_chunks = VectorCollection(self._kb.chroma, chunk_collection_name(previous.version_id))
        if previous.embedding_model != self._embedder.model_id:
            items = sorted(old_chunks.get_by_documents(doc_ids), key=lambda item: item.item_id)
            self._write([chunk_from_item(item) for item in items])
        else:
            old_sentences = open_sentences(
                self._kb.engine,
                self._kb.chroma,
                previous.version_id,
                sentence_collection_name(previous.version_id),
            )
            items = old_chunks.get_by_documents(doc_ids)
            _copy(items, self._chunks)
            _copy(old_sentences.get_by_documents(doc_ids), self._sentences)
            self._take([chunk_from_item(item) for item in items])
        self.documents.extend(documents)

    def _write(self, chunks: list[Chunk]) -> None:
        _write_chunks(chunks, self._chunks, self._sentences, self._embedder)
        self._take(chunks)

    def _take(self, chunks: list[Chunk]) -> None:
        """Note written chunks in the version's facts and keyword index."""
        for chunk in chunks:
            self._facts.add(chunk)
            if self._terms is not None:
                self._terms.add(chunk.chunk_id, keyword_text(chunk))

    def publish(self) -> None:
        """Write what is queued, save the facts and keyword index, then serve this version."""
        self._flush()
        save_facts(self._kb.engine, self.version_id, self._facts.facts())
        if self._terms is not None and self._kb.index_dir is not None:
            save_keyword_index(
                self._terms.index(), keyword_index_dir(self._kb.index_dir, self.version_id)
            )
        registry.publish_version(self._kb.engine, self.version_id, self.documents)

    def abandon(self, error: BaseException) -> None:
        """Mark the version failed and drop what it wrote; the served version is untouched."""
        registry.fail_version(self._kb.engine, self.version_id, f"{type(error).__name__}: {error}")
        drop_versions(self._kb, [self.version_id])

    @property
    def chunk_count(self) -> int:
        """Chunks written so far (queued ones not yet)."""
        return self._chunks.count()

    @property
    def sentence_count(self) -> int:
        """Sentences and headings written so far."""
        return self._sentences.count()


def retire_old_versions(kb: KnowledgeBase) -> None:
    """Drop versions beyond the newest ``KEEP_VERSIONS`` ready ones (never the served one)."""
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
    drop_versions(kb, stale)
    registry.forget_versions(kb.engine, stale)
    forget_facts_of_unknown_versions(kb.engine)


def discard_unfinished_builds(kb: KnowledgeBase) -> list[str]:
    """Fail and drop every version still marked as building; returns their ids.

    Only the holder of the refresh lock may call this: then no build can be in progress, so a
    version marked as building belongs to a refresh that was killed.
    """
    unfinished = [v.version_id for v in registry.list_versions(kb.engine) if v.status == "building"]
    for version_id in unfinished:
        registry.fail_version(kb.engine, version_id, "interrupted: the refresh process stopped")
    drop_versions(kb, unfinished)
    return unfinished


def drop_versions(kb: KnowledgeBase, version_ids: list[str]) -> None:
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
    forget_facts(kb.engine, version_ids)
    if kb.index_dir is not None:
        for version_id in version_ids:
            shutil.rmtree(keyword_index_dir(kb.index_dir, version_id), ignore_errors=True)


def _write_chunks(
    chunks: list[Chunk],
    chunks_out: VectorCollection,
    sentences_out: SentenceStore,
    embedder: Embedder,
) -> None:
    if not chunks:
        return
    texts = [embedding_text(chunk) for chunk in chunks]
    sentence_ids, sentence_texts, sentence_meta = [], [], []
    spans: list[list[Span | None]] = []
    headings: list[str] = []
    counts = []
    for chunk, text in zip(chunks, texts, strict=True):
        sentences = split_sentences(chunk.text)
        counts.append(len(sentences))
        # The section heading is stored beside the sentences: a question that matches a heading
        # ("What is a sector partnership?" in an FAQ) points at the sentences under it.
        heading = chunk.headings[-1] if chunk.headings else chunk.title
        headings.append(heading)
        sentence_ids.append(heading_id(chunk.chunk_id))
        sentence_texts.append(heading)
        sentence_meta.append({"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "index": -1})
        for index, sentence in enumerate(sentences):
            sentence_ids.append(sentence_id(chunk.chunk_id, index))
            sentence_texts.append(sentence)
            sentence_meta.append(
                {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "index": index}
            )
        spans.append(_spans(text, [heading, *sentences], body=len(text) - len(chunk.text)))
    # A sentence's vector is pooled from its chunk's own pass of the model: one pass per chunk
    # instead of one per sentence too. CV best passage holds the facts (sample / real): 78.6% /
    # 65.0% pooled; 71.4% / 62.4% with each sentence embedded on its own, in context.
    # A heading the embedded text does not carry (a title left out as the document's own
    # opening words) is given an empty span here and embedded on its own below.
    placed = [[span if span is not None else (0, 0) for span in own] for own in spans]
    chunk_vectors, pooled = embed_spans(embedder, texts, placed)
    unplaced = [
        (i, heading)
        for i, (own, heading) in enumerate(zip(spans, headings, strict=True))
        if own[0] is None
    ]
    if unplaced:
        for (i, _), vector in zip(unplaced, embedder.embed([h for _, h in unplaced]), strict=True):
            pooled[i][0] = vector
    chunks_out.add(
        [c.chunk_id for c in chunks],
        chunk_vectors,
        [c.text for c in chunks],
        [chunk_metadata(c, n) for c, n in zip(chunks, counts, strict=True)],
    )
    sentences_out.add(sentence_ids, np.vstack(pooled), sentence_texts, sentence_meta)


def _spans(text: str, pieces: list[str], body: int) -> list[Span | None]:
    """Where the heading (``pieces[0]``) and each sentence stand in the chunk's embedded text.

    Sentences are looked for in order from the body on; one not found as written (the splitter
    tidied its spaces) is given its best stretch: from where the last one ended, its own length.
    """
    heading, *sentences = pieces
    start = text.find(heading) if heading else -1
    found: list[Span | None] = [(start, start + len(heading)) if start >= 0 else None]
    position = body
    for sentence in sentences:
        start = text.find(sentence, position)
        if start < 0:
            start = min(position, len(text))
        end = min(len(text), start + len(sentence))
        found.append((start, end))
        position = end
    return found


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
