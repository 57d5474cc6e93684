"""The versioned knowledge base's storage, and the one database schema every package shares.

Two modules answer a newcomer's two questions: ``builder`` is how a version is built (written
beside the served one, published atomically or abandoned, unchanged documents carried over, old
versions retired), and ``reader`` is what a question reads (the served version's chunks,
sentences and keyword index). ``layout`` holds the naming rules both follow; ``db`` the engine,
the one ``MetaData`` and the migrations; ``registry``, ``vectors``, ``sentences``, ``keywords``
and ``embedding_cache`` the stores themselves.

Names are loaded on first use, so importing one table module does not load Chroma or bm25s.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.store.builder import (
        KEEP_VERSIONS,
        VersionBuilder,
        discard_unfinished_builds,
        drop_versions,
        retire_old_versions,
    )
    from knowledge.store.db import as_utc, connect, make_engine, metadata, migrate
    from knowledge.store.embedding_cache import CachedEmbedder
    from knowledge.store.layout import (
        chunk_collection_name,
        embedding_text,
        heading_id,
        sentence_collection_name,
        sentence_id,
    )
    from knowledge.store.reader import KnowledgeBase, OpenVersion
    from knowledge.store.registry import DocumentRecord, VersionRecord
    from knowledge.store.vectors import StoredItem, make_chroma_client

_HOMES = {
    "KEEP_VERSIONS": "builder",
    "VersionBuilder": "builder",
    "discard_unfinished_builds": "builder",
    "drop_versions": "builder",
    "retire_old_versions": "builder",
    "as_utc": "db",
    "connect": "db",
    "make_engine": "db",
    "metadata": "db",
    "migrate": "db",
    "CachedEmbedder": "embedding_cache",
    "chunk_collection_name": "layout",
    "embedding_text": "layout",
    "heading_id": "layout",
    "sentence_collection_name": "layout",
    "sentence_id": "layout",
    "KnowledgeBase": "reader",
    "OpenVersion": "reader",
    "DocumentRecord": "registry",
    "VersionRecord": "registry",
    "StoredItem": "vectors",
    "make_chroma_client": "vectors",
}
__all__ = [
    "CachedEmbedder",
    "DocumentRecord",
    "KEEP_VERSIONS",
    "KnowledgeBase",
    "OpenVersion",
    "StoredItem",
    "VersionBuilder",
    "VersionRecord",
    "as_utc",
    "chunk_collection_name",
    "connect",
    "discard_unfinished_builds",
    "drop_versions",
    "embedding_text",
    "heading_id",
    "make_chroma_client",
    "make_engine",
    "metadata",
    "migrate",
    "retire_old_versions",
    "sentence_collection_name",
    "sentence_id",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
