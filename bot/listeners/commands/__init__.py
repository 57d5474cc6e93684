"""Slash commands."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.listeners.commands import sectorbot
from bot.services import Services


def register(app: App, services: Services) -> None:
    """Bind ``/sectorbot``."""
    app.command(ids.COMMAND)(sectorbot.build_handler(services))
