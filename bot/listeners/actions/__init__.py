"""Buttons on answers and on hand-off notifications."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.background import Background
from bot.listeners.actions import feedback, handoff_status, talk_to_person
from bot.services import Services


def register(
    app: App, services: Services, background: Background, workspace_url: str | None
) -> None:
    """Bind the answer buttons and the hand-off status buttons."""
    handle_feedback = feedback.build_handler(services)
    app.action(ids.FEEDBACK_HELPFUL)(handle_feedback)
    app.action(ids.FEEDBACK_NOT_HELPFUL)(handle_feedback)
    app.action(ids.TALK_TO_PERSON)(talk_to_person.build_handler(services, workspace_url))
    handle_status = handoff_status.build_handler(services, background)
    app.action(ids.HANDOFF_CLAIM)(handle_status)
    app.action(ids.HANDOFF_RESOLVE)(handle_status)
