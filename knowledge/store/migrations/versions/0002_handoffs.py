"""Hand-off requests and the notification outbox.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``handoff_requests`` and ``handoff_outbox``."""
    op.create_table(
        "handoff_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requester", sa.String(32), nullable=False),
        sa.Column("on_behalf_of", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("organization", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("region", sa.String(200), nullable=False),
        sa.Column("industry", sa.String(200), nullable=False),
        sa.Column("interest", sa.String(16), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("source_permalink", sa.Text, nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("contact_slack_user_id", sa.String(32), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True)),
        sa.Column("claimed_by", sa.String(32)),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("resolved_by", sa.String(32)),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_handoff_requests_status", "handoff_requests", ["status"])
    op.create_table(
        "handoff_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("update_ts", sa.String(32)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("blocks", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("sent_channel", sa.String(32)),
        sa.Column("sent_ts", sa.String(32)),
    )
    op.create_index("ix_handoff_outbox_request_id", "handoff_outbox", ["request_id"])
    # The worker's query: pending rows, earliest due first.
    op.create_index("ix_handoff_outbox_due", "handoff_outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("handoff_outbox")
    op.drop_table("handoff_requests")
