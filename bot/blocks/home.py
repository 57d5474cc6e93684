"""The App Home tab: what the bot does, example questions, the contact; status for admins."""

from __future__ import annotations

from typing import Any

from bot import messages
from knowledge.contacts import Contact
from knowledge.registry import VersionRecord

Block = dict[str, Any]


def build_home_view(
    contact: Contact, *, is_admin: bool, version: VersionRecord | None
) -> dict[str, Any]:
    """The Home tab view for one user."""
    examples = "\n".join(f"\u2022 {question}" for question in messages.EXAMPLE_QUESTIONS)
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Sector Partnerships bot"}},
        _section(
            "I answer questions about Iowa's Business Sector Partnerships from Iowa Workforce "
            "Development documents, with numbered sources. Mention me in a channel, send me a "
            "direct message, or use `/sectorbot ask`. If the documents don't hold the answer, "
            "I say so and tell you who can help."
        ),
        _section(f"*Try asking*\n{examples}"),
        {"type": "divider"},
        _section(f"*Talk to a person*\n{messages.contact_card(contact)}"),
    ]
    if is_admin:
        blocks += [{"type": "divider"}, _section(_status(version))]
    return {"type": "home", "blocks": blocks}


def _status(version: VersionRecord | None) -> str:
    if version is None:
        return "*Knowledge base* (admins only)\nNothing is indexed yet: run `sectorbot ingest`."
    built = version.created_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        "*Knowledge base* (admins only)\n"
        f"Version `{version.version_id}`, built {built}: {version.document_count} documents, "
        f"{version.chunk_count} chunks, embeddings `{version.embedding_model}`."
    )


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}
