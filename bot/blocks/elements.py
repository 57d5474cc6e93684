"""Block Kit pieces every message and view uses."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]


def section(text: str, block_id: str | None = None) -> Block:
    """A mrkdwn section, taken verbatim so Slack adds no links or mentions of its own."""
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}
    if block_id:
        block["block_id"] = block_id
    return block


def button(action_id: str, label: str, value: str, style: str | None = None) -> Block:
    """A button carrying ``value`` back to the action handler."""
    element: Block = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label},
        "value": value,
    }
    if style:
        element["style"] = style
    return element
