"""An answer as plain text for a terminal (``sectorbot ask`` and ``sectorbot chat``).

Apart from the chat loop so that ``ask`` loads nothing of the Slack app to print one answer.
"""

from __future__ import annotations

from knowledge import Answer


def format_answer(answer: Answer) -> str:
    """An answer for the terminal: its text, then its numbered sources with date and address."""
    lines = [answer.text]
    if answer.sources:
        lines.append("")
        lines.append("Sources:")
        for source in answer.sources:
            where = source.url or source.path or ""
            date = f" ({source.date.isoformat()})" if source.date else ""
            archived = " [archived page]" if source.archived else ""
            lines.append(f"  [{source.n}] {source.title}{date}{archived} - {where}")
    return "\n".join(lines)
