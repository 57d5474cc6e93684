"""Assistant thread context (which channel the user is looking at) kept in our database.

Bolt's default store hides the context in message metadata and reads it back with
``conversations.replies``; ours needs no extra Slack calls and is shared by every instance.
"""

from __future__ import annotations

import datetime as dt
import json

from slack_bolt.context.assistant.thread_context import AssistantThreadContext
from slack_bolt.context.assistant.thread_context_store.store import AssistantThreadContextStore
from sqlalchemy import Column, DateTime, Engine, String, Table, Text, insert, select, update
from sqlalchemy.exc import IntegrityError

from knowledge import metadata

assistant_threads = Table(
    "slack_assistant_threads",
    metadata,
    Column("channel_id", String(32), primary_key=True),
    Column("thread_ts", String(32), primary_key=True),
    Column("context", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class DatabaseThreadContextStore(AssistantThreadContextStore):
    """Bolt's ``AssistantThreadContextStore`` on the shared database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, *, channel_id: str, thread_ts: str, context: dict[str, str]) -> None:
        """Insert or replace the context of one assistant thread."""
        values = {"context": json.dumps(context), "updated_at": dt.datetime.now(dt.UTC)}
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(assistant_threads).values(
                        channel_id=channel_id, thread_ts=thread_ts, **values
                    )
                )
        except IntegrityError:
            with self.engine.begin() as connection:
                connection.execute(
                    update(assistant_threads)
                    .where(
                        assistant_threads.c.channel_id == channel_id,
                        assistant_threads.c.thread_ts == thread_ts,
                    )
                    .values(**values)
                )

    def find(self, *, channel_id: str, thread_ts: str) -> AssistantThreadContext | None:
        """The saved context, or None."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(assistant_threads.c.context).where(
                    assistant_threads.c.channel_id == channel_id,
                    assistant_threads.c.thread_ts == thread_ts,
                )
            ).first()
        if row is None:
            return None
        return AssistantThreadContext(json.loads(row.context))
