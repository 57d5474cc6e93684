"""One refresh at a time, across threads, processes and instances sharing the database.

The lock dies with its holder: on PostgreSQL it is a session advisory lock (released when the
connection closes, also when the process is killed); on SQLite it is an advisory ``flock`` on a
file beside the database (the kernel drops it when the process exits). So a refresh killed midway
never leaves the next one locked out, and no heartbeat or timeout guesswork is needed.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, text

# Any fixed number, distinct from the one that guards table creation.
_ADVISORY_KEY = 7_215_002
_POLL_SECONDS = 0.5
# SQLite databases without a file (in-memory) can only be shared inside one process.
_IN_PROCESS = threading.Lock()


class RefreshLock(Protocol):
    """A lock that at most one refresh holds."""

    def acquire(self, wait_seconds: float = 0.0) -> bool:
        """Take the lock, waiting up to ``wait_seconds``; False if another refresh holds it."""

    def release(self) -> None:
        """Give the lock back (safe to call when not held)."""


def refresh_lock(engine: Engine) -> RefreshLock:
    """The lock guarding refreshes of the knowledge base stored through ``engine``."""
    if engine.dialect.name == "postgresql":
        return _AdvisoryLock(engine)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return _FileLock(Path(database).with_name(Path(database).name + ".refresh-lock"))
    return _ThreadLock()


def _wait_for(attempt: _Attempt, wait_seconds: float) -> bool:
    deadline = time.monotonic() + wait_seconds
    while True:
        if attempt():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))


class _Attempt(Protocol):
    def __call__(self) -> bool: ...


class _AdvisoryLock:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    def acquire(self, wait_seconds: float = 0.0) -> bool:
        return _wait_for(self._try, wait_seconds)

    def _try(self) -> bool:
        # Autocommit, so the connection holding the lock is never "idle in transaction".
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        taken = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": _ADVISORY_KEY}
        ).scalar()
        if taken:
            self._connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY}
            )
        finally:
            # Closing returns the connection to the pool; a session lock must not ride along.
            self._connection.invalidate()
            self._connection.close()
            self._connection = None


class _FileLock:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def acquire(self, wait_seconds: float = 0.0) -> bool:
        return _wait_for(self._try, wait_seconds)

    def _try(self) -> bool:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


class _ThreadLock:
    def __init__(self) -> None:
        self._held = False

    def acquire(self, wait_seconds: float = 0.0) -> bool:
        self._held = (
            _IN_PROCESS.acquire(timeout=wait_seconds)
            if wait_seconds
            else (_IN_PROCESS.acquire(blocking=False))
        )
        return self._held

    def release(self) -> None:
        if self._held:
            self._held = False
            _IN_PROCESS.release()
