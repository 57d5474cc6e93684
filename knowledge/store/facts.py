"""What a version knows of its documents as a whole: which are superseded, what acronyms mean.

Both are found while the version is written, chunk by chunk, and stored with it, so opening a
version reads none of its chunks: at 100k chunks, reading them all back took seconds.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field

from sqlalchemy import Column, Engine, String, Table, Text, delete, insert, select
from sqlalchemy.exc import IntegrityError

from knowledge.acronyms import find_acronyms
from knowledge.cues import is_superseded
from knowledge.store.db import metadata
from knowledge.store.registry import kb_versions
from knowledge.types import Chunk

kb_version_facts = Table(
    "kb_version_facts",
    metadata,
    Column("version_id", String(40), primary_key=True),
    # JSON: the ids of documents that say of themselves that they are archived or historical.
    Column("superseded", Text, nullable=False),
    # JSON: short form -> long form of each acronym the documents define.
    Column("acronyms", Text, nullable=False),
)


@dataclass(frozen=True)
class VersionFacts:
    """Facts about a version's documents that answering needs at hand."""

    superseded: frozenset[str] = frozenset()
    acronyms: dict[str, str] = field(default_factory=dict)


class FactsCollector:
    """Gathers a version's facts from its chunks as they are written."""

    def __init__(self) -> None:
        self._superseded: set[str] = set()
        self._acronyms: dict[str, str] = {}

    def add(self, chunk: Chunk) -> None:
        """Take one chunk: its document's opening says whether it is superseded."""
        if chunk.position == 0 and is_superseded(chunk.title, chunk.text):
            self._superseded.add(chunk.doc_id)
        for short, long_form in find_acronyms([chunk.text]).items():
            self._acronyms.setdefault(short, long_form)

    def facts(self) -> VersionFacts:
        """What was gathered."""
        return VersionFacts(frozenset(self._superseded), dict(self._acronyms))


def save_facts(engine: Engine, version_id: str, facts: VersionFacts) -> None:
    """Store a version's facts; a copy another process stored first is kept (it is the same)."""
    row = {
        "version_id": version_id,
        "superseded": json.dumps(sorted(facts.superseded)),
        "acronyms": json.dumps(facts.acronyms),
    }
    # Two instances opening the same old version may both store its facts; the second insert
    # meets the first one's row, which holds the same facts.
    with contextlib.suppress(IntegrityError), engine.begin() as connection:
        connection.execute(insert(kb_version_facts), [row])


def load_facts(engine: Engine, version_id: str) -> VersionFacts | None:
    """A version's stored facts, or None for a version built before they were stored."""
    with engine.connect() as connection:
        row = connection.execute(
            select(kb_version_facts).where(kb_version_facts.c.version_id == version_id)
        ).first()
    if row is None:
        return None
    return VersionFacts(frozenset(json.loads(row.superseded)), dict(json.loads(row.acronyms)))


def forget_facts(engine: Engine, version_ids: list[str]) -> None:
    """Delete the facts of versions being retired or that failed."""
    if version_ids:
        with engine.begin() as connection:
            connection.execute(
                delete(kb_version_facts).where(kb_version_facts.c.version_id.in_(version_ids))
            )


def forget_facts_of_unknown_versions(engine: Engine) -> None:
    """Delete facts whose version the registry no longer lists (retired by an older release)."""
    known = select(kb_versions.c.version_id)
    with engine.begin() as connection:
        connection.execute(
            delete(kb_version_facts).where(kb_version_facts.c.version_id.not_in(known))
        )
