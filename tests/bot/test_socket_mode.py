"""Socket Mode: the same app over a websocket, against a local Socket Mode server."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.app import build_app
from bot.background import Background
from bot.server import make_socket_mode_handler
from bot.services import build_services
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import APP_TOKEN, slack_settings
from tests.fakes.slack_requests import mention, new_ts
from tests.fakes.slack_web_api import FakeSlack
from tests.fakes.socket_mode import FakeSocketMode


@pytest.fixture
def socket_server(fake_slack: FakeSlack) -> Iterator[FakeSocketMode]:
    server = FakeSocketMode()
    fake_slack.socket_mode_url = server.url
    yield server
    server.close()


def test_a_mention_over_socket_mode_is_acknowledged_and_answered_in_its_thread(
    fake_slack: FakeSlack,
    socket_server: FakeSocketMode,
    data_dir: Path,
    minilm: MiniLMEmbedder,
) -> None:
    # Socket Mode needs no signing secret: Slack itself is at the other end of the websocket.
    settings = slack_settings(data_dir, fake_slack, SLACK_SIGNING_SECRET="")
    services = build_services(settings, embedder=minilm)
    executor = ThreadPoolExecutor(max_workers=1)
    background = Background()
    handler = make_socket_mode_handler(
        build_app(settings, services, background, listener_executor=executor), settings
    )
    ts = new_ts()
    try:
        handler.connect()
        socket_server.wait_connected()
        envelope_id = socket_server.push_event(mention("What is a sector partnership?", ts=ts))
        ack = socket_server.wait_for_ack(envelope_id)
        post = fake_slack.wait_for("chat.postMessage")[0]
    finally:
        handler.close()
        executor.shutdown(wait=True)
        background.stop()
        services.close()

    assert ack == {"envelope_id": envelope_id}
    assert fake_slack.calls_to("apps.connections.open")[0].token == APP_TOKEN
    assert post.args["thread_ts"] == ts
    assert any(block.get("block_id") == "answer_sources" for block in post.args["blocks"])
