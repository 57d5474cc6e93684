"""The answer message: escaped mrkdwn, no pings, linked numbered sources, Slack's size limits."""

from __future__ import annotations

import datetime as dt
import json
import re

from bot.blocks.answer import BLOCK_LIMIT, SECTION_LIMIT, build_answer_blocks
from knowledge.types import Answer, Source

SOURCE = Source(
    1,
    "Guide <b>&</b> more",
    "https://example.org/a?b=1&c=2",
    "/srv/docs/guide.md",
    0.9,
    "",
    dt.date(2024, 6, 30),
)


def _answer(text: str, sources: tuple[Source, ...] = (SOURCE,)) -> Answer:
    return Answer("q", text, sources, True, "question")


def _sections(blocks: list[dict]) -> list[str]:
    return [block["text"]["text"] for block in blocks if block["type"] == "section"]


def test_mrkdwn_and_mention_injection_in_answer_text_is_escaped() -> None:
    text = (
        "Ask <!channel> or <!here|here> & <@U123> about @everyone, @here and <https://evil|x> [1]."
    )

    fallback, blocks = build_answer_blocks(_answer(text), "turn")

    rendered = json.dumps(blocks, ensure_ascii=False) + fallback
    for markup in ("<!channel>", "<!here", "<@U123>", "<https://evil|x>", "@everyone", "@here"):
        assert markup not in rendered
    assert "&lt;!channel&gt;" in _sections(blocks)[0]
    assert "&amp;" in _sections(blocks)[0]
    assert all(block["text"]["verbatim"] for block in blocks if block["type"] == "section")


def test_citation_markers_link_to_their_source_and_sources_list_title_link_and_date() -> None:
    _, blocks = build_answer_blocks(_answer("Partnerships are regional [1]."), "turn")

    first, sources = _sections(blocks)
    assert first == "Partnerships are regional <https://example.org/a?b=1&amp;c=2|[1]>."
    assert sources == (
        "*Sources*\n1. <https://example.org/a?b=1&amp;c=2|Guide &lt;b&gt;&amp;&lt;/b&gt; more>"
        " \u00b7 June 30, 2024"
    )


def test_a_source_without_a_url_shows_its_file_name_not_the_server_path() -> None:
    source = Source(1, "Local notes", None, "/srv/private/folder/notes.pdf", 0.5, "")

    _, blocks = build_answer_blocks(_answer("Text [1].", (source,)), "turn")

    assert _sections(blocks)[-1] == "*Sources*\n1. Local notes (`notes.pdf`)"
    assert "/srv/private" not in json.dumps(blocks)


def test_markdown_bold_becomes_mrkdwn_and_links_show_only_their_words() -> None:
    # The words of a link may hide where it goes; the sources block links the documents.
    _, blocks = build_answer_blocks(
        _answer("**Call** [IWD](https://workforce.iowa.gov/x) today.", ()), "turn"
    )

    assert _sections(blocks) == ["*Call* IWD today."]


def test_the_three_buttons_carry_the_turn_id() -> None:
    _, blocks = build_answer_blocks(_answer("Text."), "abc123")

    actions = blocks[-1]
    assert actions["block_id"] == "answer_actions"
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("feedback_helpful", "abc123"),
        ("feedback_not_helpful", "abc123"),
        ("talk_to_person", "abc123"),
    ]


def test_a_long_answer_is_split_into_sections_of_at_most_3000_characters() -> None:
    sentence = "Sector partnerships bring employers & colleges together <here>. "
    _, blocks = build_answer_blocks(_answer(sentence * 200), "turn")

    sections = _sections(blocks)[:-1]
    assert len(sections) > 4
    assert all(len(text) <= SECTION_LIMIT for text in sections)
    assert all(not re.search(r"&(?!amp;|lt;|gt;)", text) for text in sections)
    joined = " ".join(sections)
    assert joined.count("Sector partnerships") == 200


def test_a_huge_answer_is_shortened_to_50_blocks_with_a_note() -> None:
    _, blocks = build_answer_blocks(_answer("word " * 60_000), "turn")

    assert len(blocks) == BLOCK_LIMIT
    assert blocks[-1]["type"] == "actions"
    assert blocks[-2]["block_id"] == "answer_sources"
    assert "shortened" in blocks[-3]["text"]["text"]


def test_the_notification_text_is_short_and_escaped() -> None:
    fallback, _ = build_answer_blocks(_answer("<!channel> " + "x " * 500), "turn")

    assert len(fallback) < 400
    assert fallback.startswith("&lt;!channel&gt;")


def test_an_archived_source_says_so() -> None:
    archived = Source(2, "Old page", None, "/srv/docs/old.html", 0.5, "", None, archived=True)
    _fallback, blocks = build_answer_blocks(_answer("Text [2]", (SOURCE, archived)), "turn-1")

    text = json.dumps(blocks)

    assert "archived page" in text
    assert text.count("archived page") == 1
