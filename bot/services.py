"""Build the long-lived objects the CLI and the Slack app share, once, from settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from bot.data_dir import prepare_data_dir, prepare_sqlite_file
from bot.log_privacy import keep_payloads_out_of_logs
from bot.settings import Settings
from knowledge import (
    Answerer,
    Embedder,
    KnowledgeBase,
    QuestionAnswerer,
    make_chroma_client,
    make_embedder,
    make_engine,
)

logger = logging.getLogger(__name__)


class StorageError(Exception):
    """Storage named by the settings cannot be used."""


class ModelError(Exception):
    """The chat model named by ``LLM_MODEL`` cannot be built; the message names the key."""


@dataclass(frozen=True)
class Services:
    """The database, knowledge base and answerer for one process; never changed once built.

    The Slack app's background work is built beside them (``bot.background.Background``).
    """

    settings: Settings
    engine: Engine
    kb: KnowledgeBase
    # The extractive Answerer, or an LLM writer around it when LLM_MODEL is set.
    answerer: QuestionAnswerer

    def close(self) -> None:
        """Release the database and Chroma (files, sockets, threads)."""
        close_chroma = getattr(self.kb.chroma, "close", None)
        if callable(close_chroma):
            try:
                close_chroma()
            except Exception:  # noqa: BLE001 - closing must not mask what the caller is doing
                logger.debug("closing the Chroma client failed", exc_info=True)
        self.engine.dispose()


def _database_error(settings: Settings, error: SQLAlchemyError) -> str:
    """What went wrong with the database, naming the setting the operator actually chose.

    The default SQLite file lives in the data dir, so its errors (a read-only file system, a
    full disk) are the data dir's and their text is safe to show; a server's may hold its
    address and user, so only their kind is shown.
    """
    if settings.database_url:
        return f"DATABASE_URL: cannot use the database ({type(error).__name__})"
    reason = getattr(error, "orig", None) or type(error).__name__
    return f"SECTORBOT_DATA_DIR: cannot use the database in {settings.data_dir} ({reason})"


def build_services(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    chroma_client: Any = None,
    chat_model: Any = None,
    will_embed: bool = False,
) -> Services:
    """Wire everything from settings; tests may pass a fake embedder, Chroma client or chat model.

    ``chat_model`` (a LangChain chat model) stands in for the one ``LLM_MODEL`` names; either
    makes confident answers LLM-written. ``will_embed`` (a caller that answers or indexes)
    loads the embedding model while the database and Chroma are opened.

    Raises:
        StorageError: when the data dir, the database or the Chroma server cannot be used; the
            message names the setting and never contains a password.
        ModelError: when ``LLM_MODEL`` names a model that cannot be built.

    """
    # Loading the model overlaps importing Chroma: cold `sectorbot ask`, twelve runs each taken
    # in turn, median 1.52 s with the overlap and 1.73 s without (bench/RESULTS.md).
    embedder = embedder or make_embedder(settings.embedding_model, load_now=will_embed)
    try:
        prepare_data_dir(settings.data_dir)
        prepare_sqlite_file(settings.sqlalchemy_url)
    except OSError as error:
        raise StorageError(
            f"SECTORBOT_DATA_DIR: cannot use {settings.data_dir}: {error.strerror}"
        ) from None
    try:
        engine = make_engine(settings.sqlalchemy_url)
        # Hand-off details and questions are statement parameters: never in a logged error.
        keep_payloads_out_of_logs(engine)
    except (ArgumentError, NoSuchModuleError):
        raise StorageError("DATABASE_URL: not a database URL SQLAlchemy understands") from None
    except ImportError as error:
        raise StorageError(
            f"DATABASE_URL: its database driver is not installed ({error.name or error}); the"
            " bot runs on SQLite (the default) or PostgreSQL"
        ) from None
    except SQLAlchemyError as error:
        raise StorageError(_database_error(settings, error)) from None
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
    kb = KnowledgeBase(
        engine,
        client,
        embedder,
        index_dir=settings.data_dir / "keyword-index",
    )
    answerer = Answerer(kb, settings.contacts, stale_after_days=settings.stale_after_days)
    if settings.llm_model is None and chat_model is None:
        return Services(settings, engine, kb, answerer)
    services = Services(settings, engine, kb, build_llm_answerer(settings, answerer, chat_model))
    keep_payloads_out_of_logs()  # the chat model's client logs each prompt at DEBUG
    return services


def build_llm_answerer(
    settings: Settings, answerer: Answerer, chat_model: Any = None
) -> QuestionAnswerer:
    """The extractive ``answerer`` with confident answers written by the settings' chat model.

    Raises:
        ModelError: when ``LLM_MODEL`` names a model that cannot be built.

    """
    # Imported here so that the default, extractive path never loads LangChain.
    from knowledge import LlmAnswerer, LlmSetupError, Redactor, make_chat_model

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
        published=published,
    )
