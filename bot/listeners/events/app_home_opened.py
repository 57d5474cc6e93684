"""App Home: publish the Home tab (admins also see the knowledge base, hand-offs and gaps)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.admin.status import KnowledgeStatus, knowledge_status
from bot.blocks.home import build_home_view
from bot.coverage.reply import report_home_text
from bot.handoff.statuses import OPEN_STATUSES
from bot.handoff.store import list_requests
from bot.services import Services

logger = logging.getLogger(__name__)


def build_handler(services: Services) -> Callable[..., None]:
    """The ``app_home_opened`` listener, bound to ``services``."""

    def handle_app_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab needs nothing published
        user = event.get("user", "")
        is_admin = user in services.settings.admin_user_ids
        status = _status(services) if is_admin else None
        handoffs = list_requests(services.engine, OPEN_STATUSES) if is_admin else []
        report = report_home_text(services) if is_admin else None
        view = build_home_view(
            services.settings.default_contact,
            is_admin=is_admin,
            status=status,
            open_handoffs=handoffs,
            report_text=report,
        )
        try:
            client.views_publish(user_id=user, view=view)
        except SlackApiError as error:
            logger.warning("could not publish App Home: %s", error.response.get("error"))

    return handle_app_home_opened


def _status(services: Services) -> KnowledgeStatus | None:
    try:
        return knowledge_status(services)
    except Exception:
        # Home still shows everything else; the admin sees a short note instead of the status.
        logger.exception("could not read the knowledge-base status for App Home")
        return None
