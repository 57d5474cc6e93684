"""How long a question may be, for every surface: Slack, `/sectorbot ask`, `chat` and `ask`.

Kept apart from the Slack answering code so that the command line reads it without importing
Slack.
"""

from __future__ import annotations

# Questions run from 20 to 200 characters; 2,000 leaves room for a pasted paragraph. Longer
# messages (Slack allows 40,000) are refused with a request to shorten, before any retrieval:
# the embedding reads only the first ~1,000 characters anyway, and a partial answer to the
# first part of a long paste could answer a different question than the one asked.
QUESTION_LIMIT = 2000


def too_long(question: str) -> bool:
    """Whether ``question`` is over ``QUESTION_LIMIT`` and must be refused, not answered."""
    return len(question) > QUESTION_LIMIT
