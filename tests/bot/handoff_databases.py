"""The databases the store and outbox tests run on: SQLite always, PostgreSQL when CI starts one.

``.ci/run`` starts PostgreSQL on loopback and exports ``SECTORBOT_TEST_DATABASE_URL``; without it
the PostgreSQL cases are skipped, so the suite also runs where no server is available.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData

from knowledge.store.db import connect, make_engine

POSTGRES_URL = os.environ.get("SECTORBOT_TEST_DATABASE_URL", "")
DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(
            not POSTGRES_URL, reason="SECTORBOT_TEST_DATABASE_URL is not set (.ci/run sets it)"
        ),
    ),
]


def database_url(kind: str, directory: Path) -> str:
    """A fresh, empty database of ``kind``: a new SQLite file, or PostgreSQL with no tables."""
    if kind == "sqlite":
        return f"sqlite:///{directory / 'handoff-test.db'}"
    engine = connect(POSTGRES_URL)
    # Each test starts from no tables at all, as with a new SQLite file: whatever is there,
    # including tables no revision of this code makes, goes.
    found = MetaData()
    found.reflect(engine)
    found.drop_all(engine)
    engine.dispose()
    return POSTGRES_URL


def engine_for(url: str) -> Engine:
    """An engine on ``url`` (one per simulated process), migrated as ``build_services`` does."""
    return make_engine(url)
