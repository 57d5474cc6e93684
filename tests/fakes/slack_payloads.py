"""Requests as Slack sends them: the Events API wrapper, events, and interaction payloads.

Written after the structures in Slack's Events API and interactivity documentation and in
bolt-python's test fixtures (our own values, every field Slack sends), for the conformance
tests; ``tests.fakes.slack_requests`` has the smaller shapes the other tests use.
"""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

from tests.fakes.slack_requests import new_event_id, new_ts
from tests.fakes.slack_web_api import BOT_ID, BOT_USER_ID, TEAM_ID, Call, FakeSlack

ENTERPRISE_ID = "E0001"
OTHER_TEAM = "T0OTHER"
_block_ids = itertools.count(1)


def rich_text(*elements: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``blocks`` Slack adds to a message a person typed: one rich-text section."""
    return [
        {
            "type": "rich_text",
            "block_id": f"rt{next(_block_ids)}",
            "elements": [{"type": "rich_text_section", "elements": list(elements)}],
        }
    ]


def mention_event(text: str, ts: str, **extra: Any) -> dict[str, Any]:
    """An ``app_mention`` as Slack sends it for "@sectorbot ``text``"."""
    return {
        "client_msg_id": str(uuid.uuid4()),
        "type": "app_mention",
        "text": f"<@{BOT_USER_ID}> {text}",
        "user": "U_ASKER",
        "ts": ts,
        "blocks": rich_text(
            {"type": "user", "user_id": BOT_USER_ID}, {"type": "text", "text": f" {text}"}
        ),
        "team": TEAM_ID,
        "channel": "C_GENERAL",
        "event_ts": ts,
        **extra,
    }


def message_event(text: str, ts: str, **extra: Any) -> dict[str, Any]:
    """A ``message`` in a public channel, as Slack sends it (``extra`` overrides)."""
    event = {
        "client_msg_id": str(uuid.uuid4()),
        "type": "message",
        "text": text,
        "user": "U_ASKER",
        "ts": ts,
        "blocks": rich_text({"type": "text", "text": text}) if text else [],
        "team": TEAM_ID,
        "channel": "C_GENERAL",
        "event_ts": ts,
        "channel_type": "channel",
    }
    event.update(extra)
    return event


def envelope(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    shared: bool = False,
    enterprise: bool = False,
) -> dict[str, Any]:
    """The ``event_callback`` wrapper, with the fields Slack adds today."""
    authorization: dict[str, Any] = {
        "enterprise_id": ENTERPRISE_ID if enterprise else None,
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "is_bot": True,
        "is_enterprise_install": False,
    }
    body: dict[str, Any] = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "context_team_id": TEAM_ID,
        "context_enterprise_id": ENTERPRISE_ID if enterprise else None,
        "api_app_id": "A0001",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()),
        "authorizations": [authorization],
        "is_ext_shared_channel": shared,
        "event_context": "4-" + uuid.uuid4().hex,
    }
    if enterprise:
        body["enterprise_id"] = ENTERPRISE_ID
    return body


def file_object(name: str = "floor-plan.png") -> dict[str, Any]:
    """A file in a ``files`` list, with the fields a shared image carries."""
    return {
        "id": "F" + uuid.uuid4().hex[:10].upper(),
        "created": int(time.time()),
        "timestamp": int(time.time()),
        "name": name,
        "title": name,
        "mimetype": "image/png",
        "filetype": "png",
        "pretty_type": "PNG",
        "user": "U_ASKER",
        "mode": "hosted",
        "is_external": False,
        "is_public": False,
        "size": 48213,
        "url_private": f"https://files.slack.test/files-pri/{TEAM_ID}-F1/{name}",
        "permalink": f"https://fake.slack.test/files/U_ASKER/F1/{name}",
    }


def interaction_user(user: str = "U_ASKER") -> dict[str, Any]:
    return {"id": user, "username": "asker", "name": "asker", "team_id": TEAM_ID}


def team() -> dict[str, Any]:
    return {"id": TEAM_ID, "domain": "fake"}


def block_actions(answer: Call, action_id: str, response_url: str) -> dict[str, Any]:
    """A click on a button of ``answer``, as Slack sends ``block_actions``."""
    actions_block = next(b for b in answer.args["blocks"] if b["type"] == "actions")
    button = next(e for e in actions_block["elements"] if e["action_id"] == action_id)
    ts = str(answer.args.get("ts") or new_ts())
    return {
        "type": "block_actions",
        "user": interaction_user(),
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": "C_GENERAL",
            "is_ephemeral": False,
            "thread_ts": answer.args.get("thread_ts"),
        },
        "trigger_id": f"{int(time.time())}.1.{uuid.uuid4().hex}",
        "team": team(),
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": "C_GENERAL", "name": "general"},
        "message": {
            "bot_id": BOT_ID,
            "type": "message",
            "text": answer.args["text"],
            "user": BOT_USER_ID,
            "ts": ts,
            "app_id": "A0001",
            "blocks": answer.args["blocks"],
            "team": TEAM_ID,
            "thread_ts": answer.args.get("thread_ts"),
        },
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": actions_block["block_id"],
                "text": button["text"],
                "value": button["value"],
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def view_submission(
    fake: FakeSlack, view_id: str, view: dict[str, Any], user: str = "U_ASKER"
) -> dict[str, Any]:
    """Submitting the modal as Slack shows it now: its blocks, and ``state`` by its block ids."""
    return {
        "type": "view_submission",
        "team": team(),
        "user": interaction_user(user),
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "trigger_id": f"{int(time.time())}.2.{uuid.uuid4().hex}",
        "view": {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": "modal",
            "blocks": view["blocks"],
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view["callback_id"],
            "state": {"values": fake.state_values(view_id)},
            "hash": f"{int(time.time())}.abc",
            "title": view["title"],
            "clear_on_close": False,
            "notify_on_close": False,
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": "A0001",
            "external_id": "",
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def message_shortcut(
    text: str, ts: str, response_url: str, user: str = "U_STAFF"
) -> dict[str, Any]:
    """The ``message_action`` payload of the message shortcut on a message of U_ASKER."""
    return {
        "type": "message_action",
        "token": "legacy-verification-token",
        "action_ts": f"{time.time():.6f}",
        "team": team(),
        "user": interaction_user(user),
        "channel": {"id": "C_GENERAL", "name": "general"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": "handoff_message",
        "trigger_id": f"{int(time.time())}.3.{uuid.uuid4().hex}",
        "response_url": response_url,
        "message_ts": ts,
        "message": {
            "client_msg_id": str(uuid.uuid4()),
            "type": "message",
            "text": text,
            "user": "U_ASKER",
            "ts": ts,
            "team": TEAM_ID,
            "blocks": rich_text({"type": "text", "text": text}),
        },
    }


def global_shortcut(callback_id: str, user: str = "U_STAFF") -> dict[str, Any]:
    """The ``shortcut`` payload of a global shortcut."""
    return {
        "type": "shortcut",
        "token": "legacy-verification-token",
        "action_ts": f"{time.time():.6f}",
        "team": team(),
        "user": interaction_user(user),
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": f"{int(time.time())}.4.{uuid.uuid4().hex}",
    }
