"""Global shortcut "get involved": for now, a modal with the contact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks.contact import build_contact_modal
from bot.services import Services


def build_handler(services: Services) -> Callable[..., None]:
    """The ``get_involved`` shortcut listener."""

    def handle_get_involved(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        view = build_contact_modal(services.settings.default_contact, handing_off=False)
        client.views_open(trigger_id=shortcut["trigger_id"], view=view)

    return handle_get_involved
