"""Each version's facts (superseded documents, acronyms) are stored when it is built.

A version built before this revision has no row; the first process to open it works its facts
out from its chunks and stores them.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of version facts."""
    op.create_table(
        "kb_version_facts",
        sa.Column("version_id", sa.String(40), primary_key=True),
        sa.Column("superseded", sa.Text, nullable=False),
        sa.Column("acronyms", sa.Text, nullable=False),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("kb_version_facts")
