"""The App Home tab: what the bot does, example questions, the contact; status for admins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import messages
from bot.admin.status import KnowledgeStatus
from bot.blocks.elements import Block, section
from bot.handoff.store import HandoffRequest
from bot.slack_text import escape
from knowledge import Contact

HANDOFF_LINES = 10


def build_home_view(
    contact: Contact,
    *,
    is_admin: bool,
    status: KnowledgeStatus | None,
    open_handoffs: Sequence[HandoffRequest] = (),
    report_text: str | None = None,
) -> dict[str, Any]:
    """The Home tab view for one user; ``report_text`` is the coverage report's top lines."""
    examples = "\n".join(f"\u2022 {question}" for question in messages.EXAMPLE_QUESTIONS)
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Sector Partnerships bot"}},
        section(
            "I answer questions about Iowa's Business Sector Partnerships from Iowa Workforce "
            "Development documents, with numbered sources. Mention me in a channel, send me a "
            "direct message, or use `/sectorbot ask`. If the documents don't hold the answer, "
            "I say so and tell you who can help."
        ),
        section(f"*Try asking*\n{examples}"),
        {"type": "divider"},
        section(f"*Talk to a person*\n{messages.contact_card(contact)}"),
    ]
    if is_admin:
        blocks += [
            {"type": "divider"},
            section(_status(status)),
            section(_handoffs(open_handoffs)),
        ]
        if report_text:
            blocks.append(section(report_text))
    return {"type": "home", "blocks": blocks}


def _status(status: KnowledgeStatus | None) -> str:
    head = "*Knowledge base* (admins only)"
    if status is None:
        return f"{head}\nThe status could not be read just now (the server log says why)."
    return head + "\n" + "\n".join(escape(line) for line in status.lines())


def _handoffs(requests: Sequence[HandoffRequest]) -> str:
    if not requests:
        return "*Open hand-offs* (admins only)\nNone."
    lines = [
        f"\u2022 *{request.reference}* ({request.status}) {escape(request.name)}"
        + (f", claimed by <@{request.claimed_by}>" if request.claimed_by else "")
        for request in requests[-HANDOFF_LINES:]
    ]
    more = len(requests) - HANDOFF_LINES
    if more > 0:
        lines.append(
            f"...and {more} older; `/sectorbot handoffs` or `sectorbot handoffs` list all."
        )
    return f"*Open hand-offs* (admins only): {len(requests)}\n" + "\n".join(lines)
