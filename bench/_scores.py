"""Scoring for ``bench/quality.py``: the measures of ``knowledge/evaluation.py``, for any system.

The bot's cases come from ``knowledge.evaluation.evaluate`` and the recipe's are wrapped in its
``Case``, so both are judged by the same code. Only the names in ``ScoredCase`` are used:
``knowledge/`` is being rewritten and its other internals may move.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from _machine import percentile

if TYPE_CHECKING:
    from knowledge.types import Answer

KINDS = ("factual", "paraphrase", "multi-doc", "temporal", "out_of_scope", "involvement")


class ScoredCase(Protocol):
    """What this module reads of ``knowledge.evaluation.Case``."""

    @property
    def kind(self) -> str: ...
    @property
    def answer(self) -> Answer: ...
    @property
    def answerable(self) -> bool: ...
    def rank(self) -> int | None: ...
    def needed_in_top5(self) -> bool: ...
    def facts_present(self) -> bool: ...


@dataclass(frozen=True)
class Question:
    """One line of a question file (the format of ``shared/eval/dev_questions.jsonl``)."""

    qid: str
    kind: str
    question: str
    expected: list[str]
    must_include: list[str]


@dataclass(frozen=True)
class Outcome:
    """One answered question reduced to what the tables count."""

    kind: str
    answerable: bool
    has_expected: bool
    has_facts: bool
    rank: int | None
    needed_in_top5: bool
    facts: bool
    declined: bool
    routed: bool
    chars: int
    latency_ms: float


def read_questions(path: Path) -> list[Question]:
    """The question file, blank lines skipped as ``knowledge.evaluation`` skips them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [
        Question(
            qid=str(row.get("id", number)),
            kind=str(row.get("kind", "factual")),
            question=row["question"],
            expected=list(row.get("expected_files", [])),
            must_include=list(row.get("must_include", [])),
        )
        for number, row in enumerate(rows, start=1)
    ]


def outcome(question: Question, case: ScoredCase) -> Outcome:
    """Reduce a case to the figures, counting declines and routes as ``sectorbot eval`` does."""
    answer = case.answer
    routed = answer.intent == "involvement"
    return Outcome(
        kind=case.kind,
        answerable=case.answerable,
        has_expected=bool(question.expected),
        has_facts=bool(question.must_include),
        rank=case.rank(),
        needed_in_top5=case.needed_in_top5(),
        facts=case.facts_present(),
        declined=not answer.confident and not routed,  # routing to a contact is not declining
        routed=routed,
        chars=len(answer.text),
        latency_ms=float(answer.timings_ms.get("total", 0.0)),
    )


def measures(outcomes: Sequence[Outcome]) -> dict[str, float | None]:
    """The main table's figures; None where no question qualifies."""
    answerable = [o for o in outcomes if o.answerable]
    ranked = [o for o in answerable if o.has_expected]
    lengths = [o.chars for o in answerable]
    latencies = [o.latency_ms for o in outcomes]
    return {
        "questions": len(outcomes),
        "hit_at_1": _share(o.rank == 1 for o in ranked),
        "hit_at_5": _share(o.needed_in_top5 for o in ranked),
        "facts": _share(o.facts for o in answerable if o.has_facts),
        "median_answer_chars": statistics.median(lengths) if lengths else None,
        "out_of_scope_declined": _share(o.declined for o in outcomes if not o.answerable),
        "answerable_declined": _share(o.declined for o in answerable),
        "routing_recall": _share(o.routed for o in outcomes if o.kind == "involvement"),
        "false_routes": _share(o.routed for o in outcomes if o.kind != "involvement"),
        "latency_p50_ms": percentile(latencies, 50) if latencies else None,
        "latency_p95_ms": percentile(latencies, 95) if latencies else None,
    }


def by_kind(bot: Sequence[Outcome] | None, recipe: Sequence[Outcome]) -> dict[str, Any]:
    """Per kind: the bot's facts, hit@1, declines and routes; the recipe's facts and hit@1."""
    kinds = list(KINDS) + sorted({o.kind for o in recipe} - set(KINDS))
    table: dict[str, Any] = {}
    for kind in kinds:
        ours = [o for o in bot or [] if o.kind == kind]
        theirs = [o for o in recipe if o.kind == kind]
        if theirs:
            table[kind] = {"questions": len(theirs)} | _kind_figures(ours, theirs)
    return table


def _kind_figures(ours: list[Outcome], theirs: list[Outcome]) -> dict[str, float | None]:
    return {
        "bot_facts": _share(o.facts for o in ours if o.answerable and o.has_facts),
        "bot_hit_at_1": _share(o.rank == 1 for o in ours if o.answerable and o.has_expected),
        "bot_declined": _share(o.declined for o in ours),
        "bot_routed": _share(o.routed for o in ours),
        "recipe_facts": _share(o.facts for o in theirs if o.answerable and o.has_facts),
        "recipe_hit_at_1": _share(o.rank == 1 for o in theirs if o.answerable and o.has_expected),
    }


def problems(question: Question, case: ScoredCase) -> list[str]:
    """Why an answer failed, in the words ``sectorbot eval`` uses."""
    answer = case.answer
    routed = answer.intent == "involvement"
    found = []
    if case.answerable:
        if question.expected and case.rank() != 1:
            found.append("right document not first")
        if question.expected and not case.needed_in_top5():
            found.append("needed document missing from top 5")
        missing = [f for f in question.must_include if f.lower() not in answer.text.lower()]
        if missing:
            found.append("missing " + " / ".join(repr(f) for f in missing))
        if not answer.confident and not routed:
            found.append("declined")
    elif answer.confident or routed:
        found.append("answered out-of-scope question")
    if routed != (case.kind == "involvement"):
        found.append("routed" if routed else "not routed")
    return found


def _share(flags: Iterable[bool]) -> float | None:
    values = list(flags)
    return sum(values) / len(values) if values else None
