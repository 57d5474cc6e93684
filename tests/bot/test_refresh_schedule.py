"""The refresh schedule: due after one interval, one refresh per interval, admins alerted."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.admin.alerts import alert_admins
from bot.admin.schedule import RefreshScheduler, next_refresh_due
from bot.app import build_app, make_web_client
from bot.background import Background
from bot.refreshing import RefreshRequest, run_refresh
from bot.services import Services, build_services
from ingest.lock import refresh_lock
from ingest.refresh_runs import recent_runs
from knowledge.embeddings import MiniLMEmbedder
from knowledge.store.registry import current_version
from tests.bot.admin_helpers import add_health_care, configured_site
from tests.bot.conftest import BOT_TOKEN, BrokenEmbedder
from tests.fakes.slack_web_api import FakeSlack


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def services(tmp_path: Path, minilm: MiniLMEmbedder) -> Iterator[Services]:
    services = build_services(configured_site(tmp_path), embedder=minilm)
    yield services
    services.close()


def _scheduler(services: Services, alerts: list[str], clock: Clock) -> RefreshScheduler:
    return RefreshScheduler(services, 24, alerts.append, clock=clock)


def test_a_refresh_is_due_at_once_when_none_ran_and_then_after_one_interval(
    services: Services,
) -> None:
    clock, alerts = Clock(), []
    scheduler = _scheduler(services, alerts, clock)

    first = scheduler.run_once()
    assert first is not None and first.indexed_anything
    assert scheduler.run_once() is None  # not due again yet

    clock.now += dt.timedelta(hours=23)
    assert scheduler.run_once() is None
    clock.now += dt.timedelta(hours=2)
    add_health_care(services.settings)
    later = scheduler.run_once()

    assert later is not None and len(later.added) == 1
    assert [run.trigger for run in recent_runs(services.engine)] == ["schedule", "schedule"]
    assert alerts == []


def test_the_due_time_counts_from_the_last_refresh_of_the_configured_sources(
    services: Services,
) -> None:
    run_refresh(services, RefreshRequest(trigger="slack", requested_by="UADMIN1"))
    [run] = recent_runs(services.engine)

    due = next_refresh_due(services.engine, 6, dt.datetime.now(dt.UTC))

    assert due == run.started_at + dt.timedelta(hours=6)


def test_a_running_refresh_elsewhere_is_left_alone(services: Services) -> None:
    clock, alerts = Clock(), []
    lock = refresh_lock(services.engine)
    assert lock.acquire()
    try:
        assert _scheduler(services, alerts, clock).run_once() is None
    finally:
        lock.release()
    assert recent_runs(services.engine) == [] and alerts == []


def test_a_failed_scheduled_refresh_alerts_the_admins_and_keeps_the_old_version(
    tmp_path: Path, services: Services
) -> None:
    run_refresh(services, RefreshRequest(trigger="cli", requested_by="setup"))
    serving = current_version(services.engine)
    add_health_care(services.settings)
    broken = build_services(services.settings, embedder=BrokenEmbedder())
    clock, alerts = Clock(), []
    clock.now += dt.timedelta(days=2)

    assert _scheduler(broken, alerts, clock).run_once() is None

    assert current_version(services.engine) == serving
    [alert] = alerts
    assert "scheduled knowledge-base refresh failed" in alert
    assert "previous version is still answering" in alert
    assert "Reason: refresh failed" in alert
    broken.close()


def test_a_scheduled_refresh_that_cannot_read_a_source_tells_the_admins_which(
    tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    missing = tmp_path / "gone"
    settings = configured_site(tmp_path, f'\n[[sources]]\nlocation = "{missing}"\n')
    services = build_services(settings, embedder=minilm)
    alerts: list[str] = []

    summary = _scheduler(services, alerts, Clock()).run_once()

    assert summary is not None and summary.indexed_anything
    [alert] = alerts
    assert "could not read 1 source" in alert and f"{missing}: no such file or folder" in alert
    services.close()


def test_alerts_reach_every_admin_by_direct_message(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        settings = configured_site(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake.api_url)
        client = make_web_client(settings)
        fake.fail("chat.postMessage", "channel_not_found")

        reached = alert_admins(client, ["UADMIN1", "UADMIN2"], "The refresh failed")

        assert reached == 1
        posted = fake.calls_to("chat.postMessage")
        assert [call.args["channel"] for call in posted] == ["UADMIN1", "UADMIN2"]
        assert posted[1].args["text"] == "The refresh failed"


def test_no_admins_means_the_alert_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with FakeSlack() as fake:
        client = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
        assert alert_admins(client, [], "The refresh failed") == 0
    assert "no admins to alert" in caplog.text


def test_the_app_runs_the_schedule_when_an_interval_is_set(
    tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    with FakeSlack() as fake:
        settings = configured_site(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_API_URL=fake.api_url,
            REFRESH_INTERVAL_HOURS="24",
        )
        services = build_services(settings, embedder=minilm)
        background = Background()
        build_app(settings, services, background, start_outbox=False)
        try:
            deadline = time.monotonic() + 60
            while (
                not recent_runs(services.engine)
                or recent_runs(services.engine)[0].finished_at is None
            ):
                assert time.monotonic() < deadline, "the schedule never refreshed"
                time.sleep(0.05)
            [run] = recent_runs(services.engine)
            assert (run.trigger, run.status) == ("schedule", "succeeded")
        finally:
            background.stop()
        assert background.refresh_scheduler is None
        services.close()
