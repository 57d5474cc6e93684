"""The configured sources as admins see them: how many documents each gave, when last fetched.

Files and folders are read by every refresh of the configured sources, so they were last
fetched when that refresh ran; web pages remember their own fetches (conditional requests make
an unchanged page cheap, so "fetched" includes "checked, unchanged").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.admin.when import ago
from bot.services import Services
from bot.settings import BUNDLED_DIR
from ingest import document_id, is_under, last_finished, load_pages
from knowledge import DocumentRecord, current_version, documents_of


@dataclass(frozen=True)
class SourceStatus:
    """One configured source."""

    location: str
    kind: str  # "file", "folder", "web page", "sitemap", or "missing"
    documents: int
    last_fetched: dt.datetime | None
    failure: str | None

    def as_json(self) -> dict[str, Any]:
        """One element of ``sectorbot sources --json``."""
        return {
            "location": self.location,
            "kind": self.kind,
            "documents": self.documents,
            "last_fetched": self.last_fetched.isoformat() if self.last_fetched else None,
            "failure": self.failure,
        }

    def line(self, now: dt.datetime) -> str:
        """One plain line: where, what, how many documents, when."""
        fetched = f"fetched {ago(self.last_fetched, now)}" if self.last_fetched else "not fetched"
        failure = f"; last refresh could not read it: {self.failure}" if self.failure else ""
        plural = "s" if self.documents != 1 else ""
        return (
            f"{display_location(self.location)} ({self.kind}): {self.documents} document{plural}, "
            f"{fetched}{failure}"
        )


@dataclass(frozen=True)
class SourcesListing:
    """The configured sources and the documents added by hand."""

    now: dt.datetime
    configured: tuple[SourceStatus, ...]
    manual_documents: int

    def as_json(self) -> dict[str, Any]:
        """``sectorbot sources --json``."""
        return {
            "sources": [source.as_json() for source in self.configured],
            "manual_documents": self.manual_documents,
        }

    def lines(self) -> list[str]:
        """Plain lines for the terminal and Slack."""
        lines = [source.line(self.now) for source in self.configured]
        if not lines:
            lines.append("No sources are configured (add [[sources]] to sectorbot.toml).")
        if self.manual_documents:
            lines.append(
                f"Added by hand with `sectorbot ingest PATH`: {self.manual_documents} "
                f"document{'s' if self.manual_documents != 1 else ''}."
            )
        return lines


def list_sources(services: Services, now: dt.datetime | None = None) -> SourcesListing:
    """Each configured source with its documents in the served version and its last fetch."""
    now = now or dt.datetime.now(dt.UTC)
    engine = services.engine
    current = current_version(engine)
    documents = documents_of(engine, current.version_id) if current else {}
    pages = load_pages(engine)
    last_run = last_finished(engine, successful=False, scope="configured")
    failures = [
        (failure["source"], failure["reason"])
        for failure in ((last_run.summary or {}).get("failures", []) if last_run else [])
    ]
    read_at = last_run.finished_at if last_run and last_run.summary else None
    statuses = []
    for source in services.settings.sources:
        location = source.location
        if location.startswith(("http://", "https://")):
            listed = {p.doc_id for p in pages.values() if p.sitemap == location}
            own = pages.get(location)
            mine = [d for d in documents.values() if d.doc_id in listed or d.source == location]
            fetches = [p for p in pages.values() if p.sitemap == location] + ([own] if own else [])
            fetched = max((p.fetched_at for p in fetches if p.fetched_at), default=None)
            kind = "sitemap" if listed else "web page"
        else:
            mine = [d for d in documents.values() if _from_path(d, location)]
            fetched = read_at if mine else None
            kind = _path_kind(location)
        statuses.append(
            SourceStatus(location, kind, len(mine), fetched, _failure_of(location, failures))
        )
    manual = sum(1 for d in documents.values() if d.origin == "manual")
    return SourcesListing(now, tuple(statuses), manual)


def display_location(location: str) -> str:
    """The bundled default source by its short name; everything else as configured."""
    bundled = str(BUNDLED_DIR)
    if location.startswith(bundled):
        return "bundled:" + location.removeprefix(bundled).lstrip("/")
    return location


def _from_path(document: DocumentRecord, location: str) -> bool:
    return document.doc_id == document_id(location) or is_under(document.source, [location])


def _failure_of(location: str, failures: list[tuple[str, str]]) -> str | None:
    mine = [
        (source, reason)
        for source, reason in failures
        if source == location or is_under(source, [location])
    ]
    if not mine:
        return None
    if len(mine) == 1 and mine[0][0] == location:
        return mine[0][1]
    return "; ".join(f"{display_location(source)}: {reason}" for source, reason in mine[:3]) + (
        f" (and {len(mine) - 3} more)" if len(mine) > 3 else ""
    )


def _path_kind(location: str) -> str:
    path = Path(location)
    if path.is_dir():
        return "folder"
    return "file" if path.is_file() else "missing"
