"""Requests shaped the way Slack sends them, and what Slack documents as the right response.

The payloads (``tests.fakes.slack_payloads``) are our own, written after the structures in
Slack's Events API and interactivity documentation and in bolt-python's test fixtures: every
field Slack sends (``authorizations``, ``event_context``, rich-text ``blocks``, ``files``,
``edited``, thread broadcasts, shared channels, Enterprise Grid ids, ``app_rate_limited``,
``ssl_check``, ``url_verification``, and the interaction payloads) rather than the few our fakes
need. Each case checks what Slack expects back: the status, one reply in the right place, or
silence.

The app runs its listeners one at a time, in arrival order (``start_app``), so a "sentinel"
question answered after a case proves that the case was fully handled, or dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.handoff import store
from tests.bot.conftest import RunningApp
from tests.bot.handoff_helpers import wait_until
from tests.fakes.slack_payloads import (
    OTHER_TEAM,
    block_actions,
    envelope,
    file_object,
    global_shortcut,
    mention_event,
    message_event,
    message_shortcut,
    view_submission,
)
from tests.fakes.slack_requests import new_ts
from tests.fakes.slack_web_api import BOT_ID, BOT_USER_ID, TEAM_ID, Call, FakeSlack

QUESTION = "What is a sector partnership?"


# --- helpers ----------------------------------------------------------------------------------


def in_thread(ts: str) -> Callable[[Call], bool]:
    return lambda call: call.args.get("thread_ts") == ts


def settle(running: RunningApp, fake: FakeSlack) -> None:
    """Ask one more question and wait for its answer: everything sent before is done."""
    ts = new_ts()
    running.sender.post_json(envelope(mention_event(QUESTION, ts, channel="C_SENTINEL")))
    fake.wait_for("chat.postMessage", where=in_thread(ts))


def replies(fake: FakeSlack, where: Callable[[Call], bool]) -> list[Call]:
    return fake.calls_to("chat.postMessage", where)


def web_api_calls_but_auth(fake: FakeSlack) -> list[str]:
    return [call.method for call in fake.calls if call.method != "auth.test"]


# --- the Events API ---------------------------------------------------------------------------


def test_a_mention_with_every_field_slack_sends_gets_one_answer_in_its_thread(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    ts = new_ts()

    response = running.sender.post_json(envelope(mention_event(QUESTION, ts)))

    assert response.status == 200
    [answer] = fake_slack.wait_for("chat.postMessage", where=in_thread(ts))
    assert answer.args["channel"] == "C_GENERAL" and "blocks" in answer.args
    settle(running, fake_slack)
    assert len(replies(fake_slack, in_thread(ts))) == 1


def test_an_edited_mention_is_acknowledged_and_not_answered_again(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    ts = new_ts()
    running.sender.post_json(envelope(mention_event(QUESTION, ts)))
    fake_slack.wait_for("chat.postMessage", where=in_thread(ts))
    edit_ts = new_ts()
    edited = mention_event(
        "What is a sector partnership, exactly?",
        ts,
        edited={"user": "U_ASKER", "ts": edit_ts},
        event_ts=edit_ts,
    )

    response = running.sender.post_json(envelope(edited))

    assert response.status == 200
    settle(running, fake_slack)
    assert len(replies(fake_slack, in_thread(ts))) == 1


def test_a_thread_broadcast_follow_up_is_answered_in_the_thread(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    root = new_ts()
    running.sender.post_json(envelope(mention_event(QUESTION, root)))
    fake_slack.wait_for("chat.postMessage", where=in_thread(root))
    ts = new_ts()
    broadcast = message_event(
        "Who runs the partnerships at Iowa Workforce Development?",
        ts,
        subtype="thread_broadcast",
        thread_ts=root,
        root={
            "type": "message",
            "user": "U_ASKER",
            "text": f"<@{BOT_USER_ID}> {QUESTION}",
            "ts": root,
            "thread_ts": root,
            "reply_count": 2,
        },
    )

    response = running.sender.post_json(envelope(broadcast))

    assert response.status == 200
    fake_slack.wait_for("chat.postMessage", 2, where=in_thread(root))
    settle(running, fake_slack)
    assert len(replies(fake_slack, in_thread(root))) == 2


def test_a_mention_from_a_connected_workspace_in_a_shared_channel_is_answered(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    ts = new_ts()
    event = mention_event(
        QUESTION,
        ts,
        user="U0GUEST",
        team=OTHER_TEAM,
        user_team=OTHER_TEAM,
        source_team=OTHER_TEAM,
        user_profile={"real_name": "Guest", "team": OTHER_TEAM},
    )

    response = running.sender.post_json(envelope(event, shared=True))

    assert response.status == 200
    [answer] = fake_slack.wait_for("chat.postMessage", where=in_thread(ts))
    assert answer.args["channel"] == "C_GENERAL"


def test_a_mention_in_an_enterprise_grid_workspace_is_answered(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    ts = new_ts()

    response = running.sender.post_json(
        envelope(mention_event(QUESTION, ts, user="W0ASKER"), enterprise=True)
    )

    assert response.status == 200
    fake_slack.wait_for("chat.postMessage", where=in_thread(ts))


def test_a_direct_message_holding_only_a_file_gets_a_note_not_the_greeting(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    ts = new_ts()
    event = message_event(
        "",
        ts,
        channel="D_ASKER",
        channel_type="im",
        subtype="file_share",
        files=[file_object()],
        upload=False,
        display_as_bot=False,
    )

    response = running.sender.post_json(envelope(event))

    assert response.status == 200
    [note] = fake_slack.wait_for("chat.postMessage", where=lambda c: c.args["channel"] == "D_ASKER")
    assert "only read text" in note.args["text"]
    assert "blocks" not in note.args  # no answer, no buttons
    settle(running, fake_slack)
    assert len(replies(fake_slack, lambda c: c.args["channel"] == "D_ASKER")) == 1


def test_a_mention_with_a_file_and_a_question_is_answered(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    ts = new_ts()
    event = mention_event(QUESTION, ts, files=[file_object("minutes.pdf")], upload=False)

    running.sender.post_json(envelope(event))

    [answer] = fake_slack.wait_for("chat.postMessage", where=in_thread(ts))
    assert "blocks" in answer.args


@pytest.mark.parametrize(
    "extra",
    [
        {"bot_id": BOT_ID, "user": BOT_USER_ID},
        {"bot_id": "B0OTHER", "subtype": "bot_message", "username": "another bot"},
        {"subtype": "message_changed", "hidden": True},
        {"subtype": "message_deleted", "hidden": True},
        {"subtype": "channel_join"},
    ],
    ids=["own-message", "other-bot", "changed", "deleted", "join"],
)
def test_messages_nobody_asked_get_200_and_silence(
    running: RunningApp, fake_slack: FakeSlack, extra: dict[str, Any]
) -> None:
    root = new_ts()
    running.sender.post_json(envelope(mention_event(QUESTION, root)))
    fake_slack.wait_for("chat.postMessage", where=in_thread(root))
    event = message_event("Who runs them?", new_ts(), thread_ts=root, **extra)

    response = running.sender.post_json(envelope(event))

    assert response.status == 200
    settle(running, fake_slack)
    assert len(replies(fake_slack, in_thread(root))) == 1


def test_app_rate_limited_gets_200_and_one_warning(
    running: RunningApp, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    before = web_api_calls_but_auth(fake_slack)
    notice = {
        "token": "legacy-verification-token",
        "type": "app_rate_limited",
        "team_id": TEAM_ID,
        "minute_rate_limited": int(time.time()) // 60 * 60,
        "api_app_id": "A0001",
    }

    response = running.sender.post_json(notice)

    assert response.status == 200
    [warning] = [r for r in caplog.records if r.levelname == "WARNING" and "rate" in r.message]
    assert warning.name == "bot.listeners.middleware"
    assert web_api_calls_but_auth(fake_slack) == before


def test_url_verification_gets_its_challenge_back(running: RunningApp) -> None:
    response = running.sender.post_json(
        {"token": "legacy-verification-token", "challenge": "3eZbrw1aB", "type": "url_verification"}
    )

    assert (response.status, response.json()) == (200, {"challenge": "3eZbrw1aB"})


def test_ssl_check_gets_an_empty_200(running: RunningApp, fake_slack: FakeSlack) -> None:
    before = web_api_calls_but_auth(fake_slack)

    response = running.sender.post_form(urlencode({"token": "legacy", "ssl_check": "1"}))

    assert (response.status, response.body) == (200, "")
    assert web_api_calls_but_auth(fake_slack) == before


# --- interactivity ----------------------------------------------------------------------------


def answer_with_buttons(running: RunningApp, fake: FakeSlack) -> Call:
    ts = new_ts()
    running.sender.post_json(envelope(mention_event(QUESTION, ts)))
    [answer] = fake.wait_for("chat.postMessage", where=in_thread(ts))
    return answer


def test_a_feedback_click_gets_a_private_thanks_at_its_response_url(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    answer = answer_with_buttons(running, fake_slack)
    hook = fake_slack.response_url("feedback")

    response = running.sender.interaction(block_actions(answer, "feedback_helpful", hook))

    assert (response.status, response.body) == (200, "")
    [thanks] = fake_slack.wait_for("response_url")
    assert thanks.args["response_type"] == "ephemeral"
    assert thanks.args["replace_original"] is False


def test_the_form_shows_the_profile_keeps_what_was_typed_and_submits_by_action_id(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.users["U_ASKER"] = ("Pat Example", "pat@example.com")
    answer = answer_with_buttons(running, fake_slack)

    def type_while_the_profile_loads(call: Call) -> None:
        # The modal is open while users.info is asked: the person starts typing.
        if call.method == "users.info":
            fake_slack.typed(fake_slack.opened_view_ids[-1], "organization", "Ames Parts")

    fake_slack.on_call = type_while_the_profile_loads
    running.sender.interaction(
        block_actions(answer, "talk_to_person", fake_slack.response_url("talk"))
    )
    [update] = fake_slack.wait_for("views.update")
    view_id = update.args["view_id"]

    shown = fake_slack.shown(view_id)
    assert (shown["name"], shown["email"]) == ("Pat Example", "pat@example.com")
    assert (shown["organization"], shown["details"]) == ("Ames Parts", QUESTION)
    fake_slack.typed(view_id, "region", "Story County")
    fake_slack.typed(view_id, "interest", "join")
    reply = running.sender.interaction(view_submission(fake_slack, view_id, update.args["view"]))

    assert reply.status == 200 and reply.json()["response_action"] == "update"
    [request] = store.list_requests(running.services.engine)
    assert (request.name, request.email, request.organization, request.region) == (
        "Pat Example",
        "pat@example.com",
        "Ames Parts",
        "Story County",
    )
    assert request.details == QUESTION


def test_errors_in_the_prefilled_form_are_shown_at_the_inputs_as_slack_shows_them(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    answer = answer_with_buttons(running, fake_slack)
    running.sender.interaction(
        block_actions(answer, "talk_to_person", fake_slack.response_url("talk"))
    )
    [update] = fake_slack.wait_for("views.update")
    view_id = update.args["view_id"]
    fake_slack.typed(view_id, "email", "pat-at-example")
    fake_slack.typed(view_id, "interest", "")
    state = fake_slack.state_values(view_id)

    reply = running.sender.interaction(view_submission(fake_slack, view_id, update.args["view"]))

    assert reply.status == 200
    errors = reply.json()["errors"]
    email_block = next(block for block, actions in state.items() if "email" in actions)
    assert set(errors) == {email_block, "interest"}
    assert store.list_requests(running.services.engine) == []


def test_the_shortcuts_open_the_form_with_their_trigger(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    message_payload = message_shortcut(
        "We want to start a partnership in Ames.", new_ts(), fake_slack.response_url("shortcut")
    )
    global_payload = global_shortcut("get_involved")

    statuses = [
        running.sender.interaction(payload).status for payload in (message_payload, global_payload)
    ]

    assert statuses == [200, 200]
    opened = fake_slack.wait_for("views.open", 2)
    assert [call.args["trigger_id"] for call in opened] == [
        message_payload["trigger_id"],
        global_payload["trigger_id"],
    ]
    wait_until(lambda: len(fake_slack.calls_to("views.update")) == 2, what="both prefills")
