"""The record of refreshes: who started each, from where, when, and how it ended.

A run still marked ``running`` when the next refresh takes the lock belonged to a process that
died (the lock would have been held otherwise); it is marked ``interrupted`` then.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, DateTime, Engine, String, Table, Text, insert, select, update

from knowledge import as_utc, metadata

RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
INTERRUPTED = "interrupted"

refresh_runs = Table(
    "kb_refresh_runs",
    metadata,
    Column("run_id", String(32), primary_key=True),
    # "cli", "slack", "schedule" or "first-use".
    Column("trigger", String(20), nullable=False),
    Column("requested_by", String(64), nullable=False),
    # "configured" (the settings' sources) or "named" (sources given on the command line).
    Column("scope", String(20), nullable=False, default="configured"),
    Column("status", String(20), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    # RefreshSummary.as_json() of a finished run.
    Column("summary", Text),
    Column("error", Text),
)


@dataclass(frozen=True)
class RefreshRun:
    """One refresh attempt."""

    run_id: str
    trigger: str
    requested_by: str
    scope: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    summary: dict[str, Any] | None
    error: str | None


def start_run(engine: Engine, *, trigger: str, requested_by: str, scope: str = "configured") -> str:
    """Record a run as started and return its id (call while holding the refresh lock)."""
    run_id = uuid.uuid4().hex
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            update(refresh_runs)
            .where(refresh_runs.c.status == RUNNING)
            .values(status=INTERRUPTED, finished_at=now, error="the refresh process stopped")
        )
        connection.execute(
            insert(refresh_runs).values(
                run_id=run_id,
                trigger=trigger,
                requested_by=requested_by,
                scope=scope,
                status=RUNNING,
                started_at=now,
            )
        )
    return run_id


def finish_run(
    engine: Engine,
    run_id: str,
    *,
    summary: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    """Record how a run ended: with a summary, or with an error (never a secret: see callers)."""
    with engine.begin() as connection:
        connection.execute(
            update(refresh_runs)
            .where(refresh_runs.c.run_id == run_id)
            .values(
                status=FAILED if error else SUCCEEDED,
                finished_at=dt.datetime.now(dt.UTC),
                summary=json.dumps(summary) if summary is not None else None,
                error=error[:2000] if error else None,
            )
        )


def recent_runs(engine: Engine, limit: int = 10) -> list[RefreshRun]:
    """The latest runs, newest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(refresh_runs).order_by(refresh_runs.c.started_at.desc()).limit(limit)
        )
        return [_run(row) for row in rows]


def last_finished(
    engine: Engine, *, successful: bool = False, scope: str | None = None
) -> RefreshRun | None:
    """The newest run that ended (only successful ones, or of one scope, when asked)."""
    statuses = [SUCCEEDED] if successful else [SUCCEEDED, FAILED, INTERRUPTED]
    query = select(refresh_runs).where(refresh_runs.c.status.in_(statuses))
    if scope is not None:
        query = query.where(refresh_runs.c.scope == scope)
    with engine.connect() as connection:
        row = connection.execute(query.order_by(refresh_runs.c.started_at.desc()).limit(1)).first()
    return _run(row) if row else None


def running_run(engine: Engine) -> RefreshRun | None:
    """The run marked as running, if any (it may belong to a process that died)."""
    with engine.connect() as connection:
        row = connection.execute(
            select(refresh_runs)
            .where(refresh_runs.c.status == RUNNING)
            .order_by(refresh_runs.c.started_at.desc())
            .limit(1)
        ).first()
    return _run(row) if row else None


def _run(row: Any) -> RefreshRun:
    return RefreshRun(
        run_id=row.run_id,
        trigger=row.trigger,
        requested_by=row.requested_by,
        scope=row.scope,
        status=row.status,
        started_at=as_utc(row.started_at),
        finished_at=as_utc(row.finished_at) if row.finished_at else None,
        summary=json.loads(row.summary) if row.summary else None,
        error=row.error,
    )
