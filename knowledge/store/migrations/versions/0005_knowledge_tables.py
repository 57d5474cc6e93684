"""The knowledge tables join the one history: registry, versions, sentences, cache, refreshes.

Until this revision ``knowledge.database.make_engine`` made them with ``create_all``, so every
database that has run the bot already holds them, as that release defined them; each is created
only when missing, and such a database carries on from here with its rows untouched.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = (
    "kb_versions",
    "kb_current",
    "kb_documents",
    "kb_sentences",
    "embedding_cache",
    "kb_refresh_runs",
    "ingest_web_pages",
)


def _missing(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    """Create the knowledge tables that are not there yet."""
    if _missing("kb_versions"):
        op.create_table(
            "kb_versions",
            sa.Column("version_id", sa.String(40), primary_key=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("embedding_model", sa.String(100), nullable=False),
            sa.Column("document_count", sa.Integer, nullable=False),
            sa.Column("chunk_count", sa.Integer, nullable=False),
            sa.Column("error", sa.Text),
        )
    if _missing("kb_current"):
        op.create_table(
            "kb_current",
            sa.Column("slot", sa.String(20), primary_key=True),
            sa.Column("version_id", sa.String(40), nullable=False),
        )
    if _missing("kb_documents"):
        op.create_table(
            "kb_documents",
            sa.Column("version_id", sa.String(40), primary_key=True),
            sa.Column("doc_id", sa.String(40), primary_key=True),
            sa.Column("source", sa.Text, nullable=False),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("kind", sa.String(20), nullable=False),
            sa.Column("url", sa.Text),
            sa.Column("path", sa.Text),
            sa.Column("date", sa.String(10)),
            sa.Column("content_hash", sa.String(64), nullable=False),
            sa.Column("chunk_count", sa.Integer, nullable=False),
            sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("origin", sa.String(20), nullable=False),
        )
    if _missing("kb_sentences"):
        op.create_table(
            "kb_sentences",
            sa.Column("version_id", sa.String(40), primary_key=True),
            sa.Column("item_id", sa.String(120), primary_key=True),
            sa.Column("doc_id", sa.String(40), nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("meta", sa.Text, nullable=False),
            sa.Column("vector", sa.LargeBinary, nullable=False),
        )
        op.create_index("ix_kb_sentences_document", "kb_sentences", ["version_id", "doc_id"])
    if _missing("embedding_cache"):
        op.create_table(
            "embedding_cache",
            sa.Column("model_id", sa.String(100), primary_key=True),
            sa.Column("text_sha256", sa.String(64), primary_key=True),
            sa.Column("vector", sa.LargeBinary, nullable=False),
        )
    if _missing("kb_refresh_runs"):
        op.create_table(
            "kb_refresh_runs",
            sa.Column("run_id", sa.String(32), primary_key=True),
            sa.Column("trigger", sa.String(20), nullable=False),
            sa.Column("requested_by", sa.String(64), nullable=False),
            sa.Column("scope", sa.String(20), nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("finished_at", sa.DateTime(timezone=True)),
            sa.Column("summary", sa.Text),
            sa.Column("error", sa.Text),
        )
    if _missing("ingest_web_pages"):
        op.create_table(
            "ingest_web_pages",
            sa.Column("url", sa.Text, primary_key=True),
            sa.Column("doc_id", sa.String(40), nullable=False),
            sa.Column("etag", sa.Text),
            sa.Column("last_modified", sa.Text),
            sa.Column("content_hash", sa.String(64), nullable=False),
            sa.Column("basis", sa.Text, nullable=False),
            sa.Column("sitemap", sa.Text),
            sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        )


def downgrade() -> None:
    """Drop them (the knowledge base and its refresh history go with them)."""
    for name in reversed(TABLES):
        op.drop_table(name)
