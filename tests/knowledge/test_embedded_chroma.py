"""Embedded Chroma read through its compiled engine gives what chromadb's own client gives."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings

from bot.services import StorageError, build_services
from ingest.pipeline import refresh
from knowledge.store.embedded_chroma import EmbeddedChroma
from knowledge.store.layout import chunk_collection_name
from knowledge.store.vectors import StoredItem, VectorCollection
from tests.conftest import CORPUS_SOURCES, make_settings
from tests.fakes.embeddings import FakeEmbedder

QUESTION = "How do manufacturing partnerships train welders?"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data dir holding one version built from the test corpus, and that version's id."""
    data_dir = tmp_path_factory.mktemp("engine-kb")
    services = build_services(make_settings(data_dir), embedder=FakeEmbedder())
    try:
        version_id = refresh(services.kb, CORPUS_SOURCES, full=False, reset=True).version_id
    finally:
        services.close()
    assert version_id is not None
    return data_dir, version_id


def test_every_read_gives_what_chromadbs_client_gives(built: tuple[Path, str]) -> None:
    data_dir, version_id = built
    name = chunk_collection_name(version_id)
    engine = EmbeddedChroma(data_dir / "chroma")
    client = chromadb.PersistentClient(
        path=str(data_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    read, expected = VectorCollection(engine, name), VectorCollection(client, name)

    assert read.count() == expected.count() > 20
    vector = FakeEmbedder().embed([QUESTION])[0]
    nearest = expected.query(vector, 8)
    assert [item_id for item_id, _ in read.query(vector, 8)] == [i for i, _ in nearest]
    assert [s for _, s in read.query(vector, 8)] == pytest.approx([s for _, s in nearest])
    ids = [item_id for item_id, _ in nearest]
    _assert_same(read.get(ids).values(), expected.get(ids).values())
    documents = sorted({str(item.metadata["doc_id"]) for item in read.get(ids).values()})
    _assert_same(read.get_by_documents(documents), expected.get_by_documents(documents))
    _assert_same(read.containing("Workforce"), expected.containing("Workforce"))
    _assert_same(
        [item for page in read.pages(page=7) for item in page],
        [item for page in expected.pages(page=7) for item in page],
    )
    engine.close()


def test_a_missing_collection_is_refused_as_chromadb_refuses_it(built: tuple[Path, str]) -> None:
    engine = EmbeddedChroma(built[0] / "chroma")

    with pytest.raises(chromadb.errors.NotFoundError):
        engine.get_collection("sectorbot-no-such-version-chunks")


def test_a_collection_written_after_reading_is_read_back(built: tuple[Path, str]) -> None:
    data_dir, version_id = built
    engine = EmbeddedChroma(data_dir / "chroma")
    served = VectorCollection(engine, chunk_collection_name(version_id))
    before = served.count()

    written = VectorCollection(engine, "written-after-reading", create=True)
    written.add(["x"], np.eye(1, 384, dtype=np.float32), ["a new item"], [{"doc_id": "new"}])

    assert VectorCollection(engine, "written-after-reading").get(["x"])["x"].text == "a new item"
    assert VectorCollection(engine, chunk_collection_name(version_id)).count() == before
    engine.delete_collection("sectorbot-written-after-reading")
    engine.close()


def test_a_broken_store_is_reported_when_the_services_are_built(tmp_path: Path) -> None:
    store = tmp_path / "data" / "chroma"
    store.mkdir(parents=True)
    (store / "chroma.sqlite3").write_bytes(b"not a database, whatever wrote it")

    with pytest.raises(StorageError, match="cannot open Chroma at the data dir"):
        build_services(make_settings(tmp_path / "data"), embedder=FakeEmbedder())


def _assert_same(read: Iterable[StoredItem], expected: Iterable[StoredItem]) -> None:
    read_items = {item.item_id: item for item in read}
    expected_items = {item.item_id: item for item in expected}
    assert read_items and read_items.keys() == expected_items.keys()
    for item_id, item in read_items.items():
        wanted = expected_items[item_id]
        assert (item.text, dict(item.metadata)) == (wanted.text, dict(wanted.metadata))
        if item.vector is not None and wanted.vector is not None:
            assert np.allclose(item.vector, wanted.vector)
