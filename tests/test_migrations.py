"""Every table comes from one Alembic history: new, older and pre-migration databases upgrade."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

import bot.handoff.outbox  # noqa: F401 - every package's tables register on the one metadata
import ingest.refresh_runs  # noqa: F401
import ingest.web_state  # noqa: F401
import knowledge.store.embedding_cache  # noqa: F401
import knowledge.store.facts  # noqa: F401
import knowledge.store.registry  # noqa: F401
import knowledge.store.sentences  # noqa: F401
from bot.handoff import store
from bot.store.assistant_threads import assistant_threads
from bot.store.events import claim_event, processed_events
from bot.store.feedback import answer_feedback
from bot.store.turns import conversation_turns, get_turn
from knowledge.store.db import (
    HEAD_REVISION,
    VERSION_TABLE,
    connect,
    current_revision,
    make_engine,
    metadata,
    migrate,
)
from tests.bot.handoff_databases import DATABASES, database_url
from tests.conftest import REPO

HEAD = "0006"
NEW = store.NewRequest(
    requester="U_ASKER",
    name="Pat Example",
    organization="",
    email="pat@example.com",
    phone="",
    region="",
    industry="",
    interest="join",
    details="",
    source_permalink="",
    contact="Kathy Leggett",
)


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    made = connect(database_url(request.param, tmp_path))
    yield made
    made.dispose()


def test_a_new_database_gets_exactly_the_tables_the_code_defines(engine: Engine) -> None:
    migrate(engine)

    assert current_revision(engine) == HEAD
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        differences = compare_metadata(context, metadata)
    assert differences == []
    assert set(inspect(engine).get_table_names()) == set(metadata.tables) | {VERSION_TABLE}


def test_a_database_made_before_migrations_keeps_its_rows_and_gains_the_handoff_tables(
    engine: Engine,
) -> None:
    # What the previous release's create_all made: the Slack tables, no version table.
    old_tables = [processed_events, conversation_turns, answer_feedback, assistant_threads]
    metadata.create_all(engine, tables=old_tables)
    assert claim_event(engine, "EvOLD") is True

    migrate(engine)

    assert current_revision(engine) == HEAD
    assert claim_event(engine, "EvOLD") is False  # the old row is still there
    assert store.create_request(engine, NEW).reference.startswith("SP-")


def test_an_older_revision_is_upgraded_to_head(engine: Engine) -> None:
    migrate(engine, "0001")
    assert current_revision(engine) == "0001"
    assert not inspect(engine).has_table("handoff_requests")
    assert claim_event(engine, "Ev0001") is True

    migrate(engine)
    migrate(engine)  # a second start finds nothing to do

    assert current_revision(engine) == HEAD
    assert inspect(engine).has_table("handoff_outbox")
    assert claim_event(engine, "Ev0001") is False
    assert store.create_request(engine, NEW).status == "new"


def test_turns_stored_before_0003_keep_their_rows_with_no_decline_reason(engine: Engine) -> None:
    migrate(engine, "0002")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO slack_conversation_turns (turn_id, channel_id, conversation, "
                "user_id, surface, text, question, answer, sources, confident, intent, "
                "created_at) VALUES ('t1', 'C1', 'c', 'U1', 'mention', 'q', 'q', 'a', '[]', "
                ":no, 'question', :now)"
            ),
            {"no": False, "now": dt.datetime.now(dt.UTC)},
        )

    migrate(engine)

    turn = get_turn(engine, "t1")
    assert turn is not None and turn.question == "q" and not turn.confident
    with engine.connect() as connection:
        reason = connection.execute(
            text("SELECT declined_because FROM slack_conversation_turns WHERE turn_id = 't1'")
        ).scalar()
    assert reason is None


def test_notifications_delivered_before_0004_lose_their_copy_of_the_details(
    engine: Engine,
) -> None:
    migrate(engine, "0003")
    request = store.create_request(engine, NEW)
    rows = [
        ("contact_dm", "sent", "Hand-off: Pat Example, pat@example.com"),
        ("channel_post", "pending", "Hand-off: Pat Example, pat@example.com"),
        ("requester_dm", "sent", "Your request SP-1 is saved"),
    ]
    with engine.begin() as connection:
        for kind, status, body in rows:
            connection.execute(
                text(
                    "INSERT INTO handoff_outbox (request_id, kind, target, text, blocks, status, "
                    "attempts, next_attempt_at, created_at) VALUES (:request, :kind, 'C1', "
                    ":body, '[]', :status, 1, :now, :now)"
                ),
                {
                    "request": request.id,
                    "kind": kind,
                    "body": body,
                    "status": status,
                    "now": dt.datetime.now(dt.UTC),
                },
            )

    migrate(engine)

    with engine.connect() as connection:
        kept = connection.execute(
            text("SELECT kind, text, blocks FROM handoff_outbox ORDER BY id")
        ).all()
    # Delivered notifications are cleared; a pending one still needs its text, and the
    # requester's own update quotes no details.
    assert [tuple(row) for row in kept] == [
        ("contact_dm", "", None),
        ("channel_post", "Hand-off: Pat Example, pat@example.com", "[]"),
        ("requester_dm", "Your request SP-1 is saved", "[]"),
    ]


@pytest.mark.parametrize("kind", DATABASES)
def test_instances_starting_together_on_a_new_database_all_come_up(
    kind: str, tmp_path: Path
) -> None:
    url = database_url(kind, tmp_path)
    # Nothing exists yet: every instance runs the whole history at once.
    code = "import sys; from knowledge.store.db import make_engine; make_engine(sys.argv[1])"
    # Separate processes, as separate instances are (one process migrates one thread at a time).
    processes = [
        subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, cwd=REPO)
        for _ in range(3)
    ]
    results = [(process.wait(timeout=120), process.stderr) for process in processes]

    assert [code for code, _ in results] == [0, 0, 0], [
        stderr.read().decode()[-6000:] for _, stderr in results if stderr
    ]
    engine = make_engine(url)
    try:
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()


def test_the_head_the_code_checks_for_is_alembics_own() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(REPO / "knowledge" / "store" / "migrations"))

    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_a_database_at_head_is_not_handed_to_alembic_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(engine)
    import alembic.command

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("upgrade called on a database already at head")

    monkeypatch.setattr(alembic.command, "upgrade", refuse)

    migrate(engine)  # a second start: nothing to do, and Alembic is not asked

    assert current_revision(engine) == HEAD_REVISION
