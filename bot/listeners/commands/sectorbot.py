"""``/sectorbot help | ask QUESTION | contact | handoff | handoffs``, and the admin subcommands."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import ids, messages
from bot.admin import texts
from bot.answering import Asked, contact_for, prepare_reply
from bot.blocks.contact import build_contact_blocks
from bot.conversations import COMMAND_CONVERSATION
from bot.handoff.metadata import metadata_key
from bot.handoff.modal import Opening, open_or_explain
from bot.handoff.statuses import OPEN_STATUSES
from bot.handoff.store import list_requests
from bot.limits import QUESTION_LIMIT, too_long
from bot.listeners.commands.admin import handle_admin, is_admin
from bot.services import Services
from bot.slack_text import escape, plain_text

logger = logging.getLogger(__name__)
WORD_LIMIT = 40
LISTING_LIMIT = 30


def build_handler(services: Services) -> Callable[..., None]:
    """The ``/sectorbot`` listener."""
    key = metadata_key(services.settings)

    def handle_sectorbot(
        ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        word, _, rest = (command.get("text") or "").strip().partition(" ")
        subcommand = word.lower()
        contact = contact_for(services, rest)
        if subcommand in ("", "help"):
            admin = is_admin(services, command.get("user_id", ""))
            ack(text=messages.command_help(contact) + (texts.admin_help() if admin else ""))
        elif subcommand == "contact":
            text = messages.talk_to_person(contact)
            ack(text=text, blocks=build_contact_blocks(text))
        elif subcommand == "ask":
            _ask(ack, respond, command, plain_text(rest))
        elif subcommand == "handoff":
            ack()
            user_id = command.get("user_id", "")
            opening = Opening(
                trigger_id=command.get("trigger_id", ""),
                requester=user_id,
                details=plain_text(rest),
                profile_user=user_id,
            )
            open_or_explain(
                client,
                opening,
                contact,
                key,
                lambda: respond(text=messages.talk_to_person(contact), response_type="ephemeral"),
            )
        elif subcommand == "handoffs":
            ack(text=_listing(command.get("user_id", "")))
        elif subcommand in ids.ADMIN_SUBCOMMANDS:
            handle_admin(services, subcommand, ack, command, respond, client)
        else:
            ack(text=messages.unknown_subcommand(escape(word[:WORD_LIMIT])))

    def _listing(user_id: str) -> str:
        if user_id not in services.settings.handoff_staff:
            return messages.handoffs_refused()
        requests = list_requests(services.engine, OPEN_STATUSES)[-LISTING_LIMIT:]
        lines = [
            f"\u2022 *{request.reference}* ({request.status}) {escape(request.name)}"
            + (f", {escape(request.organization)}" if request.organization else "")
            + f": {request.interest} \u2192 {escape(request.contact)}"
            + (f", claimed by <@{request.claimed_by}>" if request.claimed_by else "")
            for request in requests
        ]
        return messages.handoffs_listing(lines)

    def _ask(ack: Ack, respond: Respond, command: dict[str, Any], question: str) -> None:
        if not question:
            ack(text=messages.ask_usage())
            return
        if too_long(question):
            ack(text=messages.question_too_long(len(question), QUESTION_LIMIT))
            return
        ack()  # answer after the ack: Slack allows 3 seconds for it
        asked = Asked(
            channel_id=command.get("channel_id", ""),
            conversation=COMMAND_CONVERSATION,
            reply_thread_ts=None,
            message_ts=None,
            user_id=command.get("user_id", ""),
            text=question,
            surface="command",
            use_context=False,
        )
        try:
            reply = prepare_reply(services, asked)
            respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral")
        except Exception:
            logger.exception("could not answer /sectorbot ask")
            respond(text=messages.apology(contact_for(services, question)))

    return handle_sectorbot
