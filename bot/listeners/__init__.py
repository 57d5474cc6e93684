"""Every Slack listener, grouped by surface; ``register_listeners`` wires them all onto an app."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, assistant, commands, events, middleware, shortcuts, views
from bot.services import Services


def register_listeners(app: App, services: Services) -> None:
    """Register middleware first (it must run before the assistant middleware), then listeners."""
    middleware.register(app, services)
    assistant.register(app, services)
    events.register(app, services)
    commands.register(app, services)
    actions.register(app, services)
    shortcuts.register(app, services)
    views.register(app, services)
