"""Score the sentences of retrieved chunks against a question and pick the few that answer it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

from knowledge.answer_type import expected_type, states_new
from knowledge.base import OpenVersion, sentence_id
from knowledge.embeddings import Vectors
from knowledge.retrieve import RetrievedChunk
from knowledge.terms import content_terms
from knowledge.types import Chunk

# Weights of a sentence's score; tuned on the dev set (see `sectorbot eval`).
SEMANTIC_WEIGHT = 0.55
LEXICAL_WEIGHT = 0.30
CHUNK_WEIGHT = 0.15
HEADING_TERM_WEIGHT = 0.5
RECENCY_WEIGHT = 0.04
SENTENCE_CHUNKS = 6
MAX_SENTENCES = 3
MAX_ANSWER_CHARS = 480
FOLLOW_UP_MARGIN = 0.10
MIN_NEW_COVERAGE = 0.15
REDUNDANCY_LIMIT = 0.7
ANSWER_TYPE_BONUS = 0.06
CONTEXT_TERM_WEIGHT = 0.5
_NOT_AN_ANSWER = re.compile(
    r"^(last (reviewed|updated|modified)|updated|published|posted|dated?|page \d+)\b", re.IGNORECASE
)
_URL = re.compile(r"\S+://\S+|www\.\S+|\S+@\S+\.\w+")
MIN_ANSWER_WORDS = 4


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence with its scores."""

    text: str
    chunk: Chunk
    index: int
    semantic: float
    lexical: float
    score: float
    terms: frozenset[str]
    vector: Vectors


@dataclass(frozen=True)
class Evidence:
    """Everything the answer decision and the answer text are built from."""

    retrieved: list[RetrievedChunk]
    sentences: list[Sentence]
    selected: list[Sentence]
    coverage: float
    query_terms: dict[str, float]


def gather(
    version: OpenVersion,
    question: str,
    vector: Vectors,
    retrieved: list[RetrievedChunk],
    *,
    prefer_recent: bool = False,
) -> Evidence:
    """Score every sentence of the top chunks and select the answer sentences."""
    weights = {term: version.keywords.idf(term) for term in dict.fromkeys(content_terms(question))}
    total_weight = sum(weights.values()) or 1.0
    top = retrieved[:SENTENCE_CHUNKS]
    ids = [sentence_id(r.chunk.chunk_id, i) for r in top for i in range(version.sentence_counts.get(r.chunk.chunk_id, 0))]
    stored = version.sentences.get(ids, with_vectors=True)
    best_fused = top[0].fused if top else 1.0
    newest = _newest_date(top)
    wanted = expected_type(question)
    sentences: list[Sentence] = []
    for result in top:
        context_terms = set(content_terms(" ".join(result.chunk.headings)))
        for index in range(version.sentence_counts.get(result.chunk.chunk_id, 0)):
            item = stored.get(sentence_id(result.chunk.chunk_id, index))
            if item is None or item.vector is None:
                continue
            terms = frozenset(content_terms(item.text))
            if _is_answer_material(item.text):
                lexical = sum(
                    w * (1.0 if t in terms else CONTEXT_TERM_WEIGHT if t in context_terms else 0.0)
                    for t, w in weights.items()
                ) / total_weight
                semantic = float(np.dot(vector, item.vector))
                score = (
                    SEMANTIC_WEIGHT * semantic
                    + LEXICAL_WEIGHT * lexical
                    + CHUNK_WEIGHT * (result.fused / best_fused)
                    + _recency_bonus(result.chunk.date, newest, prefer_recent)
                    + (ANSWER_TYPE_BONUS if wanted and states_new(wanted, item.text, question) else 0.0)
                )
                sentences.append(Sentence(item.text, result.chunk, index, semantic, lexical, score, terms, item.vector))
            # A sentence's words give the next one context ("It produced about 40 groups").
            context_terms = set(content_terms(" ".join(result.chunk.headings))) | set(terms)
    sentences.sort(key=lambda s: s.score, reverse=True)
    selected = _select(sentences, weights, total_weight)
    covered = set().union(*(s.terms for s in selected)) if selected else set()
    coverage = sum(w for t, w in weights.items() if t in covered) / total_weight
    return Evidence(retrieved, sentences, selected, coverage, weights)


def _select(sentences: list[Sentence], weights: dict[str, float], total: float) -> list[Sentence]:
    """The best sentence, then ones nearly as good that add something new, within a budget."""
    if not sentences:
        return []
    chosen = [sentences[0]]
    covered = set(sentences[0].terms)
    length = len(sentences[0].text)
    for candidate in sentences[1:]:
        if len(chosen) >= MAX_SENTENCES:
            break
        if length + len(candidate.text) > MAX_ANSWER_CHARS:
            continue
        new = sum(w for t, w in weights.items() if t in candidate.terms and t not in covered) / total
        gap = chosen[0].score - candidate.score
        adds_enough = gap <= FOLLOW_UP_MARGIN or (new >= MIN_NEW_COVERAGE and gap <= 2 * FOLLOW_UP_MARGIN)
        if not adds_enough:
            continue
        if max(_overlap(candidate.terms, c.terms) for c in chosen) > REDUNDANCY_LIMIT:
            continue
        chosen.append(candidate)
        covered |= candidate.terms
        length += len(candidate.text)
    return chosen


def _is_answer_material(text: str) -> bool:
    """Bare links, page furniture and fragments never answer anything."""
    if _NOT_AN_ANSWER.match(text.removeprefix("- ")):
        return False
    words = [w for w in _URL.sub(" ", text).split() if any(c.isalpha() for c in w)]
    return len(words) >= MIN_ANSWER_WORDS


def _overlap(first: frozenset[str], second: frozenset[str]) -> float:
    """Share of the smaller sentence's terms found in the other."""
    smaller = min(len(first), len(second)) or 1
    return len(first & second) / smaller


def _newest_date(results: list[RetrievedChunk]) -> dt.date | None:
    dates = [r.chunk.date for r in results if r.chunk.date]
    return max(dates) if dates else None


def _recency_bonus(date: dt.date | None, newest: dt.date | None, prefer_recent: bool) -> float:
    """Newer documents win ties; on "still / now / today" questions they win more clearly."""
    if newest is None:
        return 0.0
    if date is None:
        return 0.0
    years_older = (newest - date).days / 365.25
    bonus = RECENCY_WEIGHT * max(0.0, 1.0 - years_older / 5.0)
    return bonus * (3.0 if prefer_recent else 1.0)
