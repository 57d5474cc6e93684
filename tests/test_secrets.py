"""Secrets never reach the logs (captured at DEBUG, client libraries included) or what users see.

The Slack flows (a failing Web API call) are in ``tests/bot/test_slack_outages.py`` and the LLM
ones in ``tests/test_llm_end_to_end.py``; these are the start-up, SMTP and database flows.
"""

from __future__ import annotations

import logging
import smtplib
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.handoff.email import Mailer
from tests.fakes.slack_web_api import FakeSlack
from tests.fakes.smtp_server import FakeSMTP

BOT_TOKEN = "xoxb-secret-token-0123456789"
SIGNING_SECRET = "signing-secret-0123456789"
PASSWORD = "hunter2-pw-0123456789"


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def test_serve_with_a_rejected_token_shows_and_logs_neither_token_nor_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeSlack() as fake:
        fake.fail("auth.test", "invalid_auth")
        result = CliRunner().invoke(
            cli,
            ["serve", "--port", "0"],
            env={
                "SECTORBOT_DATA_DIR": str(tmp_path / "data"),
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": fake.api_url,
                "LOG_LEVEL": "DEBUG",
            },
        )

    assert result.exit_code == 1 and "invalid_auth" in result.output
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in result.output
        assert secret not in caplog.text


def test_a_failing_smtp_login_names_no_password(caplog: pytest.LogCaptureFixture) -> None:
    # The fake server offers no AUTH, so the login fails the way a refused one does: an error.
    with FakeSMTP() as server:
        mailer = Mailer(
            host="127.0.0.1",
            port=server.port,
            sender="bot@example.gov",
            username="bot",
            password=PASSWORD,
            starttls=False,
        )
        with pytest.raises(smtplib.SMTPException) as caught:
            mailer.send("kathy@example.gov", "Hand-off", "Body")

    assert PASSWORD not in str(caught.value) and PASSWORD not in repr(caught.value)
    assert PASSWORD not in repr(mailer)
    assert PASSWORD not in caplog.text


def test_a_database_url_whose_server_is_down_shows_and_logs_no_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    result = CliRunner().invoke(
        cli,
        ["ask", "What is a sector partnership?"],
        env={
            "SECTORBOT_DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": f"postgresql://bot:{PASSWORD}@127.0.0.1:1/bot",
            "LOG_LEVEL": "DEBUG",
        },
    )

    assert result.exit_code == 1 and "DATABASE_URL" in result.output
    assert PASSWORD not in result.output
    assert PASSWORD not in caplog.text
