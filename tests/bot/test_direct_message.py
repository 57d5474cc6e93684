"""Direct messages are answered in the DM."""

from __future__ import annotations

from bot.store import turns
from tests.bot.conftest import RunningApp
from tests.fakes.slack_requests import message, new_ts
from tests.fakes.slack_web_api import FakeSlack


def test_a_direct_message_is_answered_in_the_dm(running: RunningApp, fake_slack: FakeSlack) -> None:
    ts = new_ts()

    running.sender.event(
        message("What is a sector partnership?", channel="D_ASKER", channel_type="im", ts=ts)
    )

    post = fake_slack.wait_for("chat.postMessage")[0]
    assert post.args["channel"] == "D_ASKER"
    assert "thread_ts" not in post.args
    assert "sector partnership" in post.args["text"].lower()
    assert any(block.get("block_id") == "answer_sources" for block in post.args["blocks"])
    assert fake_slack.wait_for("reactions.add")[0].args["timestamp"] == ts


def test_a_short_dm_follow_up_is_answered_with_the_previous_question(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    question = "How can my company join a sector partnership?"
    running.sender.event(message(question, channel="D_ASKER", channel_type="im"))
    fake_slack.wait_for("chat.postMessage")
    running.sender.event(message("Is it free?", channel="D_ASKER", channel_type="im"))
    fake_slack.wait_for("chat.postMessage", 2)

    last = turns.last_turn(running.services.engine, "D_ASKER", "dm")
    assert last is not None
    assert last.text == "Is it free?"
    # Searched with the previous question (alone, "Is it free?" finds nothing to cite), but
    # still read as a question rather than a wish to get involved.
    assert last.sources
    assert last.intent == "question"
