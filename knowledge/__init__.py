"""The knowledge base and the answering, as ``ingest`` and ``bot`` use them.

These names are what the other packages may import, always as ``from knowledge import NAME``;
everything else is internal. How a version is built is ``knowledge.store.builder``, what a
question reads ``knowledge.store.reader``, and how it is answered ``knowledge.answering.pipeline``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.answering import Answerer, QuestionAnswerer
    from knowledge.answering.llm_writer import LlmAnswerer
    from knowledge.contacts import Contact, route_contact
    from knowledge.embeddings import Embedder, Vectors, make_embedder
    from knowledge.evaluation import evaluate, format_report
    from knowledge.llm.model import LlmSetupError, make_chat_model
    from knowledge.llm.redact import Redactor
    from knowledge.sentences import split_sentences
    from knowledge.store.builder import (
        VersionBuilder,
        discard_unfinished_builds,
        retire_old_versions,
    )
    from knowledge.store.db import as_utc, make_engine, metadata
    from knowledge.store.embedding_cache import CachedEmbedder
    from knowledge.store.reader import KnowledgeBase
    from knowledge.store.registry import (
        DocumentRecord,
        VersionRecord,
        current_version,
        documents_of,
        switch_to,
        version_before_current,
    )
    from knowledge.store.vectors import make_chroma_client
    from knowledge.types import Answer, Chunk, Exchange, Source

# Where each name lives: it is imported on first use, so that importing one name (a table's
# metadata, a dataclass) does not load Chroma, onnxruntime or bm25s with it.
_HOMES = {
    "Answerer": "knowledge.answering",
    "QuestionAnswerer": "knowledge.answering",
    "LlmAnswerer": "knowledge.answering.llm_writer",
    "Contact": "knowledge.contacts",
    "route_contact": "knowledge.contacts",
    "Embedder": "knowledge.embeddings",
    "Vectors": "knowledge.embeddings",
    "make_embedder": "knowledge.embeddings",
    "evaluate": "knowledge.evaluation",
    "format_report": "knowledge.evaluation",
    "LlmSetupError": "knowledge.llm.model",
    "make_chat_model": "knowledge.llm.model",
    "Redactor": "knowledge.llm.redact",
    "split_sentences": "knowledge.sentences",
    "VersionBuilder": "knowledge.store.builder",
    "discard_unfinished_builds": "knowledge.store.builder",
    "retire_old_versions": "knowledge.store.builder",
    "as_utc": "knowledge.store.db",
    "make_engine": "knowledge.store.db",
    "metadata": "knowledge.store.db",
    "CachedEmbedder": "knowledge.store.embedding_cache",
    "KnowledgeBase": "knowledge.store.reader",
    "DocumentRecord": "knowledge.store.registry",
    "VersionRecord": "knowledge.store.registry",
    "current_version": "knowledge.store.registry",
    "documents_of": "knowledge.store.registry",
    "switch_to": "knowledge.store.registry",
    "version_before_current": "knowledge.store.registry",
    "make_chroma_client": "knowledge.store.vectors",
    "Answer": "knowledge.types",
    "Chunk": "knowledge.types",
    "Exchange": "knowledge.types",
    "Source": "knowledge.types",
}
__all__ = [
    "Answer",
    "Answerer",
    "CachedEmbedder",
    "Chunk",
    "Contact",
    "DocumentRecord",
    "Embedder",
    "Exchange",
    "KnowledgeBase",
    "LlmAnswerer",
    "LlmSetupError",
    "QuestionAnswerer",
    "Redactor",
    "Source",
    "Vectors",
    "VersionBuilder",
    "VersionRecord",
    "as_utc",
    "current_version",
    "discard_unfinished_builds",
    "documents_of",
    "evaluate",
    "format_report",
    "make_chat_model",
    "make_chroma_client",
    "make_embedder",
    "make_engine",
    "metadata",
    "retire_old_versions",
    "route_contact",
    "split_sentences",
    "switch_to",
    "version_before_current",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
