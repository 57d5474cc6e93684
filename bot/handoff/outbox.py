"""The notification outbox: every message to send is a row, delivered by ``Outbox.run_once``.

The messages about a request that quote the person's details (the contact's DM, the channel
post, the e-mail, their updates) are stored without text: ``render`` draws them from the request
when they are sent, so the name, phone and e-mail live in one row of ``handoff_requests`` and
are not copied into the outbox (where they would outlive a deletion of the request).

Rows are written in the same transaction as the request they announce, so a crash between
"stored" and "told" loses nothing: any worker that starts later delivers what is pending.
A worker takes a row with one conditional ``UPDATE`` (pending and due, or a lease that ran out),
so two instances never send the same row; a failed attempt is stored with its error and retried
with exponential backoff (Slack's ``Retry-After`` wins when it asks for longer).
``bot.handoff.worker`` runs the passes in a background thread.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    insert,
    or_,
    select,
    update,
)

from bot.handoff.email import Mailer
from knowledge import as_utc, metadata

logger = logging.getLogger(__name__)

# Kinds of message; a delivered notification marks its request "notified".
CONTACT_DM = "contact_dm"
CHANNEL_POST = "channel_post"
CONTACT_EMAIL = "contact_email"  # text is "subject\n\nbody"
REQUESTER_DM = "requester_dm"
NOTIFICATION_UPDATE = "notification_update"
NOTIFICATION_KINDS = (CONTACT_DM, CHANNEL_POST, CONTACT_EMAIL)
# Notifications that are Slack messages, updated in place on claim and resolve.
SLACK_NOTIFICATION_KINDS = (CONTACT_DM, CHANNEL_POST)
# Kinds whose text quotes the request: queued without it, rendered when sent.
RENDERED_KINDS = (CONTACT_DM, CHANNEL_POST, CONTACT_EMAIL, NOTIFICATION_UPDATE)

# Errors that no retry can fix: the message itself is wrong.
PERMANENT_ERRORS = frozenset(
    {"invalid_blocks", "invalid_arguments", "msg_too_long", "no_text", "invalid_auth"}
)

outbox = Table(
    "handoff_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", Integer, nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    # A user id (sent as a DM) or a channel id; for updates, the channel of the message.
    Column("target", String(32), nullable=False),
    Column("update_ts", String(32)),
    Column("text", Text, nullable=False),
    Column("blocks", Text),
    Column("status", String(16), nullable=False),  # pending, sending, sent, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),  # the latest failure, kept after a later success
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_by", String(64)),
    Column("claimed_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("sent_channel", String(32)),
    Column("sent_ts", String(32)),
    Index("ix_handoff_outbox_due", "status", "next_attempt_at"),
)


@dataclass(frozen=True)
class Message:
    """One message to send for a request (``text`` empty: rendered from it when sent)."""

    kind: str
    target: str
    text: str = ""
    blocks: Sequence[dict[str, Any]] | None = None
    update_ts: str | None = None


@dataclass(frozen=True)
class OutboxRow:
    """A stored outbox row."""

    id: int
    request_id: int
    kind: str
    target: str
    update_ts: str | None
    text: str
    blocks: list[dict[str, Any]] | None
    status: str
    attempts: int
    last_error: str | None
    sent_channel: str | None
    sent_ts: str | None


def enqueue(
    connection: Connection, request_id: int, messages: Sequence[Message], now: dt.datetime
) -> None:
    """Add messages inside the caller's transaction (due at once)."""
    for message in messages:
        connection.execute(
            insert(outbox).values(
                request_id=request_id,
                kind=message.kind,
                target=message.target,
                update_ts=message.update_ts,
                text=message.text,
                blocks=json.dumps(list(message.blocks)) if message.blocks is not None else None,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )


def rows_for(engine: Engine, request_id: int) -> list[OutboxRow]:
    """Every outbox row of a request, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(outbox).where(outbox.c.request_id == request_id).order_by(outbox.c.id)
        )
        return [_row(row) for row in rows]


def sent_notifications(connection: Connection, request_id: int) -> list[OutboxRow]:
    """The delivered Slack notifications of a request (to update on claim and resolve)."""
    rows = connection.execute(
        select(outbox)
        .where(
            outbox.c.request_id == request_id,
            outbox.c.kind.in_(SLACK_NOTIFICATION_KINDS),
            outbox.c.status == "sent",
        )
        .order_by(outbox.c.id)
    )
    return [_row(row) for row in rows]


class MailerMissing(Exception):
    """An e-mail row is due but no SMTP server is configured."""


# Called after a row is delivered, inside the transaction that marks it sent.
OnDelivered = Callable[[Connection, OutboxRow, dt.datetime], None]
# The text (for e-mail "subject\n\nbody") and blocks of a row queued without them.
Render = Callable[[OutboxRow], tuple[str, list[dict[str, Any]] | None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait before the next attempt, and when to give up."""

    base_seconds: float = 2.0
    max_seconds: float = 600.0
    max_attempts: int = 12

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Exponential backoff with jitter after ``attempts`` failures; at least ``retry_after``."""
        backoff = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        # Jitter spreads retries from several instances so they do not hit Slack together.
        backoff *= random.uniform(0.75, 1.0)  # noqa: S311 - not cryptography
        return float(max(backoff, retry_after or 0.0))


class Outbox:
    """Claims due rows and delivers them with a Slack client; ``run_once`` is one pass."""

    def __init__(
        self,
        engine: Engine,
        client: WebClient,
        *,
        render: Render,
        policy: RetryPolicy | None = None,
        lease: dt.timedelta = dt.timedelta(minutes=2),
        on_delivered: OnDelivered | None = None,
        worker_id: str | None = None,
        mailer: Mailer | None = None,
    ) -> None:
        self.engine = engine
        self.client = client
        self.mailer = mailer
        self.render = render
        self.policy = policy or RetryPolicy()
        # Longer than one delivery can take (the client times out well before), so a lease only
        # runs out when its worker died; then another worker takes the row over.
        self.lease = lease
        self.on_delivered = on_delivered
        self.worker_id = worker_id or uuid.uuid4().hex

    def run_once(self, now: dt.datetime | None = None, limit: int = 20) -> int:
        """Deliver the rows due now; returns how many were attempted."""
        attempted = 0
        now = now or dt.datetime.now(dt.UTC)
        for row_id in self._due(now, limit):
            row = self._claim(row_id, now)
            if row is None:
                continue  # another worker took it first
            attempted += 1
            self._deliver(row)
        return attempted

    def next_due_in(self) -> float | None:
        """Seconds until the earliest pending row is due (0 when one is due now), or None."""
        with self.engine.connect() as connection:
            earliest = connection.execute(
                select(outbox.c.next_attempt_at)
                .where(outbox.c.status == "pending")
                .order_by(outbox.c.next_attempt_at)
                .limit(1)
            ).scalar()
        if earliest is None:
            return None
        return max(0.0, (as_utc(earliest) - dt.datetime.now(dt.UTC)).total_seconds())

    def _due(self, now: dt.datetime, limit: int) -> list[int]:
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(outbox.c.id)
                    .where(_takeable(now))
                    .order_by(outbox.c.next_attempt_at, outbox.c.id)
                    .limit(limit)
                ).scalars()
            )

    def _claim(self, row_id: int, now: dt.datetime | None = None) -> OutboxRow | None:
        now = now or dt.datetime.now(dt.UTC)
        with self.engine.begin() as connection:
            # The WHERE repeats the "takeable" test: of two workers racing for a row, the second
            # UPDATE matches nothing (PostgreSQL re-checks it after the first commits; SQLite
            # runs writers one at a time).
            result = connection.execute(
                update(outbox)
                .where(outbox.c.id == row_id, _takeable(now))
                .values(
                    status="sending",
                    claimed_by=self.worker_id,
                    claimed_until=now + self.lease,
                    attempts=outbox.c.attempts + 1,
                )
            )
            if not result.rowcount:
                return None
            row = connection.execute(select(outbox).where(outbox.c.id == row_id)).one()
        return _row(row)

    def _deliver(self, row: OutboxRow) -> None:
        try:
            channel, ts = self._send(row)
        except SlackApiError as error:
            status = error.response.status_code
            code = str(error.response.get("error") or f"http_{status}")
            retry_after = _retry_after(error) if status == 429 or code == "ratelimited" else None
            self._failed(row, code, permanent=code in PERMANENT_ERRORS, retry_after=retry_after)
        except Exception as error:  # noqa: BLE001 - network errors come in many types
            # Only the type: a message could quote a URL holding more than we want in logs.
            self._failed(row, type(error).__name__, permanent=False, retry_after=None)
        else:
            self._sent(row, channel, ts)

    def _content(self, row: OutboxRow) -> tuple[str, list[dict[str, Any]] | None]:
        if row.text:
            return row.text, row.blocks  # stored with its text (or queued by an older release)
        return self.render(row)

    def _send(self, row: OutboxRow) -> tuple[str, str]:
        if row.kind == CONTACT_EMAIL:
            if self.mailer is None:
                # SMTP settings were removed after the row was queued: keep it for a restart.
                raise MailerMissing("SMTP_HOST is not set")
            subject, _, body = self._content(row)[0].partition("\n\n")
            self.mailer.send(row.target, subject, body)
            return row.target, ""
        text, blocks = self._content(row)
        arguments: dict[str, Any] = {"text": text}
        if blocks is not None:
            arguments["blocks"] = blocks
        if row.kind == NOTIFICATION_UPDATE:
            response = self.client.chat_update(
                channel=row.target, ts=row.update_ts or "", **arguments
            )
        else:
            channel = row.target
            if channel.startswith(("U", "W")):
                # A user id: open (or find) the app's DM with them first.
                opened = self.client.conversations_open(users=channel)
                channel = str(opened["channel"]["id"])
            response = self.client.chat_postMessage(
                channel=channel, unfurl_links=False, unfurl_media=False, **arguments
            )
        return str(response.get("channel") or row.target), str(response.get("ts") or "")

    def _sent(self, row: OutboxRow, channel: str, ts: str) -> None:
        now = dt.datetime.now(dt.UTC)
        with self.engine.begin() as connection:
            result = connection.execute(
                update(outbox)
                .where(outbox.c.id == row.id, outbox.c.claimed_by == self.worker_id)
                .values(
                    status="sent",
                    sent_at=now,
                    sent_channel=channel,
                    sent_ts=ts,
                    claimed_until=None,
                    # A row stored with the person's details (before rendering at send time)
                    # keeps them no longer than it needs them.
                    **({"text": "", "blocks": None} if row.kind in RENDERED_KINDS else {}),
                )
            )
            if result.rowcount and self.on_delivered is not None:
                delivered = OutboxRow(**{**row.__dict__, "sent_channel": channel, "sent_ts": ts})
                self.on_delivered(connection, delivered, now)
        logger.info("outbox row %d (%s) delivered", row.id, row.kind)

    def _failed(
        self, row: OutboxRow, error: str, *, permanent: bool, retry_after: float | None
    ) -> None:
        now = dt.datetime.now(dt.UTC)
        give_up = permanent or row.attempts >= self.policy.max_attempts
        delay = self.policy.delay(row.attempts, retry_after)
        with self.engine.begin() as connection:
            connection.execute(
                update(outbox)
                .where(outbox.c.id == row.id, outbox.c.claimed_by == self.worker_id)
                .values(
                    status="failed" if give_up else "pending",
                    last_error=error[:500],
                    next_attempt_at=now + dt.timedelta(seconds=delay),
                    claimed_until=None,
                )
            )
        log = logger.error if give_up else logger.warning
        log(
            "outbox row %d (%s) attempt %d failed: %s%s",
            row.id,
            row.kind,
            row.attempts,
            error,
            "; giving up" if give_up else f"; retrying in {delay:.2f}s",
        )


def _takeable(now: dt.datetime) -> Any:
    return or_(
        and_(outbox.c.status == "pending", outbox.c.next_attempt_at <= now),
        and_(outbox.c.status == "sending", outbox.c.claimed_until < now),
    )


def _retry_after(error: SlackApiError) -> float | None:
    headers = {key.lower(): value for key, value in (error.response.headers or {}).items()}
    raw = headers.get("retry-after")
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


def _row(row: Any) -> OutboxRow:
    return OutboxRow(
        id=row.id,
        request_id=row.request_id,
        kind=row.kind,
        target=row.target,
        update_ts=row.update_ts,
        text=row.text,
        blocks=json.loads(row.blocks) if row.blocks else None,
        status=row.status,
        attempts=int(row.attempts),
        last_error=row.last_error,
        sent_channel=row.sent_channel,
        sent_ts=row.sent_ts,
    )
