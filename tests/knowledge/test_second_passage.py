"""Which runner-up joins the best passage of an answer."""

from __future__ import annotations

import datetime as dt

from knowledge.answering.compose import SecondPassage, answer_passages
from knowledge.answering.select import Evidence, Passage
from knowledge.answering.understand import Part
from knowledge.types import Chunk

RULE = SecondPassage(same_document=0.75, other_document=0.1)


def _passage(doc_id: str, score: float, first: int = 0) -> Passage:
    chunk = Chunk(f"{doc_id}-0000", doc_id, "text", doc_id, (), None, None, None, 0)
    return Passage(chunk, first, (f"Sentence {first} of {doc_id}.",), score)


def _evidence(*passages: Passage) -> Evidence:
    part = Part("What is a sector partnership?", "What is a sector partnership?")
    return Evidence(part, (), passages, {}, spread=1.0)


def test_a_runner_up_from_the_same_document_may_trail_further_than_one_from_another() -> None:
    best = _passage("seed", 3.0)
    same = _passage("seed", 2.5, first=1)
    other = _passage("national", 2.5)

    assert answer_passages([_evidence(best, same)], RULE) == [best, same]
    assert answer_passages([_evidence(best, other)], RULE) == [best]


def test_a_runner_up_far_behind_is_left_out_whatever_its_document() -> None:
    best = _passage("seed", 3.0)
    far = _passage("seed", 2.0, first=1)

    assert answer_passages([_evidence(best, far)], RULE) == [best]


def _dated(doc_id: str, score: float, date: dt.date | None) -> Passage:
    chunk = Chunk(f"{doc_id}-0000", doc_id, "text", doc_id, (), None, None, date, 0)
    return Passage(chunk, 0, (f"A sentence of {doc_id}.",), score)


def _asked(question: str, *passages: Passage) -> Evidence:
    return Evidence(Part(question, question), (), passages, {}, spread=1.0)


def test_asked_about_now_an_older_page_is_followed_by_the_best_newer_one() -> None:
    old = _dated("guide-2019", 3.0, dt.date(2019, 5, 1))
    older = _dated("guide-2015", 2.9, dt.date(2015, 5, 1))
    newer = _dated("guide-2024", 1.0, dt.date(2024, 5, 1))
    now = "Is the grant still $15,000?"

    assert answer_passages([_asked(now, old, older, newer)], RULE) == [old, newer]
    # Not asked about now, the newer page must be as close as any other runner-up.
    assert answer_passages([_asked("Is the grant $15,000?", old, older, newer)], RULE) == [old]


def test_asked_about_now_an_archived_page_is_followed_by_the_best_current_one() -> None:
    archived = _dated("doe-page", 3.0, None)
    also_archived = _dated("doe-copy", 2.9, None)
    current = _dated("iwd-page", 1.0, None)
    superseded = frozenset({"doe-page", "doe-copy"})
    question = _asked("Who runs the partnerships now?", archived, also_archived, current)

    assert answer_passages([question], RULE, superseded) == [archived, current]


def test_asked_about_now_a_current_best_page_takes_no_extra_passage() -> None:
    newest = _dated("guide-2024", 3.0, dt.date(2024, 5, 1))
    older = _dated("guide-2019", 1.0, dt.date(2019, 5, 1))

    assert answer_passages([_asked("Is it still open?", newest, older)], RULE) == [newest]
