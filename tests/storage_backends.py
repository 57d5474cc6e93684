"""The stores the knowledge-base tests run on: embedded always, the servers when CI starts them.

``embedded`` is the one-machine default: SQLite and Chroma's files in the data dir. ``servers`` is
the several-instances deployment: PostgreSQL (``DATABASE_URL``) and a Chroma server
(``CHROMA_HOST``/``CHROMA_PORT``). ``.ci/run`` starts both on loopback and exports
``SECTORBOT_TEST_DATABASE_URL`` and ``SECTORBOT_TEST_CHROMA_URL`` (``http://127.0.0.1:PORT``);
without them the ``servers`` cases are skipped, so the suite also runs where none is available.

Each ``servers`` case gets a PostgreSQL database of its own (so no test sees another's registry,
refresh lock or embedding cache) and shares the Chroma server's default database: collections are
named by version id, unique per build, and a case drops the collections its registry names when
it ends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from knowledge.store.db import make_engine
from knowledge.store.layout import chunk_collection_name, sentence_collection_name
from knowledge.store.registry import kb_versions
from knowledge.store.vectors import drop_collections, make_chroma_client

POSTGRES_URL = os.environ.get("SECTORBOT_TEST_DATABASE_URL", "")
CHROMA_URL = os.environ.get("SECTORBOT_TEST_CHROMA_URL", "")
EMBEDDED = "embedded"
SERVERS = "servers"

needs_servers = pytest.mark.skipif(
    not (POSTGRES_URL and CHROMA_URL),
    reason="SECTORBOT_TEST_DATABASE_URL and SECTORBOT_TEST_CHROMA_URL are not set (.ci/run sets "
    "them)",
)
STORES = [
    pytest.param(EMBEDDED, id=EMBEDDED),
    pytest.param(SERVERS, id=SERVERS, marks=needs_servers),
]


def chroma_address() -> tuple[str, int]:
    """Host and port of the Chroma server CI started."""
    parts = urlsplit(CHROMA_URL if "//" in CHROMA_URL else f"http://{CHROMA_URL}")
    if not parts.hostname or not parts.port:
        raise ValueError(f"SECTORBOT_TEST_CHROMA_URL is not http://HOST:PORT: {CHROMA_URL!r}")
    return parts.hostname, parts.port


@dataclass(frozen=True)
class Stores:
    """Where one test keeps its data: ``environ`` holds the settings keys that point there."""

    kind: str
    environ: dict[str, str]


@contextmanager
def open_stores(kind: str) -> Iterator[Stores]:
    """Stores of ``kind``; for ``servers`` a new PostgreSQL database, removed afterwards."""
    if kind == EMBEDDED:
        yield Stores(EMBEDDED, {})
        return
    host, port = chroma_address()
    with fresh_postgres_database() as url:
        try:
            yield Stores(
                SERVERS, {"DATABASE_URL": url, "CHROMA_HOST": host, "CHROMA_PORT": str(port)}
            )
        finally:
            drop_registered_collections(url, host, port)


@contextmanager
def fresh_postgres_database(admin_url: str = POSTGRES_URL) -> Iterator[str]:
    """A new, empty database on the server ``admin_url`` names; dropped (forcibly) afterwards."""
    name = "sectorbot_" + uuid.uuid4().hex[:12]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def drop_registered_collections(url: str, host: str, port: int) -> None:
    """Drop the Chroma collections of every version the database at ``url`` knows."""
    engine: Engine = make_engine(url)
    try:
        with engine.connect() as connection:
            version_ids = list(connection.execute(select(kb_versions.c.version_id)).scalars())
    finally:
        engine.dispose()
    client = make_chroma_client(Path("/nonexistent"), host, port)
    try:
        names = [
            name
            for version_id in version_ids
            for name in (chunk_collection_name(version_id), sentence_collection_name(version_id))
        ]
        drop_collections(client, names)
    finally:
        client.close()
