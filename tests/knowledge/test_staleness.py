"""Answers resting on old documents say how old they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.services import build_services
from ingest.pipeline import refresh
from knowledge.answering.staleness import stale_sources, with_staleness_note
from knowledge.embeddings import MiniLMEmbedder
from knowledge.types import Answer, Source
from tests.conftest import make_settings

TODAY = dt.date(2026, 11, 25)


def _source(n: int, date: dt.date | None, archived: bool = False) -> Source:
    return Source(n, f"Doc {n}", None, f"doc{n}.md", 0.9, "", date, archived)


def _answer(text: str, *sources: Source, confident: bool = True) -> Answer:
    return Answer("q?", text, tuple(sources), confident, "question")


def test_only_cited_sources_older_than_the_limit_are_named_oldest_first() -> None:
    answer = _answer(
        "One [1]. Two [2]. Three [3].",
        _source(1, dt.date(2025, 6, 1)),
        _source(2, dt.date(2021, 3, 9)),
        _source(3, dt.date(2019, 1, 2)),
        _source(4, dt.date(2010, 1, 1)),  # listed, not cited
    )

    old = stale_sources(answer, 730, TODAY)

    assert [source.n for source in old] == [3, 2]
    noted = with_staleness_note(answer, 730, TODAY)
    assert noted.text.endswith(
        "Note: [3] is dated January 2019 and [2] is dated March 2021, so they may be out of date."
    )


def test_undated_archived_and_recent_sources_and_declines_get_no_note() -> None:
    undated = _answer("Fact [1].", _source(1, None))
    archived = _answer("Fact [1] (archived page).", _source(1, dt.date(2016, 8, 22), True))
    recent = _answer("Fact [1].", _source(1, dt.date(2026, 1, 5)))
    declined = _answer("I don't know.", _source(1, dt.date(2001, 1, 1)), confident=False)

    for answer in (undated, archived, recent, declined):
        assert with_staleness_note(answer, 730, TODAY) == answer
    old = _answer("Fact [1].", _source(1, dt.date(2001, 1, 1)))
    assert with_staleness_note(old, None, TODAY) == old  # the setting is off


def test_the_answerer_notes_an_old_source_when_the_setting_asks(
    tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    page = tmp_path / "old.md"
    page.write_text(
        "# Mason City partnership\n\nLast reviewed: March 2019\n\n"
        "The North Iowa manufacturing sector partnership meets every quarter in Mason City.\n",
        encoding="utf-8",
    )
    strict = build_services(make_settings(tmp_path / "a", STALE_AFTER_DAYS="365"), embedder=minilm)
    refresh(strict.kb, [(str(page), None)], full=False, reset=True)
    relaxed = build_services(make_settings(tmp_path / "a", STALE_AFTER_DAYS="0"), embedder=minilm)

    question = "Where does the North Iowa manufacturing partnership meet?"
    noted = strict.answerer.answer(question)
    plain = relaxed.answerer.answer(question)

    assert noted.confident and "Mason City" in noted.text
    assert noted.text.endswith("Note: [1] is dated March 2019, so it may be out of date.")
    assert "Note:" not in plain.text
    strict.close()
    relaxed.close()
