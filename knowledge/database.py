"""One SQLAlchemy engine for all of the bot's storage (SQLite by default, PostgreSQL to share).

The knowledge tables (registry, versions, embedding cache) are created here; the Slack app's
tables are created and upgraded by its own migrations (bot/migrations).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, text

metadata = MetaData()

# Any fixed number: PostgreSQL advisory locks are keyed by an integer the app chooses.
_LOCK_KEY = 7_215_001


def as_utc(value: dt.datetime) -> dt.datetime:
    """A timestamp read back from the database, zone-aware in UTC.

    Every timestamp is written in UTC; SQLite hands them back without their zone.
    """
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` and make sure the knowledge tables exist.

    SQLite gets WAL and a busy timeout so the Slack app and a CLI refresh can share the file.
    Statements' parameters (questions, hand-off details) never appear in logged errors.
    """
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    _import_table_modules()
    _create_knowledge_tables(engine)
    return engine


def _create_knowledge_tables(engine: Engine) -> None:
    """Create missing tables, safely when several instances start on a new database at once."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Held until the transaction ends: the others wait, then find the tables made.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        elif engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        metadata.create_all(connection)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _import_table_modules() -> None:
    # Tables register themselves on ``metadata`` when their module is imported.
    import ingest.refresh_runs  # noqa: F401
    import ingest.web_state  # noqa: F401
    import knowledge.embedding_cache  # noqa: F401
    import knowledge.registry  # noqa: F401
    import knowledge.sentence_store  # noqa: F401
