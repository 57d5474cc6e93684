"""Stored questions are deleted after QUESTION_RETENTION_DAYS (default 90), on each database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from bot.store import feedback, turns
from bot.store.assistant_threads import DatabaseThreadContextStore, assistant_threads
from bot.store.retention import DEFAULT_RETENTION_DAYS, forget_old_questions
from knowledge.embeddings import MiniLMEmbedder
from knowledge.types import Answer
from tests.bot.conftest import slack_settings, start_app
from tests.bot.handoff_databases import DATABASES, database_url, engine_for
from tests.bot.handoff_helpers import wait_until
from tests.conftest import make_settings
from tests.fakes.slack_web_api import FakeSlack

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
ANSWER = Answer(question="q", text="a", sources=(), confident=True, intent="question")


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    made = engine_for(database_url(request.param, tmp_path))
    yield made
    made.dispose()


def _store_question(engine: Engine, user: str, asked_at: dt.datetime) -> str:
    turn_id = turns.add_turn(
        engine,
        channel_id="C1",
        conversation=user,
        user_id=user,
        surface="mention",
        text=f"question from {user}",
        answer=ANSWER,
    )
    turn = turns.get_turn(engine, turn_id)
    assert turn is not None
    feedback.record_feedback(engine, turn, user, helpful=False)
    DatabaseThreadContextStore(engine).save(
        channel_id="D1", thread_ts=user, context={"channel_id": "C1"}
    )
    with engine.begin() as connection:
        connection.execute(
            update(turns.conversation_turns)
            .where(turns.conversation_turns.c.turn_id == turn_id)
            .values(created_at=asked_at)
        )
        connection.execute(
            update(feedback.answer_feedback)
            .where(feedback.answer_feedback.c.turn_id == turn_id)
            .values(created_at=asked_at)
        )
        connection.execute(
            update(assistant_threads)
            .where(assistant_threads.c.thread_ts == user)
            .values(updated_at=asked_at)
        )
    return turn_id


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_questions_older_than_the_retention_are_deleted_with_their_feedback_and_context(
    engine: Engine,
) -> None:
    old = _store_question(engine, "U_OLD", NOW - dt.timedelta(days=91))
    recent = _store_question(engine, "U_NEW", NOW - dt.timedelta(days=89))

    removed = forget_old_questions(engine, 90, now=NOW)

    assert removed == 3  # the old turn, its feedback and its assistant context
    assert turns.get_turn(engine, old) is None and turns.get_turn(engine, recent) is not None
    assert [f.user_id for f in feedback.list_feedback(engine)] == ["U_NEW"]
    assert _count(engine, assistant_threads) == 1


def test_the_default_is_90_days_and_0_keeps_questions_forever(tmp_path: Path) -> None:
    assert DEFAULT_RETENTION_DAYS == 90
    assert make_settings(tmp_path).question_retention_days == 90
    assert make_settings(tmp_path, QUESTION_RETENTION_DAYS="30").question_retention_days == 30
    assert make_settings(tmp_path, QUESTION_RETENTION_DAYS="0").question_retention_days is None


def test_the_running_app_deletes_old_questions_when_it_starts(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder
) -> None:
    settings = slack_settings(data_dir, fake_slack)
    engine = engine_for(settings.sqlalchemy_url)
    try:
        old = _store_question(engine, "U_OLD", dt.datetime.now(dt.UTC) - dt.timedelta(days=120))
        recent = _store_question(engine, "U_NEW", dt.datetime.now(dt.UTC))
    finally:
        engine.dispose()

    running = start_app(settings, minilm)
    try:
        wait_until(
            lambda: turns.get_turn(running.services.engine, old) is None, what="the old turn gone"
        )
        assert turns.get_turn(running.services.engine, recent) is not None
    finally:
        running.stop()
