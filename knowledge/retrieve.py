"""Hybrid retrieval: dense (Chroma) and keyword (BM25) candidates fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.base import OpenVersion
from knowledge.embeddings import Vectors
from knowledge.types import Chunk

CANDIDATES = 24
# Reciprocal-rank constant: small values trust the top of each list more. Tuned on the dev set.
RRF_K = 20
DENSE_WEIGHT = 1.0
KEYWORD_WEIGHT = 0.8


@dataclass(frozen=True)
class RetrievedChunk:
    """A chunk with the evidence that brought it up."""

    chunk: Chunk
    dense: float
    keyword: float
    fused: float


def retrieve(
    version: OpenVersion, question: str, vector: Vectors, k: int = 8
) -> list[RetrievedChunk]:
    """The ``k`` best chunks for a question, best first."""
    dense = version.chunks.query(vector, CANDIDATES)
    keyword = version.keywords.search(question, CANDIDATES)
    dense_score = dict(dense)
    keyword_score = dict(keyword)
    top_keyword = keyword[0][1] if keyword else 1.0
    fused: dict[str, float] = {}
    for weight, ranking in ((DENSE_WEIGHT, dense), (KEYWORD_WEIGHT, keyword)):
        for rank, (chunk_id, _score) in enumerate(ranking):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank + 1)
    best = sorted(fused.items(), key=lambda item: item[1], reverse=True)[:k]
    results = []
    for chunk_id, score in best:
        chunk = version.chunk_by_id.get(chunk_id)
        if chunk is None:
            continue
        results.append(
            RetrievedChunk(
                chunk=chunk,
                dense=dense_score.get(chunk_id, 0.0),
                keyword=keyword_score.get(chunk_id, 0.0) / top_keyword if top_keyword else 0.0,
                fused=score,
            )
        )
    return results
