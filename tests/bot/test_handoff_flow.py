"""The hand-off, end to end: signed interactions to the real app, the fake Slack, the database."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from bot.cli import cli
from bot.handoff import outbox, store
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import RunningApp, start_app
from tests.bot.handoff_helpers import (
    ADMIN_USER,
    CONTACT_USER,
    HANDOFF_CHANNEL,
    VALID_FORM,
    button_ids,
    handoff_settings,
    posts_to,
    wait_until,
    write_config,
)
from tests.fakes.slack_requests import block_action, mention, view_submission
from tests.fakes.slack_web_api import Call, FakeSlack

JSON_FIELDS = {
    "id",
    "reference",
    "status",
    "created_at",
    "requester",
    "name",
    "organization",
    "email",
    "phone",
    "region",
    "industry",
    "interest",
    "details",
    "source_permalink",
    "contact",
}
REFERENCE = re.compile(r"SP-\d{4}-\d{4}")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def handoff_app(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder, config: Path
) -> Iterator[RunningApp]:
    running = start_app(handoff_settings(data_dir, fake_slack, config), minilm)
    yield running
    running.stop()


def _submit(running: RunningApp, **changes: Any) -> Any:
    response = running.sender.interaction(view_submission({**VALID_FORM, **changes}))
    assert response.status == 200, response.body
    return response.json() if response.body else {}


def _status(running: RunningApp, reference: str) -> str:
    found = store.find_by_reference(running.services.engine, reference)
    return found.status if found else ""


def _dm_texts(fake: FakeSlack, user: str) -> list[str]:
    return [call.args["text"] for call in posts_to(fake, "D" + user.lstrip("U"))]


def test_a_valid_submission_is_stored_before_anyone_is_told_then_notified(
    handoff_app: RunningApp, fake_slack: FakeSlack, data_dir: Path, config: Path
) -> None:
    stored_when_posted: list[int] = []

    def count_requests(call: Call) -> None:
        if call.method == "chat.postMessage":
            with handoff_app.services.engine.connect() as connection:
                count = connection.execute(select(func.count()).select_from(store.handoff_requests))
                stored_when_posted.append(int(count.scalar() or 0))

    fake_slack.on_call = count_requests
    reply = _submit(handoff_app)

    assert reply["response_action"] == "update"
    reference = REFERENCE.search(json.dumps(reply["view"]))
    assert reference is not None
    reference_text = reference.group(0)
    channel_post = wait_until(lambda: posts_to(fake_slack, HANDOFF_CHANNEL), what="channel post")
    assert button_ids(channel_post[0].args["blocks"]) == ["handoff_claim", "handoff_resolve"]
    assert reference_text in channel_post[0].args["text"]
    contact_dm = wait_until(lambda: posts_to(fake_slack, "D_KATHY"), what="contact DM")
    assert button_ids(contact_dm[0].args["blocks"]) == ["handoff_claim", "handoff_resolve"]
    wait_until(
        lambda: any(reference_text in text for text in _dm_texts(fake_slack, "U_ASKER")),
        what="the requester's DM with the reference",
    )
    wait_until(lambda: _status(handoff_app, reference_text) == "notified", what="notified")
    assert stored_when_posted and all(count == 1 for count in stored_when_posted)

    result = CliRunner().invoke(
        cli,
        ["handoffs", "--json"],
        env={"SECTORBOT_DATA_DIR": str(data_dir), "SECTORBOT_CONFIG": str(config)},
    )
    assert result.exit_code == 0, result.output
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(row) == JSON_FIELDS
    assert row["reference"] == reference_text
    assert row["status"] == "notified"
    assert row["requester"] == "U_ASKER"
    assert row["email"] == "pat@example.com"
    assert row["interest"] == "join"
    assert row["contact"] == "Kathy Leggett"


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"email": "", "phone": ""}, {"email", "phone"}),
        ({"email": "pat-at-example"}, {"email"}),
        ({"phone": "call me"}, {"phone"}),
        ({"name": "x" * 101}, {"name"}),
        ({"details": "y" * 3001}, {"details"}),
        ({"interest": ""}, {"interest"}),
    ],
    ids=["no-way-to-reach", "bad-email", "bad-phone", "long-name", "long-details", "no-interest"],
)
def test_validation_errors_come_back_inline_and_nothing_is_stored(
    handoff_app: RunningApp, changes: dict[str, str], errors: set[str]
) -> None:
    reply = _submit(handoff_app, **changes)

    assert reply["response_action"] == "errors"
    assert set(reply["errors"]) == errors
    assert all(isinstance(text, str) and text for text in reply["errors"].values())
    assert store.list_requests(handoff_app.services.engine) == []


def test_claim_and_resolve_move_the_status_update_the_notifications_and_tell_the_requester(
    handoff_app: RunningApp, fake_slack: FakeSlack
) -> None:
    _submit(handoff_app)
    [request] = store.list_requests(handoff_app.services.engine)
    wait_until(lambda: _status(handoff_app, request.reference) == "notified", what="notified")
    hook = fake_slack.response_url("claim")

    handoff_app.sender.interaction(
        block_action("handoff_claim", request.reference, response_url=hook, user=CONTACT_USER)
    )

    claimed = wait_until(
        lambda: store.find_by_reference(handoff_app.services.engine, request.reference),
        what="the request",
    )
    wait_until(lambda: _status(handoff_app, request.reference) == "claimed", what="claimed")
    updates = fake_slack.wait_for("chat.update", 2)
    assert {call.args["channel"] for call in updates} == {HANDOFF_CHANNEL, "D_KATHY"}
    assert all(button_ids(call.args["blocks"]) == ["handoff_resolve"] for call in updates)
    wait_until(
        lambda: any("taken on" in text for text in _dm_texts(fake_slack, "U_ASKER")),
        what="the requester's 'claimed' DM",
    )
    claimed = store.find_by_reference(handoff_app.services.engine, request.reference)
    assert claimed is not None and claimed.claimed_by == CONTACT_USER and claimed.claimed_at

    handoff_app.sender.interaction(
        block_action("handoff_resolve", request.reference, response_url=hook, user=CONTACT_USER)
    )

    wait_until(lambda: _status(handoff_app, request.reference) == "resolved", what="resolved")
    updates = fake_slack.wait_for("chat.update", 4)
    assert all(button_ids(call.args["blocks"]) == [] for call in updates[2:])
    wait_until(
        lambda: any("resolved" in text for text in _dm_texts(fake_slack, "U_ASKER")),
        what="the requester's 'resolved' DM",
    )
    resolved = store.find_by_reference(handoff_app.services.engine, request.reference)
    assert resolved is not None and resolved.resolved_by == CONTACT_USER
    assert all(request.reference in text for text in _dm_texts(fake_slack, "U_ASKER"))

    handoff_app.sender.interaction(
        block_action("handoff_claim", request.reference, response_url=hook, user=ADMIN_USER)
    )

    refusal = fake_slack.wait_for("response_url")[-1]
    assert "already resolved" in refusal.args["text"]
    assert _status(handoff_app, request.reference) == "resolved"


@pytest.mark.parametrize("user", [ADMIN_USER, CONTACT_USER])
def test_admins_and_contacts_list_open_handoffs_with_the_slash_command(
    handoff_app: RunningApp, fake_slack: FakeSlack, user: str
) -> None:
    _submit(handoff_app)
    [request] = store.list_requests(handoff_app.services.engine)

    response = handoff_app.sender.command(
        "handoffs", response_url=fake_slack.response_url(), user=user
    )

    assert response.status == 200
    assert request.reference in response.body


def test_others_are_refused_the_handoff_list(
    handoff_app: RunningApp, fake_slack: FakeSlack
) -> None:
    _submit(handoff_app)

    response = handoff_app.sender.command(
        "handoffs", response_url=fake_slack.response_url(), user="U_SOMEONE"
    )

    assert "Only admins, the partnership contacts and hand-off staff" in response.body
    assert "SP-" not in response.body


def test_an_involvement_question_answered_in_slack_names_the_contact_with_the_button(
    handoff_app: RunningApp, fake_slack: FakeSlack
) -> None:
    handoff_app.sender.event(mention("How can my company join a sector partnership?"))

    [answer] = fake_slack.wait_for("chat.postMessage")
    assert "Kathy Leggett" in json.dumps(answer.args["blocks"])
    assert "talk_to_person" in button_ids(answer.args["blocks"])


def test_a_request_stored_while_the_worker_is_stopped_is_delivered_after_a_restart(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder, config: Path
) -> None:
    settings = handoff_settings(data_dir, fake_slack, config)
    first = start_app(settings, minilm)
    try:
        first.background.stop()  # the process dies between "stored" and "told"
        reply = _submit(first)
        assert reply["response_action"] == "update"
    finally:
        first.stop()
    assert posts_to(fake_slack, HANDOFF_CHANNEL, succeeded=False) == []
    [request] = _stored(data_dir, config)
    assert request.status == "new"

    second = start_app(settings, minilm)
    try:
        wait_until(lambda: _status(second, request.reference) == "notified", what="notified")
        wait_until(lambda: len(_dm_texts(fake_slack, "U_ASKER")) == 2, what="requester DMs")
    finally:
        second.stop()

    assert len(posts_to(fake_slack, HANDOFF_CHANNEL, succeeded=False)) == 1
    assert len(posts_to(fake_slack, "D_KATHY", succeeded=False)) == 1


def test_slack_failing_on_the_first_notifications_still_delivers_each_once(
    handoff_app: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "internal_error", status=500)
    fake_slack.fail("chat.postMessage", "ratelimited", retry_after=1)

    _submit(handoff_app)

    [request] = store.list_requests(handoff_app.services.engine)
    wait_until(lambda: _status(handoff_app, request.reference) == "notified", what="notified")
    wait_until(lambda: len(_dm_texts(fake_slack, "U_ASKER")) == 2, what="requester DMs")
    wait_until(lambda: posts_to(fake_slack, HANDOFF_CHANNEL), what="the channel post")
    wait_until(lambda: posts_to(fake_slack, "D_KATHY"), what="the contact's DM")
    wait_until(
        lambda: all(
            row.status == "sent" for row in outbox.rows_for(handoff_app.services.engine, request.id)
        ),
        what="every row sent",
    )
    failed = [call for call in fake_slack.calls_to("chat.postMessage") if call.error]
    assert [call.error for call in failed] == ["internal_error", "ratelimited"]
    assert len(posts_to(fake_slack, HANDOFF_CHANNEL)) == 1
    assert len(posts_to(fake_slack, "D_KATHY")) == 1


def _stored(data_dir: Path, config: Path) -> list[store.HandoffRequest]:
    from bot.settings import load_settings
    from knowledge.store.db import make_engine

    settings = load_settings({"SECTORBOT_DATA_DIR": str(data_dir), "SECTORBOT_CONFIG": str(config)})
    engine = make_engine(settings.sqlalchemy_url)
    try:
        return store.list_requests(engine)
    finally:
        engine.dispose()


def test_admins_see_open_handoffs_in_app_home(
    handoff_app: RunningApp, fake_slack: FakeSlack
) -> None:
    _submit(handoff_app)
    [request] = store.list_requests(handoff_app.services.engine)

    handoff_app.sender.event({"type": "app_home_opened", "user": ADMIN_USER, "tab": "home"})

    publish = fake_slack.wait_for("views.publish")[0]
    text = json.dumps(publish.args["view"])
    assert "Open hand-offs" in text and request.reference in text and "Pat Example" in text
