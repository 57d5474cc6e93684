"""The background thread that delivers the outbox: a pass, then wait for a wake-up or a poll."""

from __future__ import annotations

import logging
import threading

from bot.handoff.outbox import Outbox

logger = logging.getLogger(__name__)


class OutboxWorker:
    """A daemon thread running ``Outbox.run_once`` until ``stop``; ``wake`` skips the wait."""

    def __init__(self, outbox: Outbox, *, poll_seconds: float = 2.0) -> None:
        self.outbox = outbox
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sectorbot-outbox", daemon=True)

    def start(self) -> OutboxWorker:
        """Start delivering (pending rows from before a restart go first)."""
        self._thread.start()
        return self

    def wake(self) -> None:
        """New rows were written: look now instead of at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the delivery in progress, then stop; undelivered rows stay for the next one."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        """True while the thread is alive."""
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                # Keep going while rows were due: a batch may leave more behind it.
                attempted = 1
                while attempted and not self._stop.is_set():
                    attempted = self.outbox.run_once()
                due_in = self.outbox.next_due_in()
            except Exception:
                # The database may be briefly unreachable; the rows are safe, try again later.
                logger.exception("outbox pass failed")
                due_in = None
            wait = self.poll_seconds if due_in is None else min(self.poll_seconds, due_in)
            self._wake.wait(wait)
