"""The knowledge base being served: the current version's collections and keyword index.

The current version is looked up in the database on each use, so a refresh published by any
process (or instance) is picked up on the next question without a restart.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from knowledge.acronyms import find_acronyms
from knowledge.cues import is_superseded
from knowledge.embeddings import Embedder
from knowledge.keyword_index import KeywordIndex
from knowledge.registry import VersionRecord, current_version
from knowledge.sentence_store import SentenceSource, open_sentences
from knowledge.terms import content_terms
from knowledge.types import Chunk
from knowledge.vector_store import StoredItem, VectorCollection

logger = logging.getLogger(__name__)

# Sentences kept in memory per version (about 2 KB each with their vector).
SENTENCE_CACHE_LIMIT = 100_000


def chunk_collection_name(version_id: str) -> str:
    """Name of the collection holding a version's chunks."""
    return f"{version_id}-chunks"


def sentence_collection_name(version_id: str) -> str:
    """Name of the Chroma collection that held a version's sentences in older builds.

    Sentences now live in the database (``knowledge.sentence_store``); such a collection is still
    read for a version built before, and dropped with it.
    """
    return f"{version_id}-sentences"


def sentence_id(chunk_id: str, index: int) -> str:
    """Id of the ``index``-th sentence of a chunk."""
    return f"{chunk_id}:{index}"


def heading_id(chunk_id: str) -> str:
    """Id of the stored heading of a chunk's section."""
    return f"{chunk_id}:h"


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

    def __init__(self, engine: Engine, chroma_client: Any, embedder: Embedder) -> None:
        self.engine = engine
        self.chroma = chroma_client
        self.embedder = embedder
        self._lock = threading.Lock()
        self._open: OpenVersion | None = None

    def current(self) -> OpenVersion | None:
        """The version to answer from, or None when nothing has been built yet."""
        record = current_version(self.engine)
        if record is None:
            return None
        with self._lock:
            if self._open is None or self._open.record.version_id != record.version_id:
                self._open = _open_version(self.engine, self.chroma, record)
            return self._open

    def forget_cached(self) -> None:
        """Drop the cached version (tests and rollbacks force a re-read)."""
        with self._lock:
            self._open = None


def chunk_from_item(item: StoredItem) -> Chunk:
    """Rebuild a chunk from what the collection stores."""
    meta = item.metadata
    date = meta.get("date")
    headings = str(meta.get("headings", ""))
    return Chunk(
        chunk_id=item.item_id,
        doc_id=str(meta.get("doc_id", "")),
        text=item.text,
        title=str(meta.get("title", "")),
        headings=tuple(h for h in headings.split(" > ") if h),
        path=_optional(meta.get("path")),
        url=_optional(meta.get("url")),
        date=dt.date.fromisoformat(str(date)) if date else None,
        position=int(meta.get("position", 0)),
    )


def chunk_metadata(chunk: Chunk, sentence_count: int) -> dict[str, Any]:
    """What the collection stores beside a chunk's text and vector."""
    return {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "headings": " > ".join(chunk.headings),
        "path": chunk.path,
        "url": chunk.url,
        "date": chunk.date.isoformat() if chunk.date else None,
        "position": chunk.position,
        "sentences": sentence_count,
    }


def _open_version(engine: Engine, client: Any, record: VersionRecord) -> OpenVersion:
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
    ids = list(chunk_by_id)
    keywords = KeywordIndex(ids, (_keyword_text(chunk_by_id[chunk_id]) for chunk_id in ids))
    logger.info("opened knowledge base version %s (%d chunks)", record.version_id, len(ids))
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


def embedding_text(chunk: Chunk) -> str:
    """The text a chunk is embedded as: title and section give the passage its context.

    A title made from the document's own opening words adds nothing but repetition, so it is
    left out.
    """
    context = " — ".join(part for part in (_own_title(chunk), chunk.section) if part)
    return f"{context}\n{chunk.text}" if context else chunk.text


def _keyword_text(chunk: Chunk) -> str:
    return f"{_own_title(chunk)}\n{chunk.section}\n{chunk.text}"


def _own_title(chunk: Chunk) -> str:
    """The title, unless it was made from the document's own opening words."""
    return "" if chunk.title.rstrip("…") in chunk.text else chunk.title


def _optional(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
