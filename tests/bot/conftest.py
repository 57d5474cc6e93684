"""Slack fixtures: a fake Web API, a small knowledge base, and the real app served on loopback."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App

from bot.app import build_app
from bot.background import Background
from bot.server import BackgroundHttpServer, knowledge_ready
from bot.services import Services, build_services
from bot.settings import Settings
from ingest.pipeline import refresh
from knowledge.embeddings import Embedder, MiniLMEmbedder, Vectors
from tests.conftest import DATA, REPO, make_settings
from tests.fakes.slack_requests import SlackSender
from tests.fakes.slack_web_api import FakeSlack

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SLACK_DOCS = [
    (str(REPO / "knowledge" / "defaults" / "iwd_sector_partnerships.md"), None),
    (str(DATA / "slack" / "regional_partnerships.md"), None),
]


@pytest.fixture(scope="session")
def slack_kb(tmp_path_factory: pytest.TempPathFactory, minilm: MiniLMEmbedder) -> Path:
    """A data dir holding a knowledge base of two small documents (real embeddings), built once."""
    data_dir = tmp_path_factory.mktemp("slack-kb")
    services = build_services(make_settings(data_dir), embedder=minilm)
    summary = refresh(services.kb, SLACK_DOCS, full=False, reset=True)
    assert summary.indexed_anything
    services.close()
    return data_dir


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """The fake Slack Web API, on 127.0.0.1 and a free port."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def data_dir(slack_kb: Path, tmp_path: Path) -> Path:
    """A private copy of the small knowledge base, so tests never share a database."""
    target = tmp_path / "slack-data"
    shutil.copytree(slack_kb, target)
    return target


def slack_settings(data_dir: Path, fake: FakeSlack, **environ: str) -> Settings:
    """Settings for the app: test tokens, and the Web API pointed at the fake."""
    values = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url,
        **environ,
    }
    return make_settings(data_dir, **values)


@dataclass
class RunningApp:
    """The real Bolt app served by waitress on 127.0.0.1, and a sender of signed requests."""

    app: App
    services: Services
    background: Background
    settings: Settings
    sender: SlackSender
    url: str
    _stop: Callable[[], None]
    executor: ThreadPoolExecutor | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def stop(self) -> None:
        """Stop serving and finish the work in flight."""
        self._stop()


class BrokenEmbedder:
    """An embedder whose service is down: every question fails to embed."""

    model_id = "all-MiniLM-L6-v2-int8"
    dimensions = 384

    def embed(self, texts: Sequence[str]) -> Vectors:
        raise RuntimeError("embedding service unavailable: secret-internal-detail")


def start_app(
    settings: Settings,
    embedder: Embedder,
    *,
    single_worker: bool = True,
    chat_model: Any = None,
) -> RunningApp:
    """Build services and the app on ``settings`` and serve them over HTTP on a free port.

    With ``single_worker`` the listeners run one at a time in arrival order, so a test can send a
    sentinel event after the one under test and know, once the sentinel is answered, that the
    earlier event was fully handled (or dropped): no sleeping, no guessing. ``chat_model`` (a
    LangChain fake) makes confident answers LLM-written.
    """
    services = build_services(settings, embedder=embedder, chat_model=chat_model)
    executor = ThreadPoolExecutor(max_workers=1) if single_worker else None
    background = Background()
    app = build_app(settings, services, background, listener_executor=executor)
    secret = settings.slack_signing_secret
    assert secret is not None
    server = BackgroundHttpServer(
        app, knowledge_ready(services), signing_secret=secret.reveal(), host="127.0.0.1", port=0
    )
    url = server.start().url

    def stop() -> None:
        server.stop()
        if executor is not None:
            executor.shutdown(wait=True)
        background.stop()
        services.close()

    sender = SlackSender(f"{url}/slack/events", secret.reveal())
    return RunningApp(app, services, background, settings, sender, url, stop, executor)


@pytest.fixture
def running(fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder) -> Iterator[RunningApp]:
    """The app on the small knowledge base, talking to the fake Slack."""
    running = start_app(slack_settings(data_dir, fake_slack), minilm)
    yield running
    running.stop()
