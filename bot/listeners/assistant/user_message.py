"""A message in an assistant thread: status while working, then the answer in the thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from slack_bolt.context.set_status import SetStatus
from slack_bolt.context.set_title import SetTitle
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answering import Asked, AssistantStatus, answer_in_conversation
from bot.services import Services
from bot.slack_text import plain_text
from bot.store import turns

logger = logging.getLogger(__name__)
TITLE_LIMIT = 80


def build_handler(services: Services) -> Callable[..., None]:
    """The assistant ``user_message`` listener."""

    def handle_user_message(
        event: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        set_status: SetStatus,
        set_title: SetTitle,
    ) -> None:
        channel = event["channel"]
        thread_ts = event["thread_ts"]
        text = plain_text(event.get("text", ""), context.bot_user_id)
        if text and turns.last_turn(services.engine, channel, thread_ts) is None:
            # The first question names the thread in the user's assistant history.
            try:
                set_title(text[:TITLE_LIMIT])
            except SlackApiError as error:
                logger.info("could not set the thread title: %s", error.response.get("error"))
        asked = Asked.in_thread(event, thread_ts, text, "assistant", context.team_id)
        answer_in_conversation(client, services, asked, AssistantStatus(set_status))

    return handle_user_message
