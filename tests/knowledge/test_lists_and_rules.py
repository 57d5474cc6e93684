"""Lists, rules and compound questions answered from small documents with the real model."""

from __future__ import annotations

import re

import pytest

from bot.services import Services, build_services
from knowledge.embeddings import MiniLMEmbedder
from tests.conftest import make_settings

COUNCIL = """# Riverbend Training Council

The Riverbend Training Council brings employers, colleges and unions together to plan
training for the river towns. It was set up by a state law passed in 2019, which also gave it
a small budget for staff and meetings. The council publishes a short plan each year.

Under the 2019 law, the council's voting members were:

- 9 employer members
- 3 labor members
- 2 college presidents
- 1 mayor

## Meetings

The council meets four times a year in Riverbend, and its meetings are open to the public.
Employers who are not members can ask to speak at any meeting.

## Chairs

Council chairs lead the meetings, set the agenda and speak for the council in public.
A chair must be an employer member and may serve at most two terms in a row.

## The 2020 report

The council's 2020 report was released with the help of Riverbend Valley College.

## Colleges by district

| District | College |
| --- | --- |
| 1 | Northern Hills College |
| 2 | Lakeside College |
| 3 | Prairie Bend College |
| 4 | Eastfield College |
| 5 | Westbrook College |
| 6 | Cedar Bluff College |
| 7 | Oak Ridge College |
| 8 | Stone Creek College |
| 9 | Riverbend Valley College |
| 10 | Maple Grove College |
| 11 | Red Rock College |
| 12 | Sandy Point College |
"""


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory, minilm: MiniLMEmbedder) -> Services:
    from ingest.pipeline import refresh

    folder = tmp_path_factory.mktemp("council-docs")
    (folder / "council.md").write_text(COUNCIL, encoding="utf-8")
    services = build_services(make_settings(tmp_path_factory.mktemp("council-kb")), embedder=minilm)
    refresh(services.kb, [(str(folder), None)], full=False, reset=True)
    return services


def test_a_short_list_item_is_answered_with_its_list_as_one_cited_statement(
    council: Services,
) -> None:
    answer = council.answerer.answer("How many employer members did the 2019 law give the council?")

    assert answer.confident
    assert (
        "the council's voting members were: 9 employer members; 3 labor members; "
        "2 college presidents; 1 mayor. [1]"
    ) in answer.text


def test_a_compound_question_keeps_a_list_whole_beside_the_other_part(council: Services) -> None:
    answer = council.answerer.answer(
        "How many employer members did the 2019 law give the council, "
        "and how often does the council meet?"
    )

    listed = r"voting members were: 9 employer members; 3 labor [^\[]*1 mayor\."
    assert re.search(listed, answer.text), answer.text
    assert "four times a year" in answer.text


def test_a_question_about_a_rule_is_answered_by_the_sentence_that_states_it(
    council: Services,
) -> None:
    answer = council.answerer.answer("What is the rule for council chairs?")

    assert "A chair must be an employer member" in answer.text, answer.text


def test_chat_abbreviations_find_what_the_written_question_finds(council: Services) -> None:
    answer = council.answerer.answer("how often r the council meetings rn")

    assert "four times a year" in answer.text
