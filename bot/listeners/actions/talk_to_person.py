"""Talk to a person: open the hand-off form, prefilled with the question and the asker's profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import messages
from bot.answering import contact_for
from bot.handoff.metadata import metadata_key
from bot.handoff.modal import Opening, open_or_explain
from bot.services import Services
from bot.store import turns


def build_handler(services: Services, workspace_url: str | None) -> Callable[..., None]:
    """The ``talk_to_person`` button listener."""
    key = metadata_key(services.settings)

    def handle_talk_to_person(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        turn = turns.get_turn(services.engine, str(action.get("value", "")))
        question = turn.question if turn else ""
        container = body.get("container") or {}
        user_id = body["user"]["id"]
        opening = Opening(
            trigger_id=body["trigger_id"],
            requester=user_id,
            details=question,
            profile_user=user_id,
            message_channel=str(container.get("channel_id") or ""),
            message_ts=str(container.get("message_ts") or ""),
            workspace_url=workspace_url,
        )
        contact = contact_for(services, question)
        open_or_explain(
            client,
            opening,
            contact,
            key,
            lambda: respond(
                text=messages.talk_to_person(contact),
                response_type="ephemeral",
                replace_original=False,
            ),
        )

    return handle_talk_to_person
