"""Acronyms the documents define ("Iowa Workforce Development (IWD)"), found as a version is built.

A question that says "IWD" is searched with the long form too: the documents often use only one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# "Long Name (LN)". Widening the keyword search with the long forms: facts sample / real 77.6% /
# 68.8% with, 77.6% / 68.1% without (right document first unchanged).
_DEFINITION = re.compile(
    r"([A-Z][\w'-]+(?:\s+(?:of|and|for|the|on|in|&)?\s*[A-Z][\w'-]+){1,8})\s+\(([A-Z][A-Za-z0-9&]{1,9})\)"
)
# In a question typed in lower case, "wotc" is WOTC; shorter ones ("ra") are too often words.
MIN_CASUAL_LENGTH = 4


def find_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms defined as "Long Name (LN)" in ``texts``: short form -> long form, first wins."""
    found: dict[str, str] = {}
    for text in texts:
        for long_name, short in _DEFINITION.findall(text):
            if short not in found:
                long_form = _spelled_out(long_name, short)
                if long_form:
                    found[short] = long_form
    return found


def expand(text: str, acronyms: dict[str, str]) -> str:
    """``text`` with each defined acronym it uses followed by its long form."""
    casual = text == text.lower()
    for short, long_form in acronyms.items():
        flags = re.IGNORECASE if casual and len(short) >= MIN_CASUAL_LENGTH else 0
        pattern = re.compile(rf"\b{re.escape(short)}\b(?!\s*\()", flags)
        found = pattern.search(text)
        if found is not None and long_form.lower() not in text.lower():
            text = f"{text[: found.end()]} ({long_form}){text[found.end() :]}"
    return text


def _spelled_out(long_name: str, short: str) -> str | None:
    """The shortest tail of ``long_name`` whose capitalised words spell ``short``."""
    words = long_name.split()
    for start in range(len(words)):
        tail = words[start:]
        initials = "".join(word[0] for word in tail if word[0].isupper())
        if initials.upper() == short.upper():
            return " ".join(tail)
    return None
