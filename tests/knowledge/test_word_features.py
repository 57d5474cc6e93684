"""The intent model's word features are weighed exactly as the library the fit uses weighs them."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge.answering.models import load_model
from knowledge.answering.word_features import WordWeights

TEXTS = [
    "How do we join the partnership? We want to join, join, join!",
    "Who runs the Business Sector Partnerships at IWD?",
    "a b c",
    "",
    "Café owners in Dubuque want a seat at the table — 2025 plans.",
    "partnership PARTNERSHIP Partnership",
]


def test_the_bot_weighs_words_as_the_fitted_vectorizer_does() -> None:
    examples = resources.files("knowledge.answering.data").joinpath("intent_examples.jsonl")
    texts = [json.loads(line)["text"] for line in examples.read_text().splitlines() if line]
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2).fit(texts)
    weights = WordWeights(tuple(vectorizer.get_feature_names_out()), vectorizer.idf_)

    expected = vectorizer.transform(TEXTS).toarray()
    ours = np.array([weights.row(text) for text in TEXTS])

    np.testing.assert_allclose(ours, expected, atol=1e-12)
    assert np.linalg.norm(ours[0]) == pytest.approx(1.0)
    assert not ours[3].any()


def test_the_shipped_model_stores_the_vocabulary_of_its_examples() -> None:
    examples = resources.files("knowledge.answering.data").joinpath("intent_examples.jsonl")
    texts = [json.loads(line)["text"] for line in examples.read_text().splitlines() if line]
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2).fit(texts)
    stored = WordWeights.from_json(load_model("intent_model").extra["words"])

    assert stored is not None
    assert stored.terms == tuple(vectorizer.get_feature_names_out())
    np.testing.assert_allclose(stored.idf, vectorizer.idf_)


def test_a_model_without_words_has_no_word_weights() -> None:
    assert WordWeights.from_json(None) is None
    assert WordWeights.from_json({}) is None
