"""BM25 keyword search over chunks (bm25s): built when a version is built, saved, memory-mapped.

The builder saves each version's index beside the data dir's other local files; opening a
version loads it with the score matrix left on disk (mapped, read by the pages a query touches),
instead of re-tokenizing every chunk at each open. An instance that finds no saved index (a
version another instance built, or one built before indexes were saved) builds it once from the
chunk texts and saves it for its next start.

bm25s weighs the terms when an index is built. A query only sums the matrix columns of its
terms, done here with numpy, so answering never imports bm25s, which imports scipy (0.2 s of
a cold ``sectorbot ask``).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import logging
import shutil
import uuid
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge import terms
from knowledge.terms import content_terms

_IDS = "ids.json"
_TERMS = "terms.json"
_FREQUENCY = "document_frequency.npy"
_RULES = "term_rules.txt"
# The score matrix, one column of chunk weights per term (compressed sparse columns).
_MATRIX = ("weights.npy", "rows.npy", "column_starts.npy")
# What the files above are; an index saved as bm25s's own files is rebuilt once.
_FORMAT = "numpy-columns-1"


@functools.cache
def _term_rules() -> str:
    """What a saved index's terms were made by: the term rules' source and bm25s's version.

    Queries are split into terms by the code running now; an index saved under other rules
    (``knowledge/terms.py`` edited, bm25s upgraded) would no longer match them, so it is rebuilt.
    """
    source = Path(terms.__file__).read_bytes()
    bm25s_version = importlib.metadata.version("bm25s")
    return f"{hashlib.sha256(source).hexdigest()} bm25s {bm25s_version} {_FORMAT}"


_EMPTY_MATRIX = (
    np.zeros(0, dtype=np.float32),
    np.zeros(0, dtype=np.int32),
    np.zeros(1, dtype=np.int32),
)


class KeywordTerms:
    """Chunks' terms collected one chunk at a time, as a version is written, for its index.

    Each text's terms become compact term ids at once: a 100k-chunk version would otherwise
    hold every text's term list and id list as Python lists (hundreds of MB) until indexed.
    """

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.vocabulary: dict[str, int] = {}
        self.frequency: dict[int, int] = {}
        self.rows: list[array[int]] = []

    def add(self, chunk_id: str, text: str) -> None:
        """Take one chunk's text."""
        terms = content_terms(text) or ["_empty_"]
        row = array("I", (self.vocabulary.setdefault(t, len(self.vocabulary)) for t in terms))
        for term_id in set(row):
            self.frequency[term_id] = self.frequency.get(term_id, 0) + 1
        self.ids.append(chunk_id)
        self.rows.append(row)

    def index(self) -> KeywordIndex:
        """The BM25 index of every chunk taken."""
        return KeywordIndex.from_terms(self)


class KeywordIndex:
    """A BM25 index whose rows line up with ``ids``."""

    def __init__(self, ids: Sequence[str], texts: Iterable[str]) -> None:
        terms = KeywordTerms()
        for chunk_id, text in zip(ids, texts, strict=True):
            terms.add(chunk_id, text)
        self._take(terms)

    @classmethod
    def from_terms(cls, terms: KeywordTerms) -> KeywordIndex:
        """The index of the chunks ``terms`` collected."""
        index = cls.__new__(cls)
        index._take(terms)
        return index

    def _take(self, terms: KeywordTerms) -> None:
        import bm25s

        # bm25s sets its own logger to DEBUG when it is imported, after the CLI has quietened
        # it, and every index it builds then printed a line in the user's terminal.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self.ids = terms.ids
        self._vocabulary = terms.vocabulary
        self._document_frequency: Any = np.zeros(len(terms.vocabulary), dtype=np.int32)
        for term_id, count in terms.frequency.items():
            self._document_frequency[term_id] = count
        self._size = len(terms.rows)
        self._matrix: tuple[Any, Any, Any] = _EMPTY_MATRIX
        if self.ids:
            retriever = bm25s.BM25(k1=1.2, b=0.75)
            # Without the empty token bm25s would add "" to our vocabulary, past the matrix.
            retriever.index(
                bm25s.tokenization.Tokenized(terms.rows, terms.vocabulary),
                create_empty_token=False,
                show_progress=False,
            )
            scores = retriever.scores
            self._matrix = (scores["data"], scores["indices"], scores["indptr"])

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top ``k`` chunk ids with BM25 scores, best first (only positive scores)."""
        terms = [t for t in content_terms(query) if t in self._vocabulary]
        if not terms or not self.ids:
            return []
        scores = self._scores([self._vocabulary[t] for t in terms])
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        ranked = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[int(row)], float(scores[row])) for row in ranked if scores[row] > 0]

    def _scores(self, term_ids: list[int]) -> Any:
        """Each chunk's BM25 score: the sum of its weights under the query's terms."""
        weights, rows, column_starts = self._matrix
        scores = np.zeros(self._size, dtype=np.float32)
        for term_id in term_ids:
            start, end = int(column_starts[term_id]), int(column_starts[term_id + 1])
            # A column names each chunk once, so adding through the index adds every weight.
            scores[rows[start:end]] += weights[start:end]
        return scores

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term (unknown terms count as rare)."""
        term_id = self._vocabulary.get(term)
        frequency = int(self._document_frequency[term_id]) if term_id is not None else 0
        return float(np.log(1 + (self._size - frequency + 0.5) / (frequency + 0.5)))

    def save(self, directory: Path) -> None:
        """Write the index to ``directory``, replacing it whole (a reader never sees half of it)."""
        # Named for this writer: a CLI refresh and `serve` may save the same version at once.
        partial = directory.with_name(f"{directory.name}.{uuid.uuid4().hex}.partial")
        partial.mkdir(parents=True)
        for name, array_ in zip(_MATRIX, self._matrix, strict=True):
            np.save(partial / name, np.asarray(array_))
        (partial / _RULES).write_text(_term_rules(), encoding="utf-8")
        (partial / _IDS).write_text(json.dumps(self.ids), encoding="utf-8")
        (partial / _TERMS).write_text(json.dumps(self._vocabulary), encoding="utf-8")
        np.save(partial / _FREQUENCY, np.asarray(self._document_frequency))
        shutil.rmtree(directory, ignore_errors=True)
        try:
            partial.rename(directory)
        except OSError:
            # Another writer's copy of the same index landed first; it is as good as this one.
            shutil.rmtree(partial, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex:
        """An index saved by ``save``; its score matrix stays on disk, memory-mapped.

        Raises:
            OSError: when nothing (or not all of it) was saved there.
            ValueError: when it was saved under other term rules than this code's.

        """
        if (directory / _RULES).read_text(encoding="utf-8") != _term_rules():
            raise ValueError(f"{directory} was saved under other term rules")
        index = cls.__new__(cls)
        index.ids = json.loads((directory / _IDS).read_text(encoding="utf-8"))
        index._vocabulary = json.loads((directory / _TERMS).read_text(encoding="utf-8"))
        index._document_frequency = np.load(directory / _FREQUENCY, mmap_mode="r")
        index._size = len(index.ids)
        weights, rows, column_starts = (np.load(directory / n, mmap_mode="r") for n in _MATRIX)
        index._matrix = (weights, rows, column_starts)
        return index
