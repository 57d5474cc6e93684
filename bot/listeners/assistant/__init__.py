"""Slack's assistant container (split view): Bolt's ``Assistant`` middleware on our own store."""

from __future__ import annotations

from slack_bolt import App, Assistant

from bot.listeners.assistant import thread_started, user_message
from bot.services import Services
from bot.store.assistant_threads import DatabaseThreadContextStore


def register(app: App, services: Services) -> None:
    """Add the assistant middleware with its two handlers."""
    assistant = Assistant(thread_context_store=DatabaseThreadContextStore(services.engine))
    assistant.thread_started(thread_started.build_handler(services))
    assistant.user_message(user_message.build_handler(services))
    app.assistant(assistant)
