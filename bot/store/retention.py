"""Questions are kept for a while, not forever: old turns, feedback and thread contexts go.

A turn holds what someone asked and their Slack user id; feedback copies the question with who
judged the answer; an assistant thread's context names the channel they were looking at. They
serve follow-ups (minutes), feedback (days) and the coverage report (weeks), so after
``QUESTION_RETENTION_DAYS`` (default 90) they are deleted. Hand-off requests are not questions:
the contacts work from them, and they stay.

Every instance sweeps at start and then every few hours; the deletes are idempotent, so
several instances sharing a database do no harm.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from sqlalchemy import Engine, delete

from bot.store.assistant_threads import assistant_threads
from bot.store.feedback import answer_feedback
from bot.store.turns import conversation_turns

logger = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 90
SWEEP_EVERY = dt.timedelta(hours=6)


def forget_old_questions(engine: Engine, keep_days: int, now: dt.datetime | None = None) -> int:
    """Delete turns, feedback and assistant contexts older than ``keep_days``; how many went."""
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=keep_days)
    with engine.begin() as connection:
        removed = 0
        for table, column in (
            (conversation_turns, conversation_turns.c.created_at),
            (answer_feedback, answer_feedback.c.created_at),
            (assistant_threads, assistant_threads.c.updated_at),
        ):
            removed += int(connection.execute(delete(table).where(column < cutoff)).rowcount or 0)
    return removed


class RetentionSweeper:
    """A daemon thread that runs ``forget_old_questions`` at start and every ``SWEEP_EVERY``."""

    def __init__(self, engine: Engine, keep_days: int, *, every: dt.timedelta = SWEEP_EVERY):
        self.engine = engine
        self.keep_days = keep_days
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sectorbot-retention", daemon=True)

    def start(self) -> RetentionSweeper:
        """Sweep now, then on schedule."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the sweep in progress."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                removed = forget_old_questions(self.engine, self.keep_days)
                if removed:
                    logger.info("deleted %d stored questions past the retention period", removed)
            except Exception:
                # The database may be briefly unreachable; the next sweep catches up.
                logger.exception("could not delete old questions")
            self._stop.wait(self.every.total_seconds())
