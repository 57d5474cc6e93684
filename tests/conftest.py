"""Shared fixtures: a scrubbed environment, a temp data dir, real and fake embedders, corpus KB.

Every document a test reads is under ``tests/data`` (see its README), so a fresh clone passes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.services import Services, build_services
from bot.settings import Settings, load_settings
from knowledge.embeddings import MiniLMEmbedder
from knowledge.store.embedding_cache import embedding_cache
from tests.storage_backends import SERVERS, STORES, Stores, open_stores

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
# Our own small documents on sector partnerships, and the IWD page the package ships.
CORPUS = DATA / "corpus"
IWD_PAGE = REPO / "knowledge" / "defaults" / "iwd_sector_partnerships.md"
CORPUS_SOURCES = [(str(IWD_PAGE), None), (str(CORPUS), None)]
# Set by .ci/run once it has started the servers; the storage tests also run against them.
SERVER_VARIABLES = ("SECTORBOT_TEST_DATABASE_URL", "SECTORBOT_TEST_CHROMA_URL")


def pytest_configure(config: pytest.Config) -> None:
    """Stop at once, saying why, when CI is set without the servers ``.ci/run`` starts.

    Under CI the PostgreSQL and Chroma servers are needed: there the cases that use them must
    run, never be skipped (elsewhere they skip, so the suite runs without servers).
    """
    missing = [key for key in SERVER_VARIABLES if not os.environ.get(key)]
    if os.environ.get("CI") and missing:
        pytest.exit(
            f"CI is set but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not: "
            "run the tests through .ci/run, which starts PostgreSQL and a Chroma server and "
            "sets them",
            returncode=4,
        )


def require(available: bool, what: str) -> None:
    """Skip a test whose tool is missing here; under CI, fail it (CI must run every case)."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed, and CI must run this test (.ci/run installs it)")
    pytest.skip(f"{what} is not installed")


_SCRUBBED_PREFIXES = (
    "SLACK_",
    "SECTORBOT_",
    "CHROMA_",
    "DATABASE_URL",
    "ADMIN_USER_IDS",
    "STAFF_USER_IDS",
    "HANDOFF_",
    "LLM_",
    "OPENAI_",
    "INGEST_",
    "REFRESH_",
    "STALE_",
)


@pytest.fixture(autouse=True)
def scrubbed_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's tokens or data, and state goes to a temp dir."""
    for key in list(os.environ):
        if key.startswith(_SCRUBBED_PREFIXES):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SECTORBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SECTORBOT_CONFIG", str(REPO / "sectorbot.toml"))
    monkeypatch.chdir(tmp_path)
    yield


def make_settings(data_dir: Path, **environ: str) -> Settings:
    """Settings for a data dir, using the repository's TOML file."""
    return load_settings(
        {
            "SECTORBOT_DATA_DIR": str(data_dir),
            "SECTORBOT_CONFIG": str(REPO / "sectorbot.toml"),
            **environ,
        }
    )


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbedder:
    """The real offline embedding model, loaded once per test session."""
    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def corpus_services(tmp_path_factory: pytest.TempPathFactory, minilm: MiniLMEmbedder) -> Services:
    """A knowledge base built once from the IWD page and ``tests/data/corpus`` (real embeddings)."""
    from ingest.pipeline import refresh

    data_dir = tmp_path_factory.mktemp("corpus-kb")
    services = build_services(make_settings(data_dir), embedder=minilm)
    refresh(services.kb, CORPUS_SOURCES, full=False, reset=True)
    return services


@pytest.fixture(params=STORES)
def stores(request: pytest.FixtureRequest) -> Iterator[Stores]:
    """This test's stores: embedded files, then (when CI runs them) PostgreSQL + Chroma server."""
    with open_stores(request.param) as opened:
        yield opened


@pytest.fixture(scope="session")
def server_corpus_services(
    tmp_path_factory: pytest.TempPathFactory, corpus_services: Services, minilm: MiniLMEmbedder
) -> Iterator[Services]:
    """The corpus knowledge base built again on PostgreSQL and the Chroma server, once.

    The embedded build's cached vectors are copied first, so nothing is embedded twice.
    """
    from ingest.pipeline import refresh

    with open_stores(SERVERS) as servers:
        settings = make_settings(tmp_path_factory.mktemp("server-corpus-kb"), **servers.environ)
        services = build_services(settings, embedder=minilm)
        with corpus_services.engine.connect() as source:
            rows = [dict(row._mapping) for row in source.execute(select(embedding_cache))]
        with services.engine.begin() as target:
            target.execute(insert(embedding_cache), rows)
        summary = refresh(services.kb, CORPUS_SOURCES, full=False, reset=True)
        assert summary.embedded == 0
        yield services
        services.close()


def corpus_on(request: pytest.FixtureRequest) -> Services:
    """The corpus knowledge base on the stores ``request.param`` names (for parametrized tests)."""
    name = "server_corpus_services" if request.param == SERVERS else "corpus_services"
    services: Services = request.getfixturevalue(name)
    return services
