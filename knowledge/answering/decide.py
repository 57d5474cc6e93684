"""Decide: answer, decline, or route to the contact.

Routing follows the intent. Whether the documents hold an answer is a calibrated logistic model
over a few general signals of the evidence, fitted with k-fold cross-validation on the
development sets (``data/decide.json``, written by ``bench/fit_answering.py``); its threshold
is fitted the same way. Besides the sets' out-of-scope questions it learns declining from their
answerable questions searched with the answering documents hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from knowledge.answering.models import LinearModel
from knowledge.answering.select import Evidence
from knowledge.answering.understand import Understood

Action = Literal["answer", "decline", "route"]

# Few and not collinear, so each weight means something and none cancels another out on a
# knowledge base unlike the development sets (best_words beside best_words_in_context did).
SIGNALS = (
    "best_score",
    "best_meaning",
    "top_dense",
    "agreement",
    "best_chunk_missing",
    "names_missing",
    "off_topic",
)


@dataclass(frozen=True)
class Decision:
    """What to do, and the parts an answer may use (those the documents answer)."""

    action: Action
    parts: tuple[Evidence, ...] = ()


def signals(evidence: Evidence, off_topic: float) -> list[float]:
    """The decide model's inputs for one part of a question.

    ``off_topic`` is the intent model's probability that the message is off topic.
    """
    best = evidence.best_features
    top_dense = max((r.dense for r in evidence.retrieved), default=0.0)
    dense_first = max(evidence.retrieved, key=lambda r: r.dense, default=None)
    keyword_first = max(evidence.retrieved, key=lambda r: r.keyword, default=None)
    # Both rankings agreeing on the best chunk is a sign the question's words and meaning meet.
    agreement = float(
        dense_first is not None
        and keyword_first is not None
        and keyword_first.keyword > 0
        and dense_first.chunk.chunk_id == keyword_first.chunk.chunk_id
    )
    return [
        evidence.passages[0].score if evidence.passages else -10.0,
        best.get("max_meaning", 0.0),
        top_dense,
        agreement,
        evidence.best_chunk_missing,
        evidence.names_missing,
        off_topic,
    ]


def answerable(evidence: Evidence, off_topic: float, model: LinearModel) -> float:
    """Probability that the evidence holds the part's answer."""
    if not evidence.passages:
        return 0.0
    return float(model.probability(np.asarray([signals(evidence, off_topic)]))[0])


def decide(understood: Understood, parts: list[Evidence], model: LinearModel) -> Decision:
    """Route, answer from the parts the documents answer, or decline."""
    if understood.intent == "involvement":
        return Decision("route")
    threshold = float(model.extra.get("threshold", 0.5))
    kept = tuple(
        part
        for part in parts
        if answerable(part, understood.off_topic.get(part.part.focus, 0.0), model) >= threshold
    )
    return Decision("answer" if kept else "decline", kept)
