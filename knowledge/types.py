"""The answer shapes: what ``sectorbot ask --json`` prints and what the Slack app renders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from knowledge.contacts import Contact

Intent = Literal["question", "involvement", "smalltalk"]


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of a document, with everything needed to cite it."""

    chunk_id: str
    doc_id: str
    text: str
    title: str
    headings: tuple[str, ...]
    path: str | None
    url: str | None
    date: dt.date | None
    position: int

    @property
    def section(self) -> str:
        """The heading path, for display and for embedding context."""
        return " > ".join(self.headings)


@dataclass(frozen=True)
class Source:
    """A cited document: ``n`` is the number the answer's ``[n]`` markers use."""

    n: int
    title: str
    url: str | None
    path: str | None
    score: float
    snippet: str
    date: dt.date | None = None
    archived: bool = False

    def as_json(self) -> dict[str, Any]:
        """The source as one element of ``sources`` in ``ask --json``."""
        return {
            "n": self.n,
            "title": self.title,
            "url": self.url,
            "path": self.path,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "date": self.date.isoformat() if self.date else None,
            "archived": self.archived,
        }


LlmStatus = Literal["generated", "not_asked", "uncited", "unsupported", "timeout", "error"]


@dataclass(frozen=True)
class LlmUse:
    """How a configured LLM took part in an answer (absent when no LLM is configured).

    ``status``: ``generated`` (the text is the model's, citations checked), ``not_asked``
    (small talk, involvement, declines and definitions keep their fixed wording), or why the
    extractive answer stands instead: ``uncited`` (the model cited no passage, or said it does
    not know), ``unsupported`` (it named a phone, e-mail or link no cited passage gives),
    ``timeout``, ``error``. ``standalone_question`` is a follow-up as rewritten
    for retrieval.
    """

    model: str
    status: LlmStatus
    standalone_question: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The ``llm`` field of ``ask --json``."""
        return {
            "model": self.model,
            "status": self.status,
            "standalone_question": self.standalone_question,
        }


DeclineReason = Literal["not_found", "policy", "empty"]


@dataclass(frozen=True)
class Answer:
    """A reply to one question, with the sources it rests on."""

    question: str
    text: str
    sources: tuple[Source, ...]
    confident: bool
    intent: Intent
    handoff: Contact | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    llm: LlmUse | None = None
    # Why a question was not answered: "not_found" (the documents do not hold it), "policy"
    # (it asks for someone's own records or private details), "empty" (nothing is indexed).
    # Not part of the JSON contract; the coverage report lists only what documents could fix.
    declined_because: DeclineReason | None = None

    def as_json(self) -> dict[str, Any]:
        """The answer as DESIGN.md's ``ask --json`` contract states it (``llm`` when configured)."""
        fields = {
            "question": self.question,
            "answer": self.text,
            "sources": [source.as_json() for source in self.sources],
            "confident": self.confident,
            "intent": self.intent,
            "handoff": self.handoff.as_json() if self.handoff else None,
            "timings_ms": {key: round(value, 2) for key, value in self.timings_ms.items()},
        }
        if self.llm is not None:
            fields["llm"] = self.llm.as_json()
        return fields


@dataclass(frozen=True)
class Exchange:
    """An earlier question and the bot's answer in the same conversation, for follow-ups."""

    question: str
    answer: str
