"""Turn a question into an answer: intent, retrieval, the confidence decision, cited text."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from knowledge import replies
from knowledge.base import KnowledgeBase, OpenVersion
from knowledge.citations import number_sources
from knowledge.contact_source import ContactSources
from knowledge.contacts import Contact, route_contact
from knowledge.cues import asks_current
from knowledge.decompose import Part, split_question
from knowledge.definitions import asked_acronym, definition_sentence
from knowledge.embeddings import Vectors
from knowledge.evidence import Evidence, combine, gather
from knowledge.informal import written_form
from knowledge.intents import classify, is_about_taking_part
from knowledge.names import Acronym, acronyms_in, codes_in, question_names, spell_out
from knowledge.passages import Sentence
from knowledge.retrieve import retrieve
from knowledge.sentences import announces, is_list_item
from knowledge.staleness import with_staleness_note
from knowledge.terms import content_terms
from knowledge.types import Answer, Chunk, Exchange

# The confidence decision, tuned on the dev set: some sentence or chunk must be close enough in
# meaning to the question (cosine similarity with MiniLM). Questions that name a code the
# documents use ("260E", "84A.15") may be a little further off: the code itself is the match.
MIN_STRENGTH = 0.55
# Share of words a sentence must have in common with a quoted one to count as saying the same.
CORROBORATION = 0.6
MIN_STRENGTH_WITH_CODE = 0.45
# How far down an earlier part's candidate sentences a name for "that college" is looked for.
NAME_CANDIDATES = 5

_POINTS_ELSEWHERE = re.compile(r"\s+(shown|listed|described|mentioned) (above|below)\b")
_ASKS_EMAIL = re.compile(r"\be-?mail\b", re.IGNORECASE)


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


@dataclass(frozen=True)
class Grounds:
    """What a confident answer to a plain question rests on, for a writer other than ours.

    An LLM writer (``knowledge.llm``) words its answer from the same retrieved passages the
    extractive answer quotes, and falls back to that answer.
    """

    version: OpenVersion
    evidence: Evidence
    contact: Contact


class Answerer:
    """Answers questions from the knowledge base; extractive, so no model or network is needed."""

    def __init__(
        self,
        kb: KnowledgeBase,
        contacts: Sequence[Contact],
        *,
        stale_after_days: int | None = None,
    ) -> None:
        self.kb = kb
        self.contacts = tuple(contacts)
        # Answers resting on a document dated longer ago than this say so (None: never).
        self.stale_after_days = stale_after_days
        self._contact_sources = ContactSources(kb.embedder)

    def answer(
        self,
        question: str,
        *,
        context: str | None = None,
        history: Sequence[Exchange] = (),
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer one question (never raises for an ordinary question; see ``replies``).

        ``context`` is the earlier question of a conversation, for a follow-up that cannot stand
        alone ("does it cost anything?"): it joins the search, while what the person wants
        (a question, to get involved) is read from the follow-up itself. ``history`` and
        ``on_text`` serve an LLM writer (``knowledge.llm``); extractive answers need neither.
        """
        return self.respond(question, context=context)[0]

    def respond(
        self, question: str, *, context: str | None = None, search: str | None = None
    ) -> tuple[Answer, Grounds | None]:
        """The extractive answer, and its grounds when it answers a plain question confidently.

        ``search``, when given, is what retrieval looks for instead of the question (with any
        ``context``): a follow-up already rewritten to stand alone.
        """
        started = time.perf_counter()
        question = question.strip()
        intent = classify(question, self.contacts)
        contact = route_contact(self.contacts, question)
        if intent.intent == "smalltalk":
            answer = Answer(question, replies.smalltalk(contact, question), (), True, "smalltalk")
            return _timed(answer, started, started), None
        if intent.asks_personal_case:
            text = replies.personal_case(contact)
            answer = Answer(question, text, (), False, "question", declined_because="policy")
            return _timed(answer, started, started), None
        if intent.asks_private_details:
            text = replies.private_details(contact)
            answer = Answer(question, text, (), False, "question", declined_because="policy")
            return _timed(answer, started, started), None
        version = self.kb.current()
        if version is None:
            answer = Answer(
                question,
                replies.empty_knowledge_base(contact),
                (),
                False,
                intent.intent,
                declined_because="empty",
            )
            return _timed(answer, started, started), None
        if search:
            searched = search.strip()
        else:
            searched = f"{context.strip()} {question}" if context else question
        evidence = self._evidence(version, written_form(searched))
        retrieved_at = time.perf_counter()
        defined = asked_acronym(question, version.acronyms)
        grounds = None
        if intent.intent == "involvement":
            answer = self._involvement(version, question, evidence, contact)
        elif defined is not None:
            answer = self._definition(version, question, evidence, defined)
        elif _is_confident(evidence, question, version):
            answer = self._extractive(
                version, question, evidence, contact, intent.mentions_contact_details
            )
            grounds = Grounds(version, evidence, contact)
        else:
            text = replies.not_found(contact)
            answer = Answer(question, text, (), False, "question", declined_because="not_found")
        answer = with_staleness_note(answer, self.stale_after_days, dt.date.today())
        return _timed(answer, started, retrieved_at), grounds

    def _evidence(self, version: OpenVersion, question: str) -> Evidence:
        parts = split_question(question)
        texts = list(dict.fromkeys([p.search for p in parts] + [p.focus for p in parts]))
        vectors = dict(zip(texts, self.kb.embedder.embed(texts), strict=True))
        prefer_recent = asks_current(question)
        found: list[Evidence] = []
        for part in parts:
            named = _named_before(part.focus, found)
            if named:
                # "which merged area is that college in?" asks about the college the previous
                # part's answer names: that name joins this part's search, and the sentence
                # naming it leads the previous part's answer.
                name, naming = named
                found[-1] = _leading(found[-1], naming)
                part = Part(f"{part.search} {name}", f"{part.focus} {name}")
                vectors.update(
                    zip(
                        [part.search, part.focus],
                        self.kb.embedder.embed([part.search, part.focus]),
                        strict=True,
                    )
                )
            retrieved = retrieve(version, part.search, vectors[part.search])
            # Sentences are judged against the part itself and what surrounds it alike.
            focus = _blend(vectors[part.search], vectors[part.focus])
            found.append(gather(version, part.focus, focus, retrieved, prefer_recent=prefer_recent))
        # A part the documents do not answer is left out rather than answered badly.
        answered = [
            evidence
            for evidence, part in zip(found, parts, strict=True)
            if _is_confident(evidence, part.focus, version)
        ]
        return combine(answered or found)

    def _extractive(
        self,
        version: OpenVersion,
        question: str,
        evidence: Evidence,
        contact: Contact,
        add_contact: bool,
    ) -> Answer:
        published = (
            self._contact_sources.passage(version, contact, evidence.vector)
            if add_contact
            else None
        )
        quoted = _quote(evidence.selected) + ([published] if published else [])
        numbers, sources = number_sources(
            quoted,
            evidence.retrieved,
            version.secondary,
            archived=version.superseded,
            corroborating=_corroborating(evidence, quoted),
        )
        parts = _marked(evidence.selected, numbers, version.superseded)
        if published and contact.phone not in " ".join(parts):
            parts.append(replies.current_contact(contact, f" [{numbers[published[0].doc_id]}]"))
        return Answer(
            question, spell_out(" ".join(parts), version.acronyms), sources, True, "question"
        )

    def _definition(
        self, version: OpenVersion, question: str, evidence: Evidence, defined: Acronym
    ) -> Answer:
        """Answer "what does PACE stand for?" from the documents' own definition."""
        chunk = version.chunk_by_id.get(defined.chunk_id)
        quoted = [(chunk, f"{defined.long} ({defined.short})")] if chunk else []
        # Then up to two sentences about the thing itself, not ones that merely spell it out.
        extra = [
            s
            for s in evidence.selected
            if defined.long.lower() not in s.text.lower()
            and re.search(rf"\b{re.escape(defined.short)}\b", s.text)
        ][:2]
        confident = _is_confident(evidence, question, version)
        quoted += _quote(extra) if confident else []
        numbers, sources = number_sources(
            quoted, evidence.retrieved, version.secondary, first=quoted[0] if quoted else None
        )
        marker = f" [{numbers[chunk.doc_id]}]" if chunk else ""
        parts = [definition_sentence(defined, marker)]
        parts += _marked(extra, numbers, version.superseded) if confident else []
        return Answer(question, " ".join(parts), sources, True, "question")

    def _involvement(
        self, version: OpenVersion, question: str, evidence: Evidence, contact: Contact
    ) -> Answer:
        published = self._contact_sources.passage(version, contact, evidence.vector)
        confident = _is_confident(evidence, question, version)
        # Only sentences about taking part (joining, starting, who to call) back the routing up;
        # anything else the documents say about partnerships is beside the point here.
        supporting = [
            s
            for s in evidence.selected[:2]
            if confident and contact.phone not in s.text and is_about_taking_part(s.text)
        ]
        quoted = ([published] if published else []) + _quote(supporting)
        # The contact is the answer's main claim, so the page that publishes it comes first.
        numbers, sources = number_sources(
            quoted,
            evidence.retrieved,
            version.secondary,
            first=published,
            archived=version.superseded,
            corroborating=_corroborating(evidence, quoted),
        )
        marker = f" [{numbers[published[0].doc_id]}]" if published else ""
        parts = [replies.contact_line(contact, marker)]
        if _ASKS_EMAIL.search(question) and not contact.email:
            parts.append(replies.no_email(contact))
        parts.extend(_marked(supporting, numbers, version.superseded))
        parts.append(replies.next_steps())
        return Answer(
            question,
            spell_out(" ".join(parts), version.acronyms),
            sources,
            True,
            "involvement",
            handoff=contact,
        )


_THAT_THING = re.compile(r"\b(?:that|this|the same)\s+([a-z]+)\b", re.IGNORECASE)


def _named_before(focus: str, earlier: list[Evidence]) -> tuple[str, Sentence] | None:
    """The name an earlier part gives to what ``focus`` points back to ("that college").

    Returns the name and the sentence of the earlier part that gives it.
    """
    match = _THAT_THING.search(focus)
    if match is None or not earlier:
        return None
    noun = match.group(1).lower().rstrip("s")
    for sentence in earlier[-1].sentences[:NAME_CANDIDATES]:
        # "Iowa Workforce Development and Iowa Central Community College" is two names.
        names = [n for found in question_names(sentence.text) for n in found.split(" and ")]
        for name in names:
            if name.lower().split()[-1].rstrip("s") == noun:
                return name, sentence
    return None


def _leading(evidence: Evidence, sentence: Sentence) -> Evidence:
    """The evidence with ``sentence`` as its first passage."""
    if sentence in evidence.selected:
        return evidence
    passages = [[sentence], *evidence.passages]
    return replace(evidence, passages=passages, selected=[s for p in passages for s in p])


def _is_confident(evidence: Evidence, question: str, version: OpenVersion) -> bool:
    if not evidence.selected:
        return False
    if evidence.strength >= MIN_STRENGTH:
        return True
    codes = codes_in(question) | {a.short.lower() for a in acronyms_in(question, version.acronyms)}
    matched = any(code in evidence.selected[0].text.lower() for code in codes)
    return matched and evidence.strength >= MIN_STRENGTH_WITH_CODE


def _blend(first: Vectors, second: Vectors) -> Vectors:
    mixed = first + second
    return (mixed / max(float(np.linalg.norm(mixed)), 1e-12)).astype(np.float32)


def _corroborating(evidence: Evidence, quoted: Sequence[tuple[Chunk, str]]) -> set[str]:
    """Documents with a sentence saying much the same as one the answer quotes."""
    quoted_terms = [frozenset(content_terms(text)) for _, text in quoted]
    found: set[str] = set()
    for sentence in evidence.sentences:
        for terms in quoted_terms:
            shared = len(sentence.terms & terms)
            if terms and shared / max(1, min(len(sentence.terms), len(terms))) >= CORROBORATION:
                found.add(sentence.chunk.doc_id)
                break
    return found


def _quote(sentences: Sequence[Sentence]) -> list[tuple[Chunk, str]]:
    return [(s.chunk, s.text) for s in sentences]


def _marked(
    sentences: Sequence[Sentence], numbers: dict[str, int], archived: frozenset[str] = frozenset()
) -> list[str]:
    # A claim quoted from an archived page is flagged where it stands, not only in the sources.
    return [
        f"{text} [{numbers[chunk.doc_id]}]"
        + (" (archived page)" if chunk.doc_id in archived else "")
        for chunk, text in _statements(sentences)
    ]


def _statements(sentences: Sequence[Sentence]) -> list[tuple[Chunk, str]]:
    """The quoted text, one statement per sentence; a list with its opening line is one statement.

    "The voting members were: 17 business members; 4 labor members." reads as one claim, where
    a citation after every item would break it up.
    """
    runs: list[list[Sentence]] = []
    for sentence in sentences:
        run = runs[-1] if runs else []
        if (
            is_list_item(sentence.text)
            and run
            and announces(run[0].text)
            and run[-1].chunk.chunk_id == sentence.chunk.chunk_id
            and run[-1].index < sentence.index
        ):
            run.append(sentence)
        else:
            runs.append([sentence])
    statements = []
    for opening, *items in runs:
        if not items:
            statements.append((opening.chunk, _clean(opening.text)))
            continue
        # Items that are phrases read as one sentence; items that are sentences stay sentences.
        phrases = not any(item.text.rstrip()[-1:] in ".!?" for item in items)
        listed = (
            "; ".join(_clean(item.text).rstrip(".") for item in items) + "."
            if phrases
            else " ".join(_clean(item.text) for item in items)
        )
        statements.append((opening.chunk, f"{opening.text.rstrip()} {listed}"))
    return statements


def _clean(sentence: str) -> str:
    # Table rows are stored as "Label: value | Label: value"; in prose they read as a list.
    sentence = sentence.removeprefix("- ").strip().replace(" | ", "; ")
    # "the six areas shown above" points at a page the reader does not see.
    sentence = _POINTS_ELSEWHERE.sub("", sentence)
    # A row cut short for length ends on a separator: "...; Notes: Opened in 2021;".
    sentence = sentence.rstrip(" ;|")
    return sentence if sentence[-1:] in ".!?:" else sentence + "."


def _timed(answer: Answer, started: float, retrieved_at: float) -> Answer:
    finished = time.perf_counter()
    answer.timings_ms.update(
        retrieve=(retrieved_at - started) * 1000,
        answer=(finished - retrieved_at) * 1000,
        total=(finished - started) * 1000,
    )
    return answer
