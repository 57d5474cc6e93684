"""Which earlier turns of a conversation a question is read with.

The answering reads a short follow-up with them; the coverage report shows what a follow-up
leant on. Both follow these rules, so the report shows what the bot did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

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


class AskedBefore(Protocol):
    """What the rules read of an earlier turn."""

    @property
    def question(self) -> str:
        """The question as the bot read it."""
        ...

    @property
    def confident(self) -> bool:
        """Whether the bot answered it from the documents."""
        ...


def question_leant_on(earlier: Sequence[AskedBefore]) -> str:
    """The earlier question a follow-up is read with: the last one the bot answered, else the last.

    After "and when did that start?" was declined, "who runs them now?" leans on the question
    before it. ``earlier`` is oldest first and not empty.
    """
    return next(
        (turn.question for turn in reversed(earlier) if turn.confident), earlier[-1].question
    )
