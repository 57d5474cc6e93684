"""Global middleware: clean text, refuse replays, drop events nobody should answer, answer once.

Every string Slack sends is made storable first (``bot.slack_text.storable``): this is the one
edge where text from Slack enters, so nothing behind it meets a NUL or a lone surrogate.

Bolt checks every HTTP request's signature first and refuses one older than five minutes. Inside
those five minutes a captured request could be sent again: an Events API event is then caught by
its ``event_id`` (below), but a slash command or an interaction (a button, a form) carries no such
id, and a replayed form submission would store a second hand-off. Slack never resends those, so
the replay guard remembers each signature in the shared database and refuses a second use (401).

The other two acknowledge what they drop (200), so Slack does not retry it. Deduplication claims
the event id in the shared database before the ack, so a retry (``X-Slack-Retry-Num``), a restart
or a second instance sharing the database never answers the same event twice.
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
from bot.slack_text import storable_payload
from bot.store.events import claim_event, forget_old_events

logger = logging.getLogger(__name__)

# Plain messages, messages with files, and thread replies also sent to the channel.
ANSWERABLE_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
PRUNE_EVERY = 500
# Requests Slack may send again on its own (retries); they are deduplicated by event id.
_EVENT_TYPES = frozenset({"event_callback", "url_verification", "app_rate_limited"})


def register(app: App, services: Services) -> None:
    """Add the middleware to ``app``, after Bolt's signature check.

    Order matters: text is cleaned before anything reads it, replays are refused next, and noise
    is dropped before it is recorded.
    """
    app.use(MakeTextStorable())
    app.use(RefuseReplays(services.engine))
    app.use(AcknowledgeRateLimitNotices())
    app.use(IgnoreNoise())
    app.use(DeduplicateEvents(services.engine))


class MakeTextStorable(Middleware):
    """Replace the request's body with a copy whose strings every store accepts."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        """Clean the body, then pass the request on (400 for one nested too deep to walk)."""
        try:
            req.body = storable_payload(req.body)
        except RecursionError:
            logger.warning("refused a request nested too deeply to read")
            return BoltResponse(status=400, body="")
        next()
        return None


class _Claiming(Middleware):
    """Claims keys in the processed-ids table, and prunes old ones every ``PRUNE_EVERY`` claims."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._claims = 0
        self._lock = threading.Lock()

    def claim(self, key: str) -> bool:
        """Record ``key``; True when it was not recorded before (or the database failed)."""
        try:
            first = claim_event(self.engine, key)
        except Exception:
            # Without the database we cannot tell; answering twice beats going silent.
            logger.exception("could not record a Slack event id or request signature")
            return True
        if first and self._count_claim() % PRUNE_EVERY == 0:
            self._prune()
        return first

    def _count_claim(self) -> int:
        with self._lock:
            self._claims += 1
            return self._claims

    def _prune(self) -> None:
        try:
            forget_old_events(self.engine)
        except Exception:
            logger.exception("could not prune old Slack event ids")


class RefuseReplays(_Claiming):
    """Refuse a signed command or interaction whose signature was used before (HTTP mode)."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        """Claim the signature; answer 401 when it was claimed before."""
        signature = (req.headers.get("x-slack-signature") or [""])[0]
        # Socket Mode requests are not signed; events are deduplicated by their id instead,
        # and Slack's own retries of an event must get a 200, not a 401.
        guarded = req.mode == "http" and signature and req.body.get("type") not in _EVENT_TYPES
        if guarded and not self.claim(_signature_key(signature)):
            logger.warning("refused a replayed Slack request (same signature as before)")
            return BoltResponse(status=401, body="")
        next()
        return None


class AcknowledgeRateLimitNotices(Middleware):
    """Answer Slack's ``app_rate_limited`` notice with a 200 and one warning in the log.

    No listener could take it (it carries no event), so Bolt would answer 404; Slack may turn
    event delivery off for an app that fails to answer 200 to 5% of deliveries in an hour.
    """

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        """Acknowledge the notice; pass everything else on."""
        if req.body.get("type") != "app_rate_limited":
            next()
            return None
        logger.warning(
            "Slack is rate-limiting event deliveries to this app (from minute %s); events "
            "beyond 30,000 an hour per workspace are dropped",
            str(req.body.get("minute_rate_limited", "?"))[:20],
        )
        return BoltResponse(status=200, body="")


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


class DeduplicateEvents(_Claiming):
    """Let an Events API event through only the first time its ``event_id`` is seen anywhere."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        """Claim the event id; acknowledge and drop the event when it was claimed before."""
        event_id = req.body.get("event_id") if _event(req.body) is not None else None
        if isinstance(event_id, str) and event_id and not self.claim(event_id):
            logger.info("skipped a repeated Slack event (retry %s)", _retry_num(req))
            return BoltResponse(status=200, body="")
        next()
        return None


def _signature_key(signature: str) -> str:
    # Stored beside event ids ("Ev..."): the prefix keeps the two apart, and the signature is
    # an HMAC already, so its first 240 bits are as good a key as any hash of it.
    return "sig:" + signature.removeprefix("v0=")[:60]


def is_noise(event: dict[str, Any]) -> bool:
    """A message event no one should answer: from a bot, an edit, a deletion, a join..."""
    if event.get("type") not in ("message", "app_mention"):
        return False
    if event.get("bot_id") or event.get("subtype") == "bot_message":
        return True
    if event.get("edited"):
        # Editing a mention makes Slack send app_mention again (a new event id, the same ts,
        # and "edited"); the question was answered when it was first asked.
        return True
    return event.get("subtype") not in ANSWERABLE_SUBTYPES


def _event(body: dict[str, Any]) -> dict[str, Any] | None:
    event = body.get("event") if body.get("type") == "event_callback" else None
    return event if isinstance(event, dict) else None


def _retry_num(req: BoltRequest) -> str:
    values = req.headers.get("x-slack-retry-num") or ["none"]
    return values[0]
