"""The tutorial recipe that ``bench/quality.py`` measures the bot against.

What LangChain's RAG tutorial builds: split each document with ``RecursiveCharacterTextSplitter``
(1,000 characters, 200 overlap), embed the pieces into Chroma, and hand the top 4 pieces to the
reader. Here there is no LLM, so the "answer" is those 4 pieces joined: it never declines and
never routes. Documents are loaded with the project's own loaders and embedded with the project's
offline MiniLM, so the only differences from the bot are the splitting, retrieval and answering.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document as Piece
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.document import Document, LoadError
from ingest.loaders import load_file
from knowledge.embeddings import Embedder
from knowledge.types import Answer, Source

# The tutorial's numbers (python.langchain.com, "Build a Retrieval Augmented Generation App").
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4
SNIPPET_CHARS = 200


class MiniLMEmbeddings(Embeddings):
    """LangChain's ``Embeddings`` interface over our embedder.

    Chroma's own default embedding function downloads a model at first use and fails offline,
    so the store is always given this one.
    """

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = self._embedder.embed(texts).tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        vector: list[float] = self._embedder.embed([text])[0].tolist()
        return vector


@dataclass
class RecipeIndex:
    """The recipe's vector store over one set of documents, and what building it took."""

    store: Chroma
    documents: int
    skipped_files: int
    chunks: int
    build_s: float

    def answer(self, question: str) -> Answer:
        """The top 4 pieces joined, cited by their documents in rank order (de-duplicated)."""
        started = time.perf_counter()
        hits = self.store.similarity_search_with_score(question, k=TOP_K)
        elapsed_ms = (time.perf_counter() - started) * 1000
        return Answer(
            question=question,
            text="\n\n".join(piece.page_content for piece, _ in hits),
            sources=_sources(hits),
            confident=True,
            intent="question",
            timings_ms={"total": elapsed_ms},
        )

    def close(self) -> None:
        """Drop the collection: an ephemeral client's data lives as long as the process."""
        self.store.delete_collection()


def build_recipe(folders: Sequence[Path], embedder: Embedder) -> RecipeIndex:
    """Load every file under the folders, split, embed and store the pieces."""
    started = time.perf_counter()
    documents, skipped = load_documents(folders)
    pieces = split_documents(documents)
    store = Chroma(
        # Every ephemeral client in a process shares one in-memory system: a unique name keeps
        # two sets (or a test and a benchmark) apart.
        collection_name=f"recipe-{uuid.uuid4().hex[:12]}",
        embedding_function=MiniLMEmbeddings(embedder),
        client=chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False)),
        collection_configuration={"hnsw": {"space": "cosine"}},
    )
    if pieces:
        store.add_documents(pieces)
    return RecipeIndex(
        store=store,
        documents=len(documents),
        skipped_files=skipped,
        chunks=len(pieces),
        build_s=time.perf_counter() - started,
    )


def load_documents(folders: Sequence[Path]) -> tuple[list[tuple[Path, Document]], int]:
    """Every loadable file with its document, and how many files were skipped."""
    loaded: list[tuple[Path, Document]] = []
    skipped = 0
    for folder in folders:
        for path in _files(folder):
            try:
                loaded.append((path, load_file(path, source=str(path))))
            except LoadError:
                skipped += 1
    return loaded, skipped


def split_documents(documents: Sequence[tuple[Path, Document]]) -> list[Piece]:
    """The tutorial's splitter; each piece remembers its file, title and URL for citing."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    pieces: list[Piece] = []
    for path, document in documents:
        # Chroma metadata values cannot be None, so a missing URL is stored as "".
        metadata = {"path": str(path), "title": document.title, "url": document.url or ""}
        pieces += splitter.create_documents([document.text], metadatas=[metadata])
    return pieces


def _files(folder: Path) -> list[Path]:
    """Files under the folder in name order, hidden ones left out, as ``sectorbot ingest`` walks."""
    found: list[Path] = []
    for directory, subdirectories, names in os.walk(folder):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        found += [Path(directory) / name for name in sorted(names) if not name.startswith(".")]
    return found


def _sources(hits: Sequence[tuple[Piece, float]]) -> tuple[Source, ...]:
    sources: list[Source] = []
    seen: set[str] = set()
    for piece, distance in hits:
        path = str(piece.metadata["path"])
        if path in seen:
            continue
        seen.add(path)
        sources.append(
            Source(
                n=len(sources) + 1,
                title=str(piece.metadata["title"]),
                url=str(piece.metadata["url"]) or None,
                path=path,
                score=1.0 - float(distance),  # cosine distance -> similarity
                snippet=piece.page_content[:SNIPPET_CHARS],
            )
        )
    return tuple(sources)
