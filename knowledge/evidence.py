"""Score the sentences of retrieved chunks against a question and pick the few that answer it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

import numpy as np

from knowledge.answer_type import AnswerType, expected_type, states_new
from knowledge.base import OpenVersion, heading_id, sentence_id
from knowledge.cues import describes_document, states_current
from knowledge.embeddings import Vectors
from knowledge.names import codes_in, names_whole, question_names
from knowledge.passages import (
    MAX_ANSWER_CHARS,
    MAX_LIST_ANSWER_CHARS,
    Sentence,
    is_list_passage,
    redundant,
    select_passages,
)
from knowledge.retrieve import RetrievedChunk
from knowledge.sentences import announces, is_list_item, list_intro
from knowledge.terms import content_terms

# Weights of a sentence's score, tuned on the dev set (see `sectorbot eval`). Meaning (cosine
# with the question) leads; the question's weighty words, the chunk's and the section heading's
# match, and a few cues about what the question asks for refine it.
SEMANTIC_WEIGHT = 0.55
LEXICAL_WEIGHT = 0.30
CHUNK_WEIGHT = 0.15
HEADING_WEIGHT = 0.3
HEADING_FLOOR = 0.3
CONTEXT_TERM_WEIGHT = 0.5
ANSWER_TYPE_BONUS = 0.06
# Asked for a rule ("what is the rule for ...", "who is eligible"), only a sentence that states
# one (must, at least, a majority) answers; one that merely describes the subject does not.
RULE_BONUS = 0.12
NAME_BONUS = 0.05
CODE_BONUS = 0.08
DATE_MATCH_BONUS = 0.06
COUNT_BONUS = 0.08
SUBJECT_BONUS = 0.06
CURRENT_STATE_BONUS = 0.08
RECENCY_WEIGHT = 0.04
SELF_DESCRIPTION_PENALTY = 0.1
# A sentence whose words are mostly the question's own restates it rather than answering it.
ECHO_PENALTY = 0.08
ECHO_SHARE = 0.5
MIN_ECHO_TERMS = 4
SECONDARY_PENALTY = 0.03

# Sentences are read from every retrieved chunk: an FAQ entry whose heading is the question
# ("How many ...?") can rank low as a whole chunk yet hold the one sentence that answers it.
SENTENCE_CHUNKS = 8
MAX_NAMED_SECTIONS = 2
STRENGTH_CHUNKS = 6
MIN_ANSWER_WORDS = 4

# "What is X?", "X in plain English", "explain X": the answer is about X itself.
_HOW_MANY = re.compile(r"\bhow many (?:of (?:these|those|the) )?((?:[\w'-]+ ){0,3}[\w'-]+)", re.I)
_NUMBER_THEN_WORDS = re.compile(
    r"\b(?:\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|dozen|hundred)\s+((?:[\w'-]+\s+){0,2}[\w'-]+)",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2},?\s+)?"
    r"((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_COPULA = re.compile(
    r"^(?P<subject>[^,;:.()]{3,80}?)\s+(?:is|are)\s+(?!to\b|not\b|being\b|also\b)",
    re.IGNORECASE,
)
_DEFINITIONAL = re.compile(
    r"^\W*(what('?s| is| are)|whats|explain|define|describe|tell me about)\b"
    r"|\bin plain (english|words|language)\b|\bmeans?\b|\bmeaning\b",
    re.IGNORECASE,
)
_NOT_AN_ANSWER = re.compile(
    r"^(last (reviewed|updated|modified)|updated|published|posted|dated?|page \d+)\b", re.IGNORECASE
)
_URL = re.compile(r"\S+://\S+|www\.\S+|\S+@\S+\.\w+")


@dataclass(frozen=True)
class Evidence:
    """Everything the answer decision and the answer text are built from."""

    retrieved: list[RetrievedChunk]
    sentences: list[Sentence]
    selected: list[Sentence]
    coverage: float
    query_terms: dict[str, float]
    strength: float = 0.0
    vector: Vectors | None = None
    # ``selected`` in the passages it was chosen as (a sentence with its neighbours, a list).
    passages: list[list[Sentence]] = field(default_factory=list)


@dataclass(frozen=True)
class _Question:
    """What is known about the question before sentences are scored."""

    text: str
    vector: Vectors
    weights: dict[str, float]
    wanted: AnswerType | None
    names: list[str]
    codes: set[str]
    prefer_recent: bool
    dates: list[tuple[str, str]] = field(default_factory=list)
    counted: frozenset[str] = frozenset()
    definitional: bool = False

    @property
    def total_weight(self) -> float:
        return sum(self.weights.values()) or 1.0


def gather(
    version: OpenVersion,
    question: str,
    vector: Vectors,
    retrieved: list[RetrievedChunk],
    *,
    prefer_recent: bool = False,
) -> Evidence:
    """Score every sentence of the top chunks and select the answer sentences."""
    asked = _Question(
        text=question,
        vector=vector,
        weights={
            term: version.keywords.idf(term) for term in dict.fromkeys(content_terms(question))
        },
        wanted=expected_type(question),
        names=question_names(question),
        codes=codes_in(question),
        prefer_recent=prefer_recent,
        definitional=bool(_DEFINITIONAL.search(question)),
        dates=[(month[:3].lower(), year) for month, year in _MONTH_YEAR.findall(question)],
        counted=_counted_things(question),
    )
    top = retrieved[:SENTENCE_CHUNKS] + _sections_named(version, asked.codes, retrieved)
    counts = version.sentence_counts
    ids = [
        sentence_id(r.chunk.chunk_id, i)
        for r in top
        for i in range(counts.get(r.chunk.chunk_id, 0))
    ]
    stored = version.sentence_items(ids + [heading_id(r.chunk.chunk_id) for r in top])
    best_fused = top[0].fused if top else 1.0
    newest = max((r.chunk.date for r in top if r.chunk.date), default=None)
    sentences: list[Sentence] = []
    # Strength looks at the best few chunks only, so it does not grow with how many are read.
    leading = {r.chunk.chunk_id for r in retrieved[:STRENGTH_CHUNKS]}
    outdated_match = 0.0
    for result in top:
        heading = stored.get(heading_id(result.chunk.chunk_id))
        # A document's title fits every question about its topic; only a section heading below
        # it says which part of the document answers this question.
        has_section = len(result.chunk.headings) >= 2
        heading_match = _cosine(vector, heading.vector) if heading and has_section else 0.0
        chunk_bonus = (
            CHUNK_WEIGHT * _chunk_signal(result, best_fused)
            + HEADING_WEIGHT * max(0.0, heading_match - HEADING_FLOOR)
            + _recency_bonus(result.chunk.date, newest, prefer_recent)
        )
        heading_terms = set(content_terms(" ".join(result.chunk.headings)))
        context_terms = heading_terms
        texts = [
            item.text if item else ""
            for item in (
                stored.get(sentence_id(result.chunk.chunk_id, index))
                for index in range(counts.get(result.chunk.chunk_id, 0))
            )
        ]
        for index in range(len(texts)):
            item = stored.get(sentence_id(result.chunk.chunk_id, index))
            if item is None or item.vector is None:
                continue
            terms = version.terms_of(item)
            # Asked how things stand now, an archived page's old claims are no answer at all;
            # only its notes on what changed since are.
            outdated = (
                prefer_recent
                and result.chunk.doc_id in version.superseded
                and not states_current(item.text)
            )
            if outdated and result.chunk.chunk_id in leading:
                # Left out of the answer, but it still shows the documents cover the subject.
                outdated_match = max(outdated_match, _cosine(vector, item.vector))
            if _is_answer_material(item.text, _in_list(texts, index)) and not outdated:
                lexical = _lexical(asked, terms, context_terms)
                semantic = _cosine(vector, item.vector)
                score = SEMANTIC_WEIGHT * semantic + LEXICAL_WEIGHT * lexical + chunk_bonus
                states_wanted = asked.wanted is not None and states_new(
                    asked.wanted, item.text, asked.text
                )
                score += _cue_bonus(asked, item.text, terms, states_wanted)
                score -= _secondary_penalty(
                    result.chunk.doc_id in version.secondary, prefer_recent, item.text
                )
                sentences.append(
                    Sentence(
                        item.text,
                        result.chunk,
                        index,
                        semantic,
                        lexical,
                        score,
                        terms,
                        heading_match,
                        states_wanted,
                    )
                )
            # A sentence's words give the next one context ("It produced about 40 groups").
            context_terms = heading_terms | terms
    sentences.sort(key=lambda s: s.score, reverse=True)
    passages = select_passages(sentences, asked.weights)
    selected = [s for passage in passages for s in passage]
    covered = set().union(*(s.terms for s in selected)) if selected else set()
    coverage = sum(w for t, w in asked.weights.items() if t in covered) / asked.total_weight
    best_sentence = max((s.semantic for s in sentences if s.chunk.chunk_id in leading), default=0.0)
    best_chunk = max((r.dense for r in retrieved), default=0.0)
    strength = max(best_sentence, best_chunk, outdated_match)
    return Evidence(
        retrieved, sentences, selected, coverage, asked.weights, strength, vector, passages
    )


def combine(parts: list[Evidence]) -> Evidence:
    """One evidence for a compound question: each part's best passage first, then the rest."""
    if len(parts) == 1:
        return parts[0]
    retrieved: dict[str, RetrievedChunk] = {}
    for part in parts:
        # Each part's best chunk scores 1, so every part's best documents can become sources.
        best = part.retrieved[0].fused if part.retrieved else 1.0
        for result in part.retrieved:
            scaled = replace(result, fused=result.fused / best)
            kept = retrieved.get(result.chunk.chunk_id)
            if kept is None or kept.fused < scaled.fused:
                retrieved[result.chunk.chunk_id] = scaled
    # Sentences take turns, except that a list is one turn, whole with its opening line.
    units = [_units(part.passages) for part in parts]
    passages: list[list[Sentence]] = []
    length = 0
    for rank in range(max(len(part_units) for part_units in units)):
        for part_units in units:
            if rank >= len(part_units):
                continue
            taken = [s for passage in passages for s in passage]
            unit = [
                c
                for c in part_units[rank]
                if c not in taken and not any(redundant(c, s) for s in taken)
            ]
            size = sum(len(s.text) for s in unit)
            budget = MAX_LIST_ANSWER_CHARS if is_list_passage(unit) else MAX_ANSWER_CHARS
            if not unit or (rank > 0 and length + size > budget) or announces(unit[-1].text):
                continue
            passages.append(unit)
            length += size
    selected = [s for passage in passages for s in passage]
    weights: dict[str, float] = {}
    for part in parts:
        weights.update(part.query_terms)
    sentences = sorted(
        (s for part in parts for s in part.sentences), key=lambda s: s.score, reverse=True
    )
    ranked = sorted(retrieved.values(), key=lambda r: r.fused, reverse=True)
    coverage = min(part.coverage for part in parts)
    strength = min(part.strength for part in parts)
    return Evidence(
        ranked, sentences, selected, coverage, weights, strength, parts[0].vector, passages
    )


def _units(passages: list[list[Sentence]]) -> list[list[Sentence]]:
    """A part's answer as turns for a compound answer: a list whole, other sentences singly."""
    return [
        unit
        for passage in passages
        for unit in ([passage] if is_list_passage(passage) else [[s] for s in passage])
    ]


def _lexical(asked: _Question, terms: frozenset[str], context_terms: set[str]) -> float:
    found = sum(
        weight * (1.0 if term in terms else CONTEXT_TERM_WEIGHT if term in context_terms else 0.0)
        for term, weight in asked.weights.items()
    )
    return found / asked.total_weight


def _sections_named(
    version: OpenVersion, codes: set[str], retrieved: list[RetrievedChunk]
) -> list[RetrievedChunk]:
    """The opening chunk of each section whose heading names a code the question asks about.

    "What is 260E?" is answered at the top of the section headed "... (260E)", even when other
    chunks repeat the code more often and so rank higher.
    """
    if not codes:
        return []
    shown = {r.chunk.chunk_id for r in retrieved[:SENTENCE_CHUNKS]}
    floor = retrieved[min(len(retrieved), SENTENCE_CHUNKS) - 1].fused if retrieved else 0.0
    found: dict[tuple[str, tuple[str, ...]], RetrievedChunk] = {}
    for heading, chunks in version.chunks_by_heading.items():
        if not any(_names_code(heading, code) for code in codes):
            continue
        for chunk in chunks:
            if chunk.chunk_id in shown:
                continue
            key = (chunk.doc_id, chunk.headings)
            first = found.get(key)
            if first is None or chunk.position < first.chunk.position:
                found[key] = RetrievedChunk(chunk=chunk, dense=0.0, keyword=0.0, fused=floor)
    return sorted(found.values(), key=lambda r: (r.chunk.doc_id, r.chunk.position))[
        :MAX_NAMED_SECTIONS
    ]


def _names_code(heading: str, code: str) -> bool:
    # The substring test spares the pattern on the many headings that cannot match.
    if code not in heading:
        return False
    return re.search(rf"(?<![\w.]){re.escape(code)}(?![\w])", heading) is not None


def _counted_things(question: str) -> frozenset[str]:
    """What "how many ..." counts: "how many local workforce areas" -> {local, workforce, area}."""
    match = _HOW_MANY.search(question)
    return frozenset(content_terms(match.group(1))) if match else frozenset()


def _counts(text: str, counted: frozenset[str]) -> bool:
    """True when the sentence puts a number before what is counted ("six local areas")."""
    for match in _NUMBER_THEN_WORDS.finditer(text):
        if set(content_terms(match.group(1))) & counted:
            return True
    return False


def _echoes(asked: _Question, terms: frozenset[str]) -> bool:
    """True for a sentence that mostly restates the question ("IWD wants partnerships to ...")."""
    if len(terms) < MIN_ECHO_TERMS:
        return False
    return len(terms & asked.weights.keys()) / len(terms) >= ECHO_SHARE


def _cue_bonus(asked: _Question, text: str, terms: frozenset[str], states_wanted: bool) -> float:
    bonus = 0.0
    if states_wanted:
        bonus += RULE_BONUS if asked.wanted == "rule" else ANSWER_TYPE_BONUS
    if asked.counted and _counts(text, asked.counted):
        bonus += COUNT_BONUS
    lowered_text = text.lower()
    # "back in sept 2022" points at the sentence dated Sept. 13, 2022, not at another 2022 one.
    if any(
        year in lowered_text and re.search(rf"\b{month}", lowered_text)
        for month, year in asked.dates
    ):
        bonus += DATE_MATCH_BONUS
    bonus += NAME_BONUS * sum(names_whole(name, text) for name in asked.names)
    lowered = text.lower()
    if any(code in lowered for code in asked.codes):
        bonus += CODE_BONUS
        # "260E pays for ..." is about 260E; "... coordinate their 260E or 260F training" is not.
        starts = any(lowered.removeprefix("- ").startswith(code) for code in asked.codes)
        if asked.definitional and starts:
            bonus += SUBJECT_BONUS
    elif asked.definitional and _defines_subject(asked, text):
        bonus += SUBJECT_BONUS
    # "How many are there now?" wants the current count, not any sentence about a change.
    if asked.prefer_recent and states_current(text) and (asked.wanted is None or states_wanted):
        bonus += CURRENT_STATE_BONUS
    if describes_document(text):
        bonus -= SELF_DESCRIPTION_PENALTY
    if _echoes(asked, terms):
        bonus -= ECHO_PENALTY
    return bonus


def _defines_subject(asked: _Question, text: str) -> bool:
    """True for "Sector partnerships are regional groups ..." asked "What is a sector partnership".

    The sentence's subject (before its first "is"/"are") holds every word the question weighs;
    "The goal of sector partnerships is to ..." is about a goal, and "X is to ..." a purpose.
    """
    found = _COPULA.match(text.removeprefix("- "))
    if found is None or re.search(r"\bof\b", found.group("subject"), re.IGNORECASE):
        return False
    asked_terms = set(asked.weights)
    return bool(asked_terms) and asked_terms <= set(content_terms(found.group("subject")))


def _chunk_signal(result: RetrievedChunk, best_fused: float) -> float:
    """How strongly the sentence's chunk matched: its cosine, or its rank if only BM25 found it."""
    return result.dense if result.dense > 0 else result.fused / best_fused


def _in_list(texts: list[str], index: int) -> bool:
    """True for a list item under a line that announces it, and for that line."""
    if is_list_item(texts[index]):
        opening = list_intro(texts, index)
        return opening is not None and announces(texts[opening])
    return announces(texts[index]) and index + 1 < len(texts) and is_list_item(texts[index + 1])


def _is_answer_material(text: str, in_list: bool = False) -> bool:
    """Bare links, page furniture and fragments never answer anything.

    A short list item ("- 17 business members") is no fragment: it is quoted with the line that
    opens its list.
    """
    if _NOT_AN_ANSWER.match(text.removeprefix("- ")):
        return False
    if in_list:
        return True
    words = [w for w in _URL.sub(" ", text).split() if any(c.isalpha() for c in w)]
    return len(words) >= MIN_ANSWER_WORDS


def _cosine(vector: Vectors, other: Vectors | None) -> float:
    return float(np.dot(vector, other)) if other is not None else 0.0


def _secondary_penalty(secondary: bool, prefer_recent: bool, text: str) -> float:
    """Secondary documents (archived, samples, glossaries) lose ties.

    They lose clearly when the question asks what holds now, except for their sentences that
    say what changed since ("the program has since moved to ...").
    """
    if not secondary:
        return 0.0
    if not prefer_recent:
        return SECONDARY_PENALTY
    return 0.0 if states_current(text) else 3 * SECONDARY_PENALTY


def _recency_bonus(date: dt.date | None, newest: dt.date | None, prefer_recent: bool) -> float:
    """Newer documents win ties; on "still / now / today" questions they win more clearly."""
    if newest is None or date is None:
        return 0.0
    years_older = (newest - date).days / 365.25
    bonus = RECENCY_WEIGHT * max(0.0, 1.0 - years_older / 5.0)
    return bonus * (3.0 if prefer_recent else 1.0)
