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
from bot.background import Background
from bot.blocks.handoff import build_received_view
from bot.handoff import workflow
from bot.handoff.form import error_blocks, read_form, validate
from bot.handoff.metadata import ModalContext, metadata_key, unseal, workspace_permalink
from bot.services import Services

logger = logging.getLogger(__name__)


def build_handler(
    services: Services, background: Background, workspace_url: str | None
) -> Callable[..., None]:
    """The ``handoff_modal`` submission listener."""
    key = metadata_key(services.settings)

    def handle_handoff_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = read_form(view)
        errors = validate(form)
        if errors:
            ack(response_action="errors", errors=error_blocks(errors, view))
            return
        requester = body["user"]["id"]
        sealed = unseal(str(view.get("private_metadata") or ""), key, requester)
        if sealed is None:
            # What the person typed is theirs; only the unverifiable context is left out.
            logger.warning("a hand-off form's metadata failed its seal; stored without it")
            sealed = ModalContext(requester)
        origin = workflow.Origin(
            requester=requester,
            on_behalf_of=sealed.on_behalf_of,
            source_permalink=workspace_permalink(sealed.permalink, workspace_url),
        )
        contact = workflow.contact_for(form, services.settings.contacts)
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
            not_saved = {ids.HANDOFF_DETAILS: messages.handoff_not_saved(contact)}
            ack(response_action="errors", errors=error_blocks(not_saved, view))
            return
        ack(response_action="update", view=build_received_view(request))
        background.wake_outbox()

    return handle_handoff_submission
