"""A version's sentences and section headings with their vectors, kept in the database.

They are only ever read by id (the sentences of the chunks a question retrieved) or by document
(a refresh carrying documents over), never searched by similarity, so they need no vector index.
Kept in Chroma, embedded mode would load every sentence vector of a version into memory on the
first read (about 1.2 GB for 100k chunks); here each answer reads the few dozen it needs.

Versions built before this store kept their sentences in a Chroma collection; ``open_sentences``
still reads those, until the next refresh rebuilds the version here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
from sqlalchemy import (
    Column,
    Engine,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
)

from knowledge.embeddings import Vectors
from knowledge.store.db import metadata
from knowledge.store.vectors import StoredItem, VectorCollection

# Rows per insert and ids per read: well under SQLite's limit of 32,766 bound variables.
_BATCH = 2000

kb_sentences = Table(
    "kb_sentences",
    metadata,
    Column("version_id", String(40), primary_key=True),
    Column("item_id", String(120), primary_key=True),
    Column("doc_id", String(40), nullable=False),
    Column("text", Text, nullable=False),
    # The item's metadata (chunk id, document id, index in the chunk) as JSON.
    Column("meta", Text, nullable=False),
    # float32 values, little-endian.
    Column("vector", LargeBinary, nullable=False),
    Index("ix_kb_sentences_document", "version_id", "doc_id"),
)


class SentenceSource(Protocol):
    """Where a version's sentences are read from."""

    def get(self, ids: Sequence[str], *, with_vectors: bool = False) -> dict[str, StoredItem]:
        """Items by id (missing ids are absent)."""

    def get_by_documents(self, doc_ids: Sequence[str]) -> list[StoredItem]:
        """Every item, with its vector, of the given documents."""


class SentenceStore:
    """The sentences of one version in the ``kb_sentences`` table."""

    def __init__(self, engine: Engine, version_id: str) -> None:
        self.engine = engine
        self.version_id = version_id

    def add(
        self,
        ids: Sequence[str],
        vectors: Vectors,
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, Any]],
    ) -> None:
        """Store items (the same arguments as ``VectorCollection.add``)."""
        rows = [
            {
                "version_id": self.version_id,
                "item_id": item_id,
                "doc_id": str(meta.get("doc_id", "")),
                "text": text,
                "meta": json.dumps({k: v for k, v in meta.items() if v is not None}),
                "vector": np.asarray(vector, dtype="<f4").tobytes(),
            }
            for item_id, vector, text, meta in zip(ids, vectors, texts, metadatas, strict=True)
        ]
        for start in range(0, len(rows), _BATCH):
            with self.engine.begin() as connection:
                connection.execute(insert(kb_sentences), rows[start : start + _BATCH])

    def get(self, ids: Sequence[str], *, with_vectors: bool = False) -> dict[str, StoredItem]:
        """Items by id (vectors are always read: they are part of the row)."""
        items: dict[str, StoredItem] = {}
        for start in range(0, len(ids), _BATCH):
            batch = list(ids[start : start + _BATCH])
            query = select(kb_sentences).where(
                kb_sentences.c.version_id == self.version_id, kb_sentences.c.item_id.in_(batch)
            )
            items.update((item.item_id, item) for item in self._read(query))
        return items

    def get_by_documents(self, doc_ids: Sequence[str]) -> list[StoredItem]:
        """Every item of the given documents."""
        items: list[StoredItem] = []
        for start in range(0, len(doc_ids), _BATCH):
            batch = list(doc_ids[start : start + _BATCH])
            query = select(kb_sentences).where(
                kb_sentences.c.version_id == self.version_id, kb_sentences.c.doc_id.in_(batch)
            )
            items.extend(self._read(query))
        return items

    def count(self) -> int:
        """Number of items stored for the version."""
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count())
                    .select_from(kb_sentences)
                    .where(kb_sentences.c.version_id == self.version_id)
                ).scalar_one()
            )

    def holds_any(self) -> bool:
        """True once anything is stored for the version."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(kb_sentences.c.item_id)
                .where(kb_sentences.c.version_id == self.version_id)
                .limit(1)
            ).first()
        return found is not None

    def _read(self, query: Any) -> list[StoredItem]:
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            StoredItem(
                row.item_id,
                row.text,
                json.loads(row.meta),
                np.frombuffer(row.vector, dtype="<f4").astype(np.float32),
            )
            for row in rows
        ]


def open_sentences(
    engine: Engine, client: Any, version_id: str, legacy_name: str
) -> SentenceSource:
    """The version's sentences: in the database, or in the Chroma collection of an older build."""
    store = SentenceStore(engine, version_id)
    if store.holds_any():
        return store
    try:
        return VectorCollection(client, legacy_name)
    except Exception:  # noqa: BLE001 - no legacy collection either: an empty version
        return store


def drop_sentences(engine: Engine, version_ids: Sequence[str]) -> None:
    """Delete the sentences of versions that are being retired or that failed."""
    if not version_ids:
        return
    with engine.begin() as connection:
        connection.execute(delete(kb_sentences).where(kb_sentences.c.version_id.in_(version_ids)))
