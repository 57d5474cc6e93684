"""/sectorbot refresh, rollback, sources and status through signed requests to the real app."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.refreshing import RefreshRequest, run_refresh
from bot.services import build_services
from bot.settings import Settings
from ingest.lock import refresh_lock
from knowledge.embeddings import MiniLMEmbedder
from knowledge.store.registry import current_version, list_versions
from tests.bot.admin_helpers import add_health_care, configured_site
from tests.bot.conftest import BOT_TOKEN, SIGNING_SECRET, RunningApp, start_app
from tests.fakes.slack_requests import Response, mention
from tests.fakes.slack_web_api import FakeSlack
from tests.ingest.web_server import Route, WebServer

ADMIN = "UADMIN1"
NOT_ADMIN = "U_ASKER"


def _text(response: Response) -> str:
    assert response.status == 200
    if response.body.startswith("{"):
        return str(response.json()["text"])
    return response.body


def _settings(root: Path, fake: FakeSlack, extra_config: str = "", **environ: str) -> Settings:
    return configured_site(
        root,
        extra_config,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        **environ,
    )


def _built(settings: Settings, minilm: MiniLMEmbedder) -> None:
    services = build_services(settings, embedder=minilm)
    run_refresh(services, RefreshRequest(trigger="cli", requested_by="setup"))
    services.close()


@pytest.fixture
def admin_app(
    tmp_path: Path, fake_slack: FakeSlack, minilm: MiniLMEmbedder
) -> Iterator[RunningApp]:
    settings = _settings(tmp_path, fake_slack)
    _built(settings, minilm)
    running = start_app(settings, minilm, single_worker=False)
    yield running
    running.stop()


def _dm(fake: FakeSlack, containing: str) -> str:
    calls = fake.wait_for(
        "chat.postMessage",
        where=lambda c: c.args.get("channel") == ADMIN and containing in c.args.get("text", ""),
        timeout=60,
    )
    return str(calls[0].args["text"])


@pytest.mark.parametrize("subcommand", ["refresh", "rollback", "sources", "status", "report"])
def test_admin_subcommands_are_refused_to_others_naming_the_admins(
    admin_app: RunningApp, subcommand: str
) -> None:
    before = current_version(admin_app.services.engine)

    response = admin_app.sender.command(
        subcommand, user=NOT_ADMIN, response_url="http://127.0.0.1:9/unused"
    )

    text = _text(response)
    assert text.startswith(f"Only admins can run `/sectorbot {subcommand}`")
    assert f"<@{ADMIN}>" in text
    assert current_version(admin_app.services.engine) == before


def test_refresh_by_an_admin_runs_in_the_background_and_reports_progress_and_summary(
    admin_app: RunningApp, fake_slack: FakeSlack
) -> None:
    add_health_care(admin_app.settings)
    before = current_version(admin_app.services.engine)

    response = admin_app.sender.command(
        "refresh", user=ADMIN, response_url="http://127.0.0.1:9/unused"
    )

    assert _text(response).startswith("Refreshing the knowledge base from 1 configured source")
    summary = _dm(fake_slack, "Refresh finished")
    assert "1 added, 0 updated, 1 unchanged, 0 removed, 0 failed" in summary
    assert "Now serving 2 documents" in summary
    progress = fake_slack.calls_to(
        "chat.postMessage", where=lambda c: "Refreshing the knowledge base:" in c.args["text"]
    )
    assert len(progress) == 1 and progress[0].args["channel"] == ADMIN
    closed = fake_slack.wait_for("chat.update", where=lambda c: "Refresh ended" in c.args["text"])
    assert closed[0].args["channel"] == ADMIN
    after = current_version(admin_app.services.engine)
    assert before is not None and after is not None and after.version_id != before.version_id
    assert after.document_count == 2


def test_a_second_refresh_is_told_one_is_running(admin_app: RunningApp) -> None:
    lock = refresh_lock(admin_app.services.engine)
    assert lock.acquire()
    try:
        response = admin_app.sender.command(
            "refresh", user=ADMIN, response_url="http://127.0.0.1:9/unused"
        )
    finally:
        lock.release()

    assert _text(response).startswith("A refresh is already running")
    assert len(list_versions(admin_app.services.engine)) == 1


def test_questions_are_answered_from_the_old_version_during_a_refresh(
    tmp_path: Path, fake_slack: FakeSlack, minilm: MiniLMEmbedder
) -> None:
    web = WebServer()
    web.start()
    release = threading.Event()
    release.set()

    def slow_page() -> Route:
        release.wait(timeout=30)
        return Route(
            body=b"<html><head><title>Slow page</title></head><body><h1>Slow page</h1>"
            b"<p>The Southeast Iowa logistics sector partnership meets in Burlington.</p>"
            b"</body></html>",
            headers={"Content-Type": "text/html; charset=utf-8"},
        )

    web.routes["/slow.html"] = slow_page
    web.routes["/robots.txt"] = Route(status=404)
    settings = _settings(
        tmp_path,
        fake_slack,
        f'\n[[sources]]\nlocation = "{web.url("/slow.html")}"\n',
        INGEST_ALLOWED_PRIVATE_HOSTS="127.0.0.1",
    )
    _built(settings, minilm)
    add_health_care(settings)
    running = start_app(settings, minilm, single_worker=False)
    try:
        release.clear()  # the next fetch of the slow page hangs until the test lets it go
        requests_before = len(web.requests)
        running.sender.command("refresh", user=ADMIN, response_url="http://127.0.0.1:9/unused")
        _wait_until(lambda: len(web.requests) > requests_before)

        running.sender.event(mention("Where does the manufacturing partnership meet?"))
        answer = fake_slack.wait_for(
            "chat.postMessage", where=lambda c: c.args.get("channel") == "C_GENERAL"
        )[0]
        assert "Mason City" in answer.args["text"]
        assert not fake_slack.calls_to(
            "chat.postMessage", where=lambda c: "Refresh finished" in c.args.get("text", "")
        )

        release.set()
        summary = _dm(fake_slack, "Refresh finished")
        assert "1 added" in summary
    finally:
        release.set()
        running.stop()
        web.stop()


def test_rollback_by_an_admin_serves_the_previous_version(
    admin_app: RunningApp, fake_slack: FakeSlack
) -> None:
    first = current_version(admin_app.services.engine)
    add_health_care(admin_app.settings)
    admin_app.sender.command("refresh", user=ADMIN, response_url="http://127.0.0.1:9/unused")
    _dm(fake_slack, "Refresh finished")

    response = admin_app.sender.command(
        "rollback", user=ADMIN, response_url="http://127.0.0.1:9/unused"
    )

    assert first is not None
    assert _text(response).startswith(f"Rolled back: now serving version {first.version_id}")
    assert current_version(admin_app.services.engine) == first
    again = admin_app.sender.command(
        "rollback", user=ADMIN, response_url="http://127.0.0.1:9/unused"
    )
    assert _text(again) == "Cannot roll back: there is no earlier version to go back to"


def test_status_and_sources_describe_what_is_served(admin_app: RunningApp) -> None:
    status = _text(
        admin_app.sender.command("status", user=ADMIN, response_url="http://127.0.0.1:9/u")
    )
    sources = _text(
        admin_app.sender.command("sources", user=ADMIN, response_url="http://127.0.0.1:9/u")
    )

    version = current_version(admin_app.services.engine)
    assert version is not None
    assert f"Serving version {version.version_id}" in status
    assert "1 document, " in status and "Last refresh succeeded" in status
    assert "No earlier version is kept to roll back to." in status
    docs = admin_app.settings.sources[0].location
    assert f"{docs} (folder): 1 document, fetched just now" in sources


def test_help_shows_admins_their_subcommands(admin_app: RunningApp) -> None:
    for_admin = _text(admin_app.sender.command("help", user=ADMIN, response_url="http://x/u"))
    for_others = _text(admin_app.sender.command("help", user=NOT_ADMIN, response_url="http://x/u"))

    assert "`/sectorbot refresh`" in for_admin and "`/sectorbot rollback`" in for_admin
    assert "`/sectorbot refresh`" not in for_others


def _wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_report_lists_what_users_asked_that_the_bot_could_not_answer(
    admin_app: RunningApp, fake_slack: FakeSlack
) -> None:
    admin_app.sender.event(mention("Is it going to snow in Cedar Rapids this weekend?"))
    fake_slack.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == "C_GENERAL")

    response = admin_app.sender.command(
        "report 30", user=ADMIN, response_url=fake_slack.response_url("report")
    )

    assert response.status == 200 and response.body == ""
    reply = fake_slack.wait_for("response_url")[0]
    assert reply.path == "/response/report"
    assert reply.args["response_type"] == "ephemeral"
    assert reply.args["text"].startswith("1 question the bot declined")
    shown = "\n".join(
        block["text"]["text"] for block in reply.args["blocks"] if block["type"] == "section"
    )
    assert "Is it going to snow in Cedar Rapids this weekend?" in shown
