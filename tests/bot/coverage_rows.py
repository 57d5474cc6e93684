"""Store asked questions and feedback the way the Slack app does, then date them for a test."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from sqlalchemy import Engine, delete, update

from bot.store import feedback, turns
from knowledge.store.db import make_engine
from knowledge.types import Answer, DeclineReason, Intent

# The CLI and App Home report up to the real clock, so rows are dated relative to it.
NOW = dt.datetime.now(dt.UTC)
_THREADS = itertools.count(100)


def day(days_ago: float) -> str:
    """The ISO date ``days_ago`` days before ``NOW``."""
    return (NOW - dt.timedelta(days=days_ago)).date().isoformat()


def bot_database(data_dir: Path) -> Engine:
    """The data dir's database with the bot's tables, as `sectorbot` opens it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{data_dir / 'sectorbot.db'}")
    return engine


def asked(
    engine: Engine,
    question: str,
    *,
    user: str = "U_ASKER",
    days_ago: float = 1,
    confident: bool = False,
    intent: Intent = "question",
    declined_because: DeclineReason | None = None,
    conversation: str | None = None,
) -> str:
    """Store one answered question, asked ``days_ago`` days before ``NOW``; returns its turn id.

    Each question starts its own thread unless ``conversation`` names one to continue.
    """
    reply = "Yes." if confident else "I could not find that."
    answer = Answer(question, reply, (), confident, intent, declined_because=declined_because)
    turn_id = turns.add_turn(
        engine,
        channel_id="C_GENERAL",
        conversation=conversation or f"1700000000.{next(_THREADS):06d}",
        user_id=user,
        surface="mention",
        text=question,
        answer=answer,
    )
    with engine.begin() as connection:
        connection.execute(
            update(turns.conversation_turns)
            .where(turns.conversation_turns.c.turn_id == turn_id)
            .values(created_at=NOW - dt.timedelta(days=days_ago))
        )
    return turn_id


def judged(engine: Engine, turn_id: str, *, user: str = "U_ASKER", helpful: bool = False) -> None:
    """Someone clicks Helpful or Not helpful on the turn's answer."""
    turn = turns.get_turn(engine, turn_id)
    assert turn is not None
    feedback.record_feedback(engine, turn, user, helpful)


def pruned(engine: Engine, turn_id: str) -> None:
    """The turn table lost this row (feedback keeps its own copy of the question)."""
    with engine.begin() as connection:
        connection.execute(
            delete(turns.conversation_turns).where(turns.conversation_turns.c.turn_id == turn_id)
        )
