"""The fitted models: stored as data, read back exactly, and shaped as the pipeline expects."""

from __future__ import annotations

import numpy as np

from knowledge.answering import decide, select
from knowledge.answering.models import LinearModel, load_model


def test_a_model_written_as_json_reads_back_with_the_same_scores() -> None:
    model = LinearModel(
        features=("a", "b"),
        classes=("yes",),
        mean=np.array([1.0, 2.0]),
        scale=np.array([2.0, 4.0]),
        coef=np.array([[0.5, -1.0]]),
        intercept=np.array([0.25]),
        extra={"threshold": 0.4},
    )
    rows = np.array([[3.0, 2.0], [1.0, 10.0]])

    again = LinearModel.from_json(model.as_json())

    # (3-1)/2*0.5 + 0 + 0.25 = 0.75; 0 - (10-2)/4 + 0.25 = -1.75
    assert np.allclose(again.logits(rows)[:, 0], [0.75, -1.75])
    assert np.allclose(again.probability(rows), 1 / (1 + np.exp(-np.array([0.75, -1.75]))))
    assert again.extra == {"threshold": 0.4}


def test_several_classes_get_probabilities_that_sum_to_one() -> None:
    model = LinearModel(
        features=("x",),
        classes=("a", "b", "c"),
        mean=np.zeros(1),
        scale=np.ones(1),
        coef=np.array([[1.0], [0.0], [-1.0]]),
        intercept=np.zeros(3),
        extra={},
    )

    probabilities = model.probability(np.array([[2.0]]))

    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert int(np.argmax(probabilities[0])) == 0


def test_the_shipped_models_read_the_features_the_pipeline_computes() -> None:
    ranker = load_model("ranker")
    decider = load_model("decide")

    assert ranker.features == select.FEATURES
    assert decider.features == decide.SIGNALS
    assert 0.0 < decider.extra["threshold"] < 1.0
    assert ranker.extra["second_passage_gap"] >= 0.0
