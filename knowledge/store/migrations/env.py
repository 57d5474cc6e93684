"""Alembic environment: runs on the connection ``knowledge.store.db.migrate`` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

# Only autogenerate reads target_metadata, and it sees the tables whose modules are imported:
# the revisions themselves spell out their tables, so upgrading needs none of them.
from knowledge.store.db import VERSION_TABLE, metadata

# Any fixed number: instances starting together on one PostgreSQL database migrate in turn.
ADVISORY_LOCK = 7_316_042


def run_migrations() -> None:
    """Upgrade on the shared connection, inside its transaction."""
    connection = context.config.attributes["connection"]
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    elif connection.dialect.name == "sqlite" and not connection.connection.in_transaction:
        # Take SQLite's write lock before reading the version (waiting out the busy timeout),
        # so a second process sees the first one's finished upgrade instead of racing it; the
        # driver would otherwise start the transaction only at the first write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
