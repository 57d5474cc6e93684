"""Names in text: proper names a question mentions, and acronyms the documents define.

Both make lexical matching sharper than single words: "Central Iowa" must not match
"South Central Iowa", and "IWD" must match "Iowa Workforce Development".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Acronym:
    """An acronym a document defines, with its long form."""

    short: str
    long: str
    terms: frozenset[str]
    chunk_id: str = ""


def find_acronyms(texts: Iterable[tuple[str, str]]) -> dict[str, Acronym]:
    """Acronyms defined as "Long Name (LN)" in (chunk id, text) pairs, keyed in lower case."""
    found: dict[str, Acronym] = {}
    for chunk_id, text in texts:
        for long_name, acronym in _DEFINITION.findall(text):
            if acronym.lower() in found:
                continue
            # Only trust definitions whose initials spell the acronym (drops "Program (2019)").
            long_form = _spelled_out(long_name, acronym)
            if long_form:
                terms = frozenset(content_terms(long_form))
                found[acronym.lower()] = Acronym(acronym, long_form, terms, chunk_id)
    return found


def acronyms_in(question: str, acronyms: dict[str, Acronym]) -> list[Acronym]:
    """Defined acronyms a question names: as written ("WOTC"), or in an all-lower-case question."""
    casual = question == question.lower()
    found = []
    for acronym in acronyms.values():
        flags = re.IGNORECASE if casual and len(acronym.short) >= MIN_CASUAL_ACRONYM else 0
        if re.search(rf"\b{re.escape(acronym.short)}\b", question, flags):
            found.append(acronym)
    return found


def with_acronyms(terms: frozenset[str], acronyms: dict[str, Acronym]) -> frozenset[str]:
    """Terms plus the acronyms whose long names they contain, and the long names of acronyms."""
    extra: set[str] = set()
    for key, acronym in acronyms.items():
        if key in terms:
            extra |= acronym.terms
        elif acronym.terms <= terms:
            extra.add(key)
    return terms | extra if extra else terms


def spell_out(text: str, acronyms: dict[str, Acronym]) -> str:
    """Spell out, at first use, acronyms the text uses without their long form."""
    for acronym in acronyms.values():
        if acronym.long.lower() in text.lower():
            continue
        pattern = re.compile(rf"\b{re.escape(acronym.short)}\b(?!\s*\()")
        text = pattern.sub(f"{acronym.short} ({acronym.long})", text, count=1)
    return text


def _spelled_out(long_name: str, acronym: str) -> str | None:
    """The shortest tail of ``long_name`` whose capitalised words spell ``acronym``."""
    words = long_name.split()
    for start in range(len(words)):
        tail = words[start:]
        initials = "".join(word[0] for word in tail if word[0].isupper())
        if initials.upper() == acronym.upper() or (
            len(initials) >= 2 and acronym.upper().startswith(initials.upper())
        ):
            return " ".join(tail) if tail[0][0].isupper() else None
    return None


# In a question typed all in lower case, "wotc" is WOTC; shorter ones ("ra") are too often words.
MIN_CASUAL_ACRONYM = 4

_CODE = re.compile(r"\b(?=[\w.]*\d)(?=[\w.]*[a-z])[a-z0-9][\w.]*[a-z0-9]\b", re.IGNORECASE)


def codes_in(text: str) -> set[str]:
    """Codes such as "260E", "84A.15" or "PY2020": letters and digits together."""
    return {code.lower() for code in _CODE.findall(text)}
