"""Which runner-up joins the best passage of an answer."""

from __future__ import annotations

from knowledge.answering.compose import SecondPassage, answer_passages
from knowledge.answering.select import Evidence, Passage
from knowledge.answering.understand import Part
from knowledge.types import Chunk

RULE = SecondPassage(same_document=0.75, other_document=0.1)


def _passage(doc_id: str, score: float, first: int = 0) -> Passage:
    chunk = Chunk(f"{doc_id}-0000", doc_id, "text", doc_id, (), None, None, None, 0)
    return Passage(chunk, first, (f"A sentence of {doc_id}.",), score)


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
