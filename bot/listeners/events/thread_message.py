"""Channel messages: answer follow-ups in threads the bot answered in; ignore everything else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.answering import Asked, Reaction, answer_in_conversation
from bot.followups import is_smalltalk, talks_to_someone_else
from bot.services import Services
from bot.slack_text import mentioned_users, plain_text
from bot.store import turns


def build_handler(services: Services) -> Callable[..., None]:
    """The channel ``message`` listener, bound to ``services``."""

    def handle_thread_message(
        event: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        channel = event.get("channel", "")
        thread_ts = event.get("thread_ts")
        if not thread_ts or thread_ts == event.get("ts"):
            return  # top-level chatter: the bot speaks when mentioned
        raw = event.get("text", "")
        if context.bot_user_id and context.bot_user_id in mentioned_users(raw):
            return  # the app_mention event for the same message answers it
        if talks_to_someone_else(raw, context.bot_user_id):
            return  # people in the thread are talking to each other
        # Only threads the bot answered in, known from our own store (not Slack's history).
        if turns.last_turn(services.engine, channel, thread_ts) is None:
            return
        text = plain_text(raw, context.bot_user_id)
        if not text or is_smalltalk(text, services.answerer):
            return  # "thanks!" to a colleague needs no reply from the bot
        asked = Asked.in_thread(event, thread_ts, text, "followup", context.team_id)
        answer_in_conversation(client, services, asked, Reaction(client, channel, event.get("ts")))

    return handle_thread_message
