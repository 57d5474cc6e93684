"""The HTTP transport: signatures are checked, the health check tells whether the KB can serve."""

from __future__ import annotations

import http.client
import json
import logging
import re
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot import server
from bot.cli import cli
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import BOT_TOKEN, SIGNING_SECRET, RunningApp, slack_settings, start_app
from tests.fakes.slack_requests import event_envelope, mention
from tests.fakes.slack_web_api import FakeSlack


def _get(url: str, path: str) -> tuple[int, str]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_forged_and_stale_signatures_are_rejected_with_401(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    body = json.dumps(event_envelope(mention("What is a sector partnership?")))
    forged = running.sender.post(body, "application/json", signature="v0=" + "0" * 64)
    stale = running.sender.post(body, "application/json", timestamp=int(time.time()) - 10 * 60)
    unsigned = running.sender.post(body, "application/json", signature="")

    assert (forged.status, stale.status, unsigned.status) == (401, 401, 401)
    assert fake_slack.calls_to("chat.postMessage") == []


def test_url_verification_is_answered_with_the_challenge(running: RunningApp) -> None:
    response = running.sender.post_json(
        {"type": "url_verification", "challenge": "abc123", "token": "legacy"}
    )

    assert response.status == 200
    assert response.json() == {"challenge": "abc123"}


def test_healthz_is_200_when_the_knowledge_base_can_serve(running: RunningApp) -> None:
    assert _get(running.url, "/healthz") == (200, "ok\n")
    assert _get(running.url, "/elsewhere")[0] == 404


def test_healthz_is_503_without_a_knowledge_base(
    fake_slack: FakeSlack, tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    empty = start_app(slack_settings(tmp_path / "empty", fake_slack), minilm)
    try:
        status, _ = _get(empty.url, "/healthz")
    finally:
        empty.stop()

    assert status == 503


def test_run_http_says_where_it_serves(
    running: RunningApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = server.make_http_server

    def served_at_once(*args: Any, **kwargs: Any) -> Any:
        made = real(*args, **kwargs)
        made.run = made.close  # serve no requests: only the start-up is under test
        return made

    monkeypatch.setattr(server, "make_http_server", served_at_once)
    monkeypatch.setattr(server, "_exit_on_sigterm", lambda: None)

    with caplog.at_level(logging.INFO, logger="bot.server"):
        server.run_http(running.app, running.settings, 0, host="127.0.0.1")

    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.server"]
    assert re.fullmatch(r"serving Slack events on http://127\.0\.0\.1:\d+/slack/events", line)


@pytest.mark.parametrize(
    ("arguments", "host"),
    [([], "0.0.0.0"), (["--host", "127.0.0.1"], "127.0.0.1")],
    ids=["default", "loopback"],
)
def test_serve_http_listens_on_every_interface_unless_given_a_host(
    fake_slack: FakeSlack,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    host: str,
) -> None:
    served: list[tuple[str, int]] = []

    def run_http(app: Any, settings: Any, port: int, **options: Any) -> None:
        served.append((options["host"], port))

    monkeypatch.setattr(server, "run_http", run_http)
    result = CliRunner().invoke(
        cli,
        ["serve", "--http", *arguments, "--port", "3999"],
        env={
            "SECTORBOT_DATA_DIR": str(data_dir),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
        },
    )

    assert result.exit_code == 0, result.output
    assert served == [(host, 3999)]
