"""LLM answers in Slack: streamed while written, then replaced by the checked answer."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.store import turns
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import RunningApp, slack_settings, start_app
from tests.fakes.chat_models import FailingChatModel, Recorder, scripted
from tests.fakes.slack_requests import mention, message, new_ts
from tests.fakes.slack_web_api import TEAM_ID, Call, FakeSlack

QUESTION = "When did administration of the sector partnerships move to IWD?"
MODEL_TEXT = "It moved to Iowa Workforce Development in September 2022 [1]. Long ago [6]."
SHOWN_TEXT = "It moved to Iowa Workforce Development in September 2022 [1]. Long ago."


def _in_thread(ts: str) -> Callable[[Call], bool]:
    return lambda call: call.args.get("thread_ts") == ts


def _finish_work(running: RunningApp, fake: FakeSlack) -> None:
    """Listeners run one at a time: once a later greeting is answered, earlier work is done."""
    ts = new_ts()
    running.sender.event(mention("hello", channel="C_OTHER", ts=ts))
    fake.wait_for("chat.postMessage", where=_in_thread(ts))


def _text_of(blocks: list[dict[str, Any]]) -> str:
    return " ".join(
        b["text"]["text"] for b in blocks if b.get("block_id", "").startswith("answer_text")
    )


@pytest.fixture
def with_model(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder
) -> Iterator[Callable[[Any], RunningApp]]:
    """Start the app with a given chat model (progress sent on every piece of text)."""
    started: list[RunningApp] = []

    def start(model: Any) -> RunningApp:
        settings = dataclasses.replace(
            slack_settings(data_dir, fake_slack), slack_stream_interval_seconds=0.0
        )
        running = start_app(settings, minilm, chat_model=model)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


def test_a_mention_streams_the_answer_then_shows_the_checked_answer_with_sources(
    with_model: Callable[[Any], RunningApp], fake_slack: FakeSlack
) -> None:
    model, _ = scripted(MODEL_TEXT)
    running = with_model(model)
    root = new_ts()

    running.sender.event(mention(QUESTION, ts=root))

    [final] = fake_slack.wait_for("chat.update")
    [start] = fake_slack.calls_to("chat.startStream")
    assert start.args["thread_ts"] == root and start.args["channel"] == "C_GENERAL"
    assert start.args["recipient_user_id"] == "U_ASKER"
    assert start.args["recipient_team_id"] == TEAM_ID
    appended = fake_slack.calls_to("chat.appendStream")
    assert appended, "the answer should grow while it is written"
    streamed = start.args["markdown_text"] + "".join(c.args["markdown_text"] for c in appended)
    assert streamed == MODEL_TEXT
    [stop] = fake_slack.calls_to("chat.stopStream")
    assert stop.args["ts"] == final.args["ts"]
    # The finished message is the checked answer: no dangling [6], sources and buttons.
    assert SHOWN_TEXT.split(" [1]")[0] in _text_of(final.args["blocks"])
    assert "[6]" not in str(final.args["blocks"]) and "Long ago." in _text_of(final.args["blocks"])
    block_ids = [b.get("block_id") for b in final.args["blocks"]]
    assert block_ids[-2:] == ["answer_sources", "answer_actions"]
    assert fake_slack.calls_to("chat.postMessage", where=_in_thread(root)) == []
    _finish_work(running, fake_slack)
    turn = turns.last_turn(running.services.engine, "C_GENERAL", root)
    assert turn is not None and turn.answer == SHOWN_TEXT and turn.answer_ts == final.args["ts"]


def test_where_slack_refuses_to_stream_a_posted_message_is_updated_instead(
    with_model: Callable[[Any], RunningApp], fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.startStream", "not_allowed")
    model, _ = scripted(MODEL_TEXT)
    running = with_model(model)
    root = new_ts()

    running.sender.event(mention(QUESTION, ts=root))

    fake_slack.wait_for("chat.update", where=lambda c: bool(c.args.get("blocks")))
    [placeholder] = fake_slack.calls_to("chat.postMessage", where=_in_thread(root))
    updates = fake_slack.calls_to("chat.update")
    assert all(u.args["ts"] == updates[0].args["ts"] for u in updates)
    progress = [u for u in updates if not u.args.get("blocks")]
    assert progress and progress[-1].args["text"].endswith("\u2026")
    assert updates[-1].args["blocks"][-1]["block_id"] == "answer_actions"
    assert "Long ago." in _text_of(updates[-1].args["blocks"])
    assert placeholder.args["text"]  # it showed the first words at once


def test_a_model_failing_mid_answer_leaves_the_extractive_answer_in_the_message(
    with_model: Callable[[Any], RunningApp], fake_slack: FakeSlack
) -> None:
    running = with_model(FailingChatModel())
    root = new_ts()

    running.sender.event(mention(QUESTION, ts=root))

    [final] = fake_slack.wait_for("chat.update")
    [start] = fake_slack.calls_to("chat.startStream")
    assert start.args["markdown_text"] == "Partnerships are [1]"  # what it wrote before failing
    shown = _text_of(final.args["blocks"])
    assert "September 2022" in shown and "Traceback" not in shown and "sk-test" not in shown
    assert final.args["blocks"][-1]["block_id"] == "answer_actions"
    _finish_work(running, fake_slack)
    turn = turns.last_turn(running.services.engine, "C_GENERAL", root)
    assert turn is not None and turn.confident


def test_involvement_is_posted_at_once_without_the_model(
    with_model: Callable[[Any], RunningApp], fake_slack: FakeSlack
) -> None:
    model, recorder = scripted("never used [1]")
    running = with_model(model)
    root = new_ts()

    running.sender.event(mention("How can my company join a sector partnership?", ts=root))

    [post] = fake_slack.wait_for("chat.postMessage", where=_in_thread(root))
    assert "515-725-3882" in post.args["text"]
    assert fake_slack.calls_to("chat.startStream") == [] and recorder.sent == []


def test_streamed_text_cannot_ping_the_channel(
    with_model: Callable[[Any], RunningApp], fake_slack: FakeSlack
) -> None:
    model, _ = scripted("<!channel> It moved in September 2022 [1].")
    running = with_model(model)

    running.sender.event(mention(QUESTION))

    [final] = fake_slack.wait_for("chat.update")
    [start] = fake_slack.calls_to("chat.startStream")
    streamed = start.args["markdown_text"] + "".join(
        c.args["markdown_text"] for c in fake_slack.calls_to("chat.appendStream")
    )
    assert "<!channel>" not in streamed and "&lt;!channel&gt;" in streamed
    assert "<!channel>" not in str(final.args)


def test_a_thread_follow_up_is_rewritten_from_the_stored_turns_before_retrieval(
    with_model: Callable[[Any], RunningApp], fake_slack: FakeSlack
) -> None:
    model, recorder = scripted(
        "Who runs Iowa's Business Sector Partnerships now?",
        "Kathy Leggett is the contact for Business Sector Partnerships [1].",
    )
    running = with_model(model)
    root = new_ts()
    running.sender.event(mention("How can my company join a sector partnership?", ts=root))
    fake_slack.wait_for("chat.postMessage", where=_in_thread(root))

    running.sender.event(
        message(
            "and who runs the program now? I am writing a report (desk 319-555-0142)",
            thread_ts=root,
        )
    )

    [final] = fake_slack.wait_for("chat.update")
    rewrite: Recorder = recorder
    rewrite_prompt = rewrite.human(0)
    assert "How can my company join a sector partnership?" in rewrite_prompt
    assert "and who runs the program now?" in rewrite_prompt
    assert "319-555-0142" not in rewrite_prompt and "[phone]" in rewrite_prompt
    assert "<question>Who runs Iowa's Business Sector Partnerships now?</question>" in (
        recorder.human(1)
    )
    assert "Kathy Leggett" in _text_of(final.args["blocks"])
    _finish_work(running, fake_slack)
    turn = turns.last_turn(running.services.engine, "C_GENERAL", root)
    assert turn is not None and turn.text.startswith("and who runs the program now?")
