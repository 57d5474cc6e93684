"""Build the long-lived objects the CLI and the Slack app share, once, from settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from bot.handoff.worker import OutboxWorker
from bot.schema import migrate
from bot.settings import Settings
from ingest.pipeline import Progress, refresh
from ingest.summary import RefreshSummary
from knowledge.answer import Answerer, QuestionAnswerer
from knowledge.base import KnowledgeBase
from knowledge.database import make_engine
from knowledge.embeddings import Embedder, make_embedder
from knowledge.vector_store import make_chroma_client


class StorageError(Exception):
    """Storage named by the settings cannot be used."""


class ModelError(Exception):
    """The chat model named by ``LLM_MODEL`` cannot be built; the message names the key."""


@dataclass
class Services:
    """The database, knowledge base and answerer for one process."""

    settings: Settings
    engine: Engine
    kb: KnowledgeBase
    # The extractive Answerer, or an LLM writer around it when LLM_MODEL is set.
    answerer: QuestionAnswerer
    # Started with the Slack app (bot.app.start_outbox_worker); None in the plain CLI.
    outbox_worker: OutboxWorker | None = field(default=None, repr=False)

    def wake_outbox(self) -> None:
        """New outbox rows were committed: deliver them now rather than at the next poll."""
        if self.outbox_worker is not None:
            self.outbox_worker.wake()

    def stop_background(self) -> None:
        """Stop the outbox worker (pending rows stay in the database for the next start)."""
        if self.outbox_worker is not None:
            self.outbox_worker.stop()
            self.outbox_worker = None

    def refresh_configured(
        self, *, reset: bool = False, progress: Progress | None = None
    ) -> RefreshSummary:
        """Refresh the knowledge base from the configured sources."""
        locations = [(source.location, source.url) for source in self.settings.sources]
        return refresh(
            self.kb,
            locations,
            full=True,
            reset=reset,
            progress=progress,
            web=self.settings.web_options(),
        )

    def ensure_knowledge(self, progress: Progress | None = None) -> RefreshSummary | None:
        """Build the knowledge base from the configured sources if nothing is built yet."""
        if self.kb.current() is not None:
            return None
        return self.refresh_configured(progress=progress)


def build_services(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    chroma_client: Any = None,
    chat_model: Any = None,
) -> Services:
    """Wire everything from settings; tests may pass a fake embedder, Chroma client or chat model.

    ``chat_model`` (a LangChain chat model) stands in for the one ``LLM_MODEL`` names; either
    makes confident answers LLM-written.

    Raises:
        StorageError: when the data dir, the database or the Chroma server cannot be used; the
            message names the setting and never contains a password.
        ModelError: when ``LLM_MODEL`` names a model that cannot be built.

    """
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(
            f"SECTORBOT_DATA_DIR: cannot use {settings.data_dir}: {error.strerror}"
        ) from None
    try:
        engine = make_engine(settings.sqlalchemy_url)
        # The bot's own tables are created and upgraded by its migrations, never recreated.
        migrate(engine)
    except (ArgumentError, NoSuchModuleError):
        raise StorageError("DATABASE_URL: not a database URL SQLAlchemy understands") from None
    except SQLAlchemyError as error:
        raise StorageError(
            f"DATABASE_URL: cannot use the database ({type(error).__name__})"
        ) from None
    try:
        client = chroma_client or make_chroma_client(
            settings.data_dir, settings.chroma_host, settings.chroma_port
        )
    except Exception as error:  # noqa: BLE001 - chromadb raises bare ValueError and others
        where = (
            f"{settings.chroma_host}:{settings.chroma_port}"
            if settings.chroma_host
            else "the data dir"
        )
        raise StorageError(
            f"CHROMA_HOST/CHROMA_PORT: cannot open Chroma at {where} ({type(error).__name__})"
        ) from None
    kb = KnowledgeBase(engine, client, embedder or make_embedder(settings.embedding_model))
    answerer = Answerer(kb, settings.contacts)
    if settings.llm_model is None and chat_model is None:
        return Services(settings, engine, kb, answerer)
    return Services(settings, engine, kb, build_llm_answerer(settings, answerer, chat_model))


def build_llm_answerer(
    settings: Settings, answerer: Answerer, chat_model: Any = None
) -> QuestionAnswerer:
    """The extractive ``answerer`` with confident answers written by the settings' chat model.

    Raises:
        ModelError: when ``LLM_MODEL`` names a model that cannot be built.

    """
    # Imported here so that the default, extractive path never loads LangChain.
    from knowledge.llm.answerer import LlmAnswerer
    from knowledge.llm.model import LlmSetupError, make_chat_model
    from knowledge.llm.redact import Redactor

    if chat_model is None:
        if settings.llm_model is None:
            raise ModelError("LLM_MODEL: not set, so there is no chat model to build")
        try:
            chat_model = make_chat_model(
                settings.llm_model,
                timeout_seconds=settings.llm_timeout_seconds,
                temperature=settings.llm_temperature,
            )
        except LlmSetupError as error:
            raise ModelError(str(error)) from None
    published = [value for c in settings.contacts for value in (c.phone, c.email) if value]
    return LlmAnswerer(
        answerer,
        chat_model,
        label=settings.llm_model or type(chat_model).__name__,
        timeout_seconds=settings.llm_timeout_seconds,
        redact=Redactor(published),
    )
