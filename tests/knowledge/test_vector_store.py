"""Reading a collection back: many ids at once, as a large knowledge base asks for them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.store.vectors import VectorCollection, make_chroma_client

# More than SQLite's 32,766 variables per statement, which Chroma's own reads would exceed.
MANY = 40_000


def _collection(tmp_path: Path) -> VectorCollection:
    collection = VectorCollection(make_chroma_client(tmp_path), "many-ids", create=True)
    vectors = np.eye(3, 384, dtype=np.float32)
    metadatas = [{"doc_id": f"doc-{i}"} for i in range(3)]
    collection.add(["a", "b", "c"], vectors, ["first", "second", "third"], metadatas)
    return collection


def test_items_are_read_by_id_however_many_ids_are_asked_for(tmp_path: Path) -> None:
    collection = _collection(tmp_path)
    ids = ["a", *(f"missing-{i}" for i in range(MANY)), "c"]

    items = collection.get(ids, with_vectors=True)

    assert set(items) == {"a", "c"}
    assert items["c"].text == "third"
    assert items["c"].vector is not None and items["c"].vector[2] == 1.0


def test_items_are_read_by_document_however_many_documents_are_asked_for(
    tmp_path: Path,
) -> None:
    collection = _collection(tmp_path)
    doc_ids = [*(f"missing-{i}" for i in range(MANY)), "doc-1", "doc-2"]

    items = collection.get_by_documents(doc_ids)

    assert sorted(item.item_id for item in items) == ["b", "c"]
