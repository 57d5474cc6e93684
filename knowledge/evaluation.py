"""Score the answerer on a JSONL question set (the format of shared/eval/dev_questions.jsonl).

Each line: ``question``, ``kind`` (factual, paraphrase, multi-doc, involvement, temporal,
out_of_scope), ``expected_files`` (documents that hold the answer) and ``must_include`` (facts a
right answer states). For multi-doc questions every expected file is needed; for the others any
one of them is (they are alternative homes of the same fact).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from knowledge.answering import QuestionAnswerer
from knowledge.types import Answer, Source

SEED_ALIAS = "seed"
KINDS = ("factual", "paraphrase", "multi-doc", "temporal", "involvement", "out_of_scope")
SEED_URL = "https://workforce.iowa.gov/employers/boards-and-partnerships/sector-partnerships"


@dataclass(frozen=True)
class Case:
    """One evaluated question."""

    qid: str
    kind: str
    question: str
    expected: list[str]
    must_include: list[str]
    answer: Answer

    @property
    def answerable(self) -> bool:
        """Questions the documents do answer."""
        return self.kind != "out_of_scope"

    def rank(self) -> int | None:
        """1-based rank of the first expected document among the sources."""
        for position, source in enumerate(self.answer.sources, start=1):
            if any(_matches(name, source) for name in self.expected):
                return position
        return None

    def needed_in_top5(self) -> bool:
        """All needed documents appear among the first five sources."""
        top = self.answer.sources[:5]
        found = [any(_matches(name, source) for source in top) for name in self.expected]
        return all(found) if self.kind == "multi-doc" else any(found)

    def all_expected_in_top5(self) -> bool:
        """Every expected document (alternatives included) is among the first five sources."""
        top = self.answer.sources[:5]
        return all(any(_matches(name, source) for source in top) for name in self.expected)

    def facts_present(self) -> bool:
        """The answer states every required fact (case-insensitive)."""
        text = self.answer.text.lower()
        return all(fact.lower() in text for fact in self.must_include)


@dataclass
class Report:
    """Metrics over a question set, plus the cases behind them."""

    cases: list[Case] = field(default_factory=list)
    # A share with nothing to measure (no out-of-scope question, say) is None.
    metrics: dict[str, float | None] = field(default_factory=dict)

    @property
    def model(self) -> str | None:
        """The LLM that wrote answers (``LLM_MODEL``), or None for extractive answers."""
        return next((c.answer.llm.model for c in self.cases if c.answer.llm), None)

    def as_json(self) -> dict[str, Any]:
        """Metrics and the failures worth reading (and the model, when one wrote answers)."""
        fields: dict[str, Any] = {"model": self.model} if self.model else {}
        return fields | {
            "metrics": self.metrics,
            "failures": [
                {
                    "id": case.qid,
                    "kind": case.kind,
                    "question": case.question,
                    "problems": _problems(case),
                    "answer": case.answer.text,
                    "sources": [s.path or s.url for s in case.answer.sources],
                }
                | ({"llm": case.answer.llm.status} if case.answer.llm else {})
                for case in self.cases
                if _problems(case)
            ],
        }


def load_cases(path: Path) -> list[dict[str, Any]]:
    """Read the question set; a malformed line is an error naming the line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("question"), str):
            raise ValueError(f'{path}:{number}: each line needs a "question" string')
        kind = row.get("kind", "factual")
        if kind not in KINDS:
            raise ValueError(f'{path}:{number}: "kind" is {kind!r}; use one of {", ".join(KINDS)}')
        for key in ("expected_files", "must_include"):
            value = row.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f'{path}:{number}: "{key}" must be a list of strings')
        rows.append(row)
    if not rows:
        raise ValueError(f"{path}: no questions in the file")
    return rows


def evaluate(answerer: QuestionAnswerer, path: Path) -> Report:
    """Answer every question and compute the metrics."""
    report = Report()
    for row in load_cases(path):
        answer = answerer.answer(row["question"])
        report.cases.append(
            Case(
                qid=str(row.get("id", len(report.cases) + 1)),
                kind=str(row.get("kind", "factual")),
                question=row["question"],
                expected=list(row.get("expected_files", [])),
                must_include=list(row.get("must_include", [])),
                answer=answer,
            )
        )
    report.metrics = _metrics(report.cases)
    return report


def _metrics(cases: list[Case]) -> dict[str, float | None]:
    answerable = [c for c in cases if c.answerable]
    with_expected = [c for c in answerable if c.expected]
    out_of_scope = [c for c in cases if not c.answerable]
    declined = [c for c in cases if not c.answer.confident and c.answer.intent != "involvement"]
    routed = [c for c in cases if c.answer.intent == "involvement"]
    involvement = [c for c in cases if c.kind == "involvement"]
    ranks = [c.rank() for c in with_expected]
    lengths = [len(c.answer.text) for c in answerable]
    latencies = sorted(c.answer.timings_ms.get("total", 0.0) for c in cases)
    return _llm_metrics(cases) | {
        "questions": len(cases),
        "hit_at_1": _share([r == 1 for r in ranks]),
        "hit_at_5": _share([c.needed_in_top5() for c in with_expected]),
        "all_expected_at_5": _share([c.all_expected_in_top5() for c in with_expected]),
        "mrr": sum(1 / r for r in ranks if r) / len(ranks) if ranks else None,
        "facts": _share([c.facts_present() for c in answerable if c.must_include]),
        "median_answer_chars": statistics.median(lengths) if lengths else 0.0,
        "abstention_precision": _share([not c.answerable for c in declined]),
        "abstention_recall": _share([c in declined for c in out_of_scope]),
        "answerable_declined": _share([c in declined for c in answerable]),
        "routing_precision": _share([c.kind == "involvement" for c in routed]),
        "routing_recall": _share([c in routed for c in involvement]),
        "false_routes": _share(
            [c.kind != "involvement" for c in cases if c in routed], len(cases) - len(involvement)
        ),
        "latency_p50_ms": round(_percentile(latencies, 50), 2),
        "latency_p95_ms": round(_percentile(latencies, 95), 2),
    }


def _llm_metrics(cases: list[Case]) -> dict[str, float | None]:
    """How the model did on the answers it was asked to write (nothing without a model)."""
    statuses = [c.answer.llm.status for c in cases if c.answer.llm]
    asked = [status for status in statuses if status != "not_asked"]
    if not statuses:
        return {}
    return {
        "llm_asked": len(asked),
        "llm_generated": _share([s == "generated" for s in asked]),
        "llm_uncited": _share([s == "uncited" for s in asked]),
        "llm_fallback": _share([s in ("timeout", "error") for s in asked]),
    }


def format_report(report: Report) -> str:
    """The metrics as an aligned table, then one line per failed question."""
    m = report.metrics
    rows = [
        ("questions", f"{m['questions']:.0f}"),
        ("retrieval hit@1 (right document first)", _pct(m["hit_at_1"])),
        ("retrieval hit@5 (needed documents in top 5)", _pct(m["hit_at_5"])),
        ("  every expected document in top 5", _pct(m["all_expected_at_5"])),
        ("retrieval MRR", "n/a" if m["mrr"] is None else f"{m['mrr']:.3f}"),
        ("answers holding every required fact", _pct(m["facts"])),
        ("median answer length (chars)", f"{m['median_answer_chars']:.0f}"),
        ("abstention precision (declined were out of scope)", _pct(m["abstention_precision"])),
        ("abstention recall (out of scope declined)", _pct(m["abstention_recall"])),
        ("answerable questions declined", _pct(m["answerable_declined"])),
        ("routing precision (involvement)", _pct(m["routing_precision"])),
        ("routing recall (involvement)", _pct(m["routing_recall"])),
        ("false routes (share of non-involvement)", _pct(m["false_routes"])),
        ("latency p50 / p95 (ms)", f"{m['latency_p50_ms']:.1f} / {m['latency_p95_ms']:.1f}"),
    ]
    if report.model:
        rows += [
            ("answers written by the model", report.model),
            ("  questions it was asked to answer", f"{m['llm_asked']:.0f}"),
            ("  answered with valid citations", _pct(m["llm_generated"])),
            ("  cited nothing (declined instead)", _pct(m["llm_uncited"])),
            ("  timeout or error (extractive instead)", _pct(m["llm_fallback"])),
        ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    failures = [(case, _problems(case)) for case in report.cases if _problems(case)]
    if failures:
        lines.append("")
        lines.append("Questions with problems:")
        lines.extend(
            f"  {case.qid} [{case.kind}] {', '.join(problems)}: {case.question}"
            for case, problems in failures
        )
    return "\n".join(lines)


def _problems(case: Case) -> list[str]:
    problems = []
    routed = case.answer.intent == "involvement"
    if case.answerable:
        if case.expected and case.rank() != 1:
            problems.append("right document not first")
        if case.expected and not case.needed_in_top5():
            problems.append("needed document missing from top 5")
        if case.must_include and not case.facts_present():
            missing = [f for f in case.must_include if f.lower() not in case.answer.text.lower()]
            problems.append("missing " + " / ".join(repr(f) for f in missing))
        if not case.answer.confident and not routed:
            problems.append("declined")
    elif case.answer.confident or routed:
        problems.append("answered out-of-scope question")
    if routed != (case.kind == "involvement"):
        problems.append("routed" if routed else "not routed")
    return problems


def _matches(expected: str, source: Source) -> bool:
    location = source.path or source.url or ""
    if PurePath(location).name == expected:
        return True
    if expected == SEED_ALIAS:
        in_seed_folder = SEED_ALIAS in PurePath(location).parent.parts
        return in_seed_folder or source.url == SEED_URL
    return False


def _share(flags: list[bool], denominator: int | None = None) -> float | None:
    total = len(flags) if denominator is None else denominator
    return sum(flags) / total if total else None


def _percentile(values: list[float], percent: float) -> float:
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, round(percent / 100 * (len(values) - 1))))
    return values[index]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"
