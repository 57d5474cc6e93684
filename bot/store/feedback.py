"""Feedback on answers: who found which answer helpful or not, with what was asked and cited.

The question, answer and sources are copied in, so the record stays readable after the turn
table is pruned or the knowledge base changes. One row per person and answer: a second click
changes the verdict instead of counting twice.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from bot.store.turns import Turn
from knowledge import metadata

answer_feedback = Table(
    "slack_answer_feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("turn_id", String(32), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("helpful", Boolean, nullable=False),
    Column("channel_id", String(32), nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("sources", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("turn_id", "user_id", name="uq_slack_feedback_turn_user"),
)


@dataclass(frozen=True)
class Feedback:
    """One person's verdict on one answer."""

    turn_id: str
    user_id: str
    helpful: bool
    channel_id: str
    question: str
    answer: str
    sources: tuple[dict[str, Any], ...]
    created_at: dt.datetime


def record_feedback(engine: Engine, turn: Turn, user_id: str, helpful: bool) -> None:
    """Store (or change) ``user_id``'s verdict on ``turn``."""
    values = {
        "helpful": helpful,
        "channel_id": turn.channel_id,
        "question": turn.question,
        "answer": turn.answer,
        "sources": json.dumps(list(turn.sources), ensure_ascii=False),
        "created_at": dt.datetime.now(dt.UTC),
    }
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(answer_feedback).values(turn_id=turn.turn_id, user_id=user_id, **values)
            )
    except IntegrityError:
        with engine.begin() as connection:
            connection.execute(
                update(answer_feedback)
                .where(
                    answer_feedback.c.turn_id == turn.turn_id,
                    answer_feedback.c.user_id == user_id,
                )
                .values(**values)
            )


def list_feedback(engine: Engine) -> list[Feedback]:
    """All feedback, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(select(answer_feedback).order_by(answer_feedback.c.id))
        return [
            Feedback(
                turn_id=row.turn_id,
                user_id=row.user_id,
                helpful=bool(row.helpful),
                channel_id=row.channel_id,
                question=row.question,
                answer=row.answer,
                sources=tuple(json.loads(row.sources)),
                created_at=row.created_at,
            )
            for row in rows
        ]
