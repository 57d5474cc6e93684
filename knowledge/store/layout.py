"""How a version is laid out in storage: collection names, item ids, what is kept beside a chunk.

The builder writes by these rules and the reader reads by them, so they live in one place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from knowledge.store.vectors import StoredItem
from knowledge.types import Chunk


def chunk_collection_name(version_id: str) -> str:
    """Name of the collection holding a version's chunks."""
    return f"{version_id}-chunks"


def sentence_collection_name(version_id: str) -> str:
    """Name of the Chroma collection that held a version's sentences in older builds.

    Sentences now live in the database (``knowledge.store.sentences``); such a collection is still
    read for a version built before, and dropped with it.
    """
    return f"{version_id}-sentences"


def sentence_id(chunk_id: str, index: int) -> str:
    """Id of the ``index``-th sentence of a chunk."""
    return f"{chunk_id}:{index}"


def heading_id(chunk_id: str) -> str:
    """Id of the stored heading of a chunk's section."""
    return f"{chunk_id}:h"


def chunk_from_item(item: StoredItem) -> Chunk:
    """Rebuild a chunk from what the collection stores."""
    meta = item.metadata
    date = meta.get("date")
    headings = str(meta.get("headings", ""))
    return Chunk(
        chunk_id=item.item_id,
        doc_id=str(meta.get("doc_id", "")),
        text=item.text,
        title=str(meta.get("title", "")),
        headings=tuple(h for h in headings.split(" > ") if h),
        path=_optional(meta.get("path")),
        url=_optional(meta.get("url")),
        date=dt.date.fromisoformat(str(date)) if date else None,
        position=int(meta.get("position", 0)),
    )


def chunk_metadata(chunk: Chunk, sentence_count: int) -> dict[str, Any]:
    """What the collection stores beside a chunk's text and vector."""
    return {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "headings": " > ".join(chunk.headings),
        "path": chunk.path,
        "url": chunk.url,
        "date": chunk.date.isoformat() if chunk.date else None,
        "position": chunk.position,
        "sentences": sentence_count,
    }


def embedding_text(chunk: Chunk) -> str:
    """The text a chunk is embedded as: title and section give the passage its context.

    A title made from the document's own opening words adds nothing but repetition, so it is
    left out.
    """
    context = " — ".join(part for part in (_own_title(chunk), chunk.section) if part)
    return f"{context}\n{chunk.text}" if context else chunk.text


def keyword_text(chunk: Chunk) -> str:
    """The text a chunk is found by in the keyword index."""
    return f"{_own_title(chunk)}\n{chunk.section}\n{chunk.text}"


def _own_title(chunk: Chunk) -> str:
    """The title, unless it was made from the document's own opening words."""
    return "" if chunk.title.rstrip("…") in chunk.text else chunk.title


def _optional(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
