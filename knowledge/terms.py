"""Word-level text handling shared by the keyword index and answer extraction."""

from __future__ import annotations

import functools
import re

# Numbers keep their inner punctuation ("$1.45", "84A.15", "515-725-3882", "9,950") so a
# question quoting one matches the document exactly.
_TOKEN = re.compile(r"\$?\d[\w,.\-/]*[\w%]|\$?\d|[a-z][a-z0-9]*(?:['’][a-z]+)?", re.IGNORECASE)

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves s t don hafta gonna wanna like really actually again also rn r
    u ur pls please ok okay hey hi hello thanks thank whats what's who's thats that's it's
    i'm im ive i've we're were let's tell know want wants need needs get got go going one
    ones thing things way lot lots much many anything something someone somebody kind kinds
    type types sort sorts exactly basically stuff""".split()
)

_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ings", "ing", "ed")


def tokens(text: str) -> list[str]:
    """Lower-case word and number tokens, apostrophes normalised."""
    return [t.lower().replace("’", "'").rstrip(".,-/") for t in _TOKEN.findall(text)]


# Opening a large knowledge base stems millions of words drawn from a far smaller vocabulary.
@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match "partnerships" with "partnership"."""
    if word[0].isdigit() or word.startswith("$") or len(word) <= 3:
        return word
    word = word.removesuffix("'s")
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("es") and word[:-2].endswith(("ss", "x", "z", "ch", "sh")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> list[str]:
    """Stemmed tokens without stopwords: the terms that carry a question's meaning."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS and len(t) > 1 or t[:1].isdigit()]
