"""Build Slack's requests (events, slash commands, interactions), sign them, and send them.

Signatures are made with ``slack_sdk.signature.SignatureVerifier``, exactly what Slack sends and
what Bolt checks; the requests go over real HTTP to the app served on loopback.
"""

from __future__ import annotations

import http.client
import itertools
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_web_api import BOT_USER_ID, TEAM_ID

_ts = itertools.count(1)


def new_ts() -> str:
    """A fresh, unique message ``ts``."""
    return f"{int(time.time())}.{next(_ts):06d}"


def new_event_id() -> str:
    """A fresh Events API ``event_id``."""
    return "Ev" + uuid.uuid4().hex[:16].upper()


@dataclass
class Response:
    """What the app answered."""

    status: int
    body: str
    seconds: float

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


class SlackSender:
    """Sends signed requests to ``url`` (e.g. ``http://127.0.0.1:PORT/slack/events``)."""

    def __init__(self, url: str, signing_secret: str) -> None:
        self.url = url
        self.verifier = SignatureVerifier(signing_secret)
        parts = urlsplit(url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._path = parts.path or "/"

    # -- Events API -------------------------------------------------------------------------

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None
    ) -> Response:
        """Send an ``event_callback`` envelope holding ``event``."""
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post_json(event_envelope(event, event_id=event_id), headers=headers)

    # -- slash commands and interactivity ---------------------------------------------------------

    def command(
        self,
        text: str,
        *,
        response_url: str,
        user: str = "U_ASKER",
        channel: str = "C_GENERAL",
        command: str = "/sectorbot",
    ) -> Response:
        """Send a slash command invocation."""
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "asker",
            "command": command,
            "text": text,
            "api_app_id": "A0001",
            "response_url": response_url,
            "trigger_id": "trigger." + uuid.uuid4().hex[:8],
        }
        return self.post_form(urlencode(form))

    def interaction(self, payload: dict[str, Any]) -> Response:
        """Send an interactivity payload (block actions, shortcuts, view submissions)."""
        return self.post_form(urlencode({"payload": json.dumps(payload)}))

    # -- signing and sending ----------------------------------------------------------------------

    def post_json(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
        """POST a JSON body, signed."""
        return self.post(json.dumps(body), "application/json", headers=headers)

    def post_form(self, body: str) -> Response:
        """POST a form body, signed."""
        return self.post(body, "application/x-www-form-urlencoded")

    def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Response:
        """POST ``body`` signed like Slack does (or with the given timestamp / signature)."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signed = (
            self.verifier.generate_signature(timestamp=stamp, body=body)
            if signature is None
            else signature
        )
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signed,
            **(headers or {}),
        }
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self._host, self._port, timeout=15)
        try:
            connection.request("POST", self._path, body=body.encode("utf-8"), headers=all_headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8")
            return Response(response.status, text, time.perf_counter() - started)
        finally:
            connection.close()


def event_envelope(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """The ``event_callback`` body Slack wraps an event in."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0001",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True, "enterprise_id": None}
        ],
    }


def mention(
    text: str,
    *,
    channel: str = "C_GENERAL",
    user: str = "U_ASKER",
    ts: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """An ``app_mention`` event; ``text`` gets the bot's mention in front."""
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts or new_ts(),
        "channel": channel,
        "event_ts": ts or new_ts(),
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(
    text: str,
    *,
    channel: str = "C_GENERAL",
    channel_type: str = "channel",
    user: str | None = "U_ASKER",
    ts: str | None = None,
    thread_ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A ``message`` event (channel, DM with ``channel_type="im"``, or anything via ``extra``)."""
    stamp = ts or new_ts()
    event: dict[str, Any] = {
        "type": "message",
        "text": text,
        "ts": stamp,
        "channel": channel,
        "channel_type": channel_type,
        "event_ts": stamp,
    }
    if user is not None:
        event["user"] = user
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def block_action(
    action_id: str,
    value: str,
    *,
    response_url: str,
    user: str = "U_ASKER",
    channel: str = "C_GENERAL",
    message_ts: str | None = None,
) -> dict[str, Any]:
    """A ``block_actions`` payload for a button click on a bot message."""
    ts = message_ts or new_ts()
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "fake"},
        "user": {"id": user, "username": "asker", "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "trigger_id": "trigger." + uuid.uuid4().hex[:8],
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "user": BOT_USER_ID, "ts": ts, "text": "answer"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "answer_actions",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }


def shortcut(
    callback_id: str, *, message_text: str | None = None, response_url: str | None = None
) -> dict[str, Any]:
    """A global shortcut, or a message shortcut when ``message_text`` is given."""
    payload: dict[str, Any] = {
        "type": "shortcut" if message_text is None else "message_action",
        "callback_id": callback_id,
        "trigger_id": "trigger." + uuid.uuid4().hex[:8],
        "team": {"id": TEAM_ID, "domain": "fake"},
        "user": {"id": "U_STAFF", "username": "staff", "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "action_ts": str(time.time()),
    }
    if message_text is not None:
        ts = new_ts()
        payload["message"] = {"type": "message", "user": "U_ASKER", "ts": ts, "text": message_text}
        payload["channel"] = {"id": "C_GENERAL", "name": "general"}
        payload["message_ts"] = ts
        if response_url:
            payload["response_url"] = response_url
    return payload


def view_submission(
    values: dict[str, Any],
    *,
    callback_id: str = "handoff_modal",
    user: str = "U_ASKER",
    private_metadata: str = "",
) -> dict[str, Any]:
    """A ``view_submission`` payload; ``values`` maps each input to a string (or None).

    The ``interest`` input is a static select, so its string becomes the selected option.
    """
    state: dict[str, Any] = {}
    for name, value in values.items():
        if name == "interest":
            option = {"text": {"type": "plain_text", "text": value}, "value": value}
            element = {"type": "static_select", "selected_option": option if value else None}
        else:
            element = {"type": "plain_text_input", "value": value}
        state[name] = {name: element}
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "fake"},
        "user": {"id": user, "username": "asker", "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "trigger_id": "trigger." + uuid.uuid4().hex[:8],
        "view": {
            "id": "V_HANDOFF",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "hash": "h1",
            "state": {"values": state},
        },
    }
