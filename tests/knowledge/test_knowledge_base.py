"""The served knowledge base: the current version, as the registry and other processes see it."""

from __future__ import annotations

import pytest

from bot.services import Services, build_services
from ingest.pipeline import refresh
from knowledge.embeddings import MiniLMEmbedder
from knowledge.store import registry
from tests.conftest import CORPUS, CORPUS_SOURCES, IWD_PAGE, corpus_on
from tests.storage_backends import STORES


@pytest.fixture(params=STORES)
def corpus_kb(request: pytest.FixtureRequest) -> Services:
    """The corpus knowledge base embedded, and on PostgreSQL + a Chroma server when CI runs them."""
    return corpus_on(request)


def test_the_current_version_holds_what_the_registry_says(corpus_kb: Services) -> None:
    version = corpus_kb.kb.current()
    record = registry.current_version(corpus_kb.engine)

    assert version is not None and record is not None
    assert version.record.version_id == record.version_id
    documents = registry.documents_of(corpus_kb.engine, record.version_id)
    assert len(documents) == record.document_count == len(list(CORPUS.iterdir())) + 1
    assert record.chunk_count == sum(d.chunk_count for d in documents.values())
    assert len(version.chunk_by_id) == version.chunks.count() == record.chunk_count
    assert {chunk.doc_id for chunk in version.chunk_by_id.values()} == set(documents)


def test_the_folder_documents_keep_their_paths_and_the_single_page_its_own(
    corpus_kb: Services,
) -> None:
    version = corpus_kb.kb.current()
    assert version is not None

    paths = {chunk.path for chunk in version.chunk_by_id.values()}

    assert {path for path in paths if path and "/corpus/" in path} == {
        str(file) for file in CORPUS.iterdir()
    }
    assert str(IWD_PAGE) in paths


def test_a_version_published_by_another_process_is_served_without_restart(
    corpus_kb: Services, minilm: MiniLMEmbedder
) -> None:
    before = corpus_kb.kb.current()
    assert before is not None
    other = build_services(corpus_kb.settings, embedder=minilm)

    # The same sources again, from scratch: a new version, every embedding from the cache.
    summary = refresh(other.kb, CORPUS_SOURCES, full=False, reset=True)

    assert summary.embedded == 0
    assert summary.version_id != before.record.version_id
    after = corpus_kb.kb.current()
    assert after is not None
    assert after.record.version_id == summary.version_id
    assert after.record.chunk_count == before.record.chunk_count
    answer = corpus_kb.answerer.answer("What is an Iowa Business Sector Partnership?")
    assert answer.confident
    assert answer.sources
