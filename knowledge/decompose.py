"""Split a compound question into its parts.

"When did X happen, and which law allows Y?" becomes two questions, so each part gets its own
retrieval and the answer covers all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WH = r"(which|what|when|who|whom|whose|where|why|how|is|are|does|do|did|can|could|should|will)"
_JOINT = re.compile(rf",?\s+(?:and|also|plus)\s+(?={_WH}\b)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[?.!])\s+")
_QUESTION_START = re.compile(rf"^\s*{_WH}\b", re.IGNORECASE)
_POINTS_BACK = re.compile(r"\b(this|that|these|those|it|they|them|its|their)\b", re.IGNORECASE)
MIN_PART_WORDS = 3
MAX_PARTS = 3


@dataclass(frozen=True)
class Part:
    """One question to answer: ``search`` (with the statements it needs) and ``focus`` (itself)."""

    search: str
    focus: str


def split_question(text: str) -> list[Part]:
    """The question's parts; a simple question is its own single part.

    Statements around the questions ("I'm hiring 20 people.") are context: they join the search
    of a part that points back to them, but the part alone says what the answer must be about.
    """
    text = text.strip()
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    questions = [s for s in sentences if s.endswith("?") or _QUESTION_START.match(s)]
    if not questions:
        return [Part(text, text)]
    context = " ".join(s for s in sentences if s not in questions)
    pieces: list[str] = []
    for question in questions:
        split = [p.strip(" ,;") for p in _JOINT.split(question)]
        pieces.extend(p for p in split if len(p.split()) >= MIN_PART_WORDS)
    if not pieces or len(pieces) > MAX_PARTS:
        return [Part(text, text)]
    if len(pieces) == 1:
        return [Part(text, pieces[0] if context else text)]
    # "what law is behind this alignment?" means nothing without the sentence it points back to.
    return [
        Part(f"{context} {piece}" if context and _POINTS_BACK.search(piece) else piece, piece)
        for piece in pieces
    ]
