"""The Slack app's own tables and their schema migrations (Alembic, run at start).

The knowledge base's tables stay on ``knowledge.database.metadata`` and are created by
``make_engine``; the bot's tables (event ids, turns, feedback, assistant threads, hand-offs and
the outbox) are on this ``metadata`` and change only through the revisions in
``bot/migrations/versions``, so an existing database is upgraded in place, never recreated.
``migrate`` runs them up to head; every instance calls it at start, and on PostgreSQL an advisory
lock makes concurrent starts take turns.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData
from sqlalchemy.exc import SQLAlchemyError

metadata = MetaData()
VERSION_TABLE = "sectorbot_schema_version"
# Alembic keeps the running migration's context in a module global: one migration per process
# at a time (instances are separate processes; the database and its locks order those).
_ALEMBIC_LOCK = threading.Lock()
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the bot's tables to ``revision`` (head: the schema this code expects)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _ALEMBIC_LOCK:
        _upgrade(engine, config, revision)


def _upgrade(engine: Engine, config: Any, revision: str) -> None:
    from alembic import command

    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError:
        # Two processes starting on a new SQLite file (a CLI refresh beside `serve`) can race to
        # create a table; the loser finds the winner's revision recorded on a second look.
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()
