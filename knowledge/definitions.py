"""Questions that ask what an acronym stands for, answered from the documents' own definitions."""

from __future__ import annotations

import re

from knowledge.names import Acronym, acronyms_in

_ASKS_MEANING = re.compile(
    r"\bstands? for\b|\bmeans?\b|\bmeaning\b|\bshort for\b|\babbreviation\b|\bacronym\b"
    r"|^\W*what('?s| is| are)\s+(an?\s+|the\s+)?[\w.-]+\W*$",
    re.IGNORECASE,
)


def asked_acronym(question: str, acronyms: dict[str, Acronym]) -> Acronym | None:
    """The one defined acronym whose meaning the question asks for, if that is what it asks."""
    if not _ASKS_MEANING.search(question):
        return None
    named = acronyms_in(question, acronyms)
    return named[0] if len(named) == 1 else None


def definition_sentence(acronym: Acronym, marker: str) -> str:
    """The answer's first sentence, in our words, from the document's definition."""
    return f"{acronym.short} stands for {acronym.long}.{marker}"
