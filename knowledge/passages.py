"""Pick the passages an answer quotes from scored sentences.

The best sentence comes with the neighbours it needs, then other passages nearly as good that
add something new, all within a length budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.sentences import LEANS_BACK, announces, is_list_item
from knowledge.terms import stem
from knowledge.types import Chunk

MAX_PASSAGES = 3
MAX_ANSWER_CHARS = 600
MAX_LIST_ANSWER_CHARS = 800
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


def select_passages(sentences: list[Sentence], weights: dict[str, float]) -> list[list[Sentence]]:
    """Pick the answer: the best passage, then others nearly as good that add something new.

    Everything stays within a length budget; a list the best passage quotes may take a larger
    one, since a list cut short reads as if it were complete.
    Returns the passages, best first, each a list of sentences in document order.
    """
    if not sentences:
        return []
    total_weight = sum(weights.values()) or 1.0
    by_position = {(s.chunk.chunk_id, s.index): s for s in sentences}
    chosen: list[list[Sentence]] = []
    covered: set[str] = set()
    for candidate in sentences:
        if len(chosen) >= MAX_PASSAGES:
            break
        taken = [s for passage in chosen for s in passage]
        if candidate in taken:
            continue
        if chosen:
            new = sum(w for t, w in weights.items() if t in candidate.terms and t not in covered)
            gap = sentences[0].score - candidate.score
            adds_enough = new / total_weight >= MIN_NEW_COVERAGE and gap <= 2 * FOLLOW_UP_MARGIN
            if not (gap <= FOLLOW_UP_MARGIN or adds_enough):
                continue
            if any(redundant(candidate, c) for c in taken):
                continue
        passage = [s for s in _passage(candidate, by_position) if s not in taken]
        length = sum(len(s.text) for s in taken)
        opens_list = not chosen and is_list_passage(passage)
        budget = MAX_LIST_ANSWER_CHARS if opens_list else MAX_ANSWER_CHARS
        _trim(passage, candidate, budget - length)
        if length + sum(len(s.text) for s in passage) > budget and chosen:
            continue
        # "The members were:" without the list that follows says nothing.
        while passage and announces(passage[-1].text):
            passage.pop()
        if not passage:
            continue
        chosen.append(passage)
        covered.update(*(s.terms for s in passage))
    return chosen


def _trim(passage: list[Sentence], anchor: Sentence, room: int) -> None:
    """Drop sentences until the passage fits ``room``: never the anchor, nor a list's opening."""
    keep_first = is_list_passage(passage)
    while len(passage) > 1 and sum(len(s.text) for s in passage) > room:
        last = len(passage) - 1
        if passage[last] is not anchor:
            passage.pop(last)
        elif not keep_first and passage[0] is not anchor:
            passage.pop(0)
        elif len(passage) > 2:
            passage.pop(last - 1)
        else:
            break


def is_list_passage(passage: list[Sentence]) -> bool:
    """True for a passage that opens a list and quotes its items."""
    return len(passage) > 1 and announces(passage[0].text) and is_list_item(passage[1].text)


def _passage(anchor: Sentence, by_position: dict[tuple[str, int], Sentence]) -> list[Sentence]:
    """The anchor sentence with the neighbours it needs.

    That is the sentence before it when it leans on it ("It ...", "This ..."), and the
    following sentences that stay on the subject, up to a window size.

    Table rows are records of their own and get no neighbours. A list is quoted with the line
    that opens it: the items mean little alone ("- 17 business members"), the opening little
    without them.
    """
    if _is_table_row(anchor.text):
        return [anchor]
    whole_list = _list_around(anchor, by_position)
    if whole_list:
        return whole_list
    passage = [anchor]
    previous = by_position.get((anchor.chunk.chunk_id, anchor.index - 1))
    if previous is not None and _leans_on(anchor, previous) and not _is_table_row(previous.text):
        passage.insert(0, previous)
    # "The steps are:" is followed by what it announces, whatever the wording; a sentence
    # followed by list items ("260E pays for ..." then how) by those items.
    following = by_position.get((anchor.chunk.chunk_id, anchor.index + 1))
    announcing = announces(anchor.text) or (
        following is not None and is_list_item(following.text) and not is_list_item(anchor.text)
    )
    window = WINDOW_CHARS * (2 if announcing else 1)
    length = sum(len(s.text) for s in passage)
    index = anchor.index + 1
    while length < window:
        following = by_position.get((anchor.chunk.chunk_id, index))
        if following is None or _is_table_row(following.text):
            break
        if anchor.states_wanted and not (announcing or following.states_wanted):
            break  # "how many?" is answered by the sentence with the number, not its neighbours
        on_subject = following.semantic >= WINDOW_MIN_SEMANTIC * anchor.semantic
        # Under a heading that is itself the question (an FAQ entry), the whole entry answers it.
        under_matching_heading = anchor.section_match >= SECTION_ANSWERS
        if not (announcing or on_subject or under_matching_heading):
            break
        passage.append(following)
        length += len(following.text)
        index += 1
    return passage


def _list_around(anchor: Sentence, by_position: dict[tuple[str, int], Sentence]) -> list[Sentence]:
    """The list the anchor opens or belongs to, opening line first; empty when there is none."""
    chunk_id = anchor.chunk.chunk_id

    def item(index: int) -> bool:
        found = by_position.get((chunk_id, index))
        return found is not None and is_list_item(found.text)

    opening = anchor.index
    if is_list_item(anchor.text):
        opening -= 1
        while item(opening):
            opening -= 1
    first = by_position.get((chunk_id, opening))
    # Items that are sentences of their own ("- Students must enroll part-time.") under an
    # opening that does not announce them need neither the opening nor each other.
    if first is None or not announces(first.text) or not item(opening + 1):
        return []
    passage = [by_position[chunk_id, opening]]
    index = opening + 1
    while item(index):
        passage.append(by_position[chunk_id, index])
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
