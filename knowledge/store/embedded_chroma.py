"""Embedded Chroma that reads through Chroma's compiled engine until something is written.

Importing the ``chromadb`` package takes about a second on two cores (its HTTP client,
telemetry and embedding-function modules), more than a cold ``sectorbot ask`` spends on
everything else. Its embedded client is a shim over the compiled engine
``chromadb_rust_bindings``, which imports in tens of milliseconds. A process that only reads
published collections reads through that engine directly; the first write (a build, a retired
version) opens chromadb's own client, and from then on every new call goes through it, so a
process never holds two writers on one directory. Collections opened before that keep reading
through the engine, which is sound because a published collection never changes. The engine's
call signatures are those of the pinned chromadb release;
``tests/knowledge/test_embedded_chroma.py`` compares both paths on a built version.
"""

from __future__ import annotations

import json
import logging
import resource
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_TENANT = "default_tenant"
_DATABASE = "default_database"
# chromadb's embedded client keeps one open index per five file handles (four data files and a
# metadata file each); the engine is given the same budget, or this many indexes without a limit.
_FILES_PER_INDEX = 5
_UNLIMITED_FILES_INDEXES = 1000


class EmbeddedChroma:
    """The embedded Chroma client of one data dir, with the chromadb package imported lazily."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._engine: Any = None
        self._client: Any = None

    def check(self) -> None:
        """Open a store that exists now, so a broken one is reported where the client is made.

        Raises:
            Exception: whatever chromadb raises for a store it cannot open.

        """
        if (self._path / "chroma.sqlite3").exists() and self._read_engine() is None:
            self._full_client()

    def get_collection(self, name: str, embedding_function: Any = None) -> Any:
        """A collection to read; raises as chromadb does when it does not exist."""
        if self._client is None:
            engine = self._read_engine()
            if engine is not None:
                return _EngineCollection(engine, engine.get_collection(name, _TENANT, _DATABASE))
        return self._full_client().get_collection(name, embedding_function=embedding_function)

    def list_collections(self) -> list[Any]:
        """Every collection (each has a ``name``), as chromadb's client lists them."""
        engine = None if self._client is not None else self._read_engine()
        if engine is None:
            return list(self._full_client().list_collections())
        return list(engine.list_collections(None, 0, _TENANT, _DATABASE))

    def get_or_create_collection(self, name: str, **options: Any) -> Any:
        """A collection to write, from chromadb's own client."""
        return self._full_client().get_or_create_collection(name, **options)

    def delete_collection(self, name: str) -> None:
        """Delete a collection through chromadb's own client."""
        self._full_client().delete_collection(name)

    def heartbeat(self) -> int:
        """Chroma's liveness check (nanoseconds since the epoch), as its client gives it."""
        engine = self._read_engine()
        if engine is not None:
            return int(engine.heartbeat())
        return int(self._full_client().heartbeat())

    def close(self) -> None:
        """Release the engine and the client (files and threads)."""
        with self._lock:
            self._engine = None
            client, self._client = self._client, None
        close = getattr(client, "close", None)
        if callable(close):
            close()

    def _read_engine(self) -> Any:
        """The compiled engine over this directory, or None when only chromadb can open it."""
        with self._lock:
            if self._engine is not None or self._client is not None:
                return self._engine
            database = self._path / "chroma.sqlite3"
            if not database.exists():
                return None  # nothing built yet: the first build creates it through chromadb
            try:
                self._engine = _open_engine(self._path, database)
            except Exception:  # noqa: BLE001 - chromadb's client opens what the engine refuses
                logger.debug("reading Chroma through its client instead", exc_info=True)
            return self._engine

    def _full_client(self) -> Any:
        with self._lock:
            if self._client is None:
                import chromadb
                from chromadb.config import Settings

                self._path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(
                    path=str(self._path), settings=Settings(anonymized_telemetry=False)
                )
                self._engine = None
            return self._client


def _open_engine(path: Path, database: Path) -> Any:
    import chromadb_rust_bindings as engine

    sqlite = engine.SqliteDBConfig(
        hash_type=engine.MigrationHash.MD5,
        # A reader never alters the file; one chromadb has not migrated is left to chromadb.
        migration_mode=engine.MigrationMode.Validate,
        url=str(database),
    )
    open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    indexes = (
        _UNLIMITED_FILES_INDEXES
        if open_files == resource.RLIM_INFINITY
        else max(1, open_files // _FILES_PER_INDEX)
    )
    return engine.Bindings(
        allow_reset=False,
        sqlite_db_config=sqlite,
        persist_path=str(path),
        hnsw_cache_size=indexes,
    )


class _EngineCollection:
    """The part of chromadb's ``Collection`` that ``VectorCollection`` reads, over the engine."""

    def __init__(self, engine: Any, model: Any) -> None:
        self._engine = engine
        self._id = str(model.id)

    def count(self) -> int:
        return int(self._engine.count(self._id, _TENANT, _DATABASE))

    def query(
        self, *, query_embeddings: Any, n_results: int, include: Sequence[str]
    ) -> dict[str, Any]:
        result = self._engine.query(
            self._id,
            None,
            query_embeddings,
            n_results,
            None,
            None,
            list(include),
            _TENANT,
            _DATABASE,
        )
        return {"ids": result.ids, "distances": result.distances}

    def get(
        self,
        *,
        ids: Sequence[str] | None = None,
        where: Mapping[str, Any] | None = None,
        where_document: Mapping[str, Any] | None = None,
        include: Sequence[str] = ("documents", "metadatas"),
        limit: int | None = None,
        offset: int | None = None,
    ) -> dict[str, Any]:
        result = self._engine.get(
            self._id,
            list(ids) if ids is not None else None,
            json.dumps(where) if where else None,
            limit,
            offset or 0,
            json.dumps(where_document) if where_document else None,
            list(include),
            _TENANT,
            _DATABASE,
        )
        return {
            "ids": result.ids,
            "documents": result.documents,
            "metadatas": result.metadatas,
            "embeddings": result.embeddings,
        }
