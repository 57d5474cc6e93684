"""The admin-only subcommands of ``/sectorbot``: refresh, rollback, sources, status, report."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.admin import texts
from bot.admin.slack_refresh import SlackRefresh
from bot.admin.sources import list_sources
from bot.admin.status import knowledge_status
from bot.coverage.reply import report_reply
from bot.refreshing import (
    NothingToRollBackError,
    RefreshBusyError,
    refresh_running,
    roll_back,
)
from bot.services import Services
from bot.slack_text import escape
from ingest import running_run

logger = logging.getLogger(__name__)


def is_admin(services: Services, user_id: str) -> bool:
    """Admins are named in ``ADMIN_USER_IDS`` or the settings file's ``[admins]``."""
    return bool(user_id) and user_id in services.settings.admin_user_ids


def handle_admin(
    services: Services,
    subcommand: str,
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
) -> None:
    """Answer one admin subcommand (the caller checked that ``subcommand`` is one)."""
    user_id = command.get("user_id", "")
    if not is_admin(services, user_id):
        ack(text=texts.admin_only(subcommand, services.settings.admin_user_ids))
        return
    if subcommand == "refresh":
        _refresh(services, ack, user_id, respond, client)
    elif subcommand == "rollback":
        ack(text=_rollback(services))
    elif subcommand == "sources":
        ack(text="*Configured sources*\n" + _bullets(list_sources(services).lines()))
    elif subcommand == "status":
        ack(text="*Knowledge base*\n" + _bullets(knowledge_status(services).lines()))
    else:
        _report(services, ack, command, respond)


def _refresh(
    services: Services, ack: Ack, user_id: str, respond: Respond, client: WebClient
) -> None:
    if refresh_running(services):
        running = running_run(services.engine)
        ack(text=texts.refresh_busy(str(RefreshBusyError(running))))
        return
    ack(text=texts.refresh_started(len(services.settings.sources)))
    SlackRefresh(services, client, user_id, respond).start()


def _report(services: Services, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
    # "/sectorbot report 30": only the last 30 days.
    words = (command.get("text") or "").split()
    days = int(words[1]) if len(words) > 1 and words[1].isdigit() and int(words[1]) > 0 else None
    ack()  # grouping embeds new questions: answer after the ack, not within Slack's 3 seconds
    text, blocks = report_reply(services, days)
    respond(text=text, blocks=blocks, response_type="ephemeral")


def _rollback(services: Services) -> str:
    try:
        return texts.rollback_text(roll_back(services))
    except (RefreshBusyError, NothingToRollBackError) as error:
        return texts.rollback_refused(str(error))


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"\u2022 {escape(line)}" for line in lines)
