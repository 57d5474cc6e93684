"""The answer message: mrkdwn answer text, numbered linked sources, and three buttons.

Slack caps a section's text at 3,000 characters and a message at 50 blocks; long answers are split
into several sections and, past the block budget, shortened with a note.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from bot import ids
from bot.blocks.elements import Block, button, section
from bot.slack_text import escape, link, split_rendered, split_text, to_mrkdwn
from knowledge import Answer, Source

SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
FALLBACK_LIMIT = 300
SHORTENED_NOTE = "_(The answer was shortened to fit in Slack.)_"


def build_answer_blocks(answer: Answer, turn_id: str) -> tuple[str, list[Block]]:
    """The notification text and the blocks of an answer; buttons carry ``turn_id``."""
    urls = {source.n: source.url for source in answer.sources}
    source_blocks = _source_blocks(answer.sources)
    actions = build_answer_actions(turn_id)
    budget = BLOCK_LIMIT - len(source_blocks) - 1
    sections = split_rendered(answer.text, lambda text: to_mrkdwn(text, urls), SECTION_LIMIT)
    if len(sections) > budget:
        sections = sections[: budget - 1] + [SHORTENED_NOTE]
    blocks = [
        section(text, f"{ids.ANSWER_TEXT_BLOCK}_{index}")
        for index, text in enumerate(sections, start=1)
    ]
    return fallback_text(answer.text), [*blocks, *source_blocks, actions]


def build_answer_actions(turn_id: str) -> Block:
    """The "Helpful / Not helpful / Talk to a person" buttons for one answer."""
    return {
        "type": "actions",
        "block_id": ids.ANSWER_ACTIONS_BLOCK,
        "elements": [
            button(ids.FEEDBACK_HELPFUL, "Helpful", turn_id),
            button(ids.FEEDBACK_NOT_HELPFUL, "Not helpful", turn_id),
            button(ids.TALK_TO_PERSON, "Talk to a person", turn_id, style="primary"),
        ],
    }


def fallback_text(text: str) -> str:
    """Notification text: the start of the answer, escaped, without citation clutter."""
    first = split_text(text, FALLBACK_LIMIT)
    head = first[0] if first else ""
    return escape(head + ("..." if len(first) > 1 else ""))


def source_line(source: Source) -> str:
    """``n. <url|Title> · Month D, YYYY``; the file name in code when there is no URL."""
    title = source.title or (PurePath(source.path).name if source.path else f"Source {source.n}")
    line = f"{source.n}. {link(source.url, title)}"
    if not source.url and source.path:
        # Only the file name: the server's folders are nobody's business.
        line += f" (`{escape(PurePath(source.path).name)}`)"
    if source.date:
        line += f" \u00b7 {_date(source.date)}"
    if source.archived:
        line += " \u00b7 _archived page_"
    return line


def _source_blocks(sources: tuple[Source, ...]) -> list[Block]:
    if not sources:
        return []
    text = "*Sources*\n" + "\n".join(source_line(source) for source in sources)
    # Lines are already mrkdwn, so split at line ends without rendering again.
    pieces = split_text(text, SECTION_LIMIT)
    names = [ids.ANSWER_SOURCES_BLOCK] + [
        f"{ids.ANSWER_SOURCES_BLOCK}_{index}" for index in range(2, len(pieces) + 1)
    ]
    return [section(piece, name) for name, piece in zip(names, pieces, strict=True)]


def _date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"
