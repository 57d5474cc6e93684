"""Split a compound question into its parts.

"When did X happen, and which law allows Y?" becomes two questions, so each part gets its own
retrieval and the answer covers all of them.
"""

from __future__ import annotations

import re

_WH = r"(which|what|when|who|whom|whose|where|why|how|is|are|does|do|did|can|could|should|will)"
_JOINT = re.compile(rf",?\s+(?:and|also|plus)\s+(?={_WH}\b)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[?.!])\s+")
_QUESTION_START = re.compile(rf"^\s*{_WH}\b", re.IGNORECASE)
_POINTS_BACK = re.compile(r"\b(this|that|these|those|it|they|them|its|their)\b", re.IGNORECASE)
MIN_PART_WORDS = 3
MAX_PARTS = 3


def split_question(text: str) -> list[str]:
    """The question's parts; a simple question is its own single part.

    Statements around the questions ("I'm hiring 20 people.") are context, not parts.
    """
    sentences = [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]
    questions = [s for s in sentences if s.endswith("?") or _QUESTION_START.match(s)]
    context = " ".join(s for s in sentences if s not in questions)
    parts: list[str] = []
    for question in questions or [text.strip()]:
        pieces = [p.strip(" ,;") for p in _JOINT.split(question)]
        parts.extend(p for p in pieces if len(p.split()) >= MIN_PART_WORDS)
    if len(parts) <= 1 or len(parts) > MAX_PARTS:
        return [text.strip()]
    # "what law is behind this alignment?" means nothing without the sentence it points back to.
    return [
        f"{context} {part}" if context and _POINTS_BACK.search(part) else part for part in parts
    ]
