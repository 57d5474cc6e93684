"""An answer as the Slack message the bot would post, and a link that shows it in Block Kit Builder.

``sectorbot ask --blocks`` prints both, so an answer's look in Slack can be checked without a
workspace. Slack's Block Kit Builder (https://app.slack.com/block-kit-builder) reads a message
from the URL fragment: the JSON ``{"blocks": [...]}``, percent-encoded.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from bot.blocks.answer import build_answer_blocks
from knowledge import Answer

BUILDER_URL = "https://app.slack.com/block-kit-builder/#"
# The buttons carry the stored turn's id in Slack; a preview stores nothing.
PREVIEW_TURN_ID = "preview"


def preview_message(answer: Answer) -> dict[str, Any]:
    """The ``text`` and ``blocks`` the bot posts for ``answer`` (``chat.postMessage`` arguments)."""
    text, blocks = build_answer_blocks(answer, PREVIEW_TURN_ID)
    return {"text": text, "blocks": blocks}


def builder_url(message: dict[str, Any]) -> str:
    """A Block Kit Builder link that opens ``message``'s blocks (its fallback text is not shown)."""
    payload = json.dumps({"blocks": message["blocks"]}, ensure_ascii=False, separators=(",", ":"))
    return BUILDER_URL + quote(payload, safe="")
