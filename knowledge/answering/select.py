"""Select: the passages that answer a part, ranked by a model fitted on labelled questions.

A candidate passage is one to three consecutive sentences of a retrieved chunk, as the document
wrote them. Each is described by general signals (meaning, the question's words, where its
chunk ranked, its section heading, how old its page is when asked about now) and scored by a
logistic ranker
fitted with cross-validation on the development sets (``data/ranker.json``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.answering.models import Array, LinearModel
from knowledge.answering.retrieve import RetrievedChunk
from knowledge.answering.understand import Part
from knowledge.embeddings import Vectors
from knowledge.store.layout import heading_id, sentence_id
from knowledge.store.reader import OpenVersion
from knowledge.terms import content_terms, name_terms
from knowledge.types import Chunk

# Wording that says something changed, which a question about how things stand now wants.
# As a ranker feature (CV facts, sample / real pages): 76.2% / 66.7% with it, 71.4% / 66.7%
# without.
_TELLS_CHANGE = re.compile(
    r"\b(moved|transferred|took over|taken over|no longer|since|replaced|renamed|formerly|"
    r"previously|now|currently|as of|effective|ended|expired|sunset)\b",
    re.IGNORECASE,
)
# A passage is at most this long unless it is one long sentence: two passages then stay near
# the 650-character median the answers aim for.
PASSAGE_CHARS = 450
PASSAGE_SENTENCES = 3
# A passage that reaches into a list takes the rest of it, up to this length. Facts (sample /
# real pages): 77.6% / 69.6% with it, 75.5% / 66.7% without.
LIST_CHARS = 800

FEATURES = (
    "max_meaning",
    "mean_meaning",
    "first_meaning",
    "max_meaning_gap",
    "mean_meaning_gap",
    "words",
    "words_gap",
    "words_in_context",
    "words_in_context_gap",
    "heading_meaning",
    "chunk_rank",
    "chunk_dense",
    "chunk_keyword",
    "chunk_fused",
    "document_rank",
    "sentences",
    "log_length",
    "title_echo",
    "opens_chunk",
    "list_items",
    "has_link",
    "question_echo",
    "archived_asked_now",
    "years_older_asked_now",
    "tells_change_asked_now",
)


@dataclass(frozen=True)
class Passage:
    """Consecutive sentences of one chunk, ``first`` being the index of the first of them."""

    chunk: Chunk
    first: int
    sentences: tuple[str, ...]
    score: float = 0.0

    @property
    def text(self) -> str:
        """The passage as one string."""
        return " ".join(self.sentences)

    def overlaps(self, other: Passage) -> bool:
        """True when both passages share a sentence."""
        return self.chunk.chunk_id == other.chunk.chunk_id and not (
            self.first + len(self.sentences) <= other.first
            or other.first + len(other.sentences) <= self.first
        )

    def repeats(self, other: Passage) -> bool:
        """True when quoting both would say something twice.

        They share a sentence, or a sentence of one (of ``REPEAT_WORDS`` words or more) or all
        of one is written word for word in the other, in another document too: a page and its
        copy, an FAQ answer on two pages, two windows of the same text shifted by a sentence.
        """
        if self.overlaps(other):
            return True
        mine, theirs = f" {_plain(self.text)} ", f" {_plain(other.text)} "
        shorter, longer = sorted((mine, theirs), key=len)
        if shorter.strip() and shorter in longer:
            return True
        return _says_again(self.sentences, theirs) or _says_again(other.sentences, mine)


# A sentence this long written again is a repeat; a shorter one ("Contact us.") is common
# wording. Measured as part of the no-repeat rule: no change on either development set.
REPEAT_WORDS = 4


def _says_again(sentences: Sequence[str], padded_text: str) -> bool:
    """True when one of ``sentences`` (long enough to count) is in ``padded_text``."""
    for sentence in sentences:
        words = _plain(sentence)
        if len(words.split()) >= REPEAT_WORDS and f" {words} " in padded_text:
            return True
    return False


def _plain(text: str) -> str:
    """Text as compared for repetition: lower case, words only."""
    return " ".join(re.findall(r"\w+", text.lower()))


@dataclass(frozen=True)
class Evidence:
    """What one part of a question rests on: its chunks and its passages, best first."""

    part: Part
    retrieved: tuple[RetrievedChunk, ...]
    passages: tuple[Passage, ...]
    # The best passage's features and question-level facts, for the decide step.
    best_features: dict[str, float]
    # The question's words the best passage's own chunk lacks (weighted share).
    best_chunk_missing: float = 0.0
    # The share of the names the question writes (places, programs, acronyms, codes) that the
    # best passage's chunk lacks: a page on the same subject from another state, or on another
    # program, lacks the name the question asks about. As a decide signal (CV, sample / real):
    # out of scope declined 57.1% / 50.0% with answerable declined 2.4% / 5.1%; without it
    # 42.9% / 34.6% with 2.4% / 3.4%. Counting plain numbers as names declined more answerable
    # questions (the asker's own "40 of our 80 people").
    names_missing: float = 0.0
    # How widely the candidates' scores spread (their standard deviation): the unit in which
    # "nearly as good" is measured, the same for every fit of the ranker.
    spread: float = 1.0


@dataclass
class _Sentence:
    """A stored sentence with what every passage holding it needs, worked out once."""

    text: str
    meaning: float
    terms: frozenset[str]
    asked: frozenset[str]
    tells_change: bool
    is_item: bool
    opens_list: bool


def select(
    version: OpenVersion,
    part: Part,
    vector: Vectors,
    retrieved: list[RetrievedChunk],
    ranker: LinearModel,
) -> Evidence:
    """Score every candidate passage of the retrieved chunks; best first."""
    passages, rows = candidates(version, part, vector, retrieved)
    scores = ranker.logits(rows)[:, 0] if passages else np.zeros(0)
    return weigh(version, part, retrieved, passages, rows, scores)


def weigh(
    version: OpenVersion,
    part: Part,
    retrieved: list[RetrievedChunk],
    passages: list[Passage],
    rows: Array,
    scores: Array,
) -> Evidence:
    """The evidence of one part, from its candidates (``rows``) and their ``scores``."""
    order = np.argsort(-scores, kind="stable")
    ranked = tuple(
        Passage(passages[i].chunk, passages[i].first, passages[i].sentences, float(scores[i]))
        for i in order
    )
    best = dict(zip(FEATURES, rows[order[0]], strict=True)) if passages else {}
    weights = _weights(version, part.focus)
    top = ranked[0] if ranked else None
    return Evidence(
        part=part,
        retrieved=tuple(retrieved),
        passages=ranked,
        best_features={k: float(v) for k, v in best.items()},
        best_chunk_missing=_missing(weights, top.chunk) if top else 1.0,
        names_missing=_names_missing(part.focus, top.chunk) if top else 1.0,
        spread=float(np.std(scores)) if len(scores) > 1 else 1.0,
    )


def _missing(weights: dict[str, float], chunk: Chunk) -> float:
    """The share (by weight) of the question's words ``chunk`` lacks."""
    held = _chunk_terms(chunk)
    lacking = sum(w for t, w in weights.items() if t not in held)
    return lacking / (sum(weights.values()) or 1.0)


def _names_missing(question: str, chunk: Chunk) -> float:
    names = name_terms(question)
    held = _chunk_terms(chunk)
    return sum(name not in held for name in names) / len(names) if names else 0.0


def candidates(
    version: OpenVersion, part: Part, vector: Vectors, retrieved: list[RetrievedChunk]
) -> tuple[list[Passage], Array]:
    """Every candidate passage of the retrieved chunks, with one row of features each."""
    weights = _weights(version, part.focus)
    total = sum(weights.values()) or 1.0
    ids = [heading_id(r.chunk.chunk_id) for r in retrieved] + [
        sentence_id(r.chunk.chunk_id, i)
        for r in retrieved
        for i in range(version.sentence_count(r.chunk.chunk_id))
    ]
    stored = version.sentence_items(ids)
    best_fused = retrieved[0].fused if retrieved else 1.0
    newest = max((r.chunk.date for r in retrieved if r.chunk.date), default=None)
    now = float(part.asks_now)
    document_rank: dict[str, int] = {}
    passages: list[Passage] = []
    rows: list[list[float]] = []
    for position, result in enumerate(retrieved):
        chunk = result.chunk
        document_rank.setdefault(chunk.doc_id, len(document_rank))
        # A document's title fits every question about its topic; only a section heading below
        # it (an FAQ entry's question, say) tells which part of the document answers this one.
        # (CV, best passage holds the facts, sample / real: 69.0% / 55.6% with, 66.7% / 55.6%
        # without.)
        heading = stored.get(heading_id(chunk.chunk_id)) if len(chunk.headings) >= 2 else None
        heading_meaning = _cosine(vector, heading.vector) if heading else 0.0
        context = _context_terms(chunk) & weights.keys()
        title_terms = _title_terms(chunk)
        sentences = []
        for index in range(version.sentence_count(chunk.chunk_id)):
            item = stored.get(sentence_id(chunk.chunk_id, index))
            if item is None:
                break
            terms = version.terms_of(item)
            sentences.append(
                _Sentence(
                    item.text,
                    _cosine(vector, item.vector),
                    terms,
                    terms & weights.keys(),
                    now > 0 and _TELLS_CHANGE.search(item.text) is not None,
                    _is_item(item.text),
                    item.text.rstrip().endswith(":"),
                )
            )
        chunk_facts = [
            heading_meaning,
            float(position),
            result.dense,
            result.keyword,
            result.fused / best_fused,
            float(document_rank[chunk.doc_id]),
        ]
        # Asked about now, an archived page and an old one lose to current ones. Asked about the
        # past, they do not: with age and archiving as features of their own (sample / real,
        # CV best passage 71.4% / 59.0%, with them 73.8% / 58.1% without) an archived page
        # dated years back was never quoted, even for "which bureau supported them then?".
        archived = float(chunk.doc_id in version.superseded)
        # How much older than the newest retrieved document, in years (capped: 10 is "old").
        older = min(10.0, (newest - chunk.date).days / 365.25) if newest and chunk.date else 0.0
        dated = [archived * now, older * now]
        seen: set[tuple[int, int]] = set()
        for first in range(len(sentences)):
            length = 0
            for last in range(first, min(len(sentences), first + PASSAGE_SENTENCES)):
                length += len(sentences[last].text) + 1
                if length > PASSAGE_CHARS and last > first:
                    break
                end = _list_end(sentences, first, last)
                if (first, end) in seen:
                    continue
                seen.add((first, end))
                window = sentences[first : end + 1]
                text = " ".join(s.text for s in window)
                terms = frozenset().union(*(s.terms for s in window))
                asked = frozenset().union(*(s.asked for s in window))
                meanings = [s.meaning for s in window]
                words = sum(weights[t] for t in asked) / total
                in_context = sum(weights[t] for t in asked | context)
                rows.append(
                    [
                        max(meanings),
                        sum(meanings) / len(meanings),
                        meanings[0],
                        0.0,
                        0.0,
                        words,
                        0.0,
                        in_context / total,
                        0.0,
                        *chunk_facts,
                        float(len(window)),
                        math.log1p(len(text)),
                        len(terms & title_terms) / max(1, len(terms)),
                        float(first == 0),
                        sum(s.is_item for s in window) / len(window),
                        float("://" in text),
                        len(asked) / max(1, len(terms)),
                        *dated,
                        float(any(s.tells_change for s in window)),
                    ]
                )
                passages.append(Passage(chunk, first, tuple(s.text for s in window)))
    if not rows:
        return [], np.zeros((0, len(FEATURES)))
    matrix = np.asarray(rows, dtype=np.float64)
    # Each passage beside the question's best: a cosine of 0.5 means little on its own.
    for column, gap in ((0, 3), (1, 4), (5, 6), (7, 8)):
        matrix[:, gap] = matrix[:, column] - matrix[:, column].max()
    return passages, matrix


@functools.lru_cache(maxsize=100_000)
def _context_terms(chunk: Chunk) -> frozenset[str]:
    """The terms of a chunk's title and headings: what every sentence in it is about."""
    return frozenset(content_terms(f"{chunk.title} {' '.join(chunk.headings)}"))


@functools.lru_cache(maxsize=100_000)
def _title_terms(chunk: Chunk) -> frozenset[str]:
    return frozenset(content_terms(chunk.title))


@functools.lru_cache(maxsize=20_000)
def _chunk_terms(chunk: Chunk) -> frozenset[str]:
    return frozenset(content_terms(f"{chunk.title} {' '.join(chunk.headings)} {chunk.text}"))


def _list_end(sentences: list[_Sentence], first: int, last: int) -> int:
    """Where a passage that reaches into a list ends: with the list, within ``LIST_CHARS``.

    A list cut short reads as if it were complete ("the members were: 9 employers; 3 labor").
    """
    window = sentences[first : last + 1]
    if not (window[-1].opens_list or any(s.is_item for s in window)):
        return last
    length = sum(len(s.text) + 1 for s in window)
    end = last
    while end + 1 < len(sentences) and sentences[end + 1].is_item:
        length += len(sentences[end + 1].text) + 1
        if length > LIST_CHARS:
            break
        end += 1
    return end


def _is_item(text: str) -> bool:
    return text.startswith("- ")


def _weights(version: OpenVersion, text: str) -> dict[str, float]:
    return {term: version.keywords.idf(term) for term in dict.fromkeys(content_terms(text))}


def _cosine(vector: Vectors, other: Vectors | None) -> float:
    return float(np.dot(vector, other)) if other is not None else 0.0
