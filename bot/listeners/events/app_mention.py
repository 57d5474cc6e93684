"""A mention in a channel: answer in the message's thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.answering import Asked, Reaction, answer_in_conversation
from bot.services import Services
from bot.slack_text import plain_text


def build_handler(services: Services) -> Callable[..., None]:
    """The ``app_mention`` listener, bound to ``services``."""

    def handle_app_mention(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        channel = event["channel"]
        if channel.startswith("D"):
            return  # a DM also arrives as message.im, which answers it
        ts = event["ts"]
        thread_ts = event.get("thread_ts") or ts
        text = plain_text(event.get("text", ""), context.bot_user_id)
        asked = Asked.in_thread(event, thread_ts, text, "mention", context.team_id)
        answer_in_conversation(client, services, asked, Reaction(client, channel, ts))

    return handle_app_mention
