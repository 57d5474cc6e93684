"""Chroma access: an embedded PersistentClient in the data dir, or an HttpClient for a server.

Collections are always opened with ``embedding_function=None`` and given vectors explicitly:
a collection left to Chroma's default embedding function would try to download a model.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embeddings import Vectors
from knowledge.store.embedded_chroma import EmbeddedChroma

logger = logging.getLogger(__name__)

_ADD_BATCH = 1000
# Ids (or document ids) per read: Chroma turns each into an SQL variable, and SQLite refuses a
# statement with more than 32,766 of them. A large knowledge base asks for more than that, e.g.
# every chunk of the documents that name a contact.
_READ_BATCH = 5000
_COLLECTION_PREFIX = "sectorbot-"


@dataclass(frozen=True)
class StoredItem:
    """One item read back from a collection."""

    item_id: str
    text: str
    metadata: Mapping[str, Any]
    vector: Vectors | None = None


def make_chroma_client(data_dir: Path, host: str | None = None, port: int = 8000) -> Any:
    """A Chroma client: a server when ``host`` is set, else embedded files in ``data_dir``."""
    if host:
        import chromadb
        from chromadb.config import Settings

        return chromadb.HttpClient(
            host=host, port=port, settings=Settings(anonymized_telemetry=False)
        )
    path = data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    client = EmbeddedChroma(path)
    client.check()
    return client


class VectorCollection:
    """A cosine-space Chroma collection of chunks or sentences for one knowledge-base version."""

    def __init__(self, client: Any, name: str, *, create: bool = False) -> None:
        full_name = _COLLECTION_PREFIX + name
        # A published collection never changes, so its size is read once.
        self._count: int | None = None
        self._frozen = not create
        if create:
            self._collection = client.get_or_create_collection(
                full_name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        else:
            self._collection = client.get_collection(full_name, embedding_function=None)

    def add(
        self,
        ids: Sequence[str],
        vectors: Vectors,
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, Any]],
    ) -> None:
        """Add items in batches; ``None`` metadata values are left out, as Chroma requires."""
        for start in range(0, len(ids), _ADD_BATCH):
            end = start + _ADD_BATCH
            self._collection.add(
                ids=list(ids[start:end]),
                embeddings=vectors[start:end],
                documents=list(texts[start:end]),
                metadatas=[
                    {k: v for k, v in m.items() if v is not None} for m in metadatas[start:end]
                ],
            )

    def query(self, vector: Vectors, k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest item ids with cosine similarity, best first."""
        k = min(k, self.count())
        if k <= 0:
            return []
        result = self._collection.query(
            query_embeddings=vector.reshape(1, -1), n_results=k, include=["distances"]
        )
        return [
            (item_id, 1.0 - float(distance))
            for item_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]

    def get(self, ids: Sequence[str], *, with_vectors: bool = False) -> dict[str, StoredItem]:
        """Items by id (missing ids are simply absent)."""
        if not ids:
            return {}
        include = ["documents", "metadatas"] + (["embeddings"] if with_vectors else [])
        items: dict[str, StoredItem] = {}
        for start in range(0, len(ids), _READ_BATCH):
            batch = list(ids[start : start + _READ_BATCH])
            items.update(_items(self._collection.get(ids=batch, include=include), with_vectors))
        return items

    def get_by_documents(self, doc_ids: Sequence[str]) -> list[StoredItem]:
        """Every item (with its vector) belonging to the given documents."""
        items: list[StoredItem] = []
        for start in range(0, len(doc_ids), _READ_BATCH):
            result = self._collection.get(
                where={"doc_id": {"$in": list(doc_ids[start : start + _READ_BATCH])}},
                include=["documents", "metadatas", "embeddings"],
            )
            items.extend(_items(result, True).values())
        return items

    def containing(self, text: str) -> list[StoredItem]:
        """Every item whose text contains ``text`` as written (the store's full-text filter)."""
        result = self._collection.get(
            where_document={"$contains": text}, include=["documents", "metadatas"]
        )
        return list(_items(result, False).values())

    def pages(self, page: int = 5000) -> Iterator[list[StoredItem]]:
        """Every item, a page at a time (a version built before its facts were stored, tools)."""
        offset = 0
        while True:
            result = self._collection.get(
                include=["documents", "metadatas"], limit=page, offset=offset
            )
            batch = list(_items(result, False).values())
            if batch:
                yield batch
            if len(batch) < page:
                return
            offset += page

    def count(self) -> int:
        """Number of items in the collection."""
        if self._count is not None:
            return self._count
        count = int(self._collection.count())
        if self._frozen:
            self._count = count
        return count


def drop_collections(client: Any, names: Sequence[str]) -> None:
    """Delete collections, ignoring ones already gone."""
    for name in names:
        try:
            client.delete_collection(_COLLECTION_PREFIX + name)
        except Exception:  # noqa: BLE001 - a missing collection is the state we want
            logger.debug("collection %s was already gone", name)


def _items(result: Mapping[str, Any], with_vectors: bool) -> dict[str, StoredItem]:
    embeddings = result.get("embeddings") if with_vectors else None
    items = {}
    for index, item_id in enumerate(result["ids"]):
        vector = None
        if embeddings is not None:
            vector = np.asarray(embeddings[index], dtype=np.float32)
        items[item_id] = StoredItem(
            item_id, result["documents"][index] or "", result["metadatas"][index] or {}, vector
        )
    return items
