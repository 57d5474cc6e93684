"""`sectorbot serve` names the missing settings, and Slack's refusal of the token, clearly."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.conftest import REPO
from tests.fakes.slack_web_api import FakeSlack


@pytest.mark.parametrize(
    ("arguments", "environment", "named"),
    [
        (["serve"], {}, "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"),
        (["serve", "--http"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "needs SLACK_SIGNING_SECRET;"),
        (
            ["serve", "--socket"],
            {"SLACK_SIGNING_SECRET": "s"},
            "SLACK_BOT_TOKEN and SLACK_APP_TOKEN",
        ),
        (["serve", "--socket"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "needs SLACK_APP_TOKEN;"),
    ],
)
def test_serve_names_the_missing_slack_settings(
    arguments: list[str], environment: dict[str, str], named: str
) -> None:
    result = CliRunner().invoke(cli, arguments, env=environment)

    assert result.exit_code == 1
    assert named in result.output
    assert "Traceback" not in result.output


def test_serve_reports_a_rejected_token_without_showing_it(
    fake_slack: FakeSlack, data_dir: Path
) -> None:
    fake_slack.fail("auth.test", "invalid_auth")
    environment = {
        "SECTORBOT_DATA_DIR": str(data_dir),
        "SLACK_BOT_TOKEN": "xoxb-very-secret",
        "SLACK_SIGNING_SECRET": "signing-very-secret",
        "SLACK_API_URL": fake_slack.api_url,
    }

    result = CliRunner().invoke(cli, ["serve", "--port", "0"], env=environment)

    assert result.exit_code == 1
    assert "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in result.output
    assert "very-secret" not in result.output


def test_serve_says_once_that_slack_cannot_be_reached(data_dir: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on once this closes
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SECTORBOT_DATA_DIR": str(data_dir),
        "SLACK_BOT_TOKEN": "xoxb-very-secret",
        "SLACK_SIGNING_SECRET": "signing-very-secret",
        "SLACK_API_URL": f"http://127.0.0.1:{port}/api/",
    }

    # A process of its own: the CLI sets up logging once per process, as it does for a user.
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--port", "0"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    # Our sentence alone: not preceded by the Slack SDK's own log lines about the same failure.
    assert lines == [lines[-1]] and lines[-1].startswith("Error: could not reach the Slack Web API")
    assert "very-secret" not in result.stderr
