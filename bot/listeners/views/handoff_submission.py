"""The hand-off form is submitted: check it, store it, queue the notifications, show the number.

Errors go back inline (``response_action: errors``) so the person fixes them in place. The
request is committed, with its outbox rows, before the modal says "received"; the worker then
tells the contact, the hand-off channel and the requester.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack

from bot import ids, messages
from bot.blocks.handoff import build_received_view
from bot.handoff import workflow
from bot.handoff.form import read_form, validate
from bot.handoff.modal import read_metadata
from bot.services import Services
from knowledge.contacts import route_contact

logger = logging.getLogger(__name__)


def build_handler(services: Services) -> Callable[..., None]:
    """The ``handoff_modal`` submission listener."""

    def handle_handoff_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = read_form(view)
        errors = validate(form)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        metadata = read_metadata(str(view.get("private_metadata") or ""))
        origin = workflow.Origin(
            requester=body["user"]["id"],
            on_behalf_of=metadata.get("on_behalf_of", ""),
            source_permalink=metadata.get("permalink", ""),
        )
        # Routing reads what the person wrote, so a regional contact can be added in settings.
        contact = route_contact(
            services.settings.contacts, " ".join((form.region, form.industry, form.details))
        )
        try:
            request = workflow.submit(
                services.engine,
                form,
                origin,
                contact,
                services.settings.handoff_channel_id,
                email_contact=services.settings.smtp_host is not None,
            )
        except Exception:
            logger.exception("could not store a hand-off request")
            ack(
                response_action="errors",
                errors={ids.HANDOFF_DETAILS: messages.handoff_not_saved(contact)},
            )
            return
        ack(response_action="update", view=build_received_view(request))
        services.wake_outbox()

    return handle_handoff_submission
