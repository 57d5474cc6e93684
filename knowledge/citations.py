"""Number the sources of an answer: best document first, every quoted document included."""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.retrieve import RetrievedChunk
from knowledge.types import Chunk, Source

MAX_SOURCES = 5
# Uncited documents that retrieval ranked this close to the best one back the same answer.
RELATED_SOURCE_RATIO = 0.75
# Archived pages, samples and glossaries rank below the primary documents they restate.
SECONDARY_FACTOR = 0.9
SNIPPET_CHARS = 240


def number_sources(
    quoted: Sequence[tuple[Chunk, str]],
    retrieved: Sequence[RetrievedChunk],
    secondary: frozenset[str] = frozenset(),
    first: tuple[Chunk, str] | None = None,
    archived: frozenset[str] = frozenset(),
    corroborating: set[str] | None = None,
) -> tuple[dict[str, int], tuple[Source, ...]]:
    """Sources for an answer quoting ``quoted`` (chunk, sentence) passages, and their numbers.

    Documents are ranked by how well retrieval matched them, so ``[1]`` is the best source even
    when the answer quotes it second; ``first``, when given, is put ahead of all of them.
    Uncited documents are listed only when they say the same as a quoted passage
    (``corroborating``): a source list is what the answer rests on, not a reading list.
    """
    scores: dict[str, float] = {}
    best_chunk: dict[str, Chunk] = {}
    for result in retrieved:
        factor = SECONDARY_FACTOR if result.chunk.doc_id in secondary else 1.0
        score = result.fused * factor
        if score > scores.get(result.chunk.doc_id, -1.0):
            scores[result.chunk.doc_id] = score
            best_chunk[result.chunk.doc_id] = result.chunk
    top = max(scores.values(), default=1.0) or 1.0
    snippets: dict[str, tuple[Chunk, str]] = {}
    for chunk, text in quoted:
        snippets.setdefault(chunk.doc_id, (chunk, text))
    cited = list(snippets)
    related = [
        doc_id
        for doc_id, score in sorted(scores.items(), key=lambda item: item[1], reverse=True)
        if doc_id not in snippets
        and score >= RELATED_SOURCE_RATIO * top
        and (corroborating is None or doc_id in corroborating)
    ]
    chosen = cited[:MAX_SOURCES] + related[: max(0, MAX_SOURCES - len(cited))]
    chosen.sort(key=lambda doc_id: scores.get(doc_id, 0.0), reverse=True)
    if first is not None:
        chosen.remove(first[0].doc_id)
        chosen.insert(0, first[0].doc_id)
    numbers = {doc_id: n for n, doc_id in enumerate(chosen, start=1)}
    sources = []
    for doc_id in chosen:
        chunk, text = snippets.get(doc_id) or (best_chunk[doc_id], best_chunk[doc_id].text)
        pinned = first is not None and doc_id == first[0].doc_id
        score = 1.0 if pinned else scores.get(doc_id, 0.0) / top
        sources.append(
            Source(
                numbers[doc_id],
                chunk.title,
                chunk.url,
                chunk.path,
                score,
                _snippet(text),
                chunk.date,
                archived=doc_id in archived,
            )
        )
    return numbers, tuple(sources)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"
