"""Slack's assistant pane: greeting and suggested prompts, status while working, our own store."""

from __future__ import annotations

from bot.store.assistant_threads import DatabaseThreadContextStore
from tests.bot.conftest import RunningApp
from tests.fakes.slack_requests import message, new_ts
from tests.fakes.slack_web_api import FakeSlack


def _thread_event(kind: str, thread_ts: str, channel_id: str = "C_VIEWED") -> dict:
    return {
        "type": kind,
        "assistant_thread": {
            "user_id": "U_ASKER",
            "context": {"channel_id": channel_id, "team_id": "T0001", "enterprise_id": None},
            "channel_id": "D_ASSIST",
            "thread_ts": thread_ts,
        },
        "event_ts": new_ts(),
    }


def test_a_new_assistant_thread_gets_a_greeting_and_suggested_prompts(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    thread = new_ts()

    running.sender.event(_thread_event("assistant_thread_started", thread))

    prompts = fake_slack.wait_for("assistant.threads.setSuggestedPrompts")[0]
    greeting = fake_slack.wait_for("chat.postMessage")[0]
    assert greeting.args["channel"] == "D_ASSIST" and greeting.args["thread_ts"] == thread
    assert greeting.args["text"].startswith("Hi! Ask me about Iowa's Business Sector Partnerships")
    messages = [prompt["message"] for prompt in prompts.args["prompts"]]
    assert "How do I join a sector partnership?" in messages
    assert prompts.args["thread_ts"] == thread
    store = DatabaseThreadContextStore(running.services.engine)
    saved = store.find(channel_id="D_ASSIST", thread_ts=thread)
    assert saved is not None and saved.channel_id == "C_VIEWED"


def test_a_question_in_an_assistant_thread_sets_a_status_then_answers_in_the_thread(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    thread = new_ts()

    running.sender.event(
        message(
            "How can my company join a sector partnership?",
            channel="D_ASSIST",
            channel_type="im",
            thread_ts=thread,
        )
    )

    answer = fake_slack.wait_for("chat.postMessage")[0]
    status = fake_slack.calls_to("assistant.threads.setStatus")
    title = fake_slack.calls_to("assistant.threads.setTitle")
    assert status and status[0].args["status"] == "is looking that up..."
    assert status[0].at < answer.at
    assert title[0].args["title"] == "How can my company join a sector partnership?"
    assert answer.args["thread_ts"] == thread
    assert any(block.get("block_id") == "answer_actions" for block in answer.args["blocks"])
    assert fake_slack.calls_to("reactions.add") == []


def test_a_context_change_is_saved_in_our_database(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    thread = new_ts()
    running.sender.event(_thread_event("assistant_thread_started", thread))
    fake_slack.wait_for("assistant.threads.setSuggestedPrompts")

    running.sender.event(_thread_event("assistant_thread_context_changed", thread, "C_NEXT"))
    # A sentinel through the same single worker: once it is answered, the change was handled.
    running.sender.event(_thread_event("assistant_thread_started", new_ts()))
    fake_slack.wait_for("assistant.threads.setSuggestedPrompts", 2)

    saved = DatabaseThreadContextStore(running.services.engine).find(
        channel_id="D_ASSIST", thread_ts=thread
    )
    assert saved is not None and saved.channel_id == "C_NEXT"
    assert fake_slack.calls_to("conversations.replies") == []
