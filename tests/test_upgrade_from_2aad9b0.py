"""A database made by the release at commit 2aad9b0 is upgraded in place, with nothing lost.

That release made the knowledge tables with ``create_all`` and the Slack app's with its own
Alembic history (at 0004). ``tests/data/schema_2aad9b0`` holds the schema it made, read back from
a SQLite file and dumped from PostgreSQL; each test loads it, writes rows into every table as that
release wrote them, opens the database as the bot does now, and checks the rows and the bot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, text

from bot.handoff import store
from bot.services import Services, build_services
from bot.store.events import claim_event
from bot.store.feedback import list_feedback
from bot.store.turns import get_turn
from ingest.pipeline import refresh
from ingest.refresh_runs import recent_runs
from ingest.web_state import load_pages
from knowledge.embeddings import MiniLMEmbedder
from knowledge.store import registry
from knowledge.store.db import HEAD_REVISION, connect, current_revision, make_engine
from knowledge.store.sentences import SentenceStore
from tests.bot.conftest import SLACK_DOCS
from tests.bot.handoff_databases import DATABASES, POSTGRES_URL, database_url
from tests.conftest import DATA, make_settings

SCHEMA = DATA / "schema_2aad9b0"
OLD_VERSION = "20261201090000-0ld0ld00"
THEN = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
VECTOR = np.arange(4, dtype="<f4")

# One row per table, each written with the columns that release wrote.
OLD_ROWS = [
    (
        "INSERT INTO kb_versions (version_id, created_at, status, embedding_model, "
        "document_count, chunk_count, error) VALUES (:v, :then, 'ready', 'old-model', 1, 1, NULL)"
    ),
    "INSERT INTO kb_current (slot, version_id) VALUES ('current', :v)",
    (
        "INSERT INTO kb_documents (version_id, doc_id, source, title, kind, url, path, date, "
        "content_hash, chunk_count, fetched_at, origin) VALUES (:v, 'doc-old', '/old.md', "
        "'Old page', 'markdown', NULL, 'old.md', '2026-11-30', 'hash-old', 1, :then, 'manual')"
    ),
    (
        "INSERT INTO kb_sentences (version_id, item_id, doc_id, text, meta, vector) VALUES "
        "(:v, 'doc-old-0000:s0', 'doc-old', 'An old sentence.', "
        '\'{"chunk_id": "doc-old-0000", "doc_id": "doc-old", "index": 0}\', :vector)'
    ),
    (
        "INSERT INTO embedding_cache (model_id, text_sha256, vector) VALUES "
        "('old-model', 'sha-old', :vector)"
    ),
    (
        'INSERT INTO kb_refresh_runs (run_id, "trigger", requested_by, scope, status, '
        "started_at, finished_at, summary, error) VALUES ('run-old', 'cli', 'admin', "
        "'configured', 'succeeded', :then, :then, '{\"documents\": 1}', NULL)"
    ),
    (
        "INSERT INTO ingest_web_pages (url, doc_id, etag, last_modified, content_hash, basis, "
        "sitemap, fetched_at) VALUES ('https://example.org/old', 'doc-web', '\"e1\"', NULL, "
        "'hash-web', '11', NULL, :then)"
    ),
    "INSERT INTO slack_processed_events (event_id, received_at) VALUES ('EvOLD', :then)",
    (
        "INSERT INTO slack_conversation_turns (turn_id, channel_id, conversation, user_id, "
        "surface, text, question, answer, sources, confident, intent, answer_ts, created_at, "
        "declined_because) VALUES ('turn-old', 'C1', 'c1', 'U1', 'mention', 'q', 'Old question?', "
        "'Old answer.', '[]', :yes, 'question', '1.2', :then, NULL)"
    ),
    (
        "INSERT INTO slack_answer_feedback (turn_id, user_id, helpful, channel_id, question, "
        "answer, sources, created_at) VALUES ('turn-old', 'U2', :yes, 'C1', 'Old question?', "
        "'Old answer.', '[]', :then)"
    ),
    (
        "INSERT INTO slack_assistant_threads (channel_id, thread_ts, context, updated_at) "
        "VALUES ('D1', '1.1', '{}', :then)"
    ),
    (
        "INSERT INTO handoff_requests (reference, status, created_at, requester, on_behalf_of, "
        "name, organization, email, phone, region, industry, interest, details, "
        "source_permalink, contact, contact_slack_user_id) VALUES ('SP-OLD-1', 'notified', "
        ":then, 'U1', '', 'Pat Example', 'Acme', 'pat@example.com', '', 'Polk', "
        "'Manufacturing', 'join', '', '', 'Kathy Leggett', '')"
    ),
    (
        "INSERT INTO handoff_outbox (request_id, kind, target, text, status, attempts, "
        "next_attempt_at, created_at) SELECT id, 'requester_dm', 'U1', 'Saved', 'pending', 0, "
        ":then, :then FROM handoff_requests WHERE reference = 'SP-OLD-1'"
    ),
]


@pytest.fixture(params=DATABASES)
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database as that release left it, holding one row in every table."""
    # The SQLite file is where `sectorbot` looks for it in the data dir the bot test uses.
    url = (
        f"sqlite:///{tmp_path / 'data' / 'sectorbot.db'}"
        if request.param == "sqlite"
        else database_url(request.param, tmp_path)
    )
    engine = connect(url)
    ddl = (SCHEMA / f"{engine.dialect.name}.sql").read_text(encoding="utf-8")
    values = {"v": OLD_VERSION, "then": THEN, "vector": VECTOR.tobytes(), "yes": True}
    with engine.begin() as connection:
        for statement in _statements(ddl):
            connection.exec_driver_sql(statement)
        for row in OLD_ROWS:
            connection.execute(text(row), values)
    engine.dispose()
    yield url


def test_every_row_of_the_old_release_is_kept_by_the_upgrade(old_database: str) -> None:
    engine = make_engine(old_database)
    try:
        _assert_old_rows_are_there(engine)
    finally:
        engine.dispose()


def test_the_bot_works_on_an_upgraded_database(
    old_database: str, tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    environ = {"DATABASE_URL": old_database} if old_database == POSTGRES_URL else {}
    services: Services = build_services(
        make_settings(tmp_path / "data", **environ), embedder=minilm
    )
    try:
        assert current_revision(services.engine) == HEAD_REVISION
        # The old version's vectors are not in this data dir's Chroma: start afresh from files.
        summary = refresh(services.kb, SLACK_DOCS, full=False, reset=True)
        assert summary.indexed_anything

        answer = services.answerer.answer("How can my company join a sector partnership?")
        assert answer.confident and answer.sources
        assert store.create_request(services.engine, _new_request()).reference.startswith("SP-")
        assert claim_event(services.engine, "EvNEW") is True
        # The refresh kept the old version for rollback; every other old row is untouched too.
        _assert_old_rows_are_there(services.engine, served=summary.version_id)
    finally:
        services.close()


def _assert_old_rows_are_there(engine: Engine, served: str = OLD_VERSION) -> None:
    current = registry.current_version(engine)
    assert current is not None and current.version_id == served
    old = {version.version_id: version for version in registry.list_versions(engine)}
    assert old[OLD_VERSION].status == "ready" and old[OLD_VERSION].created_at == THEN
    document = registry.documents_of(engine, OLD_VERSION)["doc-old"]
    assert (document.title, document.origin, document.date) == (
        "Old page",
        "manual",
        dt.date(2026, 11, 30),
    )
    [sentence] = SentenceStore(engine, OLD_VERSION).get_by_documents(["doc-old"])
    assert sentence.text == "An old sentence." and list(sentence.vector) == list(VECTOR)
    with engine.connect() as connection:
        cached = connection.execute(
            text("SELECT vector FROM embedding_cache WHERE text_sha256 = 'sha-old'")
        ).scalar_one()
    assert bytes(cached) == VECTOR.tobytes()
    runs = {run.run_id: run for run in recent_runs(engine)}
    assert runs["run-old"].summary == {"documents": 1}
    assert load_pages(engine)["https://example.org/old"].etag == '"e1"'
    assert claim_event(engine, "EvOLD") is False
    turn = get_turn(engine, "turn-old")
    assert turn is not None and turn.question == "Old question?" and turn.confident
    assert [(f.turn_id, f.helpful) for f in list_feedback(engine)] == [("turn-old", True)]
    request = store.find_by_reference(engine, "SP-OLD-1")
    assert request is not None and (request.name, request.status) == ("Pat Example", "notified")
    with engine.connect() as connection:
        threads = connection.execute(text("SELECT count(*) FROM slack_assistant_threads"))
        outbox = connection.execute(text("SELECT text FROM handoff_outbox"))
        assert threads.scalar_one() == 1 and list(outbox.scalars()) == ["Saved"]


def _statements(ddl: str) -> list[str]:
    # The drivers take one statement per call; the dumps hold no ';' inside a statement.
    lines = [line for line in ddl.splitlines() if not line.startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def _new_request() -> store.NewRequest:
    return store.NewRequest(
        requester="U_ASKER",
        name="Sam Sample",
        organization="",
        email="sam@example.com",
        phone="",
        region="",
        industry="",
        interest="start",
        details="",
        source_permalink="",
        contact="Kathy Leggett",
    )
