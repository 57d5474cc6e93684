"""Every Slack listener, grouped by surface; ``register_listeners`` wires them all onto an app."""

from __future__ import annotations

from slack_bolt import App

from bot.background import Background
from bot.listeners import actions, assistant, commands, events, middleware, shortcuts, views
from bot.services import Services


def register_listeners(
    app: App, services: Services, background: Background, workspace_url: str | None
) -> None:
    """Register middleware first (it must run before the assistant middleware), then listeners.

    ``workspace_url`` is the workspace's address (``https://NAME.slack.com/``) from auth.test;
    ``background`` is woken when a listener queues hand-off notifications.
    """
    middleware.register(app, services)
    assistant.register(app, services)
    events.register(app, services)
    commands.register(app, services)
    actions.register(app, services, background, workspace_url)
    shortcuts.register(app, services, workspace_url)
    views.register(app, services, background, workspace_url)
