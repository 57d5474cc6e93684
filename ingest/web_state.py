"""What the last fetch of each web page returned: validators for conditional requests.

A page is asked for again with ``If-None-Match`` / ``If-Modified-Since`` only when the served
version still holds exactly what that fetch produced (same content hash), so a 304 can safely
carry the stored document over without downloading or embedding anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Engine, String, Table, Text, delete, insert, select

from knowledge import as_utc, metadata

web_pages = Table(
    "ingest_web_pages",
    metadata,
    Column("url", Text, primary_key=True),
    Column("doc_id", String(40), nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    # The content hash of the document built from this response.
    Column("content_hash", String(64), nullable=False),
    # The pipeline version and URL override the document was built with: validators are only
    # reused while both are the same.
    Column("basis", Text, nullable=False),
    # The sitemap the page was listed in, if any.
    Column("sitemap", Text),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class WebPageRecord:
    """One remembered fetch."""

    url: str
    doc_id: str
    etag: str | None
    last_modified: str | None
    content_hash: str
    basis: str
    sitemap: str | None
    # When this page was last fetched or checked (None until stored).
    fetched_at: dt.datetime | None = None


def load_pages(engine: Engine) -> dict[str, WebPageRecord]:
    """Every remembered page, by the source URL it was asked for by."""
    with engine.connect() as connection:
        rows = connection.execute(select(web_pages)).mappings().all()
    return {
        row["url"]: WebPageRecord(
            row["url"],
            row["doc_id"],
            row["etag"],
            row["last_modified"],
            row["content_hash"],
            row["basis"],
            row["sitemap"],
            as_utc(row["fetched_at"]),
        )
        for row in rows
    }


def save_pages(engine: Engine, records: list[WebPageRecord]) -> None:
    """Remember these fetches, replacing earlier ones of the same URLs."""
    if not records:
        return
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(delete(web_pages).where(web_pages.c.url.in_([r.url for r in records])))
        connection.execute(
            insert(web_pages),
            [
                {
                    "url": r.url,
                    "doc_id": r.doc_id,
                    "etag": r.etag,
                    "last_modified": r.last_modified,
                    "content_hash": r.content_hash,
                    "basis": r.basis,
                    "sitemap": r.sitemap,
                    "fetched_at": now,
                }
                for r in records
            ],
        )
