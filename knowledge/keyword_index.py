"""BM25 keyword search over chunks (bm25s), built from the stored chunk texts."""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np

from knowledge.terms import content_terms


class KeywordIndex:
    """A BM25 index whose rows line up with ``ids``."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        self.ids = list(ids)
        self._retriever = bm25s.BM25(k1=1.2, b=0.75)
        corpus = [content_terms(text) or ["_empty_"] for text in texts]
        vocabulary = {term for terms in corpus for term in terms}
        self._vocabulary = {term: i for i, term in enumerate(sorted(vocabulary))}
        self._document_frequency = _document_frequency(corpus)
        self._size = len(corpus)
        token_ids = [[self._vocabulary[t] for t in terms] for terms in corpus]
        if self.ids:
            self._retriever.index(
                bm25s.tokenization.Tokenized(token_ids, self._vocabulary), show_progress=False
            )

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top ``k`` chunk ids with BM25 scores, best first (only positive scores)."""
        terms = [t for t in content_terms(query) if t in self._vocabulary]
        if not terms or not self.ids:
            return []
        query_ids = [[self._vocabulary[t] for t in terms]]
        k = min(k, len(self.ids))
        rows, scores = self._retriever.retrieve(
            bm25s.tokenization.Tokenized(query_ids, self._vocabulary), k=k, show_progress=False
        )
        return [
            (self.ids[int(row)], float(score))
            for row, score in zip(rows[0], scores[0], strict=True)
            if score > 0
        ]

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term (unknown terms count as rare)."""
        frequency = self._document_frequency.get(term, 0)
        return float(np.log(1 + (self._size - frequency + 0.5) / (frequency + 0.5)))


def _document_frequency(corpus: Sequence[Sequence[str]]) -> dict[str, int]:
    frequency: dict[str, int] = {}
    for terms in corpus:
        for term in set(terms):
            frequency[term] = frequency.get(term, 0) + 1
    return frequency
