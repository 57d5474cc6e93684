"""Message shortcut "hand this message off": for now, a modal with the contact to share it with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.answering import contact_for
from bot.blocks.contact import build_contact_modal
from bot.services import Services


def build_handler(services: Services) -> Callable[..., None]:
    """The ``handoff_message`` shortcut listener."""

    def handle_handoff_message(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        text = str(shortcut.get("message", {}).get("text", ""))
        view = build_contact_modal(contact_for(services, text), handing_off=True)
        client.views_open(trigger_id=shortcut["trigger_id"], view=view)

    return handle_handoff_message
