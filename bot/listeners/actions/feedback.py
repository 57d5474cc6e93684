"""Helpful / Not helpful: store the verdict with question, answer and sources; thank the user."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond

from bot import ids, messages
from bot.answering import contact_for
from bot.services import Services
from bot.store import feedback, turns

logger = logging.getLogger(__name__)


def build_handler(services: Services) -> Callable[..., None]:
    """The listener for both feedback buttons."""

    def handle_feedback(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        helpful = action.get("action_id") == ids.FEEDBACK_HELPFUL
        turn = turns.get_turn(services.engine, str(action.get("value", "")))
        if turn is None:
            logger.warning("feedback on an answer this database does not know")
        else:
            feedback.record_feedback(services.engine, turn, body["user"]["id"], helpful)
        contact = contact_for(services, turn.question if turn else "")
        text = messages.feedback_thanks() if helpful else messages.feedback_sorry(contact)
        respond(text=text, response_type="ephemeral", replace_original=False)

    return handle_feedback
