"""The document registry and knowledge-base versions, with the pointer to the one being served.

Switching versions is one database transaction on the ``kb_current`` row, so every instance
sharing the database sees the old version or the new one, never a half-built one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

from knowledge.store.db import as_utc, metadata

kb_versions = Table(
    "kb_versions",
    metadata,
    Column("version_id", String(40), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),
    Column("embedding_model", String(100), nullable=False),
    Column("document_count", Integer, nullable=False, default=0),
    Column("chunk_count", Integer, nullable=False, default=0),
    Column("error", Text),
)

kb_current = Table(
    "kb_current",
    metadata,
    Column("slot", String(20), primary_key=True),
    Column("version_id", String(40), nullable=False),
)

kb_documents = Table(
    "kb_documents",
    metadata,
    Column("version_id", String(40), primary_key=True),
    Column("doc_id", String(40), primary_key=True),
    Column("source", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("url", Text),
    Column("path", Text),
    Column("date", String(10)),
    Column("content_hash", String(64), nullable=False),
    Column("chunk_count", Integer, nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    # "configured" (from the settings' sources) or "manual" (named on the command line).
    Column("origin", String(20), nullable=False, default="configured"),
)

_SLOT = "current"


@dataclass(frozen=True)
class VersionRecord:
    """One built (or attempted) knowledge-base version."""

    version_id: str
    created_at: dt.datetime
    status: str
    embedding_model: str
    document_count: int
    chunk_count: int


@dataclass(frozen=True)
class DocumentRecord:
    """What the registry remembers of one document in one version."""

    doc_id: str
    source: str
    title: str
    kind: str
    url: str | None
    path: str | None
    date: dt.date | None
    content_hash: str
    chunk_count: int
    fetched_at: dt.datetime
    origin: str = "configured"


def current_version(engine: Engine) -> VersionRecord | None:
    """The version being served, or None before the first successful build."""
    with engine.connect() as connection:
        row = connection.execute(
            select(kb_versions)
            .join(kb_current, kb_current.c.version_id == kb_versions.c.version_id)
            .where(kb_current.c.slot == _SLOT)
        ).first()
    return _version(row) if row else None


def list_versions(engine: Engine) -> list[VersionRecord]:
    """Every version, newest first."""
    with engine.connect() as connection:
        rows = connection.execute(select(kb_versions).order_by(kb_versions.c.created_at.desc()))
        return [_version(row) for row in rows]


def version_before_current(engine: Engine) -> VersionRecord | None:
    """The newest ready version built before the one being served: where a rollback goes."""
    current = current_version(engine)
    if current is None:
        return None
    older = [
        version
        for version in list_versions(engine)
        if version.status == "ready" and version.created_at < current.created_at
    ]
    return older[0] if older else None


def start_version(engine: Engine, embedding_model: str) -> str:
    """Record a version as being built and return its id."""
    version_id = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:8]
    with engine.begin() as connection:
        connection.execute(
            insert(kb_versions).values(
                version_id=version_id,
                created_at=dt.datetime.now(dt.UTC),
                status="building",
                embedding_model=embedding_model,
                document_count=0,
                chunk_count=0,
            )
        )
    return version_id


def documents_of(engine: Engine, version_id: str) -> dict[str, DocumentRecord]:
    """The documents of a version, keyed by document id."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(kb_documents).where(kb_documents.c.version_id == version_id)
        )
        return {row.doc_id: _document(row) for row in rows}


def publish_version(engine: Engine, version_id: str, documents: list[DocumentRecord]) -> None:
    """Store the version's documents, mark it ready and make it current, all in one transaction."""
    with engine.begin() as connection:
        if documents:
            connection.execute(
                insert(kb_documents),
                [_document_row(version_id, document) for document in documents],
            )
        connection.execute(
            update(kb_versions)
            .where(kb_versions.c.version_id == version_id)
            .values(
                status="ready",
                document_count=len(documents),
                chunk_count=sum(d.chunk_count for d in documents),
            )
        )
        _point_current_at(connection, version_id)


# A version a rollback took out of service: never a rollback's target again, and retired with
# the next build (only ready versions are kept).
ROLLED_BACK = "rolled_back"


def switch_to(engine: Engine, version_id: str, *, setting_aside: str | None = None) -> None:
    """Serve an existing ready version (used by rollback), in one transaction.

    ``setting_aside`` is the version a rollback leaves: it is marked rolled back, so a later
    rollback goes to the version served before, not back to the one an admin rejected.
    """
    with engine.begin() as connection:
        status = connection.execute(
            select(kb_versions.c.status).where(kb_versions.c.version_id == version_id)
        ).scalar()
        if status != "ready":
            raise ValueError(f"version {version_id} is not ready (status: {status})")
        if setting_aside is not None:
            connection.execute(
                update(kb_versions)
                .where(kb_versions.c.version_id == setting_aside)
                .values(status=ROLLED_BACK)
            )
        _point_current_at(connection, version_id)


def fail_version(engine: Engine, version_id: str, error: str) -> None:
    """Mark a version as failed; the current pointer is untouched."""
    with engine.begin() as connection:
        connection.execute(
            update(kb_versions)
            .where(kb_versions.c.version_id == version_id)
            .values(status="failed", error=error[:2000])
        )


def forget_versions(engine: Engine, version_ids: list[str]) -> None:
    """Drop registry rows of versions whose collections were deleted."""
    if not version_ids:
        return
    with engine.begin() as connection:
        connection.execute(delete(kb_documents).where(kb_documents.c.version_id.in_(version_ids)))
        connection.execute(delete(kb_versions).where(kb_versions.c.version_id.in_(version_ids)))


def _point_current_at(connection: object, version_id: str) -> None:
    result = connection.execute(  # type: ignore[attr-defined]
        update(kb_current).where(kb_current.c.slot == _SLOT).values(version_id=version_id)
    )
    if result.rowcount == 0:
        connection.execute(insert(kb_current).values(slot=_SLOT, version_id=version_id))  # type: ignore[attr-defined]


def _version(row: object) -> VersionRecord:
    return VersionRecord(
        version_id=row.version_id,  # type: ignore[attr-defined]
        created_at=as_utc(row.created_at),  # type: ignore[attr-defined]
        status=row.status,  # type: ignore[attr-defined]
        embedding_model=row.embedding_model,  # type: ignore[attr-defined]
        document_count=row.document_count,  # type: ignore[attr-defined]
        chunk_count=row.chunk_count,  # type: ignore[attr-defined]
    )


def _document(row: object) -> DocumentRecord:
    date = row.date  # type: ignore[attr-defined]
    return DocumentRecord(
        doc_id=row.doc_id,  # type: ignore[attr-defined]
        source=row.source,  # type: ignore[attr-defined]
        title=row.title,  # type: ignore[attr-defined]
        kind=row.kind,  # type: ignore[attr-defined]
        url=row.url,  # type: ignore[attr-defined]
        path=row.path,  # type: ignore[attr-defined]
        date=dt.date.fromisoformat(date) if date else None,
        content_hash=row.content_hash,  # type: ignore[attr-defined]
        chunk_count=row.chunk_count,  # type: ignore[attr-defined]
        fetched_at=as_utc(row.fetched_at),  # type: ignore[attr-defined]
        origin=row.origin,  # type: ignore[attr-defined]
    )


def _document_row(version_id: str, document: DocumentRecord) -> dict[str, object]:
    return {
        "version_id": version_id,
        "doc_id": document.doc_id,
        "source": document.source,
        "title": document.title,
        "kind": document.kind,
        "url": document.url,
        "path": document.path,
        "date": document.date.isoformat() if document.date else None,
        "content_hash": document.content_hash,
        "chunk_count": document.chunk_count,
        "fetched_at": document.fetched_at,
        "origin": document.origin,
    }
