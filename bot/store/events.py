"""Processed Slack event ids: the first instance to record an id answers it, everyone else skips.

Slack retries an event it thinks was not acknowledged (``X-Slack-Retry-Num``), and two instances
behind a load balancer can both receive it. A primary-key insert is atomic in SQLite and
PostgreSQL alike, so "insert if absent" is the whole protocol.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Column, DateTime, Engine, String, Table, delete, insert
from sqlalchemy.exc import IntegrityError

from knowledge import metadata

logger = logging.getLogger(__name__)

# Slack retries for about an hour at most; a day leaves a wide margin and keeps the table small.
KEEP_FOR = dt.timedelta(days=1)

processed_events = Table(
    "slack_processed_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("received_at", DateTime(timezone=True), nullable=False, index=True),
)


def claim_event(engine: Engine, event_id: str) -> bool:
    """Record ``event_id``; True when this call recorded it first (so it should be answered)."""
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(processed_events).values(
                    event_id=event_id, received_at=dt.datetime.now(dt.UTC)
                )
            )
    except IntegrityError:
        return False
    return True


def forget_old_events(engine: Engine, now: dt.datetime | None = None) -> int:
    """Delete ids older than ``KEEP_FOR``; returns how many went."""
    cutoff = (now or dt.datetime.now(dt.UTC)) - KEEP_FOR
    with engine.begin() as connection:
        result = connection.execute(
            delete(processed_events).where(processed_events.c.received_at < cutoff)
        )
    return int(result.rowcount or 0)
