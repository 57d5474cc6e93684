"""The knowledge base as a LangChain retriever, for programs that build their own chains.

``KnowledgeBaseRetriever`` runs the bot's own retrieval (dense Chroma and BM25 rankings, fused,
each ranking's first chunk kept; ``knowledge.answering.retrieve``) over the version being served
and returns LangChain ``Document``s: the chunk's text, and in ``metadata`` where it comes from,
in the names ``sectorbot ask --json`` uses for its sources. It retrieves only; the bot's
answering steps (select, decide, compose) are not involved. docs/how-it-answers.md has an
example chain.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from knowledge.answering.retrieve import RetrievedChunk, fuse, rank
from knowledge.embeddings import Vectors
from knowledge.store.reader import KnowledgeBase, OpenVersion


class KnowledgeBaseRetriever(BaseRetriever):
    """The ``k`` chunks of the served knowledge-base version that best match a query, best first.

    Each ``Document`` carries ``metadata``: ``title``, ``url`` (the page's address, when known),
    ``path`` (the file or URL given at ingest), ``source`` (``url``, else ``path``), ``date``
    (ISO ``YYYY-MM-DD`` or None), ``section`` and ``headings`` (the heading path), ``archived``
    (the document says it is archived or out of date), ``score`` (the fused retrieval score),
    ``doc_id`` and ``chunk_id``. An empty knowledge base returns no documents.
    """

    kb: KnowledgeBase
    k: int = 4

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        version = self.kb.current()
        if version is None or not query.strip():
            return []
        vector = self.kb.embedder.embed([query])[0]
        return [_document(found, version) for found in _best(version, query, vector, self.k)]


def _best(version: OpenVersion, query: str, vector: Vectors, k: int) -> list[RetrievedChunk]:
    """The ``k`` best fused chunks, keeping each ranking's first one, as the bot reads them.

    ``fuse`` returns the best ``k`` plus each ranking's first chunk when fusion ranked it lower:
    a chunk only one ranking finds (an FAQ entry matched by its words) can hold the answer. A
    retriever returns ``k``, so those firsts take the places of the last fused ones.
    """
    rankings = rank(version, query, vector)
    fused = fuse(version, rankings, k)
    firsts = {ranking[0][0] for ranking in (rankings.dense, rankings.keyword) if ranking}
    kept = [found for found in fused if found.chunk.chunk_id in firsts][:k]
    kept += [found for found in fused if found not in kept][: k - len(kept)]
    return sorted(kept, key=lambda found: -found.fused)


def _document(found: RetrievedChunk, version: OpenVersion) -> Document:
    chunk = found.chunk
    metadata: dict[str, Any] = {
        "title": chunk.title,
        "url": chunk.url,
        "path": chunk.path,
        "source": chunk.url or chunk.path,
        "date": chunk.date.isoformat() if chunk.date else None,
        "section": chunk.section,
        "headings": list(chunk.headings),
        "archived": chunk.doc_id in version.superseded,
        "score": round(found.fused, 6),
        "doc_id": chunk.doc_id,
        "chunk_id": chunk.chunk_id,
    }
    return Document(page_content=chunk.text, metadata=metadata, id=chunk.chunk_id)
