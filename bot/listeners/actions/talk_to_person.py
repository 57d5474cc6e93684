"""Talk to a person: show the contact card (the hand-off form replaces it in a later version)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond

from bot import messages
from bot.answering import contact_for
from bot.blocks.contact import build_contact_blocks
from bot.services import Services
from bot.store import turns


def build_handler(services: Services) -> Callable[..., None]:
    """The ``talk_to_person`` button listener."""

    def handle_talk_to_person(ack: Ack, action: dict[str, Any], respond: Respond) -> None:
        ack()
        turn = turns.get_turn(services.engine, str(action.get("value", "")))
        text = messages.talk_to_person(contact_for(services, turn.question if turn else ""))
        respond(
            text=text,
            blocks=build_contact_blocks(text),
            response_type="ephemeral",
            replace_original=False,
        )

    return handle_talk_to_person
