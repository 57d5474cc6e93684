"""Follow-ups in a thread the bot answered are answered without a mention; people's chat is not."""

from __future__ import annotations

from bot.store import turns
from tests.bot.conftest import RunningApp
from tests.fakes.slack_requests import mention, message, new_ts
from tests.fakes.slack_web_api import FakeSlack


def _in_thread(ts: str):  # type: ignore[no-untyped-def]
    return lambda call: call.args.get("thread_ts") == ts


def _start_thread(running: RunningApp, fake: FakeSlack) -> str:
    root = new_ts()
    running.sender.event(mention("How can my company join a sector partnership?", ts=root))
    fake.wait_for("chat.postMessage", where=_in_thread(root))
    return root


def _sentinel(running: RunningApp, fake: FakeSlack) -> None:
    ts = new_ts()
    running.sender.event(mention("What is a sector partnership?", channel="C_OTHER", ts=ts))
    fake.wait_for("chat.postMessage", where=_in_thread(ts))


def test_a_follow_up_in_the_thread_is_answered_without_a_mention(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    root = _start_thread(running, fake_slack)

    running.sender.event(message("Is membership free?", thread_ts=root))

    posts = fake_slack.wait_for("chat.postMessage", 2, where=_in_thread(root))
    assert [b.get("block_id") for b in posts[1].args["blocks"]][-2:] == [
        "answer_sources",
        "answer_actions",
    ]
    last = turns.last_turn(running.services.engine, "C_GENERAL", root)
    assert last is not None and last.surface == "followup"
    # Short and pronoun-laden, so it was searched together with the thread's question, while
    # what it asks (a question, not a wish to get involved) is read from the follow-up alone.
    assert last.text == "Is membership free?"
    assert last.intent == "question"
    assert last.sources  # alone, "Is membership free?" finds nothing to cite


def test_a_message_to_another_person_in_the_thread_is_not_answered(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    root = _start_thread(running, fake_slack)

    running.sender.event(
        message("<@U_COLLEAGUE> can you call them about it tomorrow?", thread_ts=root)
    )
    _sentinel(running, fake_slack)

    assert len(fake_slack.calls_to("chat.postMessage", where=_in_thread(root))) == 1


def test_thanks_in_the_thread_gets_no_reply(running: RunningApp, fake_slack: FakeSlack) -> None:
    root = _start_thread(running, fake_slack)

    running.sender.event(message("thanks!", thread_ts=root))
    _sentinel(running, fake_slack)

    assert len(fake_slack.calls_to("chat.postMessage", where=_in_thread(root))) == 1


def test_threads_the_bot_never_answered_in_are_left_alone(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    root = new_ts()

    running.sender.event(message("Is it free to join a sector partnership?", thread_ts=root))
    running.sender.event(message("What is a sector partnership?"))  # top level, no mention
    _sentinel(running, fake_slack)

    assert fake_slack.calls_to("chat.postMessage", where=_in_thread(root)) == []
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_mention_in_the_thread_is_answered_once_not_twice(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    root = _start_thread(running, fake_slack)
    ts = new_ts()
    text = "Is membership free for employers?"

    # Slack sends both events for a mention in a thread the bot can read.
    running.sender.event(message(f"<@UBOT> {text}", thread_ts=root, ts=ts))
    running.sender.event(mention(text, thread_ts=root, ts=ts))
    _sentinel(running, fake_slack)

    assert len(fake_slack.calls_to("chat.postMessage", where=_in_thread(root))) == 2
