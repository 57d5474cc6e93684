"""Which earlier turns of a conversation a question is read with.

The answering reads a short follow-up with them; the coverage report shows what a follow-up
leant on. Both follow these rules, so the report shows what the bot did.
"""

from __future__ import annotations

import datetime as dt

# A DM has no threads to tell conversations apart, so only a recent turn gives context.
DM_CONVERSATION = "dm"
DM_CONTEXT_WINDOW = dt.timedelta(minutes=30)
# `/sectorbot ask` answers each question on its own; its turns share this key.
COMMAND_CONVERSATION = "command"
# Earlier turns read for a follow-up (and shown to an LLM to make it standalone).
HISTORY_TURNS = 3


def gives_context(conversation: str, earlier: dt.datetime, asked: dt.datetime) -> bool:
    """Whether a turn of ``conversation`` asked at ``earlier`` is context for one at ``asked``."""
    if conversation == COMMAND_CONVERSATION:
        return False
    return conversation != DM_CONVERSATION or asked - earlier <= DM_CONTEXT_WINDOW
