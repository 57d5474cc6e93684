"""A user opened an assistant thread: greet, and suggest questions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Say
from slack_bolt.context.save_thread_context import SaveThreadContext
from slack_bolt.context.set_suggested_prompts import SetSuggestedPrompts
from slack_sdk.errors import SlackApiError

from bot import messages
from bot.services import Services

logger = logging.getLogger(__name__)


def build_handler(services: Services) -> Callable[..., None]:
    """The ``assistant_thread_started`` listener."""

    def handle_thread_started(
        event: dict[str, Any],
        say: Say,
        set_suggested_prompts: SetSuggestedPrompts,
        save_thread_context: SaveThreadContext,
    ) -> None:
        context = event.get("assistant_thread", {}).get("context") or {}
        if context:
            save_thread_context(context)
        try:
            say(messages.greeting())
            set_suggested_prompts(
                prompts=[
                    {"title": title, "message": message}
                    for title, message in messages.SUGGESTED_PROMPTS
                ],
                title="Try asking",
            )
        except SlackApiError as error:
            logger.warning("could not greet in an assistant thread: %s", error.response["error"])

    return handle_thread_started
