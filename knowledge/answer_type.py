"""What kind of thing a question asks for: an amount, a count, a date, a name or a rule.

A sentence that states such a thing, one the question does not already contain, is more likely
to answer it.
"""

from __future__ import annotations

import re
from typing import Literal

AnswerType = Literal["money", "number", "date", "name", "rule"]

_MONTHS = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"
)
_ASKS = (
    (
        "money",
        re.compile(
            r"\bhow much\b|\$|\b(cost|costs|funding|fund|budget|amount|limit|limits|pay|paid|"
            r"grant|award)\b.*\?",
            re.IGNORECASE,
        ),
    ),
    (
        "number",
        re.compile(r"\bhow many\b|\bnumber of\b|\bhow (big|large|long)\b|#s?\b", re.IGNORECASE),
    ),
    (
        "date",
        re.compile(
            r"\bwhen\b|\bwhat (year|date|month)\b|\bby when\b|\bsince when\b|\bhow long ago\b",
            re.IGNORECASE,
        ),
    ),
    (
        "name",
        re.compile(
            r"^\s*who\b|\bwho (is|was|are|were|carried|runs|led|leads|handles)\b"
            r"|\b(what|which) (\w+ )?(organization|agency|college|body|group|company|companies|"
            r"employers|law|act|program|fund|credit|council|board|department|office|partnership)s?\b",
            re.IGNORECASE,
        ),
    ),
    (
        "rule",
        re.compile(
            r"\b(rules?|requirements?|required|requires?|obligations?|mandatory|eligib\w+)\b",
            re.IGNORECASE,
        ),
    ),
)
_STATES = {
    "money": re.compile(
        r"\$\s?\d[\d,.]*( (million|billion|thousand))?|\b\d[\d,.]* (dollars|percent)\b|\d+(\.\d+)?%"
    ),
    # A count, not a year: "2022" in "In September 2022, ..." answers no "how many".
    "number": re.compile(
        r"\b(?!(?:19|20)\d\d\b)\d[\d,.]*\b"
        r"|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred)\b",
        re.IGNORECASE,
    ),
    "date": re.compile(rf"\b{_MONTHS}\.? (\d{{1,2}}, )?\d{{4}}\b|\b(19|20)\d{{2}}\b"),
    "name": re.compile(r"\b[A-Z][a-zA-Z]+(?: (?:of|for|and|the)?\s?[A-Z][a-zA-Z]+)+\b"),
    # What a rule says: who must, may not or at least has to do what.
    "rule": re.compile(
        r"\b(must|shall|required|requires|may not|cannot|at least|no more than|majority|"
        r"only if|eligible)\b",
        re.IGNORECASE,
    ),
}


def expected_type(question: str) -> AnswerType | None:
    """The first kind of answer the question's wording asks for, if any."""
    for kind, pattern in _ASKS:
        if pattern.search(question):
            return kind  # type: ignore[return-value]
    return None


def states_new(kind: AnswerType, sentence: str, question: str) -> bool:
    """True when the sentence holds a value of that kind that the question does not."""
    asked = question.lower()
    return any(match.group(0).lower() not in asked for match in _STATES[kind].finditer(sentence))
