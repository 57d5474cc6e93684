"""Tell every admin something by direct message (a failed scheduled refresh, for one)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)


def alert_admins(client: WebClient, admin_ids: Iterable[str], text: str) -> int:
    """DM ``text`` to each admin; returns how many were reached. Failures are logged only."""
    admins = sorted(admin_ids)
    if not admins:
        logger.warning("no admins to alert (set ADMIN_USER_IDS): %s", text)
        return 0
    reached = 0
    for admin in admins:
        try:
            client.chat_postMessage(channel=admin, text=text)
            reached += 1
        except SlackApiError as error:
            logger.warning("could not alert admin %s: %s", admin, error.response.get("error"))
        except Exception:
            logger.exception("could not alert admin %s", admin)
    return reached
