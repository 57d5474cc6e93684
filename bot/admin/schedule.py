"""Refresh the configured sources on a schedule while the app serves, and alert admins on failure.

Every instance runs a scheduler; the database decides: a refresh is due when the last refresh of
the configured sources started one interval ago, and the refresh lock lets one instance do it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.refreshing import RefreshBusyError, RefreshRequest, run_refresh_if
from bot.slack_text import escape
from ingest import RefreshError, RefreshSummary, last_finished

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)

# How often an idle scheduler looks at the clock; a due refresh waits at most this long.
POLL_SECONDS = 60.0

Alert = Callable[[str], object]
Clock = Callable[[], dt.datetime]


def next_refresh_due(engine: Engine, interval_hours: float, now: dt.datetime) -> dt.datetime:
    """When the configured sources are next due for a refresh (``now`` if never refreshed)."""
    last = last_finished(engine, scope="configured")
    if last is None:
        return now
    return last.started_at + dt.timedelta(hours=interval_hours)


class RefreshScheduler:
    """A background thread that runs due refreshes; ``run_once`` does one check (tests call it)."""

    def __init__(
        self,
        services: Services,
        interval_hours: float,
        alert: Alert,
        *,
        poll_seconds: float = POLL_SECONDS,
        clock: Clock = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.services = services
        self.interval_hours = interval_hours
        self.alert = alert
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> RefreshScheduler:
        """Start checking in the background."""
        self._thread = threading.Thread(
            target=self._loop, name="sectorbot-refresh-schedule", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop checking (a refresh in progress finishes in its own time, or dies with us)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def run_once(self) -> RefreshSummary | None:
        """Refresh if due; alert the admins if the refresh fails. None: nothing was run."""
        engine = self.services.engine
        if next_refresh_due(engine, self.interval_hours, self.clock()) > self.clock():
            return None
        request = RefreshRequest(trigger="schedule", requested_by="schedule")
        try:
            summary = run_refresh_if(
                self.services,
                request,
                lambda: next_refresh_due(engine, self.interval_hours, self.clock()) <= self.clock(),
            )
        except RefreshBusyError:
            return None  # someone is refreshing already; the next check sees its run
        except RefreshError as error:
            logger.warning("scheduled refresh failed: %s", error)
            self.alert(failed_alert(str(error)))
            return None
        if summary is not None and summary.failed:
            self.alert(partial_alert(summary))
        return summary

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception:
                logger.exception("scheduled refresh check failed")
                self.alert(failed_alert("an unexpected error (see the app's log)"))
            self._stopping.wait(self.poll_seconds)


def failed_alert(reason: str) -> str:
    """The admins' message when a scheduled refresh fails."""
    return (
        ":warning: The scheduled knowledge-base refresh failed; the previous version is still "
        f"answering questions.\nReason: {escape(reason)}\n"
        "Run `/sectorbot status` to see what is served, or `/sectorbot refresh` to try again."
    )


def partial_alert(summary: RefreshSummary) -> str:
    """The admins' message when a scheduled refresh could not read some sources."""
    failures = "\n".join(
        f"\u2022 {escape(failure.source)}: {escape(failure.reason)}"
        for failure in summary.failed[:10]
    )
    more = len(summary.failed) - 10
    return (
        f":warning: The scheduled refresh could not read {len(summary.failed)} "
        f"source{'s' if len(summary.failed) != 1 else ''}; what was indexed before from "
        f"{'them' if len(summary.failed) != 1 else 'it'} is still served.\n{failures}"
        + (f"\n...and {more} more." if more > 0 else "")
    )
