"""Fitted linear models read from the package's data files: weights, never hand-set numbers.

``bench/fit_answering.py`` fits each model with cross-validation on labelled data and writes it
here as JSON: feature names, the standardisation it was fitted with, coefficients and intercepts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Features, weights and scores are float64, whatever the embedding vectors are.
Array = NDArray[np.float64]

DATA_PACKAGE = "knowledge.answering.data"


@dataclass(frozen=True)
class LinearModel:
    """A logistic model (one row of coefficients per class, or one for a yes/no model)."""

    features: tuple[str, ...]
    classes: tuple[str, ...]
    mean: Array
    scale: Array
    coef: Array
    intercept: Array
    extra: dict[str, Any]

    def logits(self, rows: Array) -> Array:
        """Raw scores: one column per class (one column for a yes/no model)."""
        standard = (np.atleast_2d(rows) - self.mean) / self.scale
        result: Array = standard @ self.coef.T + self.intercept
        return result

    def probability(self, rows: Array) -> Array:
        """Probability of "yes" for a yes/no model; of each class (softmax) otherwise."""
        raw = self.logits(rows)
        if raw.shape[1] == 1:
            result: Array = 1.0 / (1.0 + np.exp(-raw[:, 0]))
            return result
        shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
        softmax: Array = shifted / shifted.sum(axis=1, keepdims=True)
        return softmax

    def as_json(self) -> dict[str, Any]:
        """The model as its data file stores it."""
        return {
            "features": list(self.features),
            "classes": list(self.classes),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept.tolist(),
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        """Rebuild a model from what ``as_json`` wrote."""
        return cls(
            features=tuple(data["features"]),
            classes=tuple(data["classes"]),
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.atleast_2d(np.asarray(data["coef"], dtype=np.float64)),
            intercept=np.atleast_1d(np.asarray(data["intercept"], dtype=np.float64)),
            extra=dict(data.get("extra", {})),
        )


def load_model(name: str) -> LinearModel:
    """The fitted model in ``data/<name>.json``."""
    text = resources.files(DATA_PACKAGE).joinpath(f"{name}.json").read_text(encoding="utf-8")
    return LinearModel.from_json(json.loads(text))
