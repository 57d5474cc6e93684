"""The knowledge base's status for admins: what is served, how old, the last refresh, the next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import make_url

from bot.admin.schedule import next_refresh_due
from bot.admin.when import ago, stamp
from bot.refreshing import refresh_running
from bot.services import Services
from bot.settings import Settings
from ingest import RefreshRun, count_of, last_finished, running_run
from knowledge import VersionRecord, current_version, version_before_current


@dataclass(frozen=True)
class KnowledgeStatus:
    """Everything ``status`` shows, gathered at one moment."""

    now: dt.datetime
    version: VersionRecord | None
    rollback_to: VersionRecord | None
    running: RefreshRun | None
    refreshing: bool
    last_refresh: RefreshRun | None
    interval_hours: float | None
    next_due: dt.datetime | None

    def as_json(self) -> dict[str, Any]:
        """``sectorbot status --json``."""
        return {
            "version": _version_json(self.version, self.now),
            "rollback_to": _version_json(self.rollback_to, self.now),
            "refreshing": self.refreshing,
            "running": _run_json(self.running) if self.refreshing else None,
            "last_refresh": _run_json(self.last_refresh),
            # 0, as the setting says, when no refresh is scheduled.
            "refresh_interval_hours": self.interval_hours or 0,
            "next_refresh_due": self.next_due.isoformat() if self.next_due else None,
        }

    def lines(self) -> list[str]:
        """Plain lines for the terminal (Slack wraps the same lines in its own markup)."""
        lines = [_version_line(self.version, self.now)]
        if self.rollback_to is not None:
            lines.append(
                f"Rollback would serve {self.rollback_to.version_id} "
                f"(built {ago(self.rollback_to.created_at, self.now)})."
            )
        else:
            lines.append("No earlier version is kept to roll back to.")
        if self.refreshing:
            started = self.running
            lines.append(
                "A refresh is running"
                + (
                    f", started {ago(started.started_at, self.now)} by {started.requested_by}"
                    f" ({started.trigger})."
                    if started
                    else "."
                )
            )
        if self.last_refresh is not None:
            lines.append(_run_line(self.last_refresh, self.now))
            built = (self.last_refresh.summary or {}).get("version")
            if built and self.version is not None and built != self.version.version_id:
                lines.append(f"A rollback has since taken its version, {built}, out of service.")
        if self.interval_hours:
            due = f", next due {stamp(self.next_due)}" if self.next_due else ""
            lines.append(f"Scheduled refresh every {self.interval_hours:g} hours{due}.")
        else:
            lines.append("No scheduled refresh (REFRESH_INTERVAL_HOURS is 0).")
        return lines


def knowledge_status(services: Services, now: dt.datetime | None = None) -> KnowledgeStatus:
    """Gather the status from the database (shared by every instance)."""
    now = now or dt.datetime.now(dt.UTC)
    engine = services.engine
    interval = services.settings.refresh_interval_hours
    return KnowledgeStatus(
        now=now,
        version=current_version(engine),
        rollback_to=version_before_current(engine),
        running=running_run(engine),
        refreshing=refresh_running(services),
        last_refresh=last_finished(engine),
        interval_hours=interval,
        next_due=next_refresh_due(engine, interval, now) if interval else None,
    )


def _version_line(version: VersionRecord | None, now: dt.datetime) -> str:
    if version is None:
        return "Nothing is indexed yet: run `sectorbot ingest` or `/sectorbot refresh`."
    return (
        f"Serving version {version.version_id}, built {stamp(version.created_at)} "
        f"({ago(version.created_at, now)}): {count_of(version.document_count, 'document')}, "
        f"{count_of(version.chunk_count, 'chunk')}, embeddings {version.embedding_model}."
    )


def _run_line(run: RefreshRun, now: dt.datetime) -> str:
    when = ago(run.finished_at or run.started_at, now)
    head = f"Last refresh {run.status} {when} ({run.trigger}, by {run.requested_by})"
    if run.summary:
        counts = run.summary
        return (
            f"{head}: {counts['added']} added, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['removed']} removed, "
            f"{counts['failed']} failed."
        )
    return f"{head}: {run.error}." if run.error else f"{head}."


def _version_json(version: VersionRecord | None, now: dt.datetime) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "id": version.version_id,
        "built_at": version.created_at.isoformat(),
        "age_seconds": int((now - version.created_at).total_seconds()),
        "documents": version.document_count,
        "chunks": version.chunk_count,
        "embedding_model": version.embedding_model,
    }


def _run_json(run: RefreshRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "status": run.status,
        "trigger": run.trigger,
        "requested_by": run.requested_by,
        "scope": run.scope,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "error": run.error,
        "summary": run.summary,
    }


def storage(settings: Settings) -> dict[str, str | None]:
    """Where this command's knowledge base and hand-offs are kept (for the terminal only).

    Run from another folder without ``SECTORBOT_DATA_DIR``, the CLI reads another, empty data
    dir; saying which one it read keeps that from looking like lost documents or hand-offs.
    No credentials: a database URL is shown as its kind, database name and host.
    """
    database = None
    if settings.database_url:
        url = make_url(settings.sqlalchemy_url)
        host = f" on {url.host}" if url.host else ""
        database = f"{url.get_backend_name()} {url.database or ''}{host}"
    chroma = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else None
    return {"data_dir": str(settings.data_dir), "database": database, "chroma_server": chroma}


def storage_lines(settings: Settings) -> list[str]:
    """``storage`` as lines for the terminal."""
    where = storage(settings)
    lines = [f"Data dir: {where['data_dir']} (SECTORBOT_DATA_DIR)."]
    if where["database"]:
        lines.append(f"Database: {where['database']} (DATABASE_URL).")
    if where["chroma_server"]:
        lines.append(f"Vectors: Chroma server at {where['chroma_server']}.")
    return lines
