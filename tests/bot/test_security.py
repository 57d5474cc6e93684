"""The app probed as an attacker would: idle sockets, huge and malformed bodies, the logs, and
text Slack can deliver that no store accepts. ``test_security_handoffs.py`` has the hand-off
(who may move one, forged modal metadata, what it leaves on disk).

Every server here listens on 127.0.0.1, every load is bounded and stops by itself, and a client
that waits for an answer gives up after a few seconds, which fails the test rather than hanging.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.handoff import store
from bot.services import build_services
from bot.signed_requests import MAX_BODY_BYTES, expected_signature
from bot.store import turns
from ingest.pipeline import refresh
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import BOT_TOKEN, SIGNING_SECRET, SLACK_DOCS, RunningApp, start_app
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
from tests.fakes.slack_requests import (
    block_action,
    event_envelope,
    mention,
    message,
    new_ts,
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


# The loggers a request passes through; a background thread another test left running (a
# refresh, the outbox worker) may log at the same moment and is not this request's doing.
_REQUEST_LOGGERS = ("bot.signed_requests", "bot.server", "bot.app", "slack_bolt", "slack_sdk")


def _records(
    caplog: pytest.LogCaptureFixture, level: int = logging.INFO
) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.levelno >= level and record.name.startswith(_REQUEST_LOGGERS)
    ]


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
