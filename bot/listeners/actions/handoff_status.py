"""Claim / Resolved buttons on a hand-off notification: move the request, record who and when.

The notification sits in a channel many people can read, so a click is checked first: only
the configured contacts, admins and staff (``Settings.handoff_staff``) move a request; anyone
else is told so, privately, and nothing changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond

from bot import ids, messages
from bot.background import Background
from bot.handoff import store, workflow
from bot.services import Services
from bot.slack_text import escape

logger = logging.getLogger(__name__)


def build_handler(services: Services, background: Background) -> Callable[..., None]:
    """The listener for both status buttons."""

    def handle_handoff_status(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        to_status = "claimed" if action.get("action_id") == ids.HANDOFF_CLAIM else "resolved"
        reference = str(action.get("value", ""))
        user_id = body["user"]["id"]
        if user_id not in services.settings.handoff_staff:
            logger.info("refused a hand-off status change from someone who is not staff")
            text = messages.handoff_move_refused(escape(reference[:40]))
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        try:
            workflow.move(services.engine, reference, to_status, user_id)
        except LookupError:
            logger.warning("a status button named a hand-off this database does not know")
            respond(
                text=messages.handoff_unknown(), response_type="ephemeral", replace_original=False
            )
            return
        except store.TransitionRefused:
            current = store.find_by_reference(services.engine, reference)
            text = messages.handoff_already(reference, current.status if current else to_status)
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        # The notification messages and the requester's DM go out through the outbox.
        background.wake_outbox()

    return handle_handoff_status
