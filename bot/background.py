"""The work the Slack app runs beside its services: delivering hand-offs, refreshing, sweeping.

``Services`` never change once built. What ``sectorbot serve`` starts in the background is
held here instead, built beside them, so the CLI's commands never start (or load) any of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.handoff.worker import OutboxWorker


class Stoppable(Protocol):
    """A background thread that can be stopped (the refresh schedule, the retention sweeper)."""

    def stop(self) -> None:
        """Stop it; it is not started again."""


class Background:
    """The outbox worker, the refresh schedule and the retention sweeper of one Slack app."""

    def __init__(self) -> None:
        """Nothing runs until ``bot.app`` starts each piece."""
        self.outbox_worker: OutboxWorker | None = None
        self.refresh_scheduler: Stoppable | None = None
        self.retention_sweeper: Stoppable | None = None

    def wake_outbox(self) -> None:
        """New outbox rows were committed: deliver them now rather than at the next poll."""
        if self.outbox_worker is not None:
            self.outbox_worker.wake()

    def stop(self) -> None:
        """Stop everything (pending outbox rows stay stored for the next worker)."""
        if self.outbox_worker is not None:
            self.outbox_worker.stop()
            self.outbox_worker = None
        if self.refresh_scheduler is not None:
            self.refresh_scheduler.stop()
            self.refresh_scheduler = None
        if self.retention_sweeper is not None:
            self.retention_sweeper.stop()
            self.retention_sweeper = None
