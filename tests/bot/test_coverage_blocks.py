"""The coverage report rendered for people: plain text, the Slack reply, App Home's lines."""

from __future__ import annotations

import datetime as dt

from bot.blocks.report import build_report_blocks, build_report_home_text
from bot.coverage.grouping import GapGroup
from bot.coverage.report import CoverageReport
from bot.coverage.text import format_coverage

FIRST = dt.datetime(2026, 4, 2, 15, 0, tzinfo=dt.UTC)
LAST = dt.datetime(2026, 5, 3, 8, 0, tzinfo=dt.UTC)
HOSTILE = "<!channel> grants & <@U999> > <https://evil.example|click> @here"


def _group(question: str, count: int = 3, others: tuple[str, ...] = ()) -> GapGroup:
    return GapGroup(question, count, 2, FIRST, LAST, count - 1, 1, others)


def _report(*groups: GapGroup, days: int | None = None, truncated: bool = False) -> CoverageReport:
    questions = sum(group.count for group in groups)
    return CoverageReport(tuple(groups), days, questions, truncated, LAST)


def _texts(blocks: list[dict]) -> list[str]:
    return [
        block["text"]["text"] if block["type"] == "section" else block["elements"][0]["text"]
        for block in blocks
    ]


def test_the_text_report_numbers_groups_with_counts_dates_and_other_wordings() -> None:
    report = _report(
        _group("Are there grants?", 3, ("Is there funding?",)),
        _group("When do they meet?", 1),
        days=30,
    )

    text = format_coverage(report)

    assert text.splitlines() == [
        "4 questions the bot declined or that got 'not helpful' in the last 30 days, in 2 groups "
        "(most asked first): the documents to add.",
        "",
        "1. Are there grants?",
        "   3 times by 2 people, 2026-04-02 to 2026-05-03; 2 declined, 1 not helpful",
        "   also asked: Is there funding?",
        "2. When do they meet?",
        "   1 time by 2 people, 2026-04-02 to 2026-05-03; 0 declined, 1 not helpful",
    ]


def test_an_empty_report_says_so_in_one_friendly_line() -> None:
    assert format_coverage(_report(days=7)) == (
        "No declined or not-helpful questions in the last 7 days: nothing is missing from the "
        "knowledge base that anyone asked about."
    )
    text, blocks = build_report_blocks(_report())
    assert text.startswith("No declined or not-helpful questions so far") and len(blocks) == 1


def test_hostile_questions_are_escaped_in_the_slack_reply_and_app_home() -> None:
    report = _report(_group(HOSTILE, 2, (HOSTILE,)))

    fallback, blocks = build_report_blocks(report)
    home = build_report_home_text(report)

    for text in [*_texts(blocks), home, fallback]:
        assert "<!channel>" not in text and "<@U999>" not in text and "<https:" not in text
        assert "@here" not in text
    group_text = _texts(blocks)[1]
    assert "&lt;!channel&gt; grants &amp; &lt;@U999&gt; &gt;" in group_text
    assert "&lt;!channel&gt; grants &amp;" in home


def test_the_slack_reply_fits_slacks_limits_however_many_and_long_the_questions() -> None:
    groups = [_group("&" * 5000, 100 - n, ("<" * 4000,) * 3) for n in range(80)]

    _fallback, blocks = build_report_blocks(_report(*groups, truncated=True))

    assert len(blocks) <= 50
    assert all(len(text) <= 3000 for text in _texts(blocks))
    assert "...and 40 smaller groups." in _texts(blocks)[-1]
    assert "Only the newest" in _texts(blocks)[-1]
    assert len(build_report_home_text(_report(*groups))) <= 3000


def test_app_home_shows_the_three_largest_groups_and_points_to_the_rest() -> None:
    report = _report(*(_group(f"Question {n}?", 10 - n) for n in range(5)))

    lines = build_report_home_text(report).splitlines()

    assert lines[0] == "*Unanswered questions* (admins only): 5 groups so far"
    assert [line.split("\u201d")[0] for line in lines[1:4]] == [
        "\u2022 \u201cQuestion 0?",
        "\u2022 \u201cQuestion 1?",
        "\u2022 \u201cQuestion 2?",
    ]
    assert "10 times by 2 people" in lines[1]
    assert lines[4] == "2 more in `/sectorbot report`."
