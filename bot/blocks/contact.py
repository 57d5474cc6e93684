"""The contact card: as blocks for ephemeral replies, and as a modal for the shortcuts."""

from __future__ import annotations

from typing import Any

from bot import messages
from knowledge.contacts import Contact

Block = dict[str, Any]


def build_contact_blocks(text: str) -> list[Block]:
    """One mrkdwn section holding ``text`` (already escaped mrkdwn)."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}]


def build_contact_modal(contact: Contact, *, handing_off: bool) -> dict[str, Any]:
    """A modal showing the contact (the hand-off form replaces it in a later version)."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Talk to a person"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": build_contact_blocks(messages.shortcut_contact(contact, handing_off)),
    }
