"""BM25 keyword search over chunks (bm25s), built from the stored chunk texts."""

from __future__ import annotations

import logging
from array import array
from collections.abc import Iterable, Sequence

import bm25s
import numpy as np

from knowledge.terms import content_terms

# bm25s sets its own logger to DEBUG when it is imported, after the CLI has quietened it, and
# every index it builds then printed a line in the user's terminal.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class KeywordIndex:
    """A BM25 index whose rows line up with ``ids``."""

    def __init__(self, ids: Sequence[str], texts: Iterable[str]) -> None:
        self.ids = list(ids)
        self._retriever = bm25s.BM25(k1=1.2, b=0.75)
        # One pass, each text's terms turned into compact term ids at once: a 100k-chunk
        # version would otherwise hold every text's term list and id list as Python lists
        # (hundreds of MB) while the index is built.
        self._vocabulary: dict[str, int] = {}
        frequency: dict[int, int] = {}
        token_ids: list[array[int]] = []
        for text in texts:
            terms = content_terms(text) or ["_empty_"]
            row = array("I", (self._vocabulary.setdefault(t, len(self._vocabulary)) for t in terms))
            for term_id in set(row):
                frequency[term_id] = frequency.get(term_id, 0) + 1
            token_ids.append(row)
        self._document_frequency = frequency
        self._size = len(token_ids)
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
        term_id = self._vocabulary.get(term)
        frequency = self._document_frequency.get(term_id, 0) if term_id is not None else 0
        return float(np.log(1 + (self._size - frequency + 0.5) / (frequency + 0.5)))
