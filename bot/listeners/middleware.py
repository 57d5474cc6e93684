"""Global middleware: drop events nobody should answer, and answer each event id only once.

Both acknowledge what they drop (200), so Slack does not retry it. Deduplication claims the event
id in the shared database before the ack, so a retry (``X-Slack-Retry-Num``), a restart or a
second instance sharing the database never answers the same event twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy import Engine

from bot.services import Services
from bot.store.events import claim_event, forget_old_events

logger = logging.getLogger(__name__)

# Plain messages, messages with files, and thread replies also sent to the channel.
ANSWERABLE_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
PRUNE_EVERY = 500


def register(app: App, services: Services) -> None:
    """Add the middleware to ``app`` (order matters: noise is dropped before it is recorded)."""
    app.use(IgnoreNoise())
    app.use(DeduplicateEvents(services.engine))


class IgnoreNoise(Middleware):
    """Acknowledge and drop messages from bots, edits, deletions and other message subtypes."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        """Drop noise; pass everything else on."""
        event = _event(req.body)
        if event is not None and is_noise(event):
            return BoltResponse(status=200, body="")
        next()
        return None


class DeduplicateEvents(Middleware):
    """Let an Events API event through only the first time its ``event_id`` is seen anywhere."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._claims = 0
        self._lock = threading.Lock()

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        """Claim the event id; acknowledge and drop the event when it was claimed before."""
        event_id = req.body.get("event_id") if _event(req.body) is not None else None
        if isinstance(event_id, str) and event_id:
            try:
                first = claim_event(self.engine, event_id)
            except Exception:
                # Without the database we cannot tell; answering twice beats going silent.
                logger.exception("could not record a Slack event id")
                first = True
            if not first:
                logger.info("skipped a repeated Slack event (retry %s)", _retry_num(req))
                return BoltResponse(status=200, body="")
            if self._count_claim() % PRUNE_EVERY == 0:
                self._prune()
        next()
        return None

    def _count_claim(self) -> int:
        with self._lock:
            self._claims += 1
            return self._claims

    def _prune(self) -> None:
        try:
            forget_old_events(self.engine)
        except Exception:
            logger.exception("could not prune old Slack event ids")


def is_noise(event: dict[str, Any]) -> bool:
    """A message event no one should answer: from a bot, an edit, a deletion, a join..."""
    if event.get("type") not in ("message", "app_mention"):
        return False
    if event.get("bot_id") or event.get("subtype") == "bot_message":
        return True
    return event.get("subtype") not in ANSWERABLE_SUBTYPES


def _event(body: dict[str, Any]) -> dict[str, Any] | None:
    event = body.get("event") if body.get("type") == "event_callback" else None
    return event if isinstance(event, dict) else None


def _retry_num(req: BoltRequest) -> str:
    values = req.headers.get("x-slack-retry-num") or ["none"]
    return values[0]
