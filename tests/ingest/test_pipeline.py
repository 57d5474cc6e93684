"""The refresh pipeline's mechanics, with fast deterministic embeddings.

Meaning does not matter here, so every test uses ``FakeEmbedder``; what matters is which
documents end up in the served version, what is embedded again, and that failures never
leave the bot without a working version.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.services import Services, build_services
from ingest.pipeline import RefreshError, refresh
from ingest.summary import RefreshSummary
from knowledge.embeddings import MiniLMEmbedder
from knowledge.store import registry
from knowledge.store.builder import KEEP_VERSIONS
from knowledge.store.layout import chunk_collection_name, embedding_text, sentence_id
from knowledge.store.sentences import SentenceStore
from tests.conftest import CORPUS, DATA, make_settings
from tests.fakes.embeddings import FailingEmbedder, FakeEmbedder
from tests.storage_backends import EMBEDDED, Stores

# Two data dirs are a one-machine matter: those tests always use the embedded stores.
ON_FILES = Stores(EMBEDDED, {})

GOOD_FILES = (
    "partnership_inventory_summary.pdf",
    "pathway_navigators_explainer.md",
    "qa_2016_sector_partnerships.txt",
)
BAD_FILES = ("broken.pdf", "binary.txt", "unknown.xyz")

GUIDE = """# Partnership guide

## Who takes part

Employers lead each partnership. Community colleges and workforce boards support them.

## Meetings

Partnerships meet a few times a year to agree on shared hiring needs.
"""


def _services(
    data_dir: Path, embedder: FakeEmbedder | None = None, stores: Stores = ON_FILES
) -> Services:
    settings = make_settings(data_dir, **stores.environ)
    return build_services(settings, embedder=embedder or FakeEmbedder())


def _ingest(
    services: Services, *paths: Path, full: bool = False, reset: bool = False
) -> RefreshSummary:
    return refresh(services.kb, [(str(path), None) for path in paths], full=full, reset=reset)


def _served_paths(services: Services) -> set[str]:
    version = services.kb.current()
    assert version is not None
    return {Path(chunk.path or "").name for chunk in version.all_chunks()}


def _collection_names(services: Services) -> set[str]:
    return {collection.name for collection in services.kb.chroma.list_collections()}


def _collections_of(version_id: str) -> set[str]:
    # A version's sentences live in the database (see _has_sentences), not in Chroma.
    return {"sectorbot-" + chunk_collection_name(version_id)}


def _has_sentences(services: Services, version_id: str) -> bool:
    return SentenceStore(services.engine, version_id).holds_any()


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A folder with three corpus documents and one small guide we edit."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in GOOD_FILES:
        shutil.copyfile(CORPUS / name, folder / name)
    (folder / "guide.md").write_text(GUIDE, encoding="utf-8")
    return folder


@pytest.fixture
def services(tmp_path: Path, stores: Stores) -> Iterator[Services]:
    """Services on a fresh knowledge base: embedded, then on the servers when CI runs them."""
    services = _services(tmp_path / "kb", stores=stores)
    yield services
    services.close()


def test_ingesting_a_folder_adds_good_files_and_reports_each_bad_one(
    docs: Path, services: Services
) -> None:
    for name in BAD_FILES:
        shutil.copyfile(DATA / name, docs / name)

    summary = _ingest(services, docs)

    assert sorted(Path(name).name for name in summary.added) == sorted([*GOOD_FILES, "guide.md"])
    reasons = {Path(failure.source).name: failure.reason for failure in summary.failed}
    assert set(reasons) == set(BAD_FILES)
    assert "PDF" in reasons["broken.pdf"]
    assert "binary" in reasons["binary.txt"]
    assert ".xyz" in reasons["unknown.xyz"]
    assert summary.documents == 4
    assert summary.chunks > 0
    assert summary.embedded > 0
    assert summary.indexed_anything
    assert _served_paths(services) == {*GOOD_FILES, "guide.md"}


def test_a_missing_source_is_reported_as_failed(tmp_path: Path, services: Services) -> None:
    summary = _ingest(services, tmp_path / "nowhere")

    assert [failure.source for failure in summary.failed] == [str(tmp_path / "nowhere")]
    assert "no such file" in summary.failed[0].reason


def test_a_second_ingest_of_an_unchanged_folder_embeds_nothing(
    docs: Path, tmp_path: Path, stores: Stores
) -> None:
    embedder = FakeEmbedder()
    services = _services(tmp_path / "kb", embedder, stores)
    first = _ingest(services, docs)
    seen = embedder.embedded

    second = _ingest(services, docs)

    assert second.embedded == 0
    assert embedder.embedded == seen
    assert len(second.unchanged) == 4
    assert not (second.added or second.updated or second.removed)
    assert second.version_id == first.version_id
    assert second.chunks == first.chunks


def test_editing_one_file_embeds_only_that_file_again(
    docs: Path, tmp_path: Path, stores: Stores
) -> None:
    embedder = FakeEmbedder()
    services = _services(tmp_path / "kb", embedder, stores)
    _ingest(services, docs)
    already = len(embedder.texts)
    guide = docs / "guide.md"
    guide.write_text(GUIDE + "\n## Zebra crossing\n\nZebra training starts in May.\n", "utf-8")

    summary = _ingest(services, docs)

    assert [Path(name).name for name in summary.updated] == ["guide.md"]
    assert len(summary.unchanged) == 3
    new_texts = embedder.texts[already:]
    assert new_texts
    assert summary.embedded == len(new_texts)
    assert all("zebra" in text.lower() for text in new_texts), new_texts


def test_a_file_deleted_from_a_named_folder_is_removed(docs: Path, services: Services) -> None:
    _ingest(services, docs)
    (docs / GOOD_FILES[0]).unlink()

    summary = _ingest(services, docs)

    assert [Path(name).name for name in summary.removed] == [GOOD_FILES[0]]
    assert GOOD_FILES[0] not in _served_paths(services)
    assert summary.documents == 3


def test_incremental_ingest_of_another_path_keeps_earlier_documents(
    docs: Path, tmp_path: Path, services: Services
) -> None:
    _ingest(services, docs)
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nA different document about apprenticeships.\n", "utf-8")

    summary = _ingest(services, other)

    assert [Path(name).name for name in summary.added] == ["other.md"]
    assert not summary.removed
    assert summary.documents == 5
    assert _served_paths(services) == {*GOOD_FILES, "guide.md", "other.md"}


def test_reset_keeps_only_the_given_sources(docs: Path, tmp_path: Path, services: Services) -> None:
    _ingest(services, docs)
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nA different document about apprenticeships.\n", "utf-8")

    summary = _ingest(services, other, reset=True)

    assert summary.documents == 1
    assert _served_paths(services) == {"other.md"}


def test_only_broken_files_index_nothing_and_publish_no_version(
    tmp_path: Path, services: Services
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    for name in BAD_FILES:
        shutil.copyfile(DATA / name, folder / name)

    summary = _ingest(services, folder)

    assert not summary.indexed_anything
    assert len(summary.failed) == 3
    assert services.kb.current() is None


def test_a_reset_that_indexes_nothing_keeps_the_previous_version(
    docs: Path, tmp_path: Path, services: Services
) -> None:
    first = _ingest(services, docs)

    summary = _ingest(services, DATA / "broken.pdf", reset=True)

    assert not summary.indexed_anything
    current = services.kb.current()
    assert current is not None
    assert current.record.version_id == first.version_id


def test_a_refresh_that_fails_midway_leaves_the_previous_version_serving(
    docs: Path, tmp_path: Path, stores: Stores
) -> None:
    data_dir = tmp_path / "kb"
    served = _services(data_dir, stores=stores)
    first = _ingest(served, docs)
    collections_before = _collection_names(served)
    (docs / "guide.md").write_text(GUIDE + "\nA new paragraph about welding.\n", "utf-8")
    (docs / "more.md").write_text("# More\n\nAnother page.\n\nWith more sentences.\n", "utf-8")
    failing = FailingEmbedder(limit=2)
    refresher = _services(data_dir, failing, stores)

    with pytest.raises(RefreshError, match="previous version is still served"):
        _ingest(refresher, docs)

    assert failing.embedded > 0  # it died part-way through, not before starting
    current = served.kb.current()
    assert current is not None
    assert current.record.version_id == first.version_id
    assert _served_paths(served) == {*GOOD_FILES, "guide.md"}
    assert served.answerer.answer("Who leads each partnership?").intent == "question"
    chunk = next(c for c in current.all_chunks() if c.path and c.path.endswith("guide.md"))
    vector = FakeEmbedder().embed([embedding_text(chunk)])[0]
    assert current.chunks.query(vector, 1)[0][0] == chunk.chunk_id
    assert _collection_names(served) == collections_before
    statuses = {v.status for v in registry.list_versions(served.engine)}
    assert statuses == {"ready", "failed"}


def test_an_unreadable_file_in_a_full_refresh_is_kept_and_reported(
    docs: Path, services: Services
) -> None:
    first = _ingest(services, docs, full=True)
    pdf = docs / GOOD_FILES[0]
    pdf_chunks = _chunk_ids_of(services, GOOD_FILES[0])
    shutil.copyfile(DATA / "broken.pdf", pdf)
    (docs / "guide.md").write_text(GUIDE + "\nA new paragraph about welding.\n", "utf-8")

    summary = _ingest(services, docs, full=True)

    assert [Path(f.source).name for f in summary.failed] == [GOOD_FILES[0]]
    assert not summary.removed
    assert summary.version_id != first.version_id
    assert summary.documents == 4
    assert GOOD_FILES[0] in _served_paths(services)
    assert _chunk_ids_of(services, GOOD_FILES[0]) == pdf_chunks


def test_a_full_refresh_removes_documents_no_longer_named(
    docs: Path, tmp_path: Path, services: Services
) -> None:
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nA different document about apprenticeships.\n", "utf-8")
    _ingest(services, docs, other, full=True)

    summary = _ingest(services, docs, full=True)

    assert [Path(name).name for name in summary.removed] == ["other.md"]
    assert "other.md" not in _served_paths(services)


def test_a_refresh_of_the_configured_sources_keeps_documents_added_by_hand(
    docs: Path, tmp_path: Path, services: Services
) -> None:
    _ingest(services, docs, full=True)
    added = tmp_path / "added.md"
    added.write_text("# Added\n\nA document an admin ingested by hand.\n", "utf-8")
    _ingest(services, added)

    summary = _ingest(services, docs, full=True)

    assert not summary.removed
    assert "added.md" in _served_paths(services)


def test_old_versions_beyond_the_kept_ones_are_retired(docs: Path, services: Services) -> None:
    version_ids = []
    for edit in range(KEEP_VERSIONS + 2):
        (docs / "guide.md").write_text(GUIDE + f"\nEdit number {edit}.\n", "utf-8")
        version_ids.append(_ingest(services, docs).version_id)

    kept = [v.version_id for v in registry.list_versions(services.engine)]
    assert kept == list(reversed(version_ids[-KEEP_VERSIONS:]))
    names = _collection_names(services)
    for retired in version_ids[:-KEEP_VERSIONS]:
        assert retired is not None
        assert not _collections_of(retired) & names
        assert not _has_sentences(services, retired)
        assert registry.documents_of(services.engine, retired) == {}
    for version_id in kept:
        assert _collections_of(version_id) <= names
        assert _has_sentences(services, version_id)


def test_two_data_dirs_never_interfere(docs: Path, tmp_path: Path) -> None:
    first_embedder, second_embedder = FakeEmbedder(), FakeEmbedder()
    first = _services(tmp_path / "one", first_embedder)
    second = _services(tmp_path / "two", second_embedder)
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nA different document about apprenticeships.\n", "utf-8")

    _ingest(first, docs)
    summary = _ingest(second, other, docs / "guide.md")

    assert _served_paths(first) == {*GOOD_FILES, "guide.md"}
    assert _served_paths(second) == {"other.md", "guide.md"}
    # Nothing is shared, not even the embedding cache: the guide is embedded again.
    assert any("Employers lead each partnership." in text for text in second_embedder.texts)
    assert summary.embedded == second_embedder.embedded
    assert not _collection_names(first) & _collection_names(second)


def _chunk_ids_of(services: Services, name: str) -> set[str]:
    version = services.kb.current()
    assert version is not None
    return {c.chunk_id for c in version.all_chunks() if Path(c.path or "").name == name}


def test_changing_the_url_a_source_is_cited_by_updates_it(docs: Path, services: Services) -> None:
    guide = str(docs / "guide.md")
    refresh(services.kb, [(guide, "https://example.org/old")], full=True)

    summary = refresh(services.kb, [(guide, "https://example.org/new")], full=True)

    assert [Path(name).name for name in summary.updated] == ["guide.md"]
    version = services.kb.current()
    assert version is not None
    assert {chunk.url for chunk in version.all_chunks()} == {"https://example.org/new"}


class _OtherModel(FakeEmbedder):
    model_id = "another-fake-model"


def test_changing_the_embedding_model_re_embeds_everything(
    docs: Path, tmp_path: Path, services: Services, stores: Stores
) -> None:
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nA different document about apprenticeships.\n", "utf-8")
    first = _ingest(services, docs, other)
    new_model = _OtherModel()
    switched = _services(tmp_path / "kb", new_model, stores)

    # Only the folder is named again: the other document is carried over, and re-embedded too.
    summary = _ingest(switched, docs)

    assert summary.version_id != first.version_id
    assert len(summary.unchanged) == 4
    version = switched.kb.current()
    assert version is not None
    assert version.record.embedding_model == new_model.model_id
    assert version.chunks.count() == first.chunks
    assert summary.embedded == new_model.embedded > 0
    assert any("apprenticeships" in text for text in new_model.texts)
    other_chunk = next(c for c in version.all_chunks() if c.path == str(other))
    vector = new_model.embed([embedding_text(other_chunk)])[0]
    assert version.chunks.query(vector, 1)[0] == (other_chunk.chunk_id, pytest.approx(1.0))


class _CountingMiniLM(MiniLMEmbedder):
    """The real model, remembering every text it ran a pass on."""

    def __init__(self) -> None:
        super().__init__()
        self.passes: list[str] = []

    def _run(self, session: object, tokenizer: object, texts: Sequence[str]) -> Any:
        self.passes.extend(texts)
        return super()._run(session, tokenizer, texts)


def test_a_chunk_and_its_sentences_take_one_pass_of_the_model(docs: Path, tmp_path: Path) -> None:
    model = _CountingMiniLM()
    services = build_services(make_settings(tmp_path / "kb"), embedder=model)

    _ingest(services, docs)

    version = services.kb.current()
    assert version is not None
    chunks = list(version.all_chunks())
    headings = {c.headings[-1] if c.headings else c.title for c in chunks}
    assert {embedding_text(c) for c in chunks} <= set(model.passes)
    assert set(model.passes) <= {embedding_text(c) for c in chunks} | headings
    sentence_ids = [sentence_id(c.chunk_id, 0) for c in chunks]
    assert all(item.vector is not None for item in version.sentence_items(sentence_ids).values())


def test_small_documents_are_embedded_together_not_one_call_each(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    for number in range(40):
        (folder / f"note-{number}.md").write_text(
            f"# Note {number}\n\nEmployer {number} asked about training.\n", "utf-8"
        )
    embedder = FakeEmbedder()
    services = _services(tmp_path / "kb", embedder)

    summary = _ingest(services, folder)

    assert summary.documents == 40
    # One batch: the chunks' texts, then their sentences and headings (this embedder has no
    # single pass for both).
    assert len(embedder.calls) == 2
