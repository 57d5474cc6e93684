"""Wording cues about a sentence's role: describing its own document, or telling what is current."""

from __future__ import annotations

import re

# Sentences about the document itself ("This page answers...", "Summary compiled for...") describe
# the source, not the subject; they rarely answer a question.
_SELF_DESCRIPTION = re.compile(
    r"^(this|the) (page|document|summary|faq|briefing|brief|explainer|fact sheet|directory|guide|"
    r"item|copy|glossary|overview|report summary|list)\b|^(summary|prepared|compiled|archived|"
    r"explainer|historical item|sample|see (the|our))\b|\bnot legal advice\b",
    re.IGNORECASE,
)
# Wording that says how things stand now, wanted when a question asks "still / now / today".
_CURRENT_STATE = re.compile(
    r"\b(now|today|current(ly)?|(most )?recent|latest|since|moved|transferred|took over|"
    r"taken over|no longer|has since|"
    r"replaced|formerly|previously|renamed|as of|effective|new)\b",
    re.IGNORECASE,
)
_ASKS_CURRENT = re.compile(
    r"\b(still|now|today|current(ly)?|anymore|any more|these days|latest|rn|nowadays|right now|"
    r"at present|presently)\b",
    re.IGNORECASE,
)


def describes_document(sentence: str) -> bool:
    """True for sentences about the document rather than its subject."""
    return bool(_SELF_DESCRIPTION.search(sentence.removeprefix("- ")))


def states_current(sentence: str) -> bool:
    """True for sentences that say what changed or what holds now."""
    return bool(_CURRENT_STATE.search(sentence))


def asks_current(question: str) -> bool:
    """True for questions about how things stand now."""
    return bool(_ASKS_CURRENT.search(question))


# A document that says of itself that it is archived or historical has been superseded; a sample,
# template or glossary restates other documents. Both lose to primary, current documents.
_SECONDARY_TITLE = re.compile(r"^\W*(sample|template|example|draft)\b|\bglossary\b", re.IGNORECASE)
_SUPERSEDED = re.compile(
    r"\barchived? (copy|page|version|content|news|item|document)|\barchived\b.{0,20}$|"
    r"\bhistorical (item|document|record|page)|\b(is|are|may be|now) (now )?out of date\b|"
    r"\bno longer (applies|apply|current|accurate)\b|\bpre-?dates the\b",
    re.IGNORECASE,
)


def is_superseded(title: str, opening: str) -> bool:
    """True for documents that say of themselves that they are archived or historical."""
    return bool(_SUPERSEDED.search(title) or _SUPERSEDED.search(opening[:600]))


def is_secondary(title: str, opening: str) -> bool:
    """True for superseded documents, samples, templates and glossaries."""
    return bool(_SECONDARY_TITLE.search(title)) or is_superseded(title, opening)
