"""The Slack app's first tables: processed event ids, conversation turns, feedback, threads.

Databases made before migrations existed already hold these (``create_all`` made them), so each
is created only when missing; such a database then simply carries on from here.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _missing(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    """Create the tables that are not there yet."""
    if _missing("slack_processed_events"):
        op.create_table(
            "slack_processed_events",
            sa.Column("event_id", sa.String(64), primary_key=True),
            sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index(
            "ix_slack_processed_events_received_at", "slack_processed_events", ["received_at"]
        )
    if _missing("slack_conversation_turns"):
        op.create_table(
            "slack_conversation_turns",
            sa.Column("turn_id", sa.String(32), primary_key=True),
            sa.Column("channel_id", sa.String(32), nullable=False),
            sa.Column("conversation", sa.String(64), nullable=False),
            sa.Column("user_id", sa.String(32), nullable=False),
            sa.Column("surface", sa.String(20), nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("sources", sa.Text, nullable=False),
            sa.Column("confident", sa.Boolean, nullable=False),
            sa.Column("intent", sa.String(20), nullable=False),
            sa.Column("answer_ts", sa.String(32)),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index(
            "ix_slack_turns_conversation",
            "slack_conversation_turns",
            ["channel_id", "conversation", "created_at"],
        )
    if _missing("slack_answer_feedback"):
        op.create_table(
            "slack_answer_feedback",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("turn_id", sa.String(32), nullable=False),
            sa.Column("user_id", sa.String(32), nullable=False),
            sa.Column("helpful", sa.Boolean, nullable=False),
            sa.Column("channel_id", sa.String(32), nullable=False),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("sources", sa.Text, nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.UniqueConstraint("turn_id", "user_id", name="uq_slack_feedback_turn_user"),
        )
    if _missing("slack_assistant_threads"):
        op.create_table(
            "slack_assistant_threads",
            sa.Column("channel_id", sa.String(32), primary_key=True),
            sa.Column("thread_ts", sa.String(32), primary_key=True),
            sa.Column("context", sa.Text, nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        )


def downgrade() -> None:
    """Drop them (everything the bot remembered goes with them)."""
    for name in (
        "slack_assistant_threads",
        "slack_answer_feedback",
        "slack_conversation_turns",
        "slack_processed_events",
    ):
        op.drop_table(name)
