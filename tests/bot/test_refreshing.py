"""Refreshes through the lock: recorded, one at a time, killed ones cleaned up, and rollback.

Each runs on the embedded stores and, when CI starts them, on PostgreSQL + a Chroma server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.refreshing import (
    NothingToRollBackError,
    RefreshBusyError,
    RefreshRequest,
    ensure_knowledge,
    roll_back,
    run_refresh,
)
from bot.services import Services, build_services
from ingest.lock import refresh_lock
from ingest.pipeline import RefreshError
from ingest.refresh_runs import INTERRUPTED, recent_runs
from knowledge.embeddings import MiniLMEmbedder
from knowledge.store.layout import chunk_collection_name, sentence_collection_name
from knowledge.store.registry import current_version, kb_versions, list_versions
from knowledge.store.vectors import VectorCollection
from tests.bot.admin_helpers import add_health_care, configured_site
from tests.bot.conftest import BrokenEmbedder
from tests.conftest import CORPUS, REPO
from tests.storage_backends import Stores

HEALTH_QUESTION = "Which partnership trains nurses in Polk County?"


@pytest.fixture
def services(tmp_path: Path, minilm: MiniLMEmbedder, stores: Stores) -> Iterator[Services]:
    """A configured site on each store: embedded, then the servers when CI runs them."""
    services = build_services(configured_site(tmp_path, **stores.environ), embedder=minilm)
    yield services
    services.close()


def _by_admin() -> RefreshRequest:
    return RefreshRequest(trigger="slack", requested_by="UADMIN1")


def test_a_refresh_is_recorded_with_who_asked_and_its_summary(services: Services) -> None:
    summary = run_refresh(services, _by_admin())

    [run] = recent_runs(services.engine)
    assert (run.trigger, run.requested_by, run.status, run.scope) == (
        "slack",
        "UADMIN1",
        "succeeded",
        "configured",
    )
    assert run.summary is not None and run.summary["added"] == 1 == len(summary.added)
    assert run.finished_at is not None and run.finished_at >= run.started_at


def test_a_second_refresh_is_refused_while_one_holds_the_lock(services: Services) -> None:
    lock = refresh_lock(services.engine)
    assert lock.acquire()
    try:
        with pytest.raises(RefreshBusyError, match="another refresh is running"):
            run_refresh(services, _by_admin())
    finally:
        lock.release()
    assert run_refresh(services, _by_admin()).indexed_anything


def test_a_failed_refresh_is_recorded_and_the_old_version_keeps_serving(
    tmp_path: Path, services: Services
) -> None:
    run_refresh(services, _by_admin())
    serving = current_version(services.engine)
    add_health_care(services.settings)
    broken = build_services(services.settings, embedder=BrokenEmbedder())

    with pytest.raises(RefreshError):
        run_refresh(broken, _by_admin())

    assert current_version(services.engine) == serving
    latest = recent_runs(services.engine)[0]
    assert latest.status == "failed" and latest.error and "previous version" in latest.error
    assert (
        "Mason City"
        in services.answerer.answer("Where does the manufacturing partnership meet?").text
    )
    broken.close()


def test_ensure_knowledge_builds_once_and_then_does_nothing(services: Services) -> None:
    first = ensure_knowledge(services)

    assert first is not None and first.indexed_anything
    assert ensure_knowledge(services) is None
    assert [run.trigger for run in recent_runs(services.engine)] == ["first-use"]


def test_rollback_serves_the_previous_version_and_its_answers(services: Services) -> None:
    with pytest.raises(NothingToRollBackError, match="nothing is indexed"):
        roll_back(services)
    run_refresh(services, _by_admin())
    first = current_version(services.engine)
    with pytest.raises(NothingToRollBackError, match="no earlier version"):
        roll_back(services)
    add_health_care(services.settings)
    run_refresh(services, _by_admin())
    assert services.answerer.answer(HEALTH_QUESTION).confident

    switched = roll_back(services)

    assert first is not None and switched.serving.version_id == first.version_id
    assert current_version(services.engine) == first
    # The health-care page is not in the version served now.
    assert not services.answerer.answer(HEALTH_QUESTION).confident


def test_a_version_rolled_back_from_is_never_served_again(services: Services) -> None:
    run_refresh(services, _by_admin())
    first = current_version(services.engine)
    add_health_care(services.settings)
    run_refresh(services, _by_admin())
    rejected = current_version(services.engine)
    roll_back(services)
    run_refresh(services, _by_admin())

    switched = roll_back(services)

    assert first is not None and rejected is not None
    assert switched.serving.version_id == first.version_id
    assert switched.serving.version_id != rejected.version_id
    with pytest.raises(NothingToRollBackError, match="no earlier version"):
        roll_back(services)


def test_rollback_waits_for_no_one_and_refuses_during_a_refresh(services: Services) -> None:
    run_refresh(services, _by_admin())
    add_health_care(services.settings)
    run_refresh(services, _by_admin())
    lock = refresh_lock(services.engine)
    assert lock.acquire()
    try:
        with pytest.raises(RefreshBusyError):
            roll_back(services)
    finally:
        lock.release()


def test_a_refresh_killed_midway_leaves_the_old_version_serving_and_is_cleaned_up(
    tmp_path: Path, services: Services, stores: Stores
) -> None:
    run_refresh(services, _by_admin())
    serving = current_version(services.engine)
    environ = {
        **os.environ,
        **stores.environ,
        "PYTHONPATH": str(REPO),
        "SECTORBOT_DATA_DIR": str(services.settings.data_dir),
        "SECTORBOT_CONFIG": str(services.settings.config_path),
    }
    refresh = subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(CORPUS), "--json"],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        killed = _wait_for_a_build(services, refresh)
        refresh.send_signal(signal.SIGKILL)
        refresh.wait(timeout=30)
    finally:
        refresh.kill()

    assert current_version(services.engine) == serving
    answer = services.answerer.answer("Where does the manufacturing partnership meet?")
    assert answer.confident and "Mason City" in answer.text

    add_health_care(services.settings)
    # PostgreSQL frees a dead session's advisory lock once its backend notices the closed socket.
    summary = run_refresh(services, _by_admin(), wait_seconds=30)

    assert summary.indexed_anything
    runs = recent_runs(services.engine)
    assert runs[1].status == INTERRUPTED and runs[1].trigger == "cli"
    statuses = {v.version_id: v.status for v in list_versions(services.engine)}
    assert "building" not in statuses.values()
    assert statuses.get(killed, "forgotten") in ("failed", "forgotten")
    # Whatever the killed build had written to Chroma is gone.
    for name in (chunk_collection_name(killed), sentence_collection_name(killed)):
        with pytest.raises(Exception):  # noqa: B017 - each client raises its own "not found"
            VectorCollection(services.kb.chroma, name)
    assert services.answerer.answer(HEALTH_QUESTION).confident


def _wait_for_a_build(services: Services, process: subprocess.Popen[bytes]) -> str:
    """The id of the version the refresh in ``process`` is building, once it has started."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with services.engine.connect() as connection:
            building = connection.execute(
                select(kb_versions.c.version_id).where(kb_versions.c.status == "building")
            ).scalar()
        if building:
            return str(building)
        assert process.poll() is None, "the refresh ended before it started building"
        time.sleep(0.1)
    raise AssertionError("the refresh never started building a version")
