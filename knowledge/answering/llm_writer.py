"""LLM answers: the extractive answerer decides, a chat model words the confident answers.

Intents, retrieval, the decision, involvement routing and declines stay with the pipeline
(``knowledge.answering.pipeline``). Only a confident answer to a plain question is written by the
model, from the passages retrieval found; its markers are checked, the sources block lists only
cited documents, and a timeout, a model error or an answer that cites nothing leaves the
extractive answer or the usual decline in place.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from knowledge.answering import replies
from knowledge.answering.compose import number_sources
from knowledge.answering.llm_prompt import (
    DONT_KNOW,
    Passage,
    answer_messages,
    choose_passages,
    rewrite_messages,
)
from knowledge.answering.pipeline import Answerer, Grounds
from knowledge.answering.staleness import with_staleness_note
from knowledge.answering.trust import link_words, unsupported_details
from knowledge.llm.citations import check_citations, renumber
from knowledge.llm.generate import GenerationTimeout, TextSink, generate
from knowledge.llm.model import mask_keys
from knowledge.llm.redact import Redactor
from knowledge.types import Answer, Chunk, Exchange, Intent, LlmStatus, LlmUse

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

logger = logging.getLogger(__name__)

MAX_STANDALONE_CHARS = 500
_DONT_KNOW_START = DONT_KNOW.split(":", 1)[0].lower()


class LlmAnswerer:
    """Answers like ``Answerer``, with confident answers written by a chat model."""

    def __init__(
        self,
        extractive: Answerer,
        model: BaseChatModel,
        *,
        label: str,
        timeout_seconds: float,
        redact: Redactor,
        published: Sequence[str] = (),
    ) -> None:
        self.extractive = extractive
        # Contact details from the settings: an answer may always name these.
        self.published = tuple(published)
        self.model = model
        self.label = label
        self.timeout_seconds = timeout_seconds
        self.redact = redact

    def answer(
        self,
        question: str,
        *,
        context: str | None = None,
        history: Sequence[Exchange] = (),
        on_text: TextSink | None = None,
    ) -> Answer:
        """Answer one question; ``on_text`` gets the model's text as it is written.

        ``history`` (earlier turns, oldest first) makes a follow-up standalone before retrieval;
        if that rewrite fails, ``context`` (the earlier question) joins the search as it does in
        extractive mode.
        """
        started = time.perf_counter()
        standalone = self._standalone(question, history) if history else None
        rewritten_at = time.perf_counter() if history else started
        base, grounds = self.extractive.respond(
            question, context=None if standalone else context, search=standalone
        )
        if grounds is None:
            return self._timed(base, base, "not_asked", standalone, started, rewritten_at)
        retrieved = [r.chunk for part in grounds.parts for r in part.retrieved]
        passages = choose_passages(grounds.quoted, retrieved, grounds.version.superseded)
        messages = answer_messages(passages, self.redact(standalone or question))
        generating_at = time.perf_counter()
        try:
            reply = generate(
                self.model, messages, timeout_seconds=self.timeout_seconds, on_text=on_text
            )
        except GenerationTimeout:
            logger.warning(
                "LLM %s gave no complete answer within %ss; the extractive answer stands",
                self.label,
                self.timeout_seconds,
            )
            return self._timed(base, base, "timeout", standalone, started, rewritten_at)
        except Exception as error:  # noqa: BLE001 - any model failure falls back
            logger.warning(
                "LLM %s failed (%s); the extractive answer stands", self.label, _describe(error)
            )
            return self._timed(base, base, "error", standalone, started, rewritten_at)
        written, status = self._written(base, grounds, passages, reply)
        generated = (time.perf_counter() - generating_at) * 1000
        answer = self._timed(written, base, status, standalone, started, rewritten_at)
        answer.timings_ms["generate"] = generated
        return answer

    def intent_of(self, message: str) -> Intent:
        """What a message wants (the pipeline's reading)."""
        return self.extractive.intent_of(message)

    def _written(
        self, base: Answer, grounds: Grounds, passages: Sequence[Passage], reply: str
    ) -> tuple[Answer, LlmStatus]:
        checked = check_citations(link_words(reply), {p.n for p in passages})
        if not checked.cited or checked.text.lower().startswith(_DONT_KNOW_START):
            # Nothing it says can be traced to a document: say so rather than pass it on.
            declined = Answer(
                base.question,
                replies.not_found(grounds.contact),
                (),
                False,
                "question",
                declined_because="not_found",
            )
            return declined, "uncited"
        first_chunk: dict[int, Chunk] = {}
        for passage in passages:
            first_chunk.setdefault(passage.n, passage.chunk)
        quoted = [(first_chunk[n], first_chunk[n].text) for n in checked.cited]
        allowed = [text for _, text in quoted] + [c.url or "" for c, _ in quoted]
        if unsupported_details(checked.text, allowed, self.published):
            # A phone, address or link that no cited passage gives may be invented or planted.
            logger.warning("LLM %s named contact details no cited passage gives", self.label)
            return base, "unsupported"
        numbers, sources = number_sources(quoted, grounds.version.superseded, [1.0] * len(quoted))
        shown = {n: numbers[first_chunk[n].doc_id] for n in checked.cited}
        text = renumber(checked.text, shown)
        written = Answer(base.question, text, sources, True, "question")
        stale_after = self.extractive.stale_after_days
        return with_staleness_note(written, stale_after, dt.date.today()), "generated"

    def _standalone(self, question: str, history: Sequence[Exchange]) -> str | None:
        """The follow-up rewritten to stand alone, or None when the model could not do it."""
        earlier = [Exchange(self.redact(turn.question), turn.answer) for turn in history]
        messages = rewrite_messages(earlier, self.redact(question))
        try:
            reply = generate(self.model, messages, timeout_seconds=self.timeout_seconds)
        except GenerationTimeout:
            logger.warning("LLM %s did not rewrite a follow-up in time", self.label)
            return None
        except Exception as error:  # noqa: BLE001 - the follow-up is then searched as before
            logger.warning(
                "LLM %s could not rewrite a follow-up (%s)", self.label, _describe(error)
            )
            return None
        lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
        rewritten = (
            lines[0].removeprefix("Standalone question:").strip().strip("\"'") if lines else ""
        )
        if not rewritten or len(rewritten) > MAX_STANDALONE_CHARS:
            return None
        return rewritten

    def _timed(
        self,
        answer: Answer,
        base: Answer,
        status: LlmStatus,
        standalone: str | None,
        started: float,
        rewritten_at: float,
    ) -> Answer:
        total = (time.perf_counter() - started) * 1000
        rewrite = (rewritten_at - started) * 1000
        retrieve = base.timings_ms.get("retrieve", 0.0)
        timings = {"retrieve": retrieve, "answer": total - retrieve - rewrite, "total": total}
        if rewritten_at > started:
            timings["rewrite"] = rewrite
        return replace(answer, timings_ms=timings, llm=LlmUse(self.label, status, standalone))


def _describe(error: BaseException) -> str:
    """The error's kind and a masked first line: enough to act on, never a key."""
    return f"{type(error).__name__}: {mask_keys(str(error))[:200]}"
