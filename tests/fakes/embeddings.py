"""Fast embedders for tests, shaped like the real one so they go through the same code."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import DeterministicFakeEmbedding

from knowledge.embeddings import Vectors


class FakeEmbedder:
    """LangChain's deterministic fake embeddings, normalised; counts the texts it embedded."""

    model_id = "fake-deterministic-384"
    dimensions = 384

    def __init__(self) -> None:
        self._inner = DeterministicFakeEmbedding(size=self.dimensions)
        self.calls: list[int] = []
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        self.texts.extend(texts)
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = np.array(self._inner.embed_documents(list(texts)), dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    @property
    def embedded(self) -> int:
        return sum(self.calls)


class FailingEmbedder(FakeEmbedder):
    """Fails once it has embedded ``limit`` texts: a refresh dying halfway."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def embed(self, texts: Sequence[str]) -> Vectors:
        if self.embedded + len(texts) > self.limit:
            raise RuntimeError("embedding service went away")
        return super().embed(texts)
