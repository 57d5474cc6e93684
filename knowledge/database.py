"""One SQLAlchemy engine for every table the bot keeps (SQLite by default, PostgreSQL to share)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event

metadata = MetaData()


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` and make sure every table exists.

    SQLite gets WAL and a busy timeout so the Slack app and a CLI refresh can share the file.
    """
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    _import_table_modules()
    metadata.create_all(engine)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _import_table_modules() -> None:
    # Tables register themselves on ``metadata`` when their module is imported.
    import knowledge.embedding_cache  # noqa: F401
    import knowledge.registry  # noqa: F401
