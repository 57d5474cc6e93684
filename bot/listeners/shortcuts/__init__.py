"""Shortcuts: hand a message off (message shortcut), get involved (global shortcut)."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.listeners.shortcuts import get_involved, handoff_message
from bot.services import Services


def register(app: App, services: Services, workspace_url: str | None) -> None:
    """Bind both shortcuts."""
    app.shortcut(ids.HANDOFF_MESSAGE_SHORTCUT)(
        handoff_message.build_handler(services, workspace_url)
    )
    app.shortcut(ids.GET_INVOLVED_SHORTCUT)(get_involved.build_handler(services))
