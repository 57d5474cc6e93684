"""Delivered hand-off notifications no longer keep a copy of the person's details.

The outbox now stores these messages without text and renders them from the request when it
sends them; rows delivered before this release still hold the rendered name, phone and e-mail,
which nothing reads again (updates are rendered afresh), so their text is cleared.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The kinds whose text quotes the request (bot.handoff.outbox.RENDERED_KINDS at this revision).
RENDERED_KINDS = ("contact_dm", "channel_post", "contact_email", "notification_update")


def upgrade() -> None:
    """Clear ``text`` and ``blocks`` of delivered notification rows."""
    outbox = sa.table(
        "handoff_outbox",
        sa.column("kind", sa.String),
        sa.column("status", sa.String),
        sa.column("text", sa.Text),
        sa.column("blocks", sa.Text),
    )
    op.execute(
        outbox.update()
        .where(outbox.c.status == "sent", outbox.c.kind.in_(RENDERED_KINDS))
        .values(text="", blocks=None)
    )


def downgrade() -> None:
    """Nothing to restore: the cleared copies are gone, and the older code never reads them."""
