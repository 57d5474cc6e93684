"""What a question reads: the version being served, its chunks, sentences and keyword index.

The current version is looked up in the database on each use, so a refresh published by any
process (or instance) is picked up on the next question without a restart.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from knowledge.acronyms import find_acronyms
from knowledge.cues import is_superseded
from knowledge.embeddings import Embedder
from knowledge.store.keywords import KeywordIndex
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

# Sentences kept in memory per version (about 2 KB each with their vector).
SENTENCE_CACHE_LIMIT = 100_000


@dataclass
class OpenVersion:
    """A knowledge-base version ready to query."""

    record: VersionRecord
    chunks: VectorCollection
    sentences: SentenceSource
    keywords: KeywordIndex
    chunk_by_id: dict[str, Chunk]
    sentence_counts: dict[str, int]
    # Documents that say of themselves that they are archived or historical.
    superseded: frozenset[str]
    # Acronyms the documents define: short form -> long form.
    acronyms: dict[str, str] = field(default_factory=dict)
    _sentence_cache: dict[str, StoredItem] = field(default_factory=dict)
    _terms_cache: dict[str, frozenset[str]] = field(default_factory=dict)

    def sentence_items(self, ids: list[str]) -> dict[str, StoredItem]:
        """Sentences (with vectors) by id; each is read from storage once, then kept in memory."""
        missing = [item_id for item_id in ids if item_id not in self._sentence_cache]
        if missing:
            if len(self._sentence_cache) > SENTENCE_CACHE_LIMIT:
                self._sentence_cache.clear()
            self._sentence_cache.update(self.sentences.get(missing, with_vectors=True))
        cache = self._sentence_cache
        return {item_id: cache[item_id] for item_id in ids if item_id in cache}

    def terms_of(self, item: StoredItem) -> frozenset[str]:
        """A sentence's content terms, computed once."""
        terms = self._terms_cache.get(item.item_id)
        if terms is None:
            if len(self._terms_cache) > SENTENCE_CACHE_LIMIT:
                self._terms_cache.clear()
            terms = frozenset(content_terms(item.text))
            self._terms_cache[item.item_id] = terms
        return terms


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
    chunks = VectorCollection(client, chunk_collection_name(record.version_id))
    sentences = open_sentences(
        engine, client, record.version_id, sentence_collection_name(record.version_id)
    )
    chunk_by_id: dict[str, Chunk] = {}
    counts: dict[str, int] = {}
    # Page by page, so a large version never holds its raw items beside the chunks built from them.
    for page in chunks.pages():
        for item in page:
            chunk_by_id[item.item_id] = chunk_from_item(item)
            counts[item.item_id] = int(item.metadata.get("sentences", 0))
    keywords = _keyword_index(chunk_by_id, index_dir, record.version_id)
    logger.info("opened knowledge base version %s (%d chunks)", record.version_id, len(chunk_by_id))
    openings = [chunk for chunk in chunk_by_id.values() if chunk.position == 0]
    superseded = frozenset(c.doc_id for c in openings if is_superseded(c.title, c.text))
    return OpenVersion(
        record,
        chunks,
        sentences,
        keywords,
        chunk_by_id,
        counts,
        superseded,
        acronyms=find_acronyms(chunk.text for chunk in chunk_by_id.values()),
    )


def _keyword_index(
    chunk_by_id: dict[str, Chunk], index_dir: Path | None, version_id: str
) -> KeywordIndex:
    """The version's saved keyword index, or one built from its chunks (and saved for next time)."""
    directory = keyword_index_dir(index_dir, version_id) if index_dir else None
    if directory is not None and directory.is_dir():
        try:
            index = KeywordIndex.load(directory)
            if len(index.ids) == len(chunk_by_id):
                return index
        except (OSError, ValueError) as error:
            logger.info("rebuilding the keyword index of %s: %s", version_id, error)
    ids = list(chunk_by_id)
    built = KeywordIndex(ids, (keyword_text(chunk_by_id[chunk_id]) for chunk_id in ids))
    if directory is not None:
        save_keyword_index(built, directory)
    return built


def save_keyword_index(index: KeywordIndex, directory: Path) -> None:
    """Save ``index``; a failure only costs the next open a rebuild, so it is logged, not raised."""
    try:
        index.save(directory)
    except OSError:
        logger.warning("could not save the keyword index in %s", directory, exc_info=True)
