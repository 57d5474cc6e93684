"""``/sectorbot refresh``: run the refresh in the background and keep the admin posted.

The command is acknowledged at once; a direct message from the bot then shows the progress
(updated at most every few seconds, well inside Slack's rate limits for ``chat.update``) and ends
with the summary. If the bot cannot write to the admin directly, the summary comes back through
the command's ``response_url`` instead, so the admin always learns how it ended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.admin import texts
from bot.refreshing import RefreshBusyError, RefreshRequest, run_refresh
from ingest import RefreshError

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)

UPDATE_EVERY_SECONDS = 3.0

Respond = Callable[..., Any]


class SlackRefresh:
    """One refresh asked for in Slack by ``user_id``."""

    def __init__(
        self,
        services: Services,
        client: WebClient,
        user_id: str,
        respond: Respond,
        *,
        update_every: float = UPDATE_EVERY_SECONDS,
    ) -> None:
        self.services = services
        self.client = client
        self.user_id = user_id
        self.respond = respond
        self.update_every = update_every
        self._message: tuple[str, str] | None = None  # (DM channel, ts) of the progress message
        self._started = time.monotonic()
        self._last_update = 0.0

    def start(self) -> threading.Thread:
        """Run in a thread of its own (a refresh takes far longer than a listener should)."""
        thread = threading.Thread(target=self.run, name="sectorbot-slack-refresh", daemon=True)
        thread.start()
        return thread

    def run(self) -> None:
        """Refresh, reporting progress and the outcome; never raises."""
        self._started = time.monotonic()
        self._post(texts.refresh_progress("load", 0, len(self.services.settings.sources), 0))
        request = RefreshRequest(trigger="slack", requested_by=self.user_id)
        try:
            summary = run_refresh(self.services, request, progress=self._progress)
        except RefreshBusyError as error:
            outcome = texts.refresh_busy(str(error))
        except RefreshError as error:
            logger.warning("refresh from Slack failed: %s", error)
            outcome = texts.refresh_failed(str(error))
        except Exception:
            logger.exception("refresh from Slack failed")
            outcome = texts.refresh_failed("an unexpected error (see the app's log)")
        else:
            outcome = texts.refresh_finished(summary)
        self._finish(outcome)

    def _progress(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_update < self.update_every and done < total:
            return
        self._last_update = now
        self._update(texts.refresh_progress(step, done, total, now - self._started))

    def _post(self, text: str) -> None:
        try:
            response = self.client.chat_postMessage(channel=self.user_id, text=text)
        except SlackApiError as error:
            logger.info("cannot post refresh progress: %s", error.response.get("error"))
            return
        channel, ts = response.get("channel"), response.get("ts")
        if isinstance(channel, str) and isinstance(ts, str):
            self._message = (channel, ts)
            self._last_update = time.monotonic()

    def _send(self, channel: str, text: str) -> bool:
        try:
            self.client.chat_postMessage(channel=channel, text=text)
        except SlackApiError as error:
            logger.info("cannot post the refresh outcome: %s", error.response.get("error"))
            return False
        return True

    def _update(self, text: str) -> bool:
        if self._message is None:
            return False
        channel, ts = self._message
        try:
            self.client.chat_update(channel=channel, ts=ts, text=text)
        except SlackApiError as error:
            logger.info("cannot update refresh progress: %s", error.response.get("error"))
            return False
        return True

    def _finish(self, outcome: str) -> None:
        # The outcome is a new message, so the admin is notified; the progress line is closed.
        self._update(texts.refresh_done(time.monotonic() - self._started))
        if self._message is not None and self._send(self._message[0], outcome):
            return
        try:
            self.respond(text=outcome, response_type="ephemeral")
        except Exception:
            logger.exception("could not tell the admin how the refresh ended")
