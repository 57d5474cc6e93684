"""Stores going away mid-conversation: the user gets the apology with the contact, nothing stored
is lost, and the bot answers again once the store is back, without a restart.

Each test stops a server it started itself (``tests.servers``), never the CI-wide ones; the other
store is the CI-wide server. Skipped unless ``.ci/run`` (or you) started those.
"""

from __future__ import annotations

import dataclasses
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.app import start_outbox_worker
from bot.handoff import store
from bot.services import build_services
from bot.settings import Settings
from bot.store import turns
from ingest.pipeline import refresh
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import SLACK_DOCS, RunningApp, slack_settings, start_app
from tests.bot.handoff_helpers import (
    HANDOFF_CHANNEL,
    VALID_FORM,
    posts_to,
    wait_until,
    write_config,
)
from tests.conftest import require
from tests.fakes.slack_requests import mention, new_ts, view_submission
from tests.fakes.slack_web_api import Call, FakeSlack
from tests.servers import ChromaServer, PostgresServer, postgres_bin
from tests.storage_backends import (
    chroma_address,
    drop_registered_collections,
    fresh_postgres_database,
    needs_servers,
)

pytestmark = needs_servers

QUESTION = "What is a sector partnership?"
FOLLOW_UP = "Who runs them?"
APOLOGY = "Sorry, something went wrong"
CONTACT_NAME, CONTACT_PHONE = "Kathy Leggett", "515-725-3882"


def _settings(data_dir: Path, fake: FakeSlack, config: Path, **environ: str) -> Settings:
    values = {"SECTORBOT_CONFIG": str(config), "HANDOFF_CHANNEL_ID": HANDOFF_CHANNEL, **environ}
    settings = slack_settings(data_dir, fake, **values)
    return dataclasses.replace(settings, outbox_backoff_seconds=0.01, outbox_poll_seconds=0.05)


def _built_app(settings: Settings, minilm: MiniLMEmbedder) -> RunningApp:
    builder = build_services(settings, embedder=minilm)
    assert refresh(builder.kb, SLACK_DOCS, full=False, reset=True).indexed_anything
    builder.close()
    return start_app(settings, minilm)


def _in_thread(ts: str) -> Callable[[Call], bool]:
    return lambda call: call.args.get("thread_ts") == ts


def _reply(running: RunningApp, fake: FakeSlack, text: str, thread: str) -> Call:
    """Send a message in ``thread`` (started if new) and wait for the bot's reply to it."""
    before = len(fake.calls_to("chat.postMessage", where=_in_thread(thread)))
    ts = new_ts() if before else thread
    running.sender.event(mention(text, ts=ts, thread_ts=None if ts == thread else thread))
    return fake.wait_for("chat.postMessage", before + 1, where=_in_thread(thread), timeout=60)[-1]


def _answered(call: Call) -> bool:
    return "blocks" in call.args and not call.args["text"].startswith(APOLOGY)


def _apologised(call: Call) -> bool:
    text = call.args["text"]
    return text.startswith(APOLOGY) and CONTACT_NAME in text and CONTACT_PHONE in text


def _health(running: RunningApp) -> int:
    try:
        with urllib.request.urlopen(f"{running.url}/healthz", timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def own_chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-server").start()
    yield server
    server.stop()


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    bin_dir = postgres_bin()
    require(bin_dir is not None, "PostgreSQL (initdb, pg_ctl)")
    assert bin_dir is not None
    server = PostgresServer(bin_dir).init()
    yield server
    server.remove()


def test_the_chroma_server_stopping_mid_conversation_gets_the_apology_then_answers_again(
    tmp_path: Path,
    fake_slack: FakeSlack,
    config: Path,
    minilm: MiniLMEmbedder,
    own_chroma: ChromaServer,
) -> None:
    with fresh_postgres_database() as url:
        settings = _settings(
            tmp_path / "data", fake_slack, config, DATABASE_URL=url, **own_chroma.environ
        )
        running = _built_app(settings, minilm)
        thread = new_ts()
        try:
            assert _answered(_reply(running, fake_slack, QUESTION, thread))
            assert _health(running) == 200

            own_chroma.stop()
            during = _reply(running, fake_slack, FOLLOW_UP, thread)
            health_during = _health(running)

            own_chroma.start()
            after = _reply(running, fake_slack, FOLLOW_UP, thread)
            health_after = _health(running)
        finally:
            running.stop()
            drop_registered_collections(url, "127.0.0.1", own_chroma.port)

    assert _apologised(during), during.args["text"]
    assert "blocks" not in during.args
    assert health_during == 503
    assert _answered(after), after.args["text"]
    assert health_after == 200


def test_the_database_stopping_gets_the_apology_loses_nothing_and_recovers(
    tmp_path: Path,
    fake_slack: FakeSlack,
    config: Path,
    minilm: MiniLMEmbedder,
    own_postgres: PostgresServer,
) -> None:
    host, port = chroma_address()
    environ = {"DATABASE_URL": own_postgres.url, "CHROMA_HOST": host, "CHROMA_PORT": str(port)}
    settings = _settings(tmp_path / "data", fake_slack, config, **environ)
    running = _built_app(settings, minilm)
    engine = running.services.engine
    thread = new_ts()
    try:
        assert _answered(_reply(running, fake_slack, QUESTION, thread))
        # A hand-off stored, but the process stopped before anyone was told.
        running.background.stop()
        stored = running.sender.interaction(view_submission(VALID_FORM))
        assert stored.json()["response_action"] == "update"

        own_postgres.stop()
        # Its passes fail until the database is back.
        start_outbox_worker(settings, running.services, running.background)
        during = _reply(running, fake_slack, FOLLOW_UP, thread)
        refused = running.sender.interaction(
            view_submission({**VALID_FORM, "details": "Sent while the database was down."})
        )
        health_during = _health(running)

        own_postgres.start()
        after = _reply(running, fake_slack, FOLLOW_UP, thread)
        health_after = _health(running)
        again = running.sender.interaction(
            view_submission({**VALID_FORM, "details": "Sent while the database was down."})
        )
        wait_until(
            lambda: [r.status for r in store.list_requests(engine)] == ["notified", "notified"],
            what="both requests notified",
        )
        earlier = turns.recent_turns(engine, "C_GENERAL", thread, 10)
    finally:
        running.stop()
        drop_registered_collections(own_postgres.url, host, port)

    assert _apologised(during), during.args["text"]
    assert health_during == 503
    # The form stays open with its text and says who to contact instead; nothing is stored.
    assert refused.json()["response_action"] == "errors"
    assert CONTACT_PHONE in str(refused.json()["errors"])
    assert _answered(after), after.args["text"]
    assert health_after == 200
    assert again.json()["response_action"] == "update"
    # The turns from before the outage are still there; the stored hand-off was told once.
    assert [turn.text for turn in earlier][:1] == [QUESTION]
    assert len(posts_to(fake_slack, HANDOFF_CHANNEL)) == 2
