"""Pick the passages an answer quotes from scored sentences.

The best sentence comes with the neighbours it needs, then other passages nearly as good that
add something new, all within a length budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.sentences import LEANS_BACK
from knowledge.terms import stem
from knowledge.types import Chunk

MAX_PASSAGES = 3
MAX_ANSWER_CHARS = 600
WINDOW_CHARS = 260
WINDOW_MIN_SEMANTIC = 0.6
SECTION_ANSWERS = 0.75
FOLLOW_UP_MARGIN = 0.2
MIN_NEW_COVERAGE = 0.15
REDUNDANCY_LIMIT = 0.6

_THE_NOUN = re.compile(r"^(?:the|this|that) ([a-z]+)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence with its scores."""

    text: str
    chunk: Chunk
    index: int
    semantic: float
    lexical: float
    score: float
    terms: frozenset[str]
    section_match: float = 0.0
    states_wanted: bool = False


def select_passages(sentences: list[Sentence], weights: dict[str, float]) -> list[Sentence]:
    """Pick the answer: the best passage, then others nearly as good that add something new.

    Everything stays within a length budget.
    """
    if not sentences:
        return []
    total_weight = sum(weights.values()) or 1.0
    by_position = {(s.chunk.chunk_id, s.index): s for s in sentences}
    chosen: list[Sentence] = []
    covered: set[str] = set()
    passages = 0
    for candidate in sentences:
        if passages >= MAX_PASSAGES:
            break
        if candidate in chosen:
            continue
        if chosen:
            new = sum(w for t, w in weights.items() if t in candidate.terms and t not in covered)
            gap = chosen[0].score - candidate.score
            adds_enough = new / total_weight >= MIN_NEW_COVERAGE and gap <= 2 * FOLLOW_UP_MARGIN
            if not (gap <= FOLLOW_UP_MARGIN or adds_enough):
                continue
            if any(redundant(candidate, c) for c in chosen):
                continue
        passage = [s for s in _passage(candidate, by_position) if s not in chosen]
        length = sum(len(s.text) for s in chosen)
        while len(passage) > 1 and length + sum(len(s.text) for s in passage) > MAX_ANSWER_CHARS:
            passage.pop(-1 if passage[-1] is not candidate else 0)
        if length + sum(len(s.text) for s in passage) > MAX_ANSWER_CHARS and chosen:
            continue
        # "The members were:" without the list that follows says nothing.
        while passage and passage[-1].text.rstrip().endswith(":"):
            passage.pop()
        if not passage:
            continue
        chosen.extend(passage)
        covered.update(*(s.terms for s in passage))
        passages += 1
    return chosen


def _passage(anchor: Sentence, by_position: dict[tuple[str, int], Sentence]) -> list[Sentence]:
    """The anchor sentence with the neighbours it needs.

    That is the sentence before it when it leans on it ("It ...", "This ..."), and the
    following sentences that stay on the subject, up to a window size.

    Table rows are records of their own and get no neighbours; a sentence ending in a colon
    introduces a list, whose items follow it.
    """
    passage = [anchor]
    if _is_table_row(anchor.text):
        return passage
    previous = by_position.get((anchor.chunk.chunk_id, anchor.index - 1))
    if previous is not None and _leans_on(anchor, previous) and not _is_table_row(previous.text):
        passage.insert(0, previous)
    following = by_position.get((anchor.chunk.chunk_id, anchor.index + 1))
    introduces_list = anchor.text.rstrip().endswith(":") or (
        following is not None
        and following.text.startswith("- ")
        and not anchor.text.startswith("- ")
    )
    window = WINDOW_CHARS * (2 if introduces_list else 1)
    length = sum(len(s.text) for s in passage)
    index = anchor.index + 1
    while length < window:
        following = by_position.get((anchor.chunk.chunk_id, index))
        if following is None or _is_table_row(following.text):
            break
        if anchor.states_wanted and not (introduces_list or following.states_wanted):
            break  # "how many?" is answered by the sentence with the number, not its neighbours
        on_subject = following.semantic >= WINDOW_MIN_SEMANTIC * anchor.semantic
        # Under a heading that is itself the question (an FAQ entry), the whole entry answers it.
        under_matching_heading = anchor.section_match >= SECTION_ANSWERS
        if not (introduces_list or on_subject or under_matching_heading):
            break
        passage.append(following)
        length += len(following.text)
        index += 1
    return passage


def _leans_on(sentence: Sentence, previous: Sentence) -> bool:
    """True when the sentence refers back: "It ...", or "The credit ..." after a credit."""
    if LEANS_BACK.match(sentence.text):
        return True
    match = _THE_NOUN.match(sentence.text)
    return match is not None and stem(match.group(1).lower()) in previous.terms


def redundant(first: Sentence, second: Sentence) -> bool:
    """True when two sentences share most of their words."""
    union = first.terms | second.terms
    return bool(union) and len(first.terms & second.terms) / len(union) > REDUNDANCY_LIMIT


def _is_table_row(text: str) -> bool:
    return " | " in text
