"""Global shortcut "get involved": the hand-off form, prefilled from the user's profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import messages
from bot.handoff.metadata import metadata_key
from bot.handoff.modal import Opening, open_or_explain
from bot.services import Services


def build_handler(services: Services) -> Callable[..., None]:
    """The ``get_involved`` shortcut listener."""
    key = metadata_key(services.settings)

    def handle_get_involved(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = shortcut["user"]["id"]
        opening = Opening(
            trigger_id=shortcut["trigger_id"], requester=user_id, profile_user=user_id
        )
        contact = services.settings.default_contact
        # A global shortcut has no conversation to answer in; the app's DM with the person is one.
        open_or_explain(
            client,
            opening,
            contact,
            key,
            lambda: client.chat_postMessage(channel=user_id, text=messages.talk_to_person(contact)),
        )

    return handle_get_involved
