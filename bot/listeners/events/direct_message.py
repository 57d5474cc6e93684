"""A direct message to the bot (outside a thread): answer right there in the DM."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.answering import Asked, Reaction, answer_in_conversation
from bot.conversations import DM_CONVERSATION
from bot.services import Services
from bot.slack_text import plain_text


def is_direct_message(event: dict[str, Any]) -> bool:
    """Matcher: a message in the bot's DM (threaded ones go to the assistant middleware)."""
    return event.get("channel_type") == "im"


def build_handler(services: Services) -> Callable[..., None]:
    """The DM listener, bound to ``services``."""

    def handle_direct_message(
        event: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        channel = event["channel"]
        thread_ts = event.get("thread_ts")
        asked = Asked(
            channel_id=channel,
            conversation=thread_ts or DM_CONVERSATION,
            reply_thread_ts=thread_ts,
            message_ts=event.get("ts"),
            user_id=event.get("user", ""),
            text=plain_text(event.get("text", ""), context.bot_user_id),
            surface="dm",
            team_id=context.team_id,
            has_files=bool(event.get("files")),
        )
        answer_in_conversation(client, services, asked, Reaction(client, channel, event.get("ts")))

    return handle_direct_message
