"""The `/sectorbot report` reply the command handler posts: the report, or a short note."""

from __future__ import annotations

from pathlib import Path

from bot.coverage.reply import report_reply
from bot.services import build_services
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import BrokenEmbedder
from tests.bot.coverage_rows import asked
from tests.conftest import make_settings


def test_the_reply_lists_the_grouped_questions_of_the_period(
    tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    services = build_services(make_settings(tmp_path / "data"), embedder=minilm)
    asked(services.engine, "Are there grants for sector partnerships?", user="U_ONE", days_ago=2)
    asked(services.engine, "Can a new sector partnership get grant money?", user="U_TWO")
    asked(services.engine, "Who won the Hawkeyes game?", days_ago=40)

    text, blocks = report_reply(services, days=30)

    assert text.startswith("2 questions the bot declined or that got 'not helpful' in the last")
    assert blocks[0]["text"]["text"].startswith("*Coverage report*\n")
    [group] = [block["text"]["text"] for block in blocks[1:-1]]
    assert group.startswith("*1.* \u201c") and "2 times by 2 people" in group
    assert "Hawkeyes" not in str(blocks)
    assert blocks[-1]["type"] == "context"


def test_a_broken_embedder_gives_a_short_note_instead_of_an_error(tmp_path: Path) -> None:
    services = build_services(make_settings(tmp_path / "data"), embedder=BrokenEmbedder())
    asked(services.engine, "Are there grants for sector partnerships?")

    text, blocks = report_reply(services)

    assert text == "The coverage report could not be built just now (the server log says why)."
    assert [block["text"]["text"] for block in blocks] == [text]
