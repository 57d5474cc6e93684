"""Events API listeners: mentions, direct messages, thread follow-ups, App Home."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.events import app_home_opened, app_mention, direct_message, thread_message
from bot.services import Services


def register(app: App, services: Services) -> None:
    """Bind each event to its handler; Bolt runs the first listener whose matchers pass."""
    app.event("app_mention")(app_mention.build_handler(services))
    app.event("message", matchers=[direct_message.is_direct_message])(
        direct_message.build_handler(services)
    )
    # Every other message event lands here, so Slack always gets its 200 (an unhandled event
    # would get a 404 and be retried).
    app.event("message")(thread_message.build_handler(services))
    app.event("app_home_opened")(app_home_opened.build_handler(services))
