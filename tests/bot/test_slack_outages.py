"""Slack answers 429 and 5xx in bursts: every question is answered once; an outage is survived."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.app
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import BOT_TOKEN, SIGNING_SECRET, RunningApp, slack_settings, start_app
from tests.fakes.slack_requests import mention, new_ts
from tests.fakes.slack_web_api import Call, FakeSlack

QUESTIONS = (
    "What is a sector partnership?",
    "Who convenes a sector partnership?",
    "How can my company join a sector partnership?",
)


@pytest.fixture
def quick_retries(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder
) -> Iterator[RunningApp]:
    """The app with 5xx retries milliseconds apart (the schedule, not the count, is shortened)."""
    monkeypatch.setattr(bot.app, "SERVER_ERROR_BACKOFF_SECONDS", 0.01)
    running = start_app(slack_settings(data_dir, fake_slack), minilm)
    yield running
    running.stop()


def _in_thread(ts: str):  # type: ignore[no-untyped-def]
    return lambda call: call.args.get("thread_ts") == ts


def _answered(call: Call) -> bool:
    return call.error is None and "blocks" in call.args


def test_bursts_of_429_and_5xx_still_answer_every_question_exactly_once(
    quick_retries: RunningApp, fake_slack: FakeSlack
) -> None:
    # Each answer's post meets two failures before it goes through: a 429 and a 500, a 503 and
    # a 502, then two 429s. They are queued when the post arrives, and the questions are
    # answered one after another (one worker), so which post meets which is fixed.
    bursts = [
        [("ratelimited", 429), ("internal_error", 500)],
        [("service_unavailable", 503), ("bad_gateway", 502)],
        [("ratelimited", 429), ("ratelimited", 429)],
    ]
    seen: set[str] = set()

    def burst(call: Call) -> None:
        thread = str(call.args.get("thread_ts"))
        if call.method == "chat.postMessage" and thread not in seen and bursts:
            seen.add(thread)
            for error, status in bursts.pop(0):
                fake_slack.fail("chat.postMessage", error, status=status, retry_after=0)

    fake_slack.on_call = burst
    threads = [new_ts() for _ in QUESTIONS]

    statuses = [
        quick_retries.sender.event(mention(question, ts=ts)).status
        for question, ts in zip(QUESTIONS, threads, strict=True)
    ]
    for ts in threads:
        fake_slack.wait_for(
            "chat.postMessage", where=lambda c, ts=ts: _in_thread(ts)(c) and _answered(c)
        )
    fake_slack.wait_for("reactions.remove", len(threads))

    assert statuses == [200] * len(QUESTIONS)
    posts = fake_slack.calls_to("chat.postMessage")
    assert [call.error for call in posts if call.error] == [
        "ratelimited",
        "internal_error",
        "service_unavailable",
        "bad_gateway",
        "ratelimited",
        "ratelimited",
    ]
    for ts in threads:
        delivered = [c for c in posts if _in_thread(ts)(c) and c.error is None]
        assert len(delivered) == 1 and _answered(delivered[0])  # once, and not an apology


def test_slack_down_beyond_the_retries_is_logged_without_secrets_and_the_next_question_works(
    quick_retries: RunningApp, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Three tries each for the answer and for the apology: all six fail.
    fake_slack.fail("chat.postMessage", "service_unavailable", status=503, times=6)
    down, after = new_ts(), new_ts()

    quick_retries.sender.event(mention(QUESTIONS[0], ts=down))
    quick_retries.sender.event(mention(QUESTIONS[1], ts=after))
    fake_slack.wait_for("chat.postMessage", where=lambda c: _in_thread(after)(c) and _answered(c))

    failed = fake_slack.calls_to("chat.postMessage", _in_thread(down))
    assert len(failed) == 6 and all(call.error for call in failed)
    assert "could not answer a mention message" in caplog.text
    assert "could not post the apology either" in caplog.text
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in caplog.text
