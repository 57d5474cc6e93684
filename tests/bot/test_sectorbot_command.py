"""/sectorbot help | ask | contact, and unknown subcommands (admin ones: test_admin_commands)."""

from __future__ import annotations

from tests.bot.conftest import RunningApp
from tests.fakes.slack_requests import Response
from tests.fakes.slack_web_api import FakeSlack


def _text(response: Response) -> str:
    """The ack's message: Bolt sends plain text, or JSON when there are blocks."""
    assert response.status == 200
    if response.body.startswith("{"):
        return str(response.json()["text"])
    return response.body


def test_help_lists_the_subcommands_and_example_questions(running: RunningApp) -> None:
    response = running.sender.command("help", response_url="http://127.0.0.1:9/unused")

    text = _text(response)
    assert "`/sectorbot ask QUESTION`" in text and "`/sectorbot contact`" in text
    assert "How do I join a sector partnership?" in text


def test_an_empty_command_shows_help(running: RunningApp) -> None:
    response = running.sender.command("", response_url="http://127.0.0.1:9/unused")

    assert "`/sectorbot ask QUESTION`" in _text(response)


def test_contact_shows_the_contact_card(running: RunningApp) -> None:
    response = running.sender.command("contact", response_url="http://127.0.0.1:9/unused")

    assert "Phone: 515-725-3882" in _text(response)


def test_ask_answers_privately_after_the_ack_with_sources_and_buttons(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    response = running.sender.command(
        "ask What is a sector partnership?", response_url=fake_slack.response_url("ask")
    )

    answer = fake_slack.wait_for("response_url")[0]
    assert response.status == 200 and response.body == ""
    assert answer.path == "/response/ask"
    assert answer.args["response_type"] == "ephemeral"
    block_ids = [block.get("block_id") for block in answer.args["blocks"]]
    assert block_ids[-2:] == ["answer_sources", "answer_actions"]


def test_ask_without_a_question_explains_how(running: RunningApp) -> None:
    response = running.sender.command("ask", response_url="http://127.0.0.1:9/unused")

    assert "Add your question after `ask`" in _text(response)


def test_an_unknown_subcommand_is_echoed_escaped(running: RunningApp) -> None:
    response = running.sender.command("<!channel>&", response_url="http://127.0.0.1:9/unused")

    text = _text(response)
    assert "`&lt;!channel&gt;&amp;`" in text
    assert "<!channel>" not in text
