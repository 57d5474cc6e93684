"""Conversation turns: each question the bot answered and its answer, per Slack conversation.

A conversation is a channel plus a thread ``ts`` (or a fixed key for a DM's main view). Follow-ups
are recognised from these rows, never by reading history back from Slack (rate-limited for many
apps), and feedback buttons carry a turn id so a click finds the question, answer and sources.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)

from knowledge import Answer, Source, as_utc, metadata

conversation_turns = Table(
    "slack_conversation_turns",
    metadata,
    Column("turn_id", String(32), primary_key=True),
    Column("channel_id", String(32), nullable=False),
    Column("conversation", String(64), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("surface", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("sources", Text, nullable=False),
    Column("confident", Boolean, nullable=False),
    Column("intent", String(20), nullable=False),
    # Why an unanswered question was declined (Answer.declined_because); NULL when answered.
    Column("declined_because", String(20)),
    Column("answer_ts", String(32)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_slack_turns_conversation", "channel_id", "conversation", "created_at"),
)


@dataclass(frozen=True)
class Turn:
    """One answered question: ``text`` as the user wrote it, ``question`` as it was answered."""

    turn_id: str
    channel_id: str
    conversation: str
    user_id: str
    surface: str
    text: str
    question: str
    answer: str
    sources: tuple[dict[str, Any], ...]
    confident: bool
    intent: str
    answer_ts: str | None
    created_at: dt.datetime


def add_turn(
    engine: Engine,
    *,
    channel_id: str,
    conversation: str,
    user_id: str,
    surface: str,
    text: str,
    answer: Answer,
) -> str:
    """Store an answered question and return its turn id."""
    turn_id = uuid.uuid4().hex
    with engine.begin() as connection:
        connection.execute(
            insert(conversation_turns).values(
                turn_id=turn_id,
                channel_id=channel_id,
                conversation=conversation,
                user_id=user_id,
                surface=surface,
                text=text,
                question=answer.question,
                answer=answer.text,
                sources=_sources_json(answer.sources),
                confident=answer.confident,
                intent=answer.intent,
                declined_because=answer.declined_because,
                created_at=dt.datetime.now(dt.UTC),
            )
        )
    return turn_id


def set_answer_ts(engine: Engine, turn_id: str, ts: str) -> None:
    """Remember which Slack message carries the turn's answer."""
    with engine.begin() as connection:
        connection.execute(
            update(conversation_turns)
            .where(conversation_turns.c.turn_id == turn_id)
            .values(answer_ts=ts)
        )


def get_turn(engine: Engine, turn_id: str) -> Turn | None:
    """The turn with this id, or None."""
    with engine.connect() as connection:
        row = connection.execute(
            select(conversation_turns).where(conversation_turns.c.turn_id == turn_id)
        ).first()
    return _turn(row) if row else None


def last_turn(engine: Engine, channel_id: str, conversation: str) -> Turn | None:
    """The latest turn of a conversation, or None when the bot has not answered in it."""
    with engine.connect() as connection:
        row = connection.execute(
            select(conversation_turns)
            .where(
                conversation_turns.c.channel_id == channel_id,
                conversation_turns.c.conversation == conversation,
            )
            .order_by(conversation_turns.c.created_at.desc())
            .limit(1)
        ).first()
    return _turn(row) if row else None


def recent_turns(engine: Engine, channel_id: str, conversation: str, limit: int) -> list[Turn]:
    """The latest ``limit`` turns of a conversation, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(conversation_turns)
            .where(
                conversation_turns.c.channel_id == channel_id,
                conversation_turns.c.conversation == conversation,
            )
            .order_by(conversation_turns.c.created_at.desc())
            .limit(limit)
        )
        return [_turn(row) for row in rows][::-1]


def _sources_json(sources: Sequence[Source]) -> str:
    return json.dumps([source.as_json() for source in sources], ensure_ascii=False)


def _turn(row: Any) -> Turn:
    return Turn(
        turn_id=row.turn_id,
        channel_id=row.channel_id,
        conversation=row.conversation,
        user_id=row.user_id,
        surface=row.surface,
        text=row.text,
        question=row.question,
        answer=row.answer,
        sources=tuple(json.loads(row.sources)),
        confident=bool(row.confident),
        intent=row.intent,
        answer_ts=row.answer_ts,
        created_at=as_utc(row.created_at),
    )
