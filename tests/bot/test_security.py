"""The app probed as an attacker would: idle sockets, huge and malformed bodies, forged input.

Every server here listens on 127.0.0.1, every load is bounded and stops by itself, and a client
that waits for an answer gives up after a few seconds, which fails the test rather than hanging.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import cli
from bot.handoff import outbox, store
from bot.handoff.metadata import ModalContext, metadata_key, seal, workspace_permalink
from bot.services import build_services
from bot.signed_requests import MAX_BODY_BYTES, expected_signature
from bot.store import turns
from ingest.pipeline import refresh
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import BOT_TOKEN, SIGNING_SECRET, SLACK_DOCS, RunningApp, start_app
from tests.bot.handoff_helpers import (
    CONTACT_USER,
    HANDOFF_CHANNEL,
    VALID_FORM,
    handoff_settings,
    posts_to,
    wait_until,
    write_config,
)
from tests.conftest import make_settings
from tests.fakes.embeddings import FakeEmbedder
from tests.fakes.slack_requests import (
    block_action,
    event_envelope,
    mention,
    message,
    new_ts,
    shortcut,
    view_submission,
)
from tests.fakes.slack_web_api import FakeSlack
from tests.storage_backends import EMBEDDED, SERVERS, STORES, open_stores

QUESTION = "What is a sector partnership?"
# A client that has heard nothing after this long counts the server as stuck.
PATIENCE_SECONDS = 5.0
IDLE_CONNECTIONS = 150


def _address(running: RunningApp) -> tuple[str, int]:
    parts = urlsplit(running.url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def _get(running: RunningApp, path: str) -> int:
    host, port = _address(running)
    connection = http.client.HTTPConnection(host, port, timeout=PATIENCE_SECONDS)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _status_for_head(running: RunningApp, head: str, body: bytes = b"") -> int:
    """Send raw request bytes and read the status line of the answer."""
    with socket.create_connection(_address(running), timeout=PATIENCE_SECONDS) as client:
        client.sendall(head.encode("latin-1") + body)
        answer = b""
        while b"\r\n" not in answer:
            chunk = client.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def _post_head(length: int, **headers: str) -> str:
    lines = [
        "POST /slack/events HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Content-Length: {length}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return "\r\n".join(lines) + "\r\n\r\n"


@contextlib.contextmanager
def _idle_connections(running: RunningApp, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections that send nothing, closed again on the way out."""
    opened: list[socket.socket] = []
    try:
        for _ in range(count):
            opened.append(socket.create_connection(_address(running), timeout=PATIENCE_SECONDS))
        yield opened
    finally:
        for connection in opened:
            connection.close()


def _records(
    caplog: pytest.LogCaptureFixture, level: int = logging.INFO
) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= level]


# --- the HTTP server -------------------------------------------------------------------------


def test_healthz_and_a_signed_event_are_served_while_150_idle_connections_are_open(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    ts = new_ts()
    with _idle_connections(running, IDLE_CONNECTIONS):
        health = _get(running, "/healthz")
        event = running.sender.event(mention(QUESTION, ts=ts))
        answer = fake_slack.wait_for(
            "chat.postMessage", where=lambda c: c.args.get("thread_ts") == ts
        )

    assert (health, event.status) == (200, 200)
    assert "blocks" in answer[0].args


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_a_huge_body_is_refused_with_413_before_it_is_read(
    running: RunningApp, caplog: pytest.LogCaptureFixture, signed: bool
) -> None:
    length = 300 * 1024 * 1024
    headers = {}
    if signed:
        stamp = str(int(time.time()))
        signature = running.sender.verifier.generate_signature(timestamp=stamp, body="{}")
        headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}

    # Only the headers and one byte are sent: a server that waited for the 300 MB would never
    # answer, and the client would give up.
    status = _status_for_head(running, _post_head(length, **headers), b"{")

    assert status == 413
    assert not [r for r in caplog.records if r.name.startswith("slack_bolt")]


def test_a_body_just_over_the_limit_is_refused_and_one_at_the_limit_is_read(
    running: RunningApp,
) -> None:
    challenge = json.dumps({"type": "url_verification", "challenge": "c-1", "token": "t"})
    padded = " " * (MAX_BODY_BYTES - len(challenge)) + challenge

    over = _status_for_head(running, _post_head(MAX_BODY_BYTES + 1), b"")
    at_limit = running.sender.post(padded, "application/json")

    assert over == 413
    assert (at_limit.status, at_limit.json()) == (200, {"challenge": "c-1"})


@pytest.mark.parametrize(
    "body",
    ['{"x":', '{"text": "hi\\nERROR bot.handoff.outbox: outbox row 1 delivered"}', "[1, 2]"],
    ids=["truncated-json", "forged-log-line", "json-list"],
)
def test_an_unsigned_body_gets_401_and_one_log_line_that_quotes_none_of_it(
    running: RunningApp, caplog: pytest.LogCaptureFixture, body: str
) -> None:
    caplog.set_level(logging.DEBUG)

    response = running.sender.post(body, "application/json", signature="")

    assert response.status == 401
    [line] = _records(caplog)
    assert line.name == "bot.signed_requests"
    assert line.exc_info is None
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "delivered" not in logged and '"x"' not in logged and "[1, 2]" not in logged


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"x":', "application/json"),
        ("[1, 2]", "application/json"),
        ("payload=%7B%22x%22%3A", "application/x-www-form-urlencoded"),
    ],
    ids=["truncated-json", "json-list", "truncated-payload"],
)
def test_a_signed_but_malformed_body_gets_400_without_a_traceback(
    running: RunningApp, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    caplog.set_level(logging.DEBUG)

    response = running.sender.post(body, content_type)

    assert response.status == 400
    [line] = _records(caplog)
    assert line.name == "bot.signed_requests" and line.exc_info is None


def test_a_signed_body_that_is_not_utf8_gets_400(running: RunningApp) -> None:
    body = b'{"text": "\xff\xfe"}'
    stamp = str(int(time.time()))
    signature = expected_signature(SIGNING_SECRET.encode(), stamp, body)
    head = _post_head(
        len(body), **{"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}
    )

    assert _status_for_head(running, head, body) == 400


def test_a_replayed_body_with_a_malformed_timestamp_is_refused(running: RunningApp) -> None:
    body = json.dumps(event_envelope(mention(QUESTION)))
    signature = running.sender.verifier.generate_signature(timestamp="12ab", body=body)
    head = _post_head(
        len(body), **{"X-Slack-Request-Timestamp": "12ab", "X-Slack-Signature": signature}
    )

    assert _status_for_head(running, head, body.encode()) == 401


@pytest.mark.parametrize("depth", [100_000, 950], ids=["too-deep-to-parse", "deep"])
def test_a_signed_body_nested_too_deeply_gets_400_without_a_traceback(
    running: RunningApp, caplog: pytest.LogCaptureFixture, depth: int
) -> None:
    body = '{"type": "event_callback", "x": ' + "[" * depth + "]" * depth + "}"

    response = running.sender.post(body, "application/json")

    assert response.status == 400
    assert [r for r in caplog.records if r.exc_info] == []


# --- logs --------------------------------------------------------------------------------------

PRIVATE_FORM = {
    **VALID_FORM,
    "name": "Zebulon Quartermaine",
    "organization": "Quartermaine Gearworks",
    "email": "zebulon.q@gearworks.example",
    "phone": "515-555-0199",
    "details": "Please keep this between us: xyzzy plover.",
}
PRIVATE_QUESTION = "Can my marmalade cannery in Oskaloosa join a partnership?"


def test_a_debug_log_of_a_question_and_a_hand_off_holds_no_personal_data_or_secret(
    fake_slack: FakeSlack,
    data_dir: Path,
    minilm: MiniLMEmbedder,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = handoff_settings(data_dir, fake_slack, write_config(tmp_path))
    app = start_app(settings, minilm)
    try:
        app.sender.event(message(PRIVATE_QUESTION, channel="D_ASKER", channel_type="im"))
        fake_slack.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == "D_ASKER")
        assert app.sender.interaction(view_submission(PRIVATE_FORM)).status == 200
        [request] = store.list_requests(app.services.engine)
        wait_until(lambda: posts_to(fake_slack, HANDOFF_CHANNEL), what="the channel post")
        hook = fake_slack.response_url("claim")
        app.sender.interaction(
            block_action("handoff_claim", request.reference, response_url=hook, user=CONTACT_USER)
        )
        listing = app.sender.command("handoffs", response_url=hook, user=CONTACT_USER)
        assert PRIVATE_FORM["name"] in listing.body  # the contact sees it; the log must not
        wait_until(
            lambda: (
                store.find_by_reference(app.services.engine, request.reference).status == "claimed"
            ),
            what="claimed",
        )
        fake_slack.wait_for("chat.update", 2)
    finally:
        app.stop()

    logged = caplog.text + "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    assert len(caplog.records) > 20  # DEBUG was really on, for the libraries too
    private = [PRIVATE_QUESTION, "marmalade", BOT_TOKEN, SIGNING_SECRET]
    private += [
        value
        for key, value in PRIVATE_FORM.items()
        if key not in ("interest", "industry", "region")
    ]
    assert [value for value in private if value in logged] == []


# --- text Slack can deliver --------------------------------------------------------------------

# A NUL (PostgreSQL refuses it in text) and an unpaired surrogate (no store or tokenizer can
# encode it): JSON carries both, so Slack can deliver both.
HOSTILE_QUESTION = "What is a sector\x00 partnership?\ud800"
CLEAN_QUESTION = "What is a sector partnership?\ufffd"


@pytest.fixture(params=STORES)
def stored_app(
    request: pytest.FixtureRequest,
    fake_slack: FakeSlack,
    data_dir: Path,
    minilm: MiniLMEmbedder,
    tmp_path: Path,
) -> Iterator[RunningApp]:
    """The hand-off app on SQLite, then (when the servers run) on PostgreSQL + Chroma server."""
    config = write_config(tmp_path)
    if request.param == EMBEDDED:
        running = start_app(handoff_settings(data_dir, fake_slack, config), minilm)
        yield running
        running.stop()
        return
    with open_stores(SERVERS) as stores:
        settings = handoff_settings(tmp_path / "servers", fake_slack, config, **stores.environ)
        builder = build_services(settings, embedder=minilm)
        assert refresh(builder.kb, SLACK_DOCS, full=False, reset=True).indexed_anything
        builder.close()
        running = start_app(settings, minilm)
        try:
            yield running
        finally:
            running.stop()


def test_a_question_with_a_nul_and_a_lone_surrogate_is_answered_and_stored_clean(
    stored_app: RunningApp, fake_slack: FakeSlack
) -> None:
    ts = new_ts()

    stored_app.sender.event(mention(HOSTILE_QUESTION, ts=ts))

    [reply] = fake_slack.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts") == ts)
    assert "blocks" in reply.args and not reply.args["text"].startswith("Sorry")
    turn = turns.last_turn(stored_app.services.engine, "C_GENERAL", ts)
    assert turn is not None and turn.text == CLEAN_QUESTION


def test_a_hand_off_with_a_nul_and_a_lone_surrogate_is_stored_clean(
    stored_app: RunningApp,
) -> None:
    form = {**VALID_FORM, "name": "Pat\x00 Example\ud800", "details": "Call\x00 me \udfff"}

    reply = stored_app.sender.interaction(view_submission(form))

    assert reply.status == 200 and reply.json()["response_action"] == "update"
    [request] = store.list_requests(stored_app.services.engine)
    assert (request.name, request.details) == ("Pat Example\ufffd", "Call me \ufffd")


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
    build_services(make_settings(data_dir), embedder=FakeEmbedder()).close()
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
