"""Retrieve: dense (Chroma) and keyword (BM25) rankings of chunks, fused by reciprocal rank.

On both development sets the fused ranking puts the right document first more often than
either ranking alone (``bench/fit_answering.py`` prints the three side by side).
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.embeddings import Vectors
from knowledge.store.reader import OpenVersion
from knowledge.types import Chunk

CANDIDATES = 24
# Reciprocal-rank constant and the keyword ranking's weight, chosen on both development sets by
# bench/fit_answering.py (right document first, sample / real pages): weight 1.5: 97.6% / 88.9%;
# 1.0: 95.2% / 84.6%; 0.8: 92.9% / 83.8%; dense alone 90.5% / 78.6%; BM25 alone 83.3% / 88.0%.
# The constant k changes nothing between 10 and 60.
RRF_K = 20
KEYWORD_WEIGHT = 1.5
CHUNKS = 10
# Each ranking's best chunk is read even when fusion ranks it lower: an FAQ entry BM25 finds
# and the vectors miss. Answerable questions declined (sample / real): 4.1% / 2.9% with it,
# 4.1% / 3.6% without; facts and right document first unchanged.
EACH_FIRST = 1


@dataclass(frozen=True)
class RetrievedChunk:
    """A chunk with the evidence that brought it up: cosine, BM25 (share of the best), fused."""

    chunk: Chunk
    dense: float
    keyword: float
    fused: float


@dataclass(frozen=True)
class Rankings:
    """The two rankings of one search, best first: (chunk id, score) pairs."""

    dense: list[tuple[str, float]]
    keyword: list[tuple[str, float]]


def rank(version: OpenVersion, text: str, vector: Vectors) -> Rankings:
    """Dense and BM25 rankings of the version's chunks for one search."""
    return Rankings(
        version.chunks.query(vector, CANDIDATES), version.keywords.search(text, CANDIDATES)
    )


def retrieve(
    version: OpenVersion, text: str, vector: Vectors, k: int = CHUNKS
) -> list[RetrievedChunk]:
    """The ``k`` best chunks for a search, best first."""
    return fuse(version, rank(version, text, vector), k)


def fuse(
    version: OpenVersion,
    rankings: Rankings,
    k: int = CHUNKS,
    *,
    keyword_weight: float = KEYWORD_WEIGHT,
) -> list[RetrievedChunk]:
    """The ``k`` best chunks by reciprocal-rank fusion, and each ranking's first few."""
    fused: dict[str, float] = {}
    for weight, ranking in ((1.0, rankings.dense), (keyword_weight, rankings.keyword)):
        for position, (chunk_id, _score) in enumerate(ranking):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + position + 1)
    dense = dict(rankings.dense)
    keyword = dict(rankings.keyword)
    best = sorted(fused.items(), key=lambda item: item[1], reverse=True)
    # Each ranking's first few chunks are read whatever the other ranking thought of them: a
    # chunk only one of them finds (an FAQ entry whose words match but whose vector does not)
    # can still hold the answer, and selection judges its sentences on their own.
    firsts = [c for c, _ in rankings.dense[:EACH_FIRST] + rankings.keyword[:EACH_FIRST]]
    top = [c for c, _ in best[:k]]
    known = version.read_chunks(list(dict.fromkeys(top + firsts)))
    chosen = sorted(known, key=lambda c: -fused[c])
    top_keyword = rankings.keyword[0][1] if rankings.keyword else 1.0
    return [
        RetrievedChunk(
            known[c],
            dense.get(c, 0.0),
            keyword.get(c, 0.0) / top_keyword if top_keyword else 0.0,
            fused[c],
        )
        for c in chosen
    ]
