"""What a question reads: the version being served, its chunks, sentences and keyword index.

The current version is looked up in the database on each use, so a refresh published by any
process (or instance) is picked up on the next question without a restart. Opening a version
reads no chunk: its keyword index is memory-mapped and its facts were stored when it was built;
chunks are read by id as questions retrieve them, and kept.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from knowledge.embeddings import Embedder
from knowledge.store.facts import FactsCollector, VersionFacts, load_facts, save_facts
from knowledge.store.keywords import KeywordIndex, KeywordTerms
from knowledge.store.layout import (
    chunk_collection_name,
    chunk_from_item,
    keyword_text,
    sentence_collection_name,
)
from knowledge.store.registry import VersionRecord, current_version
from knowledge.store.sentences import SentenceSource, open_sentences
from knowledge.store.vectors import StoredItem, VectorCollection
from knowledge.terms import content_terms
from knowledge.types import Chunk

logger = logging.getLogger(__name__)

Entry = TypeVar("Entry")

# Sentences kept in memory per version (about 2 KB each with their vector).
SENTENCE_CACHE_LIMIT = 100_000
# Chunks kept in memory per version (about 1.5 KB each): every chunk of a knowledge base this
# size, a bounded share of a larger one.
CHUNK_CACHE_LIMIT = 20_000


@dataclass
class OpenVersion:
    """A knowledge-base version ready to query."""

    record: VersionRecord
    chunks: VectorCollection
    sentences: SentenceSource
    keywords: KeywordIndex
    # Documents that say of themselves that they are archived or historical.
    superseded: frozenset[str]
    # Acronyms the documents define: short form -> long form.
    acronyms: dict[str, str] = field(default_factory=dict)
    _chunk_cache: dict[str, tuple[Chunk, int]] = field(default_factory=dict)
    _sentence_cache: dict[str, StoredItem] = field(default_factory=dict)
    _terms_cache: dict[str, frozenset[str]] = field(default_factory=dict)

    def read_chunks(self, ids: list[str]) -> dict[str, Chunk]:
        """Chunks by id (ids this version lacks are absent); each is read from storage once."""
        return {chunk_id: chunk for chunk_id, (chunk, _) in self._chunk_entries(ids).items()}

    def sentence_count(self, chunk_id: str) -> int:
        """How many sentences the chunk was split into (0 for a chunk this version lacks)."""
        entry = self._chunk_cache.get(chunk_id) or self._chunk_entries([chunk_id]).get(chunk_id)
        return entry[1] if entry else 0

    def chunks_containing(self, text: str) -> list[Chunk]:
        """Every chunk whose text contains ``text`` as written (found by the vector store)."""
        return [chunk_from_item(item) for item in self.chunks.containing(text)]

    def all_chunks(self) -> list[Chunk]:
        """Every chunk of the version, read afresh (for tools and tests, not for answering)."""
        return [chunk_from_item(item) for page in self.chunks.pages() for item in page]

    def _chunk_entries(self, ids: list[str]) -> dict[str, tuple[Chunk, int]]:
        def read(missing: list[str]) -> dict[str, tuple[Chunk, int]]:
            return {
                item.item_id: (chunk_from_item(item), int(item.metadata.get("sentences", 0)))
                for item in self.chunks.get(missing).values()
            }

        return _read_through(self._chunk_cache, ids, read, CHUNK_CACHE_LIMIT)

    def sentence_items(self, ids: list[str]) -> dict[str, StoredItem]:
        """Sentences (with vectors) by id; each is read from storage once, then kept in memory."""
        return _read_through(
            self._sentence_cache,
            ids,
            lambda missing: self.sentences.get(missing, with_vectors=True),
            SENTENCE_CACHE_LIMIT,
        )

    def terms_of(self, item: StoredItem) -> frozenset[str]:
        """A sentence's content terms, computed once."""
        terms = self._terms_cache.get(item.item_id)
        if terms is None:
            if len(self._terms_cache) > SENTENCE_CACHE_LIMIT:
                self._terms_cache.clear()
            terms = frozenset(content_terms(item.text))
            self._terms_cache[item.item_id] = terms
        return terms


def _read_through(
    cache: dict[str, Entry],
    ids: list[str],
    read: Callable[[list[str]], Mapping[str, Entry]],
    limit: int,
) -> dict[str, Entry]:
    """``ids``' entries from ``cache``; the missing ones are read and kept.

    The cache starts over when it would pass ``limit``. The answer is built from what this call
    found and read, never by looking twice: another thread may clear the cache in between.
    """
    cached = ((key, cache.get(key)) for key in ids)
    found = {key: entry for key, entry in cached if entry is not None}
    missing = [key for key in dict.fromkeys(ids) if key not in found]
    if missing:
        fresh = read(missing)
        if len(cache) + len(fresh) > limit:
            cache.clear()
        cache.update(fresh)
        found.update(fresh)
    return found


class KnowledgeBase:
    """Opens and caches whichever version the registry says is current."""

    def __init__(
        self,
        engine: Engine,
        chroma_client: Any,
        embedder: Embedder,
        *,
        index_dir: Path | None = None,
    ) -> None:
        """Serve the registry's current version; keyword indexes are kept under ``index_dir``.

        Without ``index_dir`` each open builds the keyword index from the chunk texts.
        """
        self.engine = engine
        self.chroma = chroma_client
        self.embedder = embedder
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self._open: OpenVersion | None = None

    def current(self) -> OpenVersion | None:
        """The version to answer from, or None when nothing has been built yet."""
        record = current_version(self.engine)
        if record is None:
            return None
        with self._lock:
            if self._open is None or self._open.record.version_id != record.version_id:
                self._open = _open_version(self.engine, self.chroma, record, self.index_dir)
            return self._open

    def forget_cached(self) -> None:
        """Drop the cached version (tests and rollbacks force a re-read)."""
        with self._lock:
            self._open = None


def keyword_index_dir(index_dir: Path, version_id: str) -> Path:
    """Where a version's keyword index is saved."""
    return index_dir / version_id


def _open_version(
    engine: Engine, client: Any, record: VersionRecord, index_dir: Path | None
) -> OpenVersion:
    version_id = record.version_id
    chunks = VectorCollection(client, chunk_collection_name(version_id))
    sentences = open_sentences(engine, client, version_id, sentence_collection_name(version_id))
    count = chunks.count()
    facts = load_facts(engine, version_id)
    keywords = _saved_keyword_index(index_dir, version_id, count)
    warm: list[tuple[str, tuple[Chunk, int]]] = []
    if facts is None or keywords is None:
        # Built before its facts were stored, or its keyword index is not in this data dir:
        # read the chunks once, page by page, and store what was missing for the next open.
        collector, terms = FactsCollector(), KeywordTerms()
        for page in chunks.pages():
            for item in page:
                chunk = chunk_from_item(item)
                collector.add(chunk)
                terms.add(chunk.chunk_id, keyword_text(chunk))
                if len(warm) < CHUNK_CACHE_LIMIT:
                    warm.append((chunk.chunk_id, (chunk, int(item.metadata.get("sentences", 0)))))
        if facts is None:
            facts = collector.facts()
            _store_facts(engine, version_id, facts)
        if keywords is None:
            keywords = terms.index()
            if index_dir is not None:
                save_keyword_index(keywords, keyword_index_dir(index_dir, version_id))
    logger.info("opened knowledge base version %s (%d chunks)", version_id, count)
    opened = OpenVersion(
        record, chunks, sentences, keywords, facts.superseded, acronyms=facts.acronyms
    )
    opened._chunk_cache.update(warm)
    return opened


def _store_facts(engine: Engine, version_id: str, facts: VersionFacts) -> None:
    """Store facts worked out at open; failing costs only the next open the same work."""
    try:
        save_facts(engine, version_id, facts)
    except SQLAlchemyError:
        logger.warning("could not store the facts of version %s", version_id, exc_info=True)


def _saved_keyword_index(
    index_dir: Path | None, version_id: str, chunk_count: int
) -> KeywordIndex | None:
    """The version's keyword index as saved in ``index_dir``, or None when it is not there whole."""
    if index_dir is None:
        return None
    directory = keyword_index_dir(index_dir, version_id)
    if not directory.is_dir():
        return None
    try:
        index = KeywordIndex.load(directory)
    except (OSError, ValueError) as error:
        logger.info("rebuilding the keyword index of %s: %s", version_id, error)
        return None
    return index if len(index.ids) == chunk_count else None


def save_keyword_index(index: KeywordIndex, directory: Path) -> None:
    """Save ``index``; a failure only costs the next open a rebuild, so it is logged, not raised."""
    try:
        index.save(directory)
    except OSError:
        logger.warning("could not save the keyword index in %s", directory, exc_info=True)
