"""Compose: the reply's text with ``[n]`` markers, and its numbered sources.

An answer quotes at most two passages as the documents wrote them; sources are the documents it
quotes, best first. An involvement answer names the configured contact in our own words and
cites the page that publishes them; it quotes no document sentence, so a contact detail planted
in a document can never stand beside the real one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.answering import replies
from knowledge.answering.select import Evidence, Passage
from knowledge.contacts import Contact
from knowledge.sentences import MAX_SENTENCE_CHARS
from knowledge.store.reader import OpenVersion
from knowledge.terms import content_terms
from knowledge.types import Answer, Chunk, Source

MAX_PASSAGES = 2
MAX_SOURCES = 5
SNIPPET_CHARS = 240
# A longer heading (a press release's headline) would crowd the passage it leads in. Facts are
# the same at 80 characters; the real pages' median answer is 518 characters at 50, 558 at 80.
LEAD_IN_CHARS = 50
# Asked for an e-mail the settings do not give, the answer says none is published rather than
# leave it unsaid. No effect on either development set's measures; a test checks the reply.
_ASKS_EMAIL = re.compile(r"\be-?mail\b", re.IGNORECASE)


@dataclass(frozen=True)
class SecondPassage:
    """How close a runner-up must be to join the best passage, in spreads of the scores.

    One from the best passage's own document goes on with the same source; one from another
    document must be closer, for it may be about something else. Fitted by
    ``bench/fit_answering.py`` (CV facts, sample / real, and the longer median: 88.1% / 73.5%,
    626 characters with 0.75 and 0.1; 88.1% / 72.6%, 626 with 0.3 for both; 83.3% / 65.8%, 468
    with no second passage).
    """

    same_document: float = 0.0
    other_document: float = 0.0


def answer_passages(
    parts: Sequence[Evidence], second: SecondPassage, superseded: frozenset[str] = frozenset()
) -> list[Passage]:
    """The passages an answer quotes: each part's best, then a close second for one part.

    Asked how things stand now, an answer whose best passage comes from a page that is archived
    (in ``superseded``) or older than another candidate's goes on with the best passage of a
    current page: the old page may be the one the question echoes, the new one says what holds.
    Facts (``bench/quality.py``, sample / real pages): 79.6% / 71.7% with this, 77.6% / 71.7%
    without (the real pages' old versions carry no archived note or stated date to go by).

    No passage repeats words already quoted (``Passage.repeats``), from another document either:
    no change on either development set, whose documents are not copies of each other; it keeps
    a page and a saved copy of it from being quoted one after the other (``test_repeats.py``).
    When the current page says what the outdated one says, the answer quotes the current one.
    """
    chosen: list[Passage] = []
    for part in parts:
        best = next((p for p in part.passages if not any(p.repeats(c) for c in chosen)), None)
        if best is not None and len(chosen) < MAX_PASSAGES:
            chosen.append(best)
    if len(parts) == 1 and chosen and parts[0].part.asks_now:
        newer = _newer_page(parts[0].passages, chosen[0], superseded)
        if newer is not None and newer.repeats(chosen[0]):
            return [newer]
        if newer is not None:
            return [*chosen, newer]
    if len(parts) == 1 and chosen:
        runner_up = next(
            (p for p in parts[0].passages[1:] if not any(p.repeats(c) for c in chosen)), None
        )
        if runner_up is not None:
            same = runner_up.chunk.doc_id == chosen[0].chunk.doc_id
            allowed = second.same_document if same else second.other_document
            if chosen[0].score - runner_up.score <= allowed * parts[0].spread:
                chosen.append(runner_up)
    return chosen


def _newer_page(
    passages: Sequence[Passage], best: Passage, superseded: frozenset[str]
) -> Passage | None:
    """The best passage of a page more current than ``best``'s, when ``best``'s is outdated."""
    dated = best.chunk.date

    def newer(passage: Passage) -> bool:
        chunk = passage.chunk
        if chunk.doc_id == best.chunk.doc_id or chunk.doc_id in superseded:
            return False
        if best.chunk.doc_id in superseded:
            return True
        return dated is not None and chunk.date is not None and chunk.date > dated

    return next((p for p in passages if newer(p)), None)


def question_answer(
    question: str, version: OpenVersion, parts: Sequence[Evidence], passages: Sequence[Passage]
) -> Answer:
    """A confident answer quoting ``passages``, each followed by its document's marker.

    Sources are numbered best first: by how well retrieval matched each quoted document (each
    part's best chunk counting 1), so ``[1]`` may be quoted second.
    """
    matched: dict[str, float] = {}
    for part in parts:
        best = part.retrieved[0].fused if part.retrieved else 1.0
        for result in part.retrieved:
            doc_id = result.chunk.doc_id
            matched[doc_id] = max(matched.get(doc_id, 0.0), result.fused / best)
    ordered = sorted(passages, key=lambda p: -matched.get(p.chunk.doc_id, 0.0))
    numbers, sources = number_sources(
        [(p.chunk, p.text) for p in ordered],
        version.superseded,
        [matched.get(p.chunk.doc_id, 0.0) for p in ordered],
    )
    pieces = []
    for passage, text in zip(passages, quoted_texts(passages), strict=True):
        flag = " (archived page)" if passage.chunk.doc_id in version.superseded else ""
        pieces.append(f"{text} [{numbers[passage.chunk.doc_id]}]{flag}")
    return Answer(question, " ".join(pieces), sources, True, "question")


def involvement_answer(
    question: str, version: OpenVersion, contact: Contact, pages: ContactPages
) -> Answer:
    """Route to the contact, citing the page that publishes them when it is indexed."""
    published = pages.find(version, contact)
    quoted = [published] if published else []
    numbers, sources = number_sources(quoted, frozenset(), [1.0] * len(quoted))
    marker = f" [{numbers[published[0].doc_id]}]" if published else ""
    parts = [replies.contact_line(contact, marker)]
    if _ASKS_EMAIL.search(question) and not contact.email:
        parts.append(replies.no_email(contact))
    parts.append(replies.next_steps())
    return Answer(question, " ".join(parts), sources, True, "involvement", handoff=contact)


def quoted_texts(passages: Sequence[Passage]) -> list[str]:
    """The passages as an answer quotes them: each led in by where it comes from (once)."""
    texts = []
    said = ""
    for passage in passages:
        heading = lead_in(passage)
        texts.append(f"{heading if heading != said else ''}{readable(passage.sentences)}")
        said = heading or said
    return texts


def lead_in(passage: Passage) -> str:
    """The section heading the passage sits under (or its page's name), then a dash.

    Cut from its page, "This program provides tax benefits to developers" says which program
    only in its heading. Left out when the passage already holds every word of it. Facts, sample
    / real pages: ``bench/quality.py`` 83.7% / 72.5% with, 81.6% / 71.0% without;
    ``bench/fit_answering.py`` (cross-validated) 85.7% / 73.5% with, 83.3% / 72.6% without. Both
    scripts count one more sample answer, whose fact "17" only the year of a heading "April 2017:
    ..." holds.
    """
    chunk = passage.chunk
    title = chunk.title.strip()
    sections = [h.strip() for h in chunk.headings if h.strip() and h.strip() != title]
    heading = sections[-1] if sections else title.split(" | ")[0].strip()
    if not heading or heading.endswith("…") or len(heading) > LEAD_IN_CHARS:
        return ""
    if set(content_terms(heading)) <= set(content_terms(" ".join(passage.sentences))):
        return ""
    return f"{heading} — "


def readable(sentences: Sequence[str]) -> str:
    """Sentences as prose: list items run on with semicolons, table cells likewise.

    A short line without an end stop (a heading, "Last reviewed: March 2019") gets a period
    before a capitalised next sentence, which would otherwise read as its continuation. A long
    one is a sentence the splitter cut in two (``knowledge.sentences.MAX_SENTENCE_CHARS``), and
    goes on in the next piece as it is.
    """
    out: list[str] = []
    for sentence in sentences:
        text = sentence.strip().replace(" | ", "; ")
        if text.startswith("- ") and out:
            out[-1] = out[-1].rstrip(".;") + ("" if out[-1].endswith(":") else ";") + " " + text[2:]
        else:
            if out and _runs_into(out[-1], text.removeprefix("- ")):
                out[-1] += "."
            out.append(text.removeprefix("- "))
    joined = " ".join(out).rstrip(" ;|")
    return joined if joined[-1:] in _ENDS else joined + "."


_ENDS = ".!?:;)]\"'”’…"
# Longer than any heading; the splitter cuts sentences only past twice this.
HEADING_CHARS = MAX_SENTENCE_CHARS // 2


def _runs_into(line: str, following: str) -> bool:
    return len(line) <= HEADING_CHARS and line[-1:] not in _ENDS and following[:1].isupper()


def number_sources(
    quoted: Sequence[tuple[Chunk, str]], archived: frozenset[str], scores: Sequence[float]
) -> tuple[dict[str, int], tuple[Source, ...]]:
    """Number the quoted documents in the order they are quoted (the best passage first)."""
    numbers: dict[str, int] = {}
    sources: list[Source] = []
    for (chunk, text), score in zip(quoted, scores, strict=True):
        if chunk.doc_id in numbers or len(numbers) >= MAX_SOURCES:
            continue
        numbers[chunk.doc_id] = len(numbers) + 1
        sources.append(
            Source(
                n=numbers[chunk.doc_id],
                title=chunk.title,
                url=chunk.url,
                path=chunk.path,
                score=score,
                snippet=_snippet(text),
                date=chunk.date,
                archived=chunk.doc_id in archived,
            )
        )
    return numbers, tuple(sources)


@dataclass
class ContactPages:
    """Finds, once per knowledge-base version, the sentence that publishes each contact.

    That is on the page the contact's settings name as ``source`` when it is indexed; otherwise
    on the first current (not archived) page whose text gives the contact's phone number (or name).
    """

    _found: dict[tuple[str, str], tuple[Chunk, str] | None] = field(default_factory=dict)

    def find(self, version: OpenVersion, contact: Contact) -> tuple[Chunk, str] | None:
        """The (chunk, sentence) to cite for ``contact``, or None when no page publishes them."""
        key = (version.record.version_id, contact.name)
        if key not in self._found:
            self._found[key] = _publishing_sentence(version, contact)
        return self._found[key]


def _publishing_sentence(version: OpenVersion, contact: Contact) -> tuple[Chunk, str] | None:
    needle = contact.phone or contact.name
    naming = version.chunks_containing(needle)
    official = [c for c in naming if contact.source and contact.source in (c.url, c.path)]
    current = [c for c in naming if c.doc_id not in version.superseded]
    for chunk in official or current or naming:
        for line in chunk.text.splitlines():
            if needle in line:
                return chunk, line.strip()
    return None


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"
