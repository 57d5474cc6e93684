"""Names in text: proper names a question mentions, and acronyms the documents define.

Both make lexical matching sharper than single words: "Central Iowa" must not match
"South Central Iowa", and "IWD" must match "Iowa Workforce Development".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.terms import STOPWORDS, content_terms

_CAPITALISED_RUN = re.compile(
    r"\b[A-Z][\w'&.-]*(?:\s+(?:of|for|and|the|on|in|&)?\s*[A-Z][\w'&.-]*)*"
)
_DEFINITION = re.compile(
    r"([A-Z][\w'-]+(?:\s+(?:of|and|for|the|on|in|&)?\s*[A-Z][\w'-]+){1,8})\s+\(([A-Z][A-Za-z0-9&]{1,9})\)"
)
_QUESTION_WORDS = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "is",
        "are",
        "does",
        "do",
        "did",
        "can",
        "could",
        "should",
        "will",
        "would",
    ]
)


def question_names(question: str) -> list[str]:
    """Multi-word proper names in a question ("Central Iowa", "Polk County")."""
    names = []
    for match in _CAPITALISED_RUN.finditer(question):
        words = match.group(0).split()
        while words and words[0].lower() in _QUESTION_WORDS | STOPWORDS:
            words = words[1:]
        if len(words) >= 2:
            names.append(" ".join(words).rstrip(".'"))
    return names


def names_whole(name: str, text: str) -> bool:
    """True when ``name`` stands in ``text`` on its own, not inside a longer name."""
    for match in re.finditer(re.escape(name), text):
        before = text[: match.start()].rstrip()
        previous_word = before.rsplit(None, 1)[-1] if before else ""
        if not previous_word[:1].isupper() or previous_word.endswith((":", ".", "|")):
            return True
    return False


def find_acronyms(texts: Iterable[str]) -> dict[str, frozenset[str]]:
    """Acronyms defined as "Long Name (LN)", mapped to the long name's terms."""
    found: dict[str, frozenset[str]] = {}
    for text in texts:
        for long_name, acronym in _DEFINITION.findall(text):
            terms = frozenset(content_terms(long_name))
            initials = "".join(word[0] for word in long_name.split() if word[0].isupper())
            # Only trust definitions whose initials spell the acronym (drops "Program (2019)").
            if terms and acronym.upper().startswith(initials[:2]) and acronym.lower() not in found:
                found[acronym.lower()] = terms
    return found


def with_acronyms(terms: frozenset[str], acronyms: dict[str, frozenset[str]]) -> frozenset[str]:
    """Terms plus the acronyms whose long names they contain, and the long names of acronyms."""
    extra: set[str] = set()
    for acronym, long_terms in acronyms.items():
        if acronym in terms:
            extra |= long_terms
        elif long_terms <= terms:
            extra.add(acronym)
    return terms | extra if extra else terms


_CODE = re.compile(r"\b(?=[\w.]*\d)(?=[\w.]*[a-z])[a-z0-9][\w.]*[a-z0-9]\b", re.IGNORECASE)


def codes_in(text: str) -> set[str]:
    """Codes such as "260E", "84A.15" or "PY2020": letters and digits together."""
    return {code.lower() for code in _CODE.findall(text)}
