"""bench/fit_answering.py: the decide model also learns from questions with documents hidden."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from bot.services import Services
from knowledge.answering.retrieve import rank
from knowledge.embeddings import MiniLMEmbedder
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))

import fit_answering  # noqa: E402
from fit_answering import HiddenCases, Question  # noqa: E402


def _standardised(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x.mean(axis=0), x.std(axis=0) + 1e-9


def test_without_hidden_cases_the_decide_model_is_the_class_balanced_regression() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(60, 3))
    y = x[:, 0] + rng.normal(scale=0.5, size=60) > -0.8
    mean, scale = _standardised(x)
    none = HiddenCases([], np.zeros((0, 3)), 0.5)

    ours = fit_answering._fit_decide_model(x, y, none, mean, scale)
    balanced = LogisticRegression(C=fit_answering.DECIDE_C, max_iter=5000, class_weight="balanced")
    balanced.fit((x - mean) / scale, y)

    assert np.allclose(ours.coef_, balanced.coef_, atol=1e-4)
    assert np.allclose(ours.intercept_, balanced.intercept_, atol=1e-4)


def test_a_zero_share_of_hidden_cases_is_the_balanced_regression_too() -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(size=(40, 2))
    y = x[:, 0] > -0.5
    mean, scale = _standardised(x)
    hidden = HiddenCases(
        [Question("real", f"q{i}", "factual", "?", [], []) for i in range(30)],
        rng.normal(size=(30, 2)),
        0.0,
    )

    ours = fit_answering._fit_decide_model(x, y, hidden, mean, scale)
    balanced = LogisticRegression(C=fit_answering.DECIDE_C, max_iter=5000, class_weight="balanced")
    balanced.fit((x - mean) / scale, y)

    assert np.allclose(ours.coef_, balanced.coef_, atol=1e-4)


def test_hidden_cases_teach_declining_an_on_topic_question_with_weak_evidence() -> None:
    # Signals: (evidence strength, off topic). Answerable questions have strong evidence; the
    # only out-of-scope questions are off topic. An on-topic question with weak evidence is
    # answered unless the hidden cases (on topic, weak evidence) teach otherwise.
    rng = np.random.default_rng(3)
    answerable = np.column_stack([rng.normal(1.0, 0.3, 80), rng.normal(0.1, 0.05, 80)])
    off_topic = np.column_stack([rng.normal(0.6, 0.3, 10), rng.normal(0.8, 0.05, 10)])
    hidden_rows = np.column_stack([rng.normal(-0.2, 0.3, 60), rng.normal(0.1, 0.05, 60)])
    x = np.vstack([answerable, off_topic])
    y = np.array([True] * 80 + [False] * 10)
    mean, scale = _standardised(x)
    near_scope = (np.array([[-0.2, 0.1]]) - mean) / scale
    hidden_questions = [Question("real", f"q{i}", "factual", "?", [], []) for i in range(60)]

    without = fit_answering._fit_decide_model(
        x, y, HiddenCases([], np.zeros((0, 2)), 0.5), mean, scale
    )
    with_hidden = fit_answering._fit_decide_model(
        x, y, HiddenCases(hidden_questions, hidden_rows, 0.5), mean, scale
    )

    assert without.predict_proba(near_scope)[0, 1] > 0.5
    assert with_hidden.predict_proba(near_scope)[0, 1] < 0.5


def test_hidden_cases_of_a_fold_are_those_of_its_questions() -> None:
    questions = [Question("real", f"q{i}", "factual", "?", [], []) for i in range(4)]
    hidden = HiddenCases(questions, np.arange(8.0).reshape(4, 2), 0.5)

    kept = hidden.of({"q1real", "q3real"})

    assert [q.qid for q in kept.cases] == ["q1", "q3"]
    assert kept.rows.tolist() == [[2.0, 3.0], [6.0, 7.0]]


def test_hiding_the_expected_documents_leaves_the_others_in_their_order(
    corpus_services: Services, minilm: MiniLMEmbedder
) -> None:
    version = corpus_services.kb.current()
    assert version is not None
    question = "What does the regional training fund pay for?"
    rankings = rank(version, question, minilm.embed([question])[0])
    expected = ["regional_training_fund_fact_sheet.docx"]

    def files(ranking: list[tuple[str, float]]) -> list[str]:
        chunks = version.read_chunks([c for c, _ in ranking])
        return [Path(chunks[c].path or "").name for c, _ in ranking]

    hidden = fit_answering._without_expected(version, rankings, expected)

    assert expected[0] in files(rankings.dense) + files(rankings.keyword)
    assert expected[0] not in files(hidden.dense) + files(hidden.keyword)
    for before, after in ((rankings.dense, hidden.dense), (rankings.keyword, hidden.keyword)):
        assert after == [
            pair for pair, name in zip(before, files(before), strict=True) if name != expected[0]
        ]


def _questions(count: int) -> list[Question]:
    return [Question("real", f"q{i}", "factual", "?", [], []) for i in range(count)]


def test_no_question_is_scored_by_a_model_that_saw_its_hidden_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = _questions(30)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(30, 2))
    y = np.array([i % 3 != 0 for i in range(30)])
    hidden = HiddenCases(cases, rng.normal(size=(30, 2)), 0.5)
    seen: list[set[str]] = []
    fit = fit_answering._fit_decide_model

    def recording(
        x: np.ndarray, y: np.ndarray, hidden: HiddenCases, mean: np.ndarray, scale: np.ndarray
    ) -> LogisticRegression:
        seen.append({q.qid + q.set_name for q in hidden.cases})
        return fit(x, y, hidden, mean, scale)

    monkeypatch.setattr(fit_answering, "_fit_decide_model", recording)
    fit_answering._decide_out_of_fold(cases, x, y, 5, hidden)

    tested = [{q.qid + q.set_name for q in test} for _, test in fit_answering._folds(cases, 5)]
    assert len(seen) == len(tested) == 5
    for hidden_ids, test_ids in zip(seen, tested, strict=True):
        assert hidden_ids and not hidden_ids & test_ids


def test_the_held_out_messages_are_not_among_the_intent_examples() -> None:
    lines = (REPO / "knowledge" / "answering" / "data" / "intent_examples.jsonl").read_text()
    fitted = {_plain(json.loads(line)["text"]) for line in lines.splitlines() if line.strip()}
    held_out = fit_answering.read_held_out(fit_answering.HELD_OUT_INTENTS)

    assert {intent for _, intent in held_out} == {"question", "involvement"}
    assert [text for text, _ in held_out if _plain(text) in fitted] == []


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


def test_routing_counts_recall_over_requests_and_false_routes_over_the_rest() -> None:
    guessed = ["involvement", "question", "involvement", "question", "smalltalk"]
    wanted = [True, True, False, False, False]

    assert fit_answering.routing(guessed, wanted) == (0.5, 1 / 3)
