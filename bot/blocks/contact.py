"""The contact card as blocks, for ephemeral replies."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]


def build_contact_blocks(text: str) -> list[Block]:
    """One mrkdwn section holding ``text`` (already escaped mrkdwn)."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}]
