"""The one database of the app (SQLite by default, PostgreSQL to share) and its one schema history.

Every table of every package is declared on ``metadata``: the knowledge base's here in
``knowledge/store``, the refresh records in ``ingest``, the Slack app's in ``bot``. Tables are
made and changed only by the Alembic revisions in ``knowledge/store/migrations/versions``, run by
``migrate`` whenever an engine is made, so an existing SQLite file or PostgreSQL database is
upgraded in place and never recreated. The history lives here, at the bottom layer, because the
knowledge base needs its tables without importing ``ingest`` or ``bot``; the revisions carry
their own table definitions, so they import nothing from the packages whose tables they make.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError

metadata = MetaData()
VERSION_TABLE = "sectorbot_schema_version"
# The newest revision in migrations/versions (a test holds it to Alembic's own head).
HEAD_REVISION = "0006"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Alembic keeps the running migration's context in a module global: one migration per process
# at a time (instances are separate processes; the database and its locks order those).
_ALEMBIC_LOCK = threading.Lock()


def as_utc(value: dt.datetime) -> dt.datetime:
    """A timestamp read back from the database, zone-aware in UTC.

    Every timestamp is written in UTC; SQLite hands them back without their zone.
    """
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` and bring its schema up to the one this code expects.

    SQLite gets WAL and a busy timeout so the Slack app and a CLI refresh can share the file.
    Statements' parameters (questions, hand-off details) never appear in logged errors.
    """
    engine = connect(url)
    migrate(engine)
    return engine


def connect(url: str) -> Engine:
    """An engine for ``url`` that leaves the schema as it finds it (``make_engine`` upgrades)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade every table to ``revision`` (head: the schema this code expects)."""
    if revision == "head" and _recorded_revision(engine) == HEAD_REVISION:
        # Already there: Alembic is not even imported (0.2 s of every CLI command's start).
        return
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _ALEMBIC_LOCK:
        _upgrade(engine, config, revision)


def _recorded_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            row = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    except SQLAlchemyError:
        return None  # never migrated
    return str(row[0]) if row else None


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


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


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
