"""Turn a question into an answer: intent, retrieval, the confidence decision, cited text."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from knowledge import replies
from knowledge.base import KnowledgeBase, OpenVersion
from knowledge.contacts import Contact, route_contact
from knowledge.evidence import Evidence, Sentence, gather
from knowledge.intents import classify
from knowledge.retrieve import RetrievedChunk, retrieve
from knowledge.types import Answer, Chunk, Source

# The confidence decision, tuned on the dev set: the best sentence must be close in meaning
# and the answer must cover enough of the question's weighty terms.
MIN_SENTENCE_SCORE = 0.42
MIN_COVERAGE = 0.35
STRONG_SEMANTIC = 0.62
MAX_SOURCES = 5
RELATED_SOURCE_RATIO = 0.75
SNIPPET_CHARS = 240

_RECENT = re.compile(r"\b(still|now|today|current(ly)?|anymore|any more|these days|latest|rn|nowadays)\b", re.IGNORECASE)
_ASKS_EMAIL = re.compile(r"\be-?mail\b", re.IGNORECASE)


class Answerer:
    """Answers questions from the knowledge base; extractive, so no model or network is needed."""

    def __init__(self, kb: KnowledgeBase, contacts: Sequence[Contact]) -> None:
        self.kb = kb
        self.contacts = tuple(contacts)

    def answer(self, question: str) -> Answer:
        """Answer one question (never raises for an ordinary question; see ``replies``)."""
        started = time.perf_counter()
        question = question.strip()
        intent = classify(question, self.contacts)
        contact = route_contact(self.contacts, question)
        if intent.intent == "smalltalk":
            return _timed(Answer(question, replies.smalltalk(contact), (), True, "smalltalk"), started, started)
        if intent.asks_private_details:
            return _timed(Answer(question, replies.private_details(contact), (), False, "question"), started, started)
        version = self.kb.current()
        if version is None:
            return _timed(Answer(question, replies.empty_knowledge_base(contact), (), False, intent.intent), started, started)
        vector = self.kb.embedder.embed([question])[0]
        retrieved = retrieve(version, question, vector)
        evidence = gather(version, question, vector, retrieved, prefer_recent=bool(_RECENT.search(question)))
        retrieved_at = time.perf_counter()
        if intent.intent == "involvement":
            answer = self._involvement(version, question, evidence, contact)
        elif _is_confident(evidence):
            text, sources = _cite(evidence.selected, evidence.retrieved)
            answer = Answer(question, text, sources, True, "question")
        else:
            answer = Answer(question, replies.not_found(contact), (), False, "question")
        return _timed(answer, started, retrieved_at)

    def _involvement(self, version: OpenVersion, question: str, evidence: Evidence, contact: Contact) -> Answer:
        contact_chunk = _chunk_naming(contact, evidence.retrieved) or _find_contact_chunk(version, contact)
        supporting = [s for s in evidence.selected[:2] if contact.phone not in s.text and _is_confident(evidence)]
        cited_chunks = ([contact_chunk] if contact_chunk else []) + [s.chunk for s in supporting]
        numbers = _number_documents(cited_chunks)
        marker = f" [{numbers[contact_chunk.doc_id]}]" if contact_chunk else ""
        parts = [replies.contact_line(contact, marker)]
        if _ASKS_EMAIL.search(question) and not contact.email:
            parts.append(replies.no_email(contact))
        parts.extend(f"{_clean(s.text)} [{numbers[s.chunk.doc_id]}]" for s in supporting)
        parts.append(replies.next_steps())
        sources = _sources(cited_chunks, numbers, evidence)
        return Answer(question, " ".join(parts), sources, True, "involvement", handoff=contact)


def _is_confident(evidence: Evidence) -> bool:
    if not evidence.selected:
        return False
    best = evidence.selected[0]
    if best.semantic >= STRONG_SEMANTIC and evidence.coverage >= MIN_COVERAGE / 2:
        return True
    return best.score >= MIN_SENTENCE_SCORE and evidence.coverage >= MIN_COVERAGE


def _cite(selected: list[Sentence], retrieved: list[RetrievedChunk]) -> tuple[str, tuple[Source, ...]]:
    numbers = _number_documents([s.chunk for s in selected])
    text = " ".join(f"{_clean(s.text)} [{numbers[s.chunk.doc_id]}]" for s in selected)
    evidence_sentences = {s.chunk.doc_id: s for s in reversed(selected)}
    sources = [
        _source(numbers[doc_id], sentence.chunk, sentence.score, sentence.text)
        for doc_id, sentence in sorted(evidence_sentences.items(), key=lambda item: numbers[item[0]])
    ]
    return text, tuple(sources + _related(retrieved, numbers, len(sources)))


def _sources(chunks: list[Chunk], numbers: dict[str, int], evidence: Evidence) -> tuple[Source, ...]:
    seen: dict[str, Source] = {}
    for chunk in chunks:
        if chunk.doc_id not in seen:
            seen[chunk.doc_id] = _source(numbers[chunk.doc_id], chunk, 1.0, chunk.text)
    ordered = sorted(seen.values(), key=lambda source: source.n)
    return tuple(ordered + _related(evidence.retrieved, numbers, len(ordered)))


def _related(retrieved: list[RetrievedChunk], numbers: dict[str, int], used: int) -> list[Source]:
    """Other documents that retrieval ranked nearly as high: they back the same answer."""
    if not retrieved:
        return []
    related: list[Source] = []
    cutoff = retrieved[0].fused * RELATED_SOURCE_RATIO
    next_number = max(numbers.values(), default=0) + 1
    for result in retrieved:
        if used + len(related) >= MAX_SOURCES:
            break
        if result.chunk.doc_id in numbers or result.fused < cutoff:
            continue
        numbers[result.chunk.doc_id] = next_number
        related.append(_source(next_number, result.chunk, result.fused / retrieved[0].fused, result.chunk.text))
        next_number += 1
    return related


def _number_documents(chunks: Sequence[Chunk]) -> dict[str, int]:
    numbers: dict[str, int] = {}
    for chunk in chunks:
        numbers.setdefault(chunk.doc_id, len(numbers) + 1)
    return numbers


def _source(n: int, chunk: Chunk, score: float, snippet: str) -> Source:
    return Source(n, chunk.title, chunk.url, chunk.path, score, _snippet(snippet), chunk.date)


def _chunk_naming(contact: Contact, retrieved: list[RetrievedChunk]) -> Chunk | None:
    for result in retrieved:
        if contact.phone and contact.phone in result.chunk.text:
            return result.chunk
    return None


def _find_contact_chunk(version: OpenVersion, contact: Contact) -> Chunk | None:
    if not contact.phone:
        return None
    return next((chunk for chunk in version.chunk_by_id.values() if contact.phone in chunk.text), None)


def _clean(sentence: str) -> str:
    sentence = sentence.removeprefix("- ").strip()
    return sentence if sentence[-1:] in ".!?:" else sentence + "."


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _timed(answer: Answer, started: float, retrieved_at: float) -> Answer:
    finished = time.perf_counter()
    answer.timings_ms.update(
        retrieve=(retrieved_at - started) * 1000,
        answer=(finished - retrieved_at) * 1000,
        total=(finished - started) * 1000,
    )
    return answer
