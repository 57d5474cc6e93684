"""The refresh lock: one holder at a time, across processes, and freed when its holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ingest.lock import refresh_lock
from knowledge.store.db import make_engine
from tests.bot.handoff_databases import DATABASES, database_url
from tests.conftest import REPO

_HOLDER = textwrap.dedent(
    """
    import sys, time
    from ingest.lock import refresh_lock
    from knowledge.store.db import make_engine
    lock = refresh_lock(make_engine(sys.argv[1]))
    assert lock.acquire()
    print("held", flush=True)
    time.sleep(120)
    """
)


def _hold_in_another_process(url: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, url],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    return holder


@pytest.mark.parametrize("kind", DATABASES)
def test_a_second_holder_is_refused_until_the_first_releases(kind: str, tmp_path: Path) -> None:
    engine = make_engine(database_url(kind, tmp_path))
    first, second = refresh_lock(engine), refresh_lock(engine)

    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()
    engine.dispose()


@pytest.mark.parametrize("kind", DATABASES)
def test_a_lock_held_by_a_killed_process_is_free_again(kind: str, tmp_path: Path) -> None:
    url = database_url(kind, tmp_path)
    engine = make_engine(url)
    holder = _hold_in_another_process(url)
    try:
        assert not refresh_lock(engine).acquire()

        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)

        lock = refresh_lock(engine)
        # PostgreSQL notices the closed connection a moment later; no guessing at how long.
        assert lock.acquire(wait_seconds=30)
        lock.release()
    finally:
        holder.kill()
        engine.dispose()


def test_waiting_gives_up_after_the_time_allowed(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kb.db'}")
    holder = refresh_lock(engine)
    assert holder.acquire()

    assert not refresh_lock(engine).acquire(wait_seconds=0.2)
    holder.release()
    engine.dispose()
