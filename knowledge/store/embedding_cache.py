"""Embeddings cached in the database by model and text hash: unchanged text is never re-embedded."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from sqlalchemy import Column, Engine, LargeBinary, String, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from knowledge.embeddings import Embedder, Span, Vectors, embed_spans
from knowledge.store.db import metadata

embedding_cache = Table(
    "embedding_cache",
    metadata,
    Column("model_id", String(100), primary_key=True),
    Column("text_sha256", String(64), primary_key=True),
    Column("vector", LargeBinary, nullable=False),
)

_LOOKUP_BATCH = 500


class CachedEmbedder:
    """Wraps an embedder; counts how many texts it actually had to embed."""

    def __init__(self, embedder: Embedder, engine: Engine) -> None:
        self.inner = embedder
        self.model_id = embedder.model_id
        self.dimensions = embedder.dimensions
        self._engine = engine
        self.computed = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return vectors for ``texts``, embedding only those the cache does not hold."""
        keys = [_key(text) for text in texts]
        found = self._lookup(set(keys))
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        if missing:
            vectors = self.inner.embed([text for _, text in missing])
            new = {key: vectors[i] for i, (key, _) in enumerate(missing)}
            self._store(new)
            found.update(new)
            self.computed += len(missing)
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack([found[key] for key in keys]).astype(np.float32)

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[Vectors, list[Vectors]]:
        """Texts' and spans' vectors (see ``knowledge.embeddings.embed_spans``), cached alike."""
        keys = [_key(text) for text in texts]
        span_keys = [
            [_key(f"{text}\x00{first}:{end}") for first, end in own]
            for text, own in zip(texts, spans, strict=True)
        ]
        found = self._lookup(set(keys).union(*span_keys))
        missing = [
            i
            for i, key in enumerate(keys)
            if key not in found or any(k not in found for k in span_keys[i])
        ]
        if missing:
            vectors, pooled = embed_spans(
                self.inner, [texts[i] for i in missing], [spans[i] for i in missing]
            )
            new: dict[str, Vectors] = {}
            for row, i in enumerate(missing):
                new[keys[i]] = vectors[row]
                new.update(zip(span_keys[i], pooled[row], strict=True))
            self._store(new)
            found.update(new)
            # Counted as texts, a chunk's sentences and heading with it, whichever way the
            # model read them.
            self.computed += sum(1 + len(spans[i]) for i in missing)
        empty = np.zeros((0, self.dimensions), dtype=np.float32)
        text_vectors = np.vstack([found[k] for k in keys]).astype(np.float32) if keys else empty
        return text_vectors, [
            np.vstack([found[k] for k in own]).astype(np.float32) if own else empty
            for own in span_keys
        ]

    def _lookup(self, keys: set[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        ordered = sorted(keys)
        with self._engine.connect() as connection:
            for start in range(0, len(ordered), _LOOKUP_BATCH):
                batch = ordered[start : start + _LOOKUP_BATCH]
                rows = connection.execute(
                    select(embedding_cache.c.text_sha256, embedding_cache.c.vector).where(
                        embedding_cache.c.model_id == self.model_id,
                        embedding_cache.c.text_sha256.in_(batch),
                    )
                )
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def _store(self, vectors: dict[str, Vectors]) -> None:
        rows = [
            {"model_id": self.model_id, "text_sha256": k, "vector": v.astype(np.float32).tobytes()}
            for k, v in vectors.items()
        ]
        insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        with self._engine.begin() as connection:
            for start in range(0, len(rows), _LOOKUP_BATCH):
                statement = insert(embedding_cache).values(rows[start : start + _LOOKUP_BATCH])
                connection.execute(statement.on_conflict_do_nothing())


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
