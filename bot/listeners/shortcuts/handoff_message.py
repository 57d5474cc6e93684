"""Message shortcut "hand this message off": the form, prefilled with the message and its author."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import messages
from bot.answering import contact_for
from bot.handoff.metadata import metadata_key
from bot.handoff.modal import Opening, open_or_explain
from bot.services import Services
from bot.slack_text import plain_text


def build_handler(services: Services, workspace_url: str | None) -> Callable[..., None]:
    """The ``handoff_message`` shortcut listener."""
    key = metadata_key(services.settings)

    def handle_handoff_message(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        message = shortcut.get("message") or {}
        text = plain_text(str(message.get("text", "")))
        opening = Opening(
            trigger_id=shortcut["trigger_id"],
            requester=shortcut["user"]["id"],
            details=text,
            # The form is about the message's author; the staff member sending it is the requester.
            profile_user=str(message.get("user") or ""),
            message_channel=str((shortcut.get("channel") or {}).get("id") or ""),
            message_ts=str(message.get("ts") or shortcut.get("message_ts") or ""),
            workspace_url=workspace_url,
        )
        contact = contact_for(services, text)
        open_or_explain(
            client,
            opening,
            contact,
            key,
            lambda: client.chat_postMessage(
                channel=opening.requester, text=messages.talk_to_person(contact)
            ),
        )

    return handle_handoff_message
