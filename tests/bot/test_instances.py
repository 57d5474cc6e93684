"""Two app instances on one PostgreSQL and one Chroma server, as several web dynos would run.

Each instance is the real Bolt app on waitress with its own data dir; they share only what
``DATABASE_URL`` and ``CHROMA_HOST``/``CHROMA_PORT`` name, and one fake Slack. Skipped unless
``.ci/run`` (or you) started the servers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.app import start_outbox_worker
from bot.handoff import outbox, store
from bot.refreshing import RefreshRequest, run_refresh
from bot.services import build_services
from bot.settings import Settings
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.admin_helpers import add_health_care, configured_site
from tests.bot.conftest import BOT_TOKEN, SIGNING_SECRET, RunningApp, start_app
from tests.bot.handoff_helpers import HANDOFF_CHANNEL, VALID_FORM, posts_to, wait_until
from tests.fakes.slack_requests import mention, new_event_id, new_ts, view_submission
from tests.fakes.slack_web_api import Call, FakeSlack
from tests.storage_backends import SERVERS, Stores, needs_servers, open_stores

pytestmark = needs_servers

ADMIN = "UADMIN1"
QUESTION = "Where does the manufacturing partnership meet?"
HEALTH_QUESTION = "Which partnership trains nurses in Polk County?"
HEALTH_FACT = "Des Moines Area Community College"


@dataclasses.dataclass
class Pair:
    """Two running instances and the settings they were started with (one data dir each)."""

    first: RunningApp
    second: RunningApp

    @property
    def both(self) -> tuple[RunningApp, RunningApp]:
        return self.first, self.second


def instance_settings(root: Path, name: str, fake: FakeSlack, stores: Stores) -> Settings:
    """Settings of one instance: the shared servers and site, a data dir of its own."""
    settings = configured_site(
        root,
        SECTORBOT_DATA_DIR=str(root / name),
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        HANDOFF_CHANNEL_ID=HANDOFF_CHANNEL,
        **stores.environ,
    )
    return dataclasses.replace(settings, outbox_backoff_seconds=0.01, outbox_poll_seconds=0.05)


@pytest.fixture
def pair(tmp_path: Path, fake_slack: FakeSlack, minilm: MiniLMEmbedder) -> Iterator[Pair]:
    with open_stores(SERVERS) as stores:
        first_settings = instance_settings(tmp_path, "first", fake_slack, stores)
        builder = build_services(first_settings, embedder=minilm)
        run_refresh(builder, RefreshRequest(trigger="cli", requested_by="setup"))
        builder.close()
        first = start_app(first_settings, minilm)
        second = start_app(instance_settings(tmp_path, "second", fake_slack, stores), minilm)
        try:
            yield Pair(first, second)
        finally:
            first.stop()
            second.stop()


def _in_thread(ts: str) -> Callable[[Call], bool]:
    return lambda call: call.args.get("thread_ts") == ts


def _answer_in(fake: FakeSlack, running: RunningApp, text: str) -> str:
    """Mention the bot on ``running`` and return the text of its reply."""
    ts = new_ts()
    running.sender.event(mention(text, ts=ts))
    return str(fake.wait_for("chat.postMessage", where=_in_thread(ts), timeout=30)[0].args["text"])


def test_both_instances_share_one_knowledge_base(pair: Pair, fake_slack: FakeSlack) -> None:
    for running in pair.both:
        assert "Mason City" in _answer_in(fake_slack, running, QUESTION)
    assert pair.first.settings.data_dir != pair.second.settings.data_dir
    assert not (pair.second.settings.data_dir / "chroma").exists()


def test_a_retried_event_delivered_to_each_instance_is_answered_once(
    pair: Pair, fake_slack: FakeSlack
) -> None:
    event_id, ts = new_event_id(), new_ts()
    event = mention(QUESTION, ts=ts)

    first = pair.first.sender.event(event, event_id=event_id)
    retry = pair.second.sender.event(event, event_id=event_id, retry_num=1)
    again = pair.first.sender.event(event, event_id=event_id, retry_num=2)
    # Each instance answers one listener at a time: once a later question is answered there,
    # whatever it received before is settled.
    for running in pair.both:
        _answer_in(fake_slack, running, QUESTION)

    assert [first.status, retry.status, again.status] == [200, 200, 200]
    [answer] = fake_slack.calls_to("chat.postMessage", where=_in_thread(ts))
    assert "Mason City" in answer.args["text"]


def _submit(running: RunningApp, details: str) -> None:
    response = running.sender.interaction(view_submission({**VALID_FORM, "details": details}))
    assert response.status == 200, response.body


def _all_notified(running: RunningApp, count: int) -> bool:
    requests = store.list_requests(running.services.engine)
    return len(requests) == count and all(r.status == "notified" for r in requests)


def test_each_outbox_row_is_delivered_once_by_whichever_instance_takes_it(
    pair: Pair, fake_slack: FakeSlack
) -> None:
    # Stored by an instance whose worker is stopped: the other instance delivers it.
    pair.first.background.stop()
    _submit(pair.first, "Stored by the first instance while its worker was stopped.")
    wait_until(lambda: _all_notified(pair.second, 1), what="delivery by the second instance")
    # Then both workers run while requests arrive at either instance.
    start_outbox_worker(pair.first.settings, pair.first.services, pair.first.background)
    for number in range(6):
        _submit(pair.both[number % 2], f"Request number {number} for the partnership.")
    wait_until(lambda: _all_notified(pair.first, 7), what="all seven notified")
    engine = pair.first.services.engine
    wait_until(
        lambda: all(
            row.status == "sent"
            for request in store.list_requests(engine)
            for row in outbox.rows_for(engine, request.id)
        ),
        what="every outbox row sent",
    )

    channel_posts = [call.args["text"] for call in posts_to(fake_slack, HANDOFF_CHANNEL)]
    references = [request.reference for request in store.list_requests(engine)]
    assert len(channel_posts) == 7
    for reference in references:
        assert sum(reference in text for text in channel_posts) == 1, reference
    rows = [row for r in store.list_requests(engine) for row in outbox.rows_for(engine, r.id)]
    assert all(row.attempts == 1 for row in rows)


def test_a_refresh_through_one_instance_is_served_by_the_other(
    pair: Pair, fake_slack: FakeSlack
) -> None:
    assert HEALTH_FACT not in _answer_in(fake_slack, pair.second, HEALTH_QUESTION)
    add_health_care(pair.first.settings)

    response = pair.first.sender.command(
        "refresh", user=ADMIN, response_url="http://127.0.0.1:9/unused"
    )
    assert response.status == 200
    fake_slack.wait_for(
        "chat.postMessage",
        where=lambda c: c.args.get("channel") == ADMIN and "Refresh finished" in c.args["text"],
        timeout=120,
    )

    assert HEALTH_FACT in _answer_in(fake_slack, pair.second, HEALTH_QUESTION)
    assert not (pair.second.settings.data_dir / "chroma").exists()
