"""What a refresh did, as the CLI prints it and ``--json`` emits it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


def count_of(count: int, noun: str) -> str:
    """'1 document', '2 documents' (regular plurals only)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class FailedSource:
    """A source that could not be loaded, and why."""

    source: str
    reason: str


@dataclass
class RefreshSummary:
    """Counts of documents by outcome, plus chunks, embeddings computed and time taken."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[FailedSource] = field(default_factory=list)
    chunks: int = 0
    documents: int = 0
    embedded: int = 0
    seconds: float = 0.0
    version_id: str | None = None

    @property
    def indexed_anything(self) -> bool:
        """True when some source of this refresh is in the knowledge base now.

        Unchanged documents count (they are indexed); a run whose every source failed does not,
        even if the knowledge base still holds documents from earlier runs.
        """
        return bool(self.added or self.updated or self.unchanged)

    def as_json(self) -> dict[str, Any]:
        """One JSON object: counts first, then the lists behind them."""
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            "failed": len(self.failed),
            "documents": self.documents,
            "chunks": self.chunks,
            "embedded": self.embedded,
            "seconds": round(self.seconds, 2),
            "version": self.version_id,
            "failures": [asdict(failure) for failure in self.failed],
            "details": {
                "added": self.added,
                "updated": self.updated,
                "removed": self.removed,
            },
        }

    def as_text(self) -> str:
        """A short human summary, failures listed with their reasons."""
        lines = [
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed, "
            f"{len(self.failed)} failed; {count_of(self.documents, 'document')}, "
            f"{count_of(self.chunks, 'chunk')} "
            f"({self.embedded} texts newly embedded) in {self.seconds:.1f} s"
        ]
        lines.extend(f"  skipped {failure.source}: {failure.reason}" for failure in self.failed)
        return "\n".join(lines)
