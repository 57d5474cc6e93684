"""The BM25 index is saved when a version is built and memory-mapped when it is opened."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.services import Services, build_services
from ingest.pipeline import refresh
from knowledge.store.builder import KEEP_VERSIONS
from knowledge.store.keywords import KeywordIndex
from knowledge.store.reader import keyword_index_dir
from knowledge.terms import content_terms
from tests.conftest import REPO, make_settings
from tests.fakes.embeddings import FakeEmbedder

TEXTS = {
    "c1": "Manufacturing partnerships meet in Mason City every quarter.",
    "c2": "Health care employers in Polk County train nurses together.",
    "c3": "Community colleges support the manufacturing partnership with welding courses.",
}
PAGE = """# Partnerships

## Manufacturing

The manufacturing partnership meets in Mason City every quarter to plan welding courses.

## Health care

Hospitals in Polk County train nurses together.
"""


def test_a_saved_index_answers_exactly_as_the_one_it_was_saved_from(tmp_path: Path) -> None:
    built = KeywordIndex(list(TEXTS), TEXTS.values())
    built.save(tmp_path / "index")

    loaded = KeywordIndex.load(tmp_path / "index")

    for query in ("manufacturing partnership", "nurses in Polk County", "welding", "unknown"):
        assert loaded.search(query, 3) == built.search(query, 3)
    assert loaded.idf("manufactur") == built.idf("manufactur")
    assert loaded.idf("never-seen") == built.idf("never-seen")


def test_scores_are_bm25s_own_for_the_same_terms(tmp_path: Path) -> None:
    import bm25s

    index = KeywordIndex(list(TEXTS), TEXTS.values())
    index.save(tmp_path / "index")
    reference = bm25s.BM25(k1=1.2, b=0.75)
    reference.index([content_terms(text) for text in TEXTS.values()], show_progress=False)

    for query in ("manufacturing partnership partnership", "nurses in Polk County", "welding"):
        expected = reference.get_scores(content_terms(query))
        top = sorted(zip(TEXTS, expected, strict=True), key=lambda pair: -pair[1])
        wanted = [(chunk_id, pytest.approx(float(score))) for chunk_id, score in top if score > 0]
        assert index.search(query, 3) == wanted
        assert KeywordIndex.load(tmp_path / "index").search(query, 3) == wanted


def test_answering_from_a_saved_index_does_not_import_bm25s(tmp_path: Path) -> None:
    KeywordIndex(list(TEXTS), TEXTS.values()).save(tmp_path / "index")
    code = (
        "import sys; from knowledge.store.keywords import KeywordIndex; "
        f"index = KeywordIndex.load(__import__('pathlib').Path({str(tmp_path / 'index')!r})); "
        "assert index.search('welding', 3); print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('bm25s', 'scipy')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    assert loaded.strip() == "[]"


def test_an_index_saved_under_other_term_rules_is_not_loaded(tmp_path: Path) -> None:
    KeywordIndex(list(TEXTS), TEXTS.values()).save(tmp_path / "index")
    (tmp_path / "index" / "term_rules.txt").write_text("an older knowledge/terms.py")

    with pytest.raises(ValueError, match="other term rules"):
        KeywordIndex.load(tmp_path / "index")


def test_an_empty_index_saves_and_loads(tmp_path: Path) -> None:
    KeywordIndex([], []).save(tmp_path / "empty")

    assert KeywordIndex.load(tmp_path / "empty").search("anything", 5) == []


def test_a_built_version_is_opened_from_its_saved_index_and_rebuilt_when_it_is_missing(
    tmp_path: Path,
) -> None:
    page = tmp_path / "docs" / "partnerships.md"
    page.parent.mkdir()
    page.write_text(PAGE, encoding="utf-8")
    services = _services(tmp_path)
    try:
        version_id = refresh(services.kb, [(str(page), None)], full=False).version_id
        assert services.kb.index_dir is not None
        saved = keyword_index_dir(services.kb.index_dir, version_id)
        assert (saved / "ids.json").is_file()
        version = services.kb.current()
        assert version is not None
        found = version.keywords.search("welding courses", 3)
        assert found and found[0][0] in version.read_chunks([found[0][0]])

        # Another instance (its own data dir) or a version built before: built once, then saved.
        shutil.rmtree(saved)
        services.kb.forget_cached()
        reopened = services.kb.current()
        assert reopened is not None and reopened.keywords.search("welding courses", 3) == found
        assert (saved / "ids.json").is_file()
    finally:
        services.close()


def test_a_retired_version_takes_its_saved_index_with_it(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "partnerships.md"
    page.parent.mkdir()
    services = _services(tmp_path)
    try:
        built = []
        for edit in range(KEEP_VERSIONS + 1):
            page.write_text(PAGE + f"\nEdition {edit}.\n", encoding="utf-8")
            built.append(refresh(services.kb, [(str(page), None)], full=False).version_id)
        assert services.kb.index_dir is not None
        kept = sorted(path.name for path in services.kb.index_dir.iterdir())
        assert kept == sorted(built[-KEEP_VERSIONS:])
    finally:
        services.close()


def _services(tmp_path: Path) -> Services:
    return build_services(make_settings(tmp_path / "data"), embedder=FakeEmbedder())
