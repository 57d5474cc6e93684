"""Thread follow-ups: when to answer without a mention, and how to make a short one standalone.

The rules are deliberately simple and predictable: a short or pronoun-laden follow-up ("who runs
it?") is answered together with the previous question; a message that mentions somebody other
than the bot is people talking to each other, and the bot stays out of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.slack_text import mentioned_users
from knowledge.contacts import Contact
from knowledge.intents import classify

SHORT_WORDS = 6
_WORD = re.compile(r"[a-z0-9']+")
_PRONOUNS = frozenset(
    {"it", "its", "they", "them", "their", "theirs", "that", "this", "those", "these"}
    | {"he", "she", "him", "her", "his", "hers", "there", "one", "ones"}
)


def standalone_question(previous: str | None, text: str) -> str:
    """``text`` with the previous question in front when it cannot stand on its own."""
    if not previous:
        return text
    words = _WORD.findall(text.lower())
    if len(words) < SHORT_WORDS or any(word in _PRONOUNS for word in words):
        return f"{previous} {text}"
    return text


def is_smalltalk(text: str, contacts: Sequence[Contact] = ()) -> bool:
    """Greetings and thanks: never glued to the previous question."""
    return classify(text, contacts).intent == "smalltalk"


def talks_to_someone_else(raw_text: str, bot_user_id: str | None) -> bool:
    """The message mentions another person and not the bot."""
    mentions = mentioned_users(raw_text)
    return bool(mentions) and (bot_user_id is None or bot_user_id not in mentions)
