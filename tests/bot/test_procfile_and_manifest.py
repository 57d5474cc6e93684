"""The Procfile runs real commands, and the manifests name exactly the ids the app registers."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from slack_bolt.request import BoltRequest

from bot import ids
from bot.cli import cli
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import slack_settings, start_app
from tests.conftest import REPO
from tests.fakes.slack_requests import event_envelope, mention, message, new_ts, shortcut
from tests.fakes.slack_web_api import FakeSlack

HTTP = yaml.safe_load((REPO / "manifest.yml").read_text(encoding="utf-8"))
SOCKET = yaml.safe_load((REPO / "manifest.socket-mode.yml").read_text(encoding="utf-8"))
SCOPES = {
    "app_mentions:read",
    "assistant:write",
    "channels:history",
    "chat:write",
    "commands",
    "groups:history",
    "im:history",
    "im:write",
    "reactions:write",
    "users:read",
    "users:read.email",
}


def _procfile() -> dict[str, str]:
    lines = (REPO / "Procfile").read_text(encoding="utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_the_procfile_has_web_worker_and_release_processes() -> None:
    assert _procfile() == {
        "web": "sectorbot serve --http --port $PORT",
        "worker": "sectorbot serve --socket",
        "release": "sectorbot ingest",
    }


@pytest.mark.parametrize("process", ["web", "worker", "release"])
def test_every_procfile_command_parses_as_a_real_cli_command(process: str) -> None:
    words = shlex.split(_procfile()[process].replace("$PORT", "5000"))
    assert words[0] == "sectorbot"

    result = CliRunner().invoke(cli, [*words[1:], "--help"])

    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("manifest", [HTTP, SOCKET], ids=["http", "socket"])
def test_the_manifest_names_the_ids_in_bot_ids(manifest: dict[str, Any]) -> None:
    features = manifest["features"]
    settings = manifest["settings"]

    assert [command["command"] for command in features["slash_commands"]] == [ids.COMMAND]
    assert {(s["callback_id"], s["type"]) for s in features["shortcuts"]} == {
        (ids.HANDOFF_MESSAGE_SHORTCUT, "message"),
        (ids.GET_INVOLVED_SHORTCUT, "global"),
    }
    assert sorted(settings["event_subscriptions"]["bot_events"]) == sorted(ids.BOT_EVENTS)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == SCOPES
    assert settings["interactivity"]["is_enabled"] is True
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True
    assert "assistant_view" in features


def test_the_http_manifest_sends_everything_to_slack_events() -> None:
    settings = HTTP["settings"]
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(command["url"] for command in HTTP["features"]["slash_commands"]),
    ]

    assert settings["socket_mode_enabled"] is False
    assert all(url.startswith("https://") and url.endswith("/slack/events") for url in urls)


def test_the_socket_mode_manifest_is_the_same_app_without_request_urls() -> None:
    text = (REPO / "manifest.socket-mode.yml").read_text(encoding="utf-8")

    assert SOCKET["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in text and "url:" not in text.replace("request_url", "")
    assert SOCKET["features"]["shortcuts"] == HTTP["features"]["shortcuts"]
    assert SOCKET["oauth_config"] == HTTP["oauth_config"]


def _sample(event_type: str) -> dict[str, Any]:
    """A request Slack would send for a subscribed event, one the app must not drop."""
    thread = {
        "user_id": "U_ASKER",
        "context": {"channel_id": "C_GENERAL"},
        "channel_id": "D_ASSIST",
        "thread_ts": new_ts(),
    }
    events: dict[str, dict[str, Any]] = {
        "app_home_opened": {"type": "app_home_opened", "user": "U_ASKER", "tab": "home"},
        "app_mention": mention("hello"),
        "assistant_thread_started": {
            "type": "assistant_thread_started",
            "assistant_thread": thread,
        },
        "assistant_thread_context_changed": {
            "type": "assistant_thread_context_changed",
            "assistant_thread": thread,
        },
        "message.channels": message("hello", channel="C_GENERAL", channel_type="channel"),
        "message.groups": message("hello", channel="G_PRIVATE", channel_type="group"),
        "message.im": message("hello", channel="D_ASKER", channel_type="im"),
    }
    return event_envelope(events[event_type])


def test_the_app_handles_every_id_and_event_the_manifest_names(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder
) -> None:
    running = start_app(slack_settings(data_dir, fake_slack), minilm)
    requests: list[dict[str, Any]] = [
        _sample(event) for event in HTTP["settings"]["event_subscriptions"]["bot_events"]
    ]
    for item in HTTP["features"]["shortcuts"]:
        text = "hand me off" if item["type"] == "message" else None
        requests.append(shortcut(item["callback_id"], message_text=text))
    command = {
        "command": HTTP["features"]["slash_commands"][0]["command"],
        "text": "help",
        "user_id": "U_ASKER",
        "channel_id": "C_GENERAL",
        "team_id": "T0001",
    }
    try:
        # Socket Mode dispatch skips signatures; a 404 would mean "no listener for this".
        statuses = [
            running.app.dispatch(BoltRequest(body=body, mode="socket_mode")).status
            for body in [*requests, command]
        ]
        fake_slack.wait_for("views.open", 2)
    finally:
        running.stop()

    assert statuses == [200] * len(statuses)
