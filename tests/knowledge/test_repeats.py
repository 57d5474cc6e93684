"""An answer never says the same thing twice, even when two documents say it alike."""

from __future__ import annotations

from dataclasses import replace

from knowledge.answering.compose import SecondPassage, answer_passages, quoted_texts
from knowledge.answering.select import Evidence, Passage
from knowledge.answering.understand import Part
from knowledge.types import Chunk

MOVED = "In September 2022, administration of Iowa’s Business Sector Partnerships moved"


def _passage(chunk_id: str, text: str, first: int = 0) -> Passage:
    chunk = Chunk(chunk_id, chunk_id.split("-")[0], text, "Title", ("Title",), None, None, None, 0)
    return Passage(chunk, first, (text,))


def _window(chunk_id: str, *sentences: str) -> Passage:
    text = " ".join(sentences)
    chunk = Chunk(chunk_id, chunk_id.split("-")[0], text, "Title", ("Title",), None, None, None, 0)
    return Passage(chunk, 0, sentences)


def test_the_same_words_in_another_document_are_a_repeat() -> None:
    page = _passage("page-0000", "IWD runs the partnerships now. It took them over in 2022.")
    copy = _passage("copy-0000", "IWD runs the partnerships now.")
    other = _passage("other-0000", "The partnerships meet every quarter.")

    assert copy.repeats(page) and page.repeats(copy)
    assert not other.repeats(page)
    # Word for word, not letter for letter: "now" is not repeated by "know".
    assert not _passage("x-0000", "now").repeats(_passage("y-0000", "I know."))


def test_windows_shifted_by_a_sentence_repeat_the_sentence_they_share() -> None:
    first, shared, last = (
        "Partnerships are led by employers.",
        "IWD runs the partnerships now.",
        "They meet every quarter in each region.",
    )
    page = _window("page-0000", first, shared)
    copy = _window("copy-0000", shared, last)

    assert page.repeats(copy) and copy.repeats(page)
    # A short sentence both happen to contain is common wording, not a repeat.
    common = _window("a-0000", "Contact us.", first)
    assert not common.repeats(_window("b-0000", "Contact us.", last))


def _evidence(*passages: Passage) -> Evidence:
    question = "Who runs the sector partnerships now?"
    return Evidence(Part(question, question), (), passages, {}, spread=1.0)


def test_an_answer_does_not_quote_a_copy_of_what_it_already_quotes() -> None:
    page = _passage("page-0000", f"{MOVED} to IWD.")
    copy = replace(_passage("copy-0000", f"{MOVED} to IWD."), score=-0.1)
    later = replace(_passage("page-0000", "IWD will guide the partnerships.", first=1), score=-0.2)
    anything_close = SecondPassage(same_document=1.0, other_document=1.0)

    quoted = answer_passages([_evidence(page, copy, later)], anything_close)

    assert [p.chunk.chunk_id for p in quoted] == ["page-0000", "page-0000"]
    assert " ".join(quoted_texts(quoted)).count(MOVED) == 1


def test_asked_about_now_a_current_copy_of_an_archived_page_is_not_quoted_beside_it() -> None:
    archived = _passage("old-0000", f"{MOVED} to IWD.")
    copy = replace(_passage("new-0000", f"{MOVED} to IWD."), score=-0.1)

    quoted = answer_passages([_evidence(archived, copy)], SecondPassage(), frozenset({"old"}))

    # Once, and from the page that still holds: the archived one is what it used to say.
    assert [p.chunk.doc_id for p in quoted] == ["new"]
