"""Build the long-lived objects the CLI and the Slack app share, once, from settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

# Importing the store registers the Slack app's tables before make_engine creates them.
import bot.store  # noqa: F401
from bot.settings import Settings
from ingest.pipeline import Progress, refresh
from ingest.summary import RefreshSummary
from knowledge.answer import Answerer
from knowledge.base import KnowledgeBase
from knowledge.database import make_engine
from knowledge.embeddings import Embedder, make_embedder
from knowledge.vector_store import make_chroma_client


@dataclass
class Services:
    """The database, knowledge base and answerer for one process."""

    settings: Settings
    engine: Engine
    kb: KnowledgeBase
    answerer: Answerer

    def refresh_configured(
        self, *, reset: bool = False, progress: Progress | None = None
    ) -> RefreshSummary:
        """Refresh the knowledge base from the configured sources."""
        locations = [(source.location, source.url) for source in self.settings.sources]
        return refresh(self.kb, locations, full=True, reset=reset, progress=progress)

    def ensure_knowledge(self, progress: Progress | None = None) -> RefreshSummary | None:
        """Build the knowledge base from the configured sources if nothing is built yet."""
        if self.kb.current() is not None:
            return None
        return self.refresh_configured(progress=progress)


def build_services(
    settings: Settings, *, embedder: Embedder | None = None, chroma_client: Any = None
) -> Services:
    """Wire everything from settings; tests may pass a fake embedder or a Chroma client."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    client = chroma_client or make_chroma_client(
        settings.data_dir, settings.chroma_host, settings.chroma_port
    )
    kb = KnowledgeBase(engine, client, embedder or make_embedder(settings.embedding_model))
    return Services(settings, engine, kb, Answerer(kb, settings.contacts))
