"""The served knowledge base: the current version, as the registry and other processes see it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NoReturn

import pytest

from bot.services import Services, build_services
from ingest.pipeline import refresh
from knowledge.embeddings import MiniLMEmbedder
from knowledge.store import KEEP_VERSIONS, reader, registry
from knowledge.store.facts import VersionFacts, forget_facts, load_facts, save_facts
from knowledge.store.layout import sentence_id
from knowledge.store.vectors import VectorCollection
from knowledge.types import Chunk
from tests.conftest import CORPUS, CORPUS_SOURCES, IWD_PAGE, corpus_on, make_settings
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
    assert len(version.all_chunks()) == version.chunks.count() == record.chunk_count
    assert {chunk.doc_id for chunk in version.all_chunks()} == set(documents)


def test_the_folder_documents_keep_their_paths_and_the_single_page_its_own(
    corpus_kb: Services,
) -> None:
    version = corpus_kb.kb.current()
    assert version is not None

    paths = {chunk.path for chunk in version.all_chunks()}

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


@pytest.fixture
def facts_kb(tmp_path: Path, minilm: MiniLMEmbedder) -> Iterator[Services]:
    """A knowledge base of an archived page and a current one that defines an acronym."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "old.md").write_text(
        "# Partnerships (archived page)\n\nThis archived page is kept for reference. Call the "
        "Department of Education about partnerships.\n",
        encoding="utf-8",
    )
    (folder / "new.md").write_text(
        "# Partnerships today\n\nIowa Workforce Development (IWD) runs the partnerships now.\n",
        encoding="utf-8",
    )
    services = build_services(make_settings(tmp_path / "data"), embedder=minilm)
    refresh(services.kb, [(str(folder), None)], full=False, reset=True)
    yield services
    services.close()


@pytest.fixture
def reopen(minilm: MiniLMEmbedder) -> Iterator[Callable[[Services], Services]]:
    """Another process's view of the same data dir: nothing opened yet."""
    opened: list[Services] = []

    def view(services: Services) -> Services:
        opened.append(build_services(services.settings, embedder=minilm))
        return opened[-1]

    yield view
    for services in opened:
        services.close()


def _archived_chunk(services: Services) -> Chunk:
    version = services.kb.current()
    assert version is not None
    return next(c for c in version.all_chunks() if c.title.endswith("(archived page)"))


def test_a_version_opens_from_its_stored_facts_without_reading_its_chunks(
    facts_kb: Services, reopen: Callable[[Services], Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    record = registry.current_version(facts_kb.engine)
    assert record is not None
    stored = load_facts(facts_kb.engine, record.version_id)
    assert stored is not None and stored.acronyms == {"IWD": "Iowa Workforce Development"}
    old = _archived_chunk(facts_kb)
    assert stored.superseded == {old.doc_id}

    def read_everything(_: VectorCollection, page: int = 0) -> NoReturn:
        raise AssertionError("opening a version read all its chunks")

    monkeypatch.setattr(VectorCollection, "pages", read_everything)
    version = reopen(facts_kb).kb.current()

    assert version is not None
    assert version.superseded == {old.doc_id}
    assert version.acronyms == {"IWD": "Iowa Workforce Development"}
    assert version.read_chunks([old.chunk_id])[old.chunk_id].text == old.text
    assert version.sentence_count(old.chunk_id) >= 2
    assert [c.chunk_id for c in version.chunks_containing("Department of Education")] == [
        old.chunk_id
    ]


def test_a_version_built_before_facts_were_stored_gets_them_at_its_first_open(
    facts_kb: Services, reopen: Callable[[Services], Services]
) -> None:
    record = registry.current_version(facts_kb.engine)
    assert record is not None
    expected = load_facts(facts_kb.engine, record.version_id)
    forget_facts(facts_kb.engine, [record.version_id])

    version = reopen(facts_kb).kb.current()

    assert version is not None and expected is not None
    assert (version.superseded, version.acronyms) == (expected.superseded, expected.acronyms)
    assert load_facts(facts_kb.engine, record.version_id) == expected
    # Another instance that opened it at the same time stores the same facts: that is no error.
    save_facts(facts_kb.engine, record.version_id, expected)
    assert load_facts(facts_kb.engine, record.version_id) == expected


def test_documents_carried_over_keep_their_facts_and_retired_versions_lose_theirs(
    facts_kb: Services, tmp_path: Path
) -> None:
    first = registry.current_version(facts_kb.engine)
    assert first is not None
    old = _archived_chunk(facts_kb)
    # A facts row whose version an older release retired without deleting it.
    save_facts(facts_kb.engine, "retired-by-an-older-release", VersionFacts())
    new = tmp_path / "docs" / "new.md"
    for round_number in range(KEEP_VERSIONS):
        new.write_text(f"# Partnerships\n\nRound {round_number}.\n", "utf-8")
        # Only new.md is read again: old.md is carried over from the version before.
        refresh(facts_kb.kb, [(str(new), None)], full=False)

    current = registry.current_version(facts_kb.engine)
    assert current is not None
    kept = load_facts(facts_kb.engine, current.version_id)
    assert kept is not None and kept.superseded == {old.doc_id}
    assert first.version_id not in {v.version_id for v in registry.list_versions(facts_kb.engine)}
    assert load_facts(facts_kb.engine, first.version_id) is None
    assert load_facts(facts_kb.engine, "retired-by-an-older-release") is None


def test_threads_reading_one_version_each_get_every_chunk_and_sentence_they_ask_for(
    facts_kb: Services, reopen: Callable[[Services], Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Caches far smaller than what is read, so each read clears them under the other threads.
    monkeypatch.setattr(reader, "CHUNK_CACHE_LIMIT", 1)
    monkeypatch.setattr(reader, "SENTENCE_CACHE_LIMIT", 1)
    version = reopen(facts_kb).kb.current()
    assert version is not None
    chunk_ids = [chunk.chunk_id for chunk in version.all_chunks()]
    sentence_ids = [
        sentence_id(chunk_id, index)
        for chunk_id in chunk_ids
        for index in range(version.sentence_count(chunk_id))
    ]

    def read(_: int) -> tuple[int, int]:
        got_chunks = len(version.read_chunks(chunk_ids))
        got_sentences = len(version.sentence_items(sentence_ids))
        return got_chunks, got_sentences

    # Threads switch as often as the interpreter allows, so a read racing a clear shows up.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = set(pool.map(read, range(200)))
    finally:
        sys.setswitchinterval(switch)

    assert results == {(len(chunk_ids), len(sentence_ids))}
