"""Optional e-mail to the contact, through a local SMTP server, retried like Slack messages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.handoff import outbox, store
from bot.settings import SettingsError
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import RunningApp, start_app
from tests.bot.handoff_helpers import VALID_FORM, handoff_settings, wait_until
from tests.conftest import make_settings
from tests.fakes.slack_requests import view_submission
from tests.fakes.slack_web_api import FakeSlack
from tests.fakes.smtp_server import FakeSMTP

CONTACT_EMAIL = "kathy.leggett@iwd.example.gov"


@pytest.fixture
def smtp() -> Iterator[FakeSMTP]:
    with FakeSMTP() as server:
        yield server


@pytest.fixture
def mailing_app(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder, tmp_path: Path, smtp: FakeSMTP
) -> Iterator[RunningApp]:
    config = tmp_path / "email.toml"
    config.write_text(
        "[[contacts]]\n"
        'name = "Kathy Leggett"\n'
        'phone = "515-725-3882"\n'
        f'email = "{CONTACT_EMAIL}"\n',
        encoding="utf-8",
    )
    settings = handoff_settings(
        data_dir,
        fake_slack,
        config,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        SMTP_FROM="sectorbot@iwd.example.gov",
        SMTP_STARTTLS="false",
    )
    running = start_app(settings, minilm)
    yield running
    running.stop()


def test_the_contact_gets_the_request_by_email_after_a_temporary_refusal(
    mailing_app: RunningApp, smtp: FakeSMTP
) -> None:
    smtp.fail(1)

    mailing_app.sender.interaction(view_submission(VALID_FORM))

    [mail] = smtp.wait_for(1)
    [request] = store.list_requests(mailing_app.services.engine)
    assert mail.recipients == [CONTACT_EMAIL]
    assert mail.message["Subject"].startswith(f"Hand-off {request.reference}: Pat Example")
    body = mail.message.get_payload(decode=True).decode("utf-8")
    assert "pat@example.com" in body and "Story County" in body
    assert smtp.refused == 1
    engine = mailing_app.services.engine

    def email_row() -> outbox.OutboxRow | None:
        rows = outbox.rows_for(engine, request.id)
        sent = [r for r in rows if r.kind == outbox.CONTACT_EMAIL and r.status == "sent"]
        return sent[0] if sent else None

    # The message is in the server's hands a moment before the worker records it as sent.
    row = wait_until(email_row, what="the e-mail row sent")
    assert row.attempts == 2 and row.last_error == "SMTPSenderRefused"
    found = store.get_request(engine, request.id)
    assert found is not None and found.status == "notified"


def test_smtp_host_without_a_sender_fails_at_start_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SMTP_FROM"):
        make_settings(tmp_path, SMTP_HOST="smtp.example.gov")


def test_the_smtp_password_never_shows_in_the_mailer_or_settings(tmp_path: Path) -> None:
    from bot.app import make_mailer

    settings = make_settings(
        tmp_path,
        SMTP_HOST="smtp.example.gov",
        SMTP_FROM="bot@example.gov",
        SMTP_USERNAME="bot",
        SMTP_PASSWORD="hunter2-secret",
    )

    assert "hunter2-secret" not in repr(settings)
    assert "hunter2-secret" not in repr(make_mailer(settings))
