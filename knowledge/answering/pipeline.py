"""The answering pipeline, in order: understand -> retrieve -> select -> decide -> compose.

``Answerer.answer`` is the one entry point the CLI, the evaluation and the Slack app call.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from knowledge.answering import compose, replies
from knowledge.answering.decide import decide
from knowledge.answering.models import LinearModel, load_model
from knowledge.answering.retrieve import retrieve
from knowledge.answering.select import Evidence, Passage, select
from knowledge.answering.staleness import with_staleness_note
from knowledge.answering.understand import IntentClassifier, as_intent, understand, words_only
from knowledge.contacts import Contact, route_contact
from knowledge.embeddings import Embedder, Vectors
from knowledge.store.reader import KnowledgeBase, OpenVersion
from knowledge.types import Answer, Exchange, Intent


class QuestionAnswerer(Protocol):
    """What the CLI, the evaluation and the Slack app ask questions of."""

    def answer(
        self,
        question: str,
        *,
        context: str | None = None,
        history: Sequence[Exchange] = (),
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer one question (see ``Answerer.answer``)."""
        ...

    def intent_of(self, message: str) -> Intent:
        """What a message wants, without answering it."""
        ...


@dataclass(frozen=True)
class Grounds:
    """What a confident answer to a question rests on, for another writer (the LLM)."""

    version: OpenVersion
    parts: tuple[Evidence, ...]
    quoted: tuple[Passage, ...]
    contact: Contact


class RecentVectors:
    """The embedder, remembering the last few hundred texts it embedded.

    The Slack app asks what a message wants (is it small talk?) before answering it: the
    message is embedded once for both.
    """

    def __init__(self, embedder: Embedder, size: int = 512) -> None:
        self.embedder = embedder
        self.model_id = embedder.model_id
        self.dimensions = embedder.dimensions
        self.size = size
        self._recent: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every remembered vector (benchmarks time the model, not the memory)."""
        with self._lock:
            self._recent.clear()

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Vectors for ``texts``, embedding only those not seen lately."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._recent]
        fresh = dict(zip(missing, self.embedder.embed(missing), strict=True)) if missing else {}
        with self._lock:
            self._recent.update(fresh)
            found = [fresh.get(t, self._recent.get(t)) for t in texts]
            while len(self._recent) > self.size:
                self._recent.popitem(last=False)
        return np.stack([v for v in found if v is not None]).astype(np.float32)


class Answerer:
    """Answers from the knowledge base; extractive, so no model or network is needed."""

    def __init__(
        self,
        kb: KnowledgeBase,
        contacts: Sequence[Contact],
        *,
        stale_after_days: int | None = None,
        classifier: IntentClassifier | None = None,
        ranker: LinearModel | None = None,
        decider: LinearModel | None = None,
    ) -> None:
        self.kb = kb
        self.contacts = tuple(contacts)
        # Answers resting on a document dated longer ago than this say so (None: never).
        self.stale_after_days = stale_after_days
        self.classifier = classifier or IntentClassifier()
        self.ranker = ranker or load_model("ranker")
        self.decider = decider or load_model("decide")
        self.second_passage = compose.SecondPassage(
            float(self.ranker.extra.get("same_document_gap", 0.0)),
            float(self.ranker.extra.get("second_passage_gap", 0.0)),
        )
        self.contact_pages = compose.ContactPages()
        self.vectors = RecentVectors(kb.embedder)

    def answer(
        self,
        question: str,
        *,
        context: str | None = None,
        history: Sequence[Exchange] = (),
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer one question; never raises for an ordinary question.

        ``context`` is the earlier question of a conversation, for a follow-up that cannot stand
        alone: it joins the search. ``history`` and ``on_text`` serve the LLM writer, and the
        last exchange tells a follow-up the documents answer from one they only echo.
        """
        answer, grounds = self.respond(question, context=context)
        if context and history and grounds and _repeats(grounds.quoted, history[-1].answer):
            # Searched with the question before it, a follow-up the documents say nothing new
            # about finds the passages just quoted ("and when did that start?" after "what is a
            # sector partnership?"): saying them again would pass them off as its answer. Neither
            # development set has follow-ups to measure it on; tests/test_cli.py holds the case.
            contact = route_contact(self.contacts, question)
            return _declined(question, replies.nothing_new(contact), "question", "not_found")
        return answer

    def intent_of(self, message: str) -> Intent:
        """What a message wants (for the Slack app's follow-up rules)."""
        said = words_only(message)
        return as_intent(self.classifier.label(self.vectors.embed([said])[0], said))

    def respond(
        self, question: str, *, context: str | None = None, search: str | None = None
    ) -> tuple[Answer, Grounds | None]:
        """The extractive answer, and its grounds when it answers a question confidently.

        ``search``, when given, is what retrieval looks for: a follow-up rewritten to stand alone.
        """
        started = time.perf_counter()
        version = self.kb.current()
        understood = understand(
            question,
            context=context,
            search=search,
            embedder=self.vectors,
            classifier=self.classifier,
            acronyms=version.acronyms if version else {},
            contact_names=[contact.name for contact in self.contacts],
        )
        question = understood.question
        contact = route_contact(self.contacts, question)
        fixed = self._fixed_reply(understood.intent, understood.guard, question, contact)
        if fixed is not None:
            return _timed(fixed, started, started), None
        if version is None:
            empty = _declined(
                question, replies.empty_knowledge_base(contact), understood.intent, "empty"
            )
            return _timed(empty, started, started), None
        parts = []
        for part in understood.parts:
            vector = understood.vectors[part.search]
            found = retrieve(version, part.search, vector)
            parts.append(select(version, part, understood.vectors[part.focus], found, self.ranker))
        retrieved_at = time.perf_counter()
        decision = decide(understood, parts, self.decider)
        grounds = None
        if decision.action == "route":
            answer = compose.involvement_answer(question, version, contact, self.contact_pages)
        elif decision.action == "decline":
            answer = _declined(question, replies.not_found(contact), "question", "not_found")
        else:
            quoted = compose.answer_passages(
                decision.parts, self.second_passage, version.superseded
            )
            answer = compose.question_answer(question, version, decision.parts, quoted)
            grounds = Grounds(version, decision.parts, tuple(quoted), contact)
        answer = with_staleness_note(answer, self.stale_after_days, dt.date.today())
        return _timed(answer, started, retrieved_at), grounds

    def _fixed_reply(
        self, intent: Intent, guard: str | None, question: str, contact: Contact
    ) -> Answer | None:
        if guard == "private_details":
            return _declined(question, replies.private_details(contact), "question", "policy")
        if guard == "own_case":
            return _declined(question, replies.personal_case(contact), "question", "policy")
        if intent == "smalltalk":
            return Answer(question, replies.smalltalk(contact, question), (), True, "smalltalk")
        return None


def _repeats(quoted: Sequence[Passage], earlier_answer: str) -> bool:
    """True when every passage quoted was already quoted in ``earlier_answer``."""
    return bool(quoted) and all(
        compose.readable(passage.sentences) in earlier_answer for passage in quoted
    )


def _declined(question: str, text: str, intent: Intent, why: str) -> Answer:
    return Answer(question, text, (), False, intent, declined_because=why)  # type: ignore[arg-type]


def _timed(answer: Answer, started: float, retrieved_at: float) -> Answer:
    finished = time.perf_counter()
    answer.timings_ms.update(
        retrieve=(retrieved_at - started) * 1000,
        answer=(finished - retrieved_at) * 1000,
        total=(finished - started) * 1000,
    )
    return answer
