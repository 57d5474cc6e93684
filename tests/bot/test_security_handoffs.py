"""Hand-offs probed as an attacker would: a stranger's Claim, forged modal metadata, and what the
hand-off leaves on disk (file modes, outbox rows). ``test_security.py`` has the HTTP server, the
logs and the text Slack can deliver.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import cli
from bot.handoff import outbox, store
from bot.handoff.metadata import ModalContext, metadata_key, seal, workspace_permalink
from bot.services import build_services
from bot.store import turns
from ingest.pipeline import refresh
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import RunningApp, start_app
from tests.bot.handoff_helpers import (
    CONTACT_USER,
    HANDOFF_CHANNEL,
    PRIVATE_FORM,
    VALID_FORM,
    handoff_settings,
    posts_to,
    wait_until,
    write_config,
)
from tests.conftest import make_settings
from tests.fakes.embeddings import FakeEmbedder
from tests.fakes.slack_requests import block_action, shortcut, view_submission
from tests.fakes.slack_web_api import FakeSlack

# --- who may move a hand-off -------------------------------------------------------------------


@pytest.fixture
def handoff_app(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder, tmp_path: Path
) -> Iterator[RunningApp]:
    settings = handoff_settings(
        data_dir, fake_slack, write_config(tmp_path), STAFF_USER_IDS="U_STAFF1, U_STAFF2"
    )
    running = start_app(settings, minilm)
    yield running
    running.stop()


def _notified_request(running: RunningApp, fake: FakeSlack) -> store.HandoffRequest:
    assert running.sender.interaction(view_submission(VALID_FORM)).status == 200
    [request] = store.list_requests(running.services.engine)
    wait_until(
        lambda: (
            store.find_by_reference(running.services.engine, request.reference).status == "notified"
        ),
        what="notified",
    )
    return request


@pytest.mark.parametrize("action", ["handoff_claim", "handoff_resolve"])
def test_a_stranger_cannot_claim_or_resolve_a_hand_off(
    handoff_app: RunningApp, fake_slack: FakeSlack, action: str
) -> None:
    request = _notified_request(handoff_app, fake_slack)
    dms_before = len(posts_to(fake_slack, "D_ASKER"))
    hook = fake_slack.response_url("stranger")

    response = handoff_app.sender.interaction(
        block_action(action, request.reference, response_url=hook, user="U_STRANGER")
    )

    assert response.status == 200
    [refusal] = fake_slack.wait_for("response_url")
    assert refusal.args["response_type"] == "ephemeral"
    assert "nothing changed" in refusal.args["text"]
    # A sentinel click by the contact, handled after the stranger's: by then any change the
    # stranger's click made would be visible.
    handoff_app.sender.interaction(
        block_action("handoff_claim", request.reference, response_url=hook, user=CONTACT_USER)
    )
    wait_until(
        lambda: (
            store.find_by_reference(handoff_app.services.engine, request.reference).status
            == "claimed"
        ),
        what="the contact's claim",
    )
    moved = store.find_by_reference(handoff_app.services.engine, request.reference)
    assert moved is not None and moved.claimed_by == CONTACT_USER and moved.resolved_by is None
    wait_until(lambda: len(posts_to(fake_slack, "D_ASKER")) > dms_before, what="requester DM")
    texts = [call.args["text"] for call in posts_to(fake_slack, "D_ASKER")]
    assert not any("U_STRANGER" in text for text in texts)


def test_staff_named_in_the_settings_may_claim(
    handoff_app: RunningApp, fake_slack: FakeSlack
) -> None:
    request = _notified_request(handoff_app, fake_slack)

    handoff_app.sender.interaction(
        block_action(
            "handoff_claim",
            request.reference,
            response_url=fake_slack.response_url(),
            user="U_STAFF2",
        )
    )

    claimed = wait_until(
        lambda: store.find_by_reference(handoff_app.services.engine, request.reference).claimed_by,
        what="the staff member's claim",
    )
    assert claimed == "U_STAFF2"


# --- the hand-off modal's metadata -------------------------------------------------------------

EVIL_LINK = "https://evil.example/archives/C1/p1"


def _notification_text(fake: FakeSlack) -> str:
    [post] = wait_until(lambda: posts_to(fake, HANDOFF_CHANNEL), what="the channel post")
    return json.dumps(post.args["blocks"])


def _sealed_by_the_app(running: RunningApp, fake: FakeSlack, user: str) -> tuple[str, str]:
    """Open the form with the message shortcut as ``user``: (its sealed metadata, its view id)."""
    payload = shortcut("handoff_message", message_text="Please call me about welding.")
    payload["user"]["id"] = user
    running.sender.interaction(payload)
    update = fake.wait_for("views.update")[-1]
    return update.args["view"]["private_metadata"], update.args["view_id"]


def test_the_message_shortcut_sends_the_sealed_author_and_link_with_the_form(
    handoff_app: RunningApp, fake_slack: FakeSlack
) -> None:
    metadata, _view_id = _sealed_by_the_app(handoff_app, fake_slack, "U_STAFF1")

    handoff_app.sender.interaction(
        view_submission(VALID_FORM, user="U_STAFF1", private_metadata=metadata)
    )

    [request] = store.list_requests(handoff_app.services.engine)
    assert request.on_behalf_of == "U_ASKER"
    assert request.source_permalink.startswith("https://fake.slack.test/archives/C_GENERAL/")
    assert "Original message" in _notification_text(fake_slack)


@pytest.mark.parametrize(
    "forged",
    [
        json.dumps({"on_behalf_of": "U_VICTIM", "permalink": EVIL_LINK}),
        "not json at all",
        json.dumps(
            {"data": json.dumps({"requester": "U_ASKER", "permalink": EVIL_LINK}), "mac": "0" * 64}
        ),
    ],
    ids=["unsealed", "garbage", "wrong-seal"],
)
def test_forged_modal_metadata_is_left_out_of_the_hand_off(
    handoff_app: RunningApp, fake_slack: FakeSlack, forged: str
) -> None:
    reply = handoff_app.sender.interaction(view_submission(VALID_FORM, private_metadata=forged))

    assert reply.json()["response_action"] == "update"  # what the person typed is still stored
    [request] = store.list_requests(handoff_app.services.engine)
    assert (request.on_behalf_of, request.source_permalink) == ("", "")
    assert "evil.example" not in _notification_text(fake_slack)


def test_metadata_sealed_for_someone_else_or_altered_is_left_out(
    handoff_app: RunningApp, fake_slack: FakeSlack
) -> None:
    metadata, _view_id = _sealed_by_the_app(handoff_app, fake_slack, "U_STAFF1")
    envelope = json.loads(metadata)
    altered = json.dumps(
        {
            "data": envelope["data"].replace("fake.slack.test", "evil.example"),
            "mac": envelope["mac"],
        }
    )

    handoff_app.sender.interaction(
        view_submission(VALID_FORM, user="U_OTHER", private_metadata=metadata)
    )
    handoff_app.sender.interaction(
        view_submission(VALID_FORM, user="U_STAFF1", private_metadata=altered)
    )

    requests = store.list_requests(handoff_app.services.engine)
    assert [(r.on_behalf_of, r.source_permalink) for r in requests] == [("", ""), ("", "")]


def test_a_sealed_link_outside_the_workspace_is_not_shown_to_the_contact(
    handoff_app: RunningApp, fake_slack: FakeSlack
) -> None:
    key = metadata_key(handoff_app.settings)
    metadata = seal(ModalContext("U_ASKER", "U_AUTHOR", EVIL_LINK), key)

    handoff_app.sender.interaction(view_submission(VALID_FORM, private_metadata=metadata))

    [request] = store.list_requests(handoff_app.services.engine)
    assert (request.on_behalf_of, request.source_permalink) == ("U_AUTHOR", "")
    assert "evil.example" not in _notification_text(fake_slack)


@pytest.mark.parametrize(
    ("link", "kept"),
    [
        ("https://fake.slack.test/archives/C1/p1", True),
        ("https://FAKE.slack.test/archives/C1/p1", True),
        ("http://fake.slack.test/archives/C1/p1", False),
        ("https://fake.slack.test.evil.example/archives/C1/p1", False),
        ("https://evil.example/archives/C1/p1", False),
        ("https://user@fake.slack.test/archives/C1/p1", False),
        ("https://fake.slack.test:8443/archives/C1/p1", False),
        ("https://fake.slack.test/admin", False),
        ("javascript:alert(1)", False),
    ],
)
def test_only_https_message_links_of_the_workspace_are_trusted(link: str, kept: bool) -> None:
    assert workspace_permalink(link, "https://fake.slack.test/") == (link if kept else "")
    assert workspace_permalink(link, None) == ""


# --- data at rest -------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_dir_and_its_database_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"
    previous = os.umask(0o022)  # a usual umask, as a service account would have
    try:
        services = build_services(make_settings(data_dir), embedder=FakeEmbedder())
        turns.add_turn(
            services.engine,
            channel_id="C1",
            conversation="c",
            user_id="U1",
            surface="mention",
            text="q",
            answer=services.answerer.answer("hello"),
        )
        services.close()
    finally:
        os.umask(previous)

    assert _mode(data_dir) == 0o700
    databases = [p for p in data_dir.iterdir() if p.name.startswith("sectorbot.db")]
    assert databases and {_mode(p) for p in databases} == {0o600}


def test_a_data_dir_left_readable_by_an_older_release_is_made_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "old"
    page = tmp_path / "page.md"
    page.write_text("# Partnerships\n\nEmployers in one industry meet to plan training.\n")
    older = build_services(make_settings(data_dir), embedder=FakeEmbedder())
    refresh(older.kb, [(str(page), None)], full=False)  # Chroma writes its files on a build
    older.close()
    for path in [data_dir, *data_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    build_services(make_settings(data_dir), embedder=FakeEmbedder()).close()

    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "sectorbot.db") == 0o600
    chroma = [p for p in (data_dir / "chroma").rglob("*")]
    assert chroma and all(_mode(p) & 0o077 == 0 for p in chroma)


def test_the_cli_creates_every_file_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "cli-data"
    previous = os.umask(0o022)
    try:
        result = CliRunner().invoke(cli, ["status"], env={"SECTORBOT_DATA_DIR": str(data_dir)})
    finally:
        os.umask(previous)

    assert result.exit_code == 0, result.output
    created = [data_dir, *data_dir.rglob("*")]
    assert len(created) > 2 and [p for p in created if _mode(p) & 0o077] == []


def test_outbox_rows_hold_no_copy_of_the_persons_details(
    handoff_app: RunningApp, fake_slack: FakeSlack
) -> None:
    def outbox_text() -> str:
        with handoff_app.services.engine.connect() as connection:
            rows = connection.execute(select(outbox.outbox.c.text, outbox.outbox.c.blocks)).all()
        return json.dumps([tuple(row) for row in rows])

    handoff_app.sender.interaction(view_submission(PRIVATE_FORM))
    queued = outbox_text()
    [request] = store.list_requests(handoff_app.services.engine)
    wait_until(lambda: posts_to(fake_slack, HANDOFF_CHANNEL), what="the channel post")
    handoff_app.sender.interaction(
        block_action(
            "handoff_claim",
            request.reference,
            response_url=fake_slack.response_url(),
            user=CONTACT_USER,
        )
    )
    fake_slack.wait_for("chat.update", 2)

    private = [PRIVATE_FORM[key] for key in ("name", "email", "phone", "details", "organization")]
    for text in (queued, outbox_text()):
        assert [value for value in private if value in text] == []
    # The contact still got every detail, drawn from the request when the message went out.
    [post] = posts_to(fake_slack, HANDOFF_CHANNEL)
    assert all(value in json.dumps(post.args["blocks"]) for value in private[:3])
