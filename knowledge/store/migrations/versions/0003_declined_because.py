"""Remember why a question was declined, so the coverage report can leave out refusals by policy.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``slack_conversation_turns.declined_because`` (NULL for turns stored before)."""
    columns = sa.inspect(op.get_bind()).get_columns("slack_conversation_turns")
    if any(column["name"] == "declined_because" for column in columns):
        return  # made by a create_all of this release's tables before migrations ran
    with op.batch_alter_table("slack_conversation_turns") as table:
        table.add_column(sa.Column("declined_because", sa.String(20), nullable=True))


def downgrade() -> None:
    """Drop the column again."""
    with op.batch_alter_table("slack_conversation_turns") as table:
        table.drop_column("declined_because")
