"""Thread follow-ups: when to answer without a mention, and how to make a short one standalone.

The rules are deliberately simple and predictable: a short or pronoun-laden follow-up ("who runs
it?") is answered together with the previous question; a message that mentions somebody other
than the bot is people talking to each other, and the bot stays out of it.
"""

from __future__ import annotations

import re

from bot.slack_text import mentioned_users
from knowledge import QuestionAnswerer

SHORT_WORDS = 6
_WORD = re.compile(r"[a-z0-9']+")
_PRONOUNS = frozenset(
    {"it", "its", "they", "them", "their", "theirs", "that", "this", "those", "these"}
    | {"he", "she", "him", "her", "his", "hers", "there", "one", "ones"}
)


def needs_context(text: str) -> bool:
    """True when a follow-up is too short or leans on pronouns to be searched on its own."""
    words = _WORD.findall(text.lower())
    return len(words) < SHORT_WORDS or any(word in _PRONOUNS for word in words)


def is_smalltalk(text: str, answerer: QuestionAnswerer) -> bool:
    """Greetings and thanks: never glued to the previous question."""
    return answerer.intent_of(text) == "smalltalk"


def talks_to_someone_else(raw_text: str, bot_user_id: str | None) -> bool:
    """The message mentions another person and not the bot."""
    mentions = mentioned_users(raw_text)
    return bool(mentions) and (bot_user_id is None or bot_user_id not in mentions)
