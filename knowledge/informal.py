"""Informal chat English rewritten as the plain words documents use.

People type "how many r there rn" or "is it just for hs grads" in Slack; documents say "are",
"now" and "high school graduates". The embedding model and the keyword index only know the
written forms, so the search runs on the rewritten question (what the person sees stays theirs).
Only abbreviations with one common reading belong here: "hr" (hour or human resources) does not.
"""

from __future__ import annotations

import re

_WRITTEN = {
    "abt": "about",
    "approx": "approximately",
    "asap": "as soon as possible",
    "avg": "average",
    "b4": "before",
    "bc": "because",
    "b/c": "because",
    "biz": "business",
    "bout": "about",
    "cuz": "because",
    "coz": "because",
    "dept": "department",
    "diff": "different",
    "dunno": "do not know",
    "esp": "especially",
    "gimme": "give me",
    "gonna": "going to",
    "gotta": "have to",
    "gov": "government",
    "govt": "government",
    "gov't": "government",
    "grad": "graduate",
    "grads": "graduates",
    "hafta": "have to",
    "hs": "high school",
    "idk": "I do not know",
    "info": "information",
    "kinda": "kind of",
    "lemme": "let me",
    "mfg": "manufacturing",
    "mgmt": "management",
    "mos": "months",
    "msg": "message",
    "org": "organization",
    "orgs": "organizations",
    "pls": "please",
    "plz": "please",
    "ppl": "people",
    "prob": "probably",
    "r": "are",
    # "now" rather than "right now": "right" would otherwise count as a word the answer needs.
    "rn": "now",
    "sorta": "sort of",
    "thru": "through",
    "tho": "though",
    "thx": "thanks",
    "u": "you",
    "ur": "your",
    "w/": "with",
    "w/o": "without",
    "wanna": "want to",
    "ya": "you",
    "yall": "you all",
    "y'all": "you all",
    "yr": "year",
    "yrs": "years",
}
# Chat abbreviations are typed in lower case; "U of I" or "Plan R" are names, left alone. Longer
# ones may open a sentence ("Govt"). Longest first, so "w/o" is not read as "w/" and "o".
_SPELLINGS = sorted(
    [*_WRITTEN, *(word.capitalize() for word in _WRITTEN if len(word) >= 3)], key=len, reverse=True
)
_WORD = re.compile(r"(?<![\w'/.&])(" + "|".join(map(re.escape, _SPELLINGS)) + r")(?![\w'/&]|\.\w)")


def written_form(question: str) -> str:
    """The question with chat abbreviations ("rn", "ppl", "hs grads") spelled out."""
    return _WORD.sub(lambda match: _WRITTEN[match.group(1).lower()], question)
