"""Sentences in the database: read back exactly; ones older builds kept in Chroma still read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from bot.services import build_services
from ingest.pipeline import refresh
from knowledge.embeddings import MiniLMEmbedder
from knowledge.store.db import make_engine
from knowledge.store.layout import sentence_collection_name
from knowledge.store.registry import current_version
from knowledge.store.sentences import SentenceStore, drop_sentences, kb_sentences
from knowledge.store.vectors import VectorCollection
from tests.conftest import make_settings

PAGE = """# Mason City partnership

The North Iowa manufacturing sector partnership meets every quarter in Mason City.
"""
SECOND = """# Health care partnership

The Central Iowa health care sector partnership trains nurses in Polk County.
"""


def test_items_come_back_with_their_text_metadata_and_exact_vectors(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kb.db'}")
    store = SentenceStore(engine, "v1")
    vectors = np.random.default_rng(7).normal(size=(3, 384)).astype(np.float32)
    metas = [{"chunk_id": f"c{i}", "doc_id": "d1" if i < 2 else "d2", "index": i} for i in range(3)]

    store.add(["c0:0", "c1:0", "c2:0"], vectors, ["one", "two", "three"], metas)

    got = store.get(["c2:0", "c0:0", "missing"], with_vectors=True)
    assert set(got) == {"c0:0", "c2:0"}
    assert got["c2:0"].text == "three" and got["c2:0"].metadata == metas[2]
    assert got["c0:0"].vector is not None
    assert np.array_equal(got["c0:0"].vector, vectors[0])
    assert sorted(i.item_id for i in store.get_by_documents(["d1"])) == ["c0:0", "c1:0"]
    assert SentenceStore(engine, "v2").get(["c0:0"]) == {}  # versions never mix
    drop_sentences(engine, ["v1"])
    assert not store.holds_any() and store.count() == 0
    engine.dispose()


def test_a_version_whose_sentences_are_in_chroma_still_answers_and_carries_them_over(
    tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    (tmp_path / "mason.md").write_text(PAGE, encoding="utf-8")
    services = build_services(make_settings(tmp_path / "kb"), embedder=minilm)
    refresh(services.kb, [(str(tmp_path / "mason.md"), None)], full=False, reset=True)
    old = current_version(services.engine)
    assert old is not None
    _move_sentences_to_chroma(services.kb.chroma, services.engine, old.version_id)
    services.kb.forget_cached()
    question = "Where does the North Iowa partnership meet?"

    answer = services.answerer.answer(question)
    assert answer.confident and "Mason City" in answer.text

    (tmp_path / "health.md").write_text(SECOND, encoding="utf-8")
    refresh(services.kb, [(str(tmp_path / "health.md"), None)], full=False)
    new = current_version(services.engine)
    assert new is not None and new.version_id != old.version_id
    assert any("Mason City" in text for text in _texts(services.engine, new.version_id))
    assert "Mason City" in services.answerer.answer(question).text
    services.close()


def _texts(engine: Engine, version_id: str) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(kb_sentences.c.text).where(kb_sentences.c.version_id == version_id)
        )
        return [row.text for row in rows]


def _move_sentences_to_chroma(client: Any, engine: Engine, version_id: str) -> None:
    """Make a version look like one built before sentences moved to the database."""
    with engine.connect() as connection:
        ids = [
            row.item_id
            for row in connection.execute(
                select(kb_sentences.c.item_id).where(kb_sentences.c.version_id == version_id)
            )
        ]
    items = SentenceStore(engine, version_id).get(ids)
    legacy = VectorCollection(client, sentence_collection_name(version_id), create=True)
    legacy.add(
        ids,
        np.vstack([np.asarray(items[i].vector) for i in ids]),
        [items[i].text for i in ids],
        [dict(items[i].metadata) for i in ids],
    )
    drop_sentences(engine, [version_id])
