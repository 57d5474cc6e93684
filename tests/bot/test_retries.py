"""Each event is answered once: Slack's retries, a restart and a second instance change nothing."""

from __future__ import annotations

from pathlib import Path

from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import RunningApp, slack_settings, start_app
from tests.fakes.slack_requests import mention, new_event_id, new_ts
from tests.fakes.slack_web_api import Call, FakeSlack

QUESTION = "What is a sector partnership?"


def _in_thread(ts: str):  # type: ignore[no-untyped-def]
    return lambda call: call.args.get("thread_ts") == ts


def _answered_sentinel(running: RunningApp, fake: FakeSlack) -> None:
    """Send one more event and wait for its answer: everything sent before it is settled."""
    ts = new_ts()
    running.sender.event(mention(QUESTION, channel="C_SENTINEL", ts=ts))
    fake.wait_for("chat.postMessage", where=_in_thread(ts))


def test_a_retried_event_is_answered_once(running: RunningApp, fake_slack: FakeSlack) -> None:
    event_id, ts = new_event_id(), new_ts()
    event = mention(QUESTION, ts=ts)

    first = running.sender.event(event, event_id=event_id)
    retry = running.sender.event(event, event_id=event_id, retry_num=1)
    second_retry = running.sender.event(event, event_id=event_id, retry_num=2)
    _answered_sentinel(running, fake_slack)

    assert [first.status, retry.status, second_retry.status] == [200, 200, 200]
    assert len(fake_slack.calls_to("chat.postMessage", where=_in_thread(ts))) == 1


def test_a_retry_after_a_restart_on_the_same_database_is_not_answered_again(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder
) -> None:
    settings = slack_settings(data_dir, fake_slack)
    event_id, ts = new_event_id(), new_ts()
    event = mention(QUESTION, ts=ts)
    before = start_app(settings, minilm)
    before.sender.event(event, event_id=event_id)
    fake_slack.wait_for("chat.postMessage", where=_in_thread(ts))
    before.stop()

    after = start_app(settings, minilm)
    try:
        retry = after.sender.event(event, event_id=event_id, retry_num=1)
        _answered_sentinel(after, fake_slack)
    finally:
        after.stop()

    assert retry.status == 200
    assert len(fake_slack.calls_to("chat.postMessage", where=_in_thread(ts))) == 1


def test_two_instances_sharing_a_database_answer_an_event_once(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder
) -> None:
    settings = slack_settings(data_dir, fake_slack)
    first, second = start_app(settings, minilm), start_app(settings, minilm)
    event_id, ts = new_event_id(), new_ts()
    try:
        first.sender.event(mention(QUESTION, ts=ts), event_id=event_id)
        second.sender.event(mention(QUESTION, ts=ts), event_id=event_id, retry_num=1)
        _answered_sentinel(first, fake_slack)
        _answered_sentinel(second, fake_slack)
    finally:
        first.stop()
        second.stop()

    posts: list[Call] = fake_slack.calls_to("chat.postMessage", where=_in_thread(ts))
    assert len(posts) == 1
