"""What a document says of itself: archived or historical, or a sample, template or glossary."""

from __future__ import annotations

import re

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
