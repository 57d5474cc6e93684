"""Grouping failed questions by meaning, with the real MiniLM model the bot embeds with.

The questions below are how people ask about sector partnerships: every one of them shares the
words "sector partnership", which is what makes the threshold matter.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np

from bot.coverage.gather import Gap
from bot.coverage.grouping import SIMILARITY_THRESHOLD, group_gaps
from knowledge.embeddings import MiniLMEmbedder

PARAPHRASES = {
    "grants": (
        "Are there grants for sector partnerships?",
        "What funding is available to start a sector partnership?",
        "Can a new sector partnership get grant money?",
    ),
    "dubuque healthcare": (
        "Is there a healthcare sector partnership in Dubuque?",
        "Does Dubuque have a health care partnership?",
        "healthcare partnership near Dubuque",
    ),
    "sioux city manufacturing": (
        "Is there a manufacturing sector partnership in Sioux City?",
        "Which manufacturing partnerships operate around Sioux City?",
    ),
    "meetings": (
        "When does the next partnership meeting take place?",
        "What is the schedule of upcoming sector partnership meetings?",
        "When is the next sector partnership meeting?",
    ),
    "child care": (
        "Do any sector partnerships address child care for workers?",
        "Is there a sector partnership working on childcare shortages?",
    ),
    "truck drivers": (
        "Are there sector partnerships for truck drivers or CDL training?",
        "Is there a partnership that trains CDL truck drivers?",
    ),
}
UNRELATED = (
    "Is it going to snow in Cedar Rapids this weekend?",
    "How do I file for unemployment benefits?",
    "What is the minimum wage in Iowa?",
    "How do I reset my Slack password?",
    "How many employers are members of sector partnerships in Iowa?",
    "Who is the director of Iowa Workforce Development?",
    "How is the success of a sector partnership measured?",
)
START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def _gaps(questions: list[str]) -> list[Gap]:
    return [
        Gap(
            f"turn{index:03}",
            question,
            f"U{index % 4}",
            START + dt.timedelta(hours=index),
            True,
            False,
        )
        for index, question in enumerate(questions)
    ]


def _all_questions() -> list[str]:
    return [*itertools.chain.from_iterable(PARAPHRASES.values()), *UNRELATED]


def _partition(groups: list) -> set[frozenset[str]]:
    return {frozenset((group.question, *group.other_wordings)) for group in groups}


def test_paraphrases_share_a_group_and_different_questions_do_not(minilm: MiniLMEmbedder) -> None:
    groups = group_gaps(_gaps(_all_questions()), minilm)

    expected = {frozenset(family) for family in PARAPHRASES.values()}
    expected |= {frozenset([question]) for question in UNRELATED}
    assert _partition(groups) == expected
    assert sum(group.count for group in groups) == len(_all_questions())


def test_the_threshold_sits_between_paraphrases_and_different_questions(
    minilm: MiniLMEmbedder,
) -> None:
    """Each paraphrase against the rest of its family, and every other question against it."""
    others_best = []
    for name, family in PARAPHRASES.items():
        vectors = minilm.embed(list(family))
        for index in range(len(family)):
            rest = np.delete(vectors, index, axis=0).sum(axis=0)
            # Well above: a paraphrase joins its group even when it is the odd one out.
            assert vectors[index] @ rest / np.linalg.norm(rest) >= SIMILARITY_THRESHOLD + 0.1
        centroid = vectors.sum(axis=0) / np.linalg.norm(vectors.sum(axis=0))
        outside = [q for other, f in PARAPHRASES.items() if other != name for q in f]
        others_best.append(float(np.max(minilm.embed([*outside, *UNRELATED]) @ centroid)))
    # Below, with a margin: questions that only share "sector partnership" stay apart.
    assert max(others_best) <= SIMILARITY_THRESHOLD - 0.04


def test_the_same_rows_in_any_order_give_the_same_groups(minilm: MiniLMEmbedder) -> None:
    gaps = _gaps(_all_questions())

    forward = group_gaps(gaps, minilm)
    backward = group_gaps(list(reversed(gaps)), minilm)

    assert forward == backward


def test_the_most_asked_wording_represents_its_group(minilm: MiniLMEmbedder) -> None:
    questions = [
        "Is there a healthcare sector partnership in Dubuque?",
        "Does Dubuque have a health care partnership?",
        "does dubuque have a health care partnership",
        "Does Dubuque have a health care partnership ?",
        "healthcare partnership near Dubuque",
    ]

    [group] = group_gaps(_gaps(questions), minilm)

    assert group.question == "Does Dubuque have a health care partnership ?"  # the newest spelling
    assert group.count == 5 and group.askers == 4
    assert set(group.other_wordings) == {
        "Is there a healthcare sector partnership in Dubuque?",
        "healthcare partnership near Dubuque",
    }
    assert (group.first_asked, group.last_asked) == (START, START + dt.timedelta(hours=4))
