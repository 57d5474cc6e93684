"""Modal submissions."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.background import Background
from bot.listeners.views import handoff_submission
from bot.services import Services


def register(
    app: App, services: Services, background: Background, workspace_url: str | None
) -> None:
    """Bind the hand-off modal's submission."""
    app.view(ids.HANDOFF_MODAL)(
        handoff_submission.build_handler(services, background, workspace_url)
    )
