"""The bot ignores its own messages, other bots, edits, deletions and other message subtypes."""

from __future__ import annotations

from tests.bot.conftest import RunningApp
from tests.fakes.slack_requests import mention, message, new_ts
from tests.fakes.slack_web_api import BOT_ID, BOT_USER_ID, FakeSlack


def test_the_bot_ignores_its_own_messages_other_bots_edits_and_deletions(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    root = new_ts()
    running.sender.event(mention("What is a sector partnership?", ts=root))
    fake_slack.wait_for("chat.postMessage")
    question = "Is membership in a sector partnership free?"
    noise = [
        # Its own answer echoed back as a message event in the thread.
        message(question, thread_ts=root, user=BOT_USER_ID, bot_id=BOT_ID),
        # Another bot.
        message(question, thread_ts=root, user=None, bot_id="BOTHER", subtype="bot_message"),
        # Edits and deletions in the thread, and in a DM.
        message(
            "",
            thread_ts=root,
            user=None,
            subtype="message_changed",
            message={"type": "message", "user": "U_ASKER", "text": question, "ts": root},
        ),
        message("", thread_ts=root, user=None, subtype="message_deleted", deleted_ts=root),
        message(
            "",
            channel="D_ASKER",
            channel_type="im",
            user=None,
            subtype="message_changed",
            message={"type": "message", "user": "U_ASKER", "text": question},
        ),
        # Someone joining the channel.
        message("<@U_NEW> has joined the channel", subtype="channel_join", user="U_NEW"),
    ]

    statuses = [running.sender.event(event).status for event in noise]
    sentinel = new_ts()
    running.sender.event(mention("What is a sector partnership?", channel="C_OTHER", ts=sentinel))
    fake_slack.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts") == sentinel)

    assert statuses == [200] * len(noise)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
