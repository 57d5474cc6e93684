"""The coverage report's counting: which questions count, once each, with dates and askers.

Grouping by meaning is tested with the real model in ``test_coverage_grouping.py``; here the fake
embedder keeps different wordings apart, so each group is one wording and the counts are exact.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.coverage.report import build_report
from tests.bot.coverage_rows import NOW, asked, bot_database, day, judged, pruned
from tests.fakes.embeddings import FakeEmbedder

GRANTS = "Are there grants for sector partnerships?"
CHILDCARE = "Is there a sector partnership working on child care?"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return bot_database(tmp_path / "data")


def test_declined_questions_are_counted_with_askers_dates_and_kind(engine: Engine) -> None:
    asked(engine, GRANTS, user="U_ONE", days_ago=9)
    asked(engine, "are there grants for sector partnerships", user="U_TWO", days_ago=4)
    asked(engine, GRANTS, user="U_ONE", days_ago=2)
    asked(engine, CHILDCARE, user="U_THREE", days_ago=1)

    report = build_report(engine, FakeEmbedder(), now=NOW)

    grants, childcare = report.groups
    assert (grants.question, grants.count, grants.askers) == (GRANTS, 3, 2)
    assert (grants.first_asked.date().isoformat(), grants.last_asked.date().isoformat()) == (
        day(9),
        day(2),
    )
    assert (grants.declined, grants.not_helpful) == (3, 0)
    assert (childcare.question, childcare.count, childcare.askers) == (CHILDCARE, 1, 1)
    assert report.questions == 4 and not report.truncated


def test_a_declined_question_that_also_got_not_helpful_counts_once_as_declined(
    engine: Engine,
) -> None:
    turn = asked(engine, GRANTS, user="U_ONE")
    judged(engine, turn, user="U_ONE")
    judged(engine, turn, user="U_COLLEAGUE")

    [group] = build_report(engine, FakeEmbedder(), now=NOW).groups

    assert (group.count, group.declined, group.not_helpful, group.askers) == (1, 1, 0, 1)


def test_a_short_follow_up_is_shown_with_the_question_it_followed(engine: Engine) -> None:
    thread = "1700000500.000001"
    asked(
        engine,
        "Who runs the sector partnerships now?",
        confident=True,
        days_ago=3,
        conversation=thread,
    )
    asked(engine, "and before that?", days_ago=2.9, conversation=thread)
    unhelpful = asked(engine, "how much is it?", confident=True, days_ago=2.8, conversation=thread)
    judged(engine, unhelpful)
    asked(engine, "and before that?", days_ago=1)  # a thread of its own: nothing to follow

    report = build_report(engine, FakeEmbedder(), now=NOW)

    assert sorted(group.question for group in report.groups) == [
        "and before that?",
        "and before that? (asked after \u201cWho runs the sector partnerships now?\u201d)",
        "how much is it? (asked after \u201cWho runs the sector partnerships now?\u201d)",
    ]


def test_follow_ups_lean_only_on_what_the_bot_read_them_with(engine: Engine) -> None:
    # A DM reads only the last half hour; `/sectorbot ask` answers every question alone.
    for conversation in ("dm", "command"):
        asked(
            engine,
            "Who runs the sector partnerships now?",
            confident=True,
            days_ago=2,
            conversation=conversation,
        )
    asked(engine, "and before that?", days_ago=1, conversation="dm")
    asked(engine, "since when?", days_ago=1, conversation="command")
    asked(
        engine,
        "Who chairs the sector partnerships?",
        confident=True,
        days_ago=0.51,
        conversation="dm",
    )
    asked(engine, "and who else?", days_ago=0.5, conversation="dm")

    report = build_report(engine, FakeEmbedder(), now=NOW)

    assert sorted(group.question for group in report.groups) == [
        "and before that?",
        "and who else? (asked after \u201cWho chairs the sector partnerships?\u201d)",
        "since when?",
    ]


def test_answers_judged_not_helpful_count_and_helpful_ones_do_not(engine: Engine) -> None:
    unhelpful = asked(engine, GRANTS, user="U_ONE", confident=True)
    helpful = asked(engine, CHILDCARE, user="U_TWO", confident=True)
    changed_mind = asked(engine, "Who runs the partnership in Ames?", confident=True)
    judged(engine, unhelpful, user="U_ONE")
    judged(engine, helpful, user="U_TWO", helpful=True)
    judged(engine, changed_mind, helpful=False)
    judged(engine, changed_mind, helpful=True)

    [group] = build_report(engine, FakeEmbedder(), now=NOW).groups

    assert (group.question, group.count, group.declined, group.not_helpful) == (GRANTS, 1, 0, 1)


def test_feedback_whose_turn_was_pruned_still_counts_with_its_own_copy(engine: Engine) -> None:
    turn = asked(engine, GRANTS, user="U_ONE", confident=True)
    judged(engine, turn, user="U_ONE")
    pruned(engine, turn)

    [group] = build_report(engine, FakeEmbedder(), now=NOW).groups

    assert (group.question, group.count, group.not_helpful, group.askers) == (GRANTS, 1, 1, 1)


def test_confident_answers_small_talk_and_involvement_are_not_gaps(engine: Engine) -> None:
    asked(engine, "What is a sector partnership?", confident=True)
    asked(engine, "thanks!", confident=True, intent="smalltalk")
    # Only said with an empty knowledge base: the person was routed to the contact anyway.
    asked(engine, "How do I join a partnership?", confident=False, intent="involvement")

    report = build_report(engine, FakeEmbedder(), now=NOW)

    assert report.groups == () and report.questions == 0


def test_refusals_by_policy_are_not_gaps_but_questions_the_documents_miss_are(
    engine: Engine,
) -> None:
    asked(engine, "What is the status of my unemployment claim?", declined_because="policy")
    asked(engine, GRANTS, declined_because="not_found")
    asked(engine, CHILDCARE)  # stored before the reason was kept: still counted

    report = build_report(engine, FakeEmbedder(), now=NOW)

    assert sorted(group.question for group in report.groups) == sorted([GRANTS, CHILDCARE])


def test_days_keeps_only_questions_asked_in_that_period(engine: Engine) -> None:
    asked(engine, GRANTS, days_ago=40)
    old_unhelpful = asked(engine, "Where do partnerships meet?", days_ago=40, confident=True)
    judged(engine, old_unhelpful)
    asked(engine, CHILDCARE, days_ago=3)

    recent = build_report(engine, FakeEmbedder(), days=30, now=NOW)
    everything = build_report(engine, FakeEmbedder(), now=NOW)

    assert [group.question for group in recent.groups] == [CHILDCARE]
    assert recent.period == "in the last 30 days"
    assert len(everything.groups) == 3 and everything.period == "so far"


def test_groups_are_ordered_by_count_then_by_the_latest_question(engine: Engine) -> None:
    for days_ago in (5, 6):
        asked(engine, "Is there a trucking partnership?", days_ago=days_ago)
    asked(engine, GRANTS, days_ago=3)
    asked(engine, CHILDCARE, days_ago=1)

    report = build_report(engine, FakeEmbedder(), now=NOW)

    assert [group.question for group in report.groups] == [
        "Is there a trucking partnership?",
        CHILDCARE,
        GRANTS,
    ]


def test_only_the_newest_rows_are_read_and_the_report_says_so(engine: Engine) -> None:
    for days_ago in range(1, 6):
        asked(engine, f"Question number {days_ago}?", days_ago=days_ago)

    report = build_report(engine, FakeEmbedder(), now=NOW, limit=3)

    assert report.truncated and report.questions == 3
    assert sorted(group.question for group in report.groups) == [
        "Question number 1?",
        "Question number 2?",
        "Question number 3?",
    ]


def test_questions_are_embedded_once_and_then_read_from_the_cache(engine: Engine) -> None:
    asked(engine, GRANTS)
    embedder = FakeEmbedder()

    build_report(engine, embedder, now=NOW)
    asked(engine, CHILDCARE)
    build_report(engine, embedder, now=NOW)

    assert embedder.calls == [1, 1]


def test_the_json_form_has_the_documented_keys(engine: Engine) -> None:
    asked(engine, GRANTS, user="U_ONE", days_ago=2)
    asked(engine, "are there grants for sector partnerships", user="U_TWO", days_ago=1)

    document = json.loads(json.dumps(build_report(engine, FakeEmbedder(), days=7).as_json()))

    assert set(document) == {"generated_at", "days", "questions", "truncated", "groups"}
    assert (document["days"], document["questions"], document["truncated"]) == (7, 2, False)
    [first] = document["groups"]
    assert set(first) == {
        "question",
        "count",
        "askers",
        "first_asked",
        "last_asked",
        "declined",
        "not_helpful",
        "other_wordings",
    }
    assert first["first_asked"].startswith(day(2)) and first["first_asked"].endswith("+00:00")
    assert first["last_asked"].startswith(day(1))
    counts = (first["count"], first["askers"], first["declined"], first["not_helpful"])
    assert counts == (2, 2, 2, 0)
    # One wording asked in two spellings is shown as it was spelled most recently.
    assert first["question"] == "are there grants for sector partnerships"
    assert first["other_wordings"] == []
