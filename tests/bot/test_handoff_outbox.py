"""The outbox and the request store on each database: retries, restarts, two workers, claims.

These run the real ``Outbox`` worker against the fake Slack on SQLite, and on PostgreSQL when
``.ci/run`` started one. Waits poll the database or the recorded calls; nothing sleeps and hopes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.app import make_outbox_client
from bot.handoff import outbox, store, workflow
from bot.handoff.form import HandoffForm
from bot.handoff.outbox import Outbox, RetryPolicy
from bot.handoff.worker import OutboxWorker
from bot.store.events import claim_event
from knowledge.contacts import Contact
from tests.bot.conftest import slack_settings
from tests.bot.handoff_databases import DATABASES, database_url, engine_for
from tests.bot.handoff_helpers import HANDOFF_CHANNEL, VALID_FORM, wait_until
from tests.fakes.slack_web_api import FakeSlack

CONTACT = Contact(name="Kathy Leggett", phone="515-725-3882", slack_user_id="U_KATHY")
FORM = HandoffForm(**VALID_FORM)


@pytest.fixture(params=DATABASES)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path)


@pytest.fixture
def engines(url: str) -> Iterator[list[Engine]]:
    """Engines made by ``make_engine`` (one per simulated instance); all disposed at the end."""
    made: list[Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def _engine(url: str, engines: list[Engine]) -> Engine:
    engine = engine_for(url)
    engines.append(engine)
    return engine


def _worker(engine: Engine, fake: FakeSlack, tmp_path: Path) -> OutboxWorker:
    settings = slack_settings(tmp_path / "unused", fake)
    box = Outbox(
        engine,
        make_outbox_client(settings),
        render=workflow.render(engine),
        policy=RetryPolicy(base_seconds=0.01),
        on_delivered=workflow.on_delivered,
    )
    return OutboxWorker(box, poll_seconds=0.05)


def _submit(engine: Engine, requester: str = "U_ASKER") -> store.HandoffRequest:
    return workflow.submit(
        engine, FORM, workflow.Origin(requester=requester), CONTACT, HANDOFF_CHANNEL
    )


def _all_sent(engine: Engine, request_ids: list[int]) -> bool:
    rows = [row for request_id in request_ids for row in outbox.rows_for(engine, request_id)]
    return bool(rows) and all(row.status == "sent" for row in rows)


def _delivered(fake: FakeSlack) -> Counter[tuple[str, str]]:
    """How often each (channel, text) was accepted by Slack."""
    return Counter(
        (call.args["channel"], call.args["text"])
        for call in fake.calls_to("chat.postMessage")
        if call.error is None
    )


@pytest.mark.parametrize("ratelimited_first", [False, True], ids=["500-then-429", "429-then-500"])
def test_slack_errors_are_retried_and_every_message_is_delivered_exactly_once(
    url: str, engines: list[Engine], fake_slack: FakeSlack, tmp_path: Path, ratelimited_first: bool
) -> None:
    engine = _engine(url, engines)
    failures = [("internal_error", 500), ("ratelimited", 429)]
    for error, status in reversed(failures) if ratelimited_first else failures:
        fake_slack.fail("chat.postMessage", error, status=status, retry_after=1)
    request = _submit(engine)
    worker = _worker(engine, fake_slack, tmp_path).start()
    try:
        wait_until(lambda: _all_sent(engine, [request.id]), what="every row sent")
        wait_until(
            lambda: store.get_request(engine, request.id).status == "notified",  # type: ignore[union-attr]
            what="notified",
        )
    finally:
        worker.stop()

    assert [call.error for call in fake_slack.calls_to("chat.postMessage")][:2] == [
        error for error, _ in (reversed(failures) if ratelimited_first else failures)
    ]
    assert set(_delivered(fake_slack).values()) == {1}
    rows = outbox.rows_for(engine, request.id)
    assert sum(row.attempts for row in rows) == len(rows) + 2
    errors = {row.last_error for row in rows} - {None}
    assert errors == {"internal_error", "ratelimited"}


def test_retry_after_is_honoured_when_longer_than_the_backoff() -> None:
    policy = RetryPolicy(base_seconds=0.01)

    assert policy.delay(1, retry_after=1.0) >= 1.0
    assert policy.delay(1) < 0.02
    assert RetryPolicy(base_seconds=2, max_seconds=60).delay(10) <= 60


def test_rows_stored_while_no_worker_runs_are_delivered_when_one_starts(
    url: str, engines: list[Engine], fake_slack: FakeSlack, tmp_path: Path
) -> None:
    first_instance = _engine(url, engines)
    request = _submit(first_instance)
    first_instance.dispose()  # the process that stored it is gone before anything was sent
    assert fake_slack.calls_to("chat.postMessage") == []

    restarted = _engine(url, engines)
    worker = _worker(restarted, fake_slack, tmp_path).start()
    try:
        wait_until(lambda: _all_sent(restarted, [request.id]), what="every row sent")
    finally:
        worker.stop()

    delivered = _delivered(fake_slack)
    assert set(delivered.values()) == {1}
    assert {channel for channel, _ in delivered} == {"D_KATHY", HANDOFF_CHANNEL, "D_ASKER"}


def test_two_workers_on_one_database_deliver_each_row_once(
    url: str, engines: list[Engine], fake_slack: FakeSlack, tmp_path: Path
) -> None:
    requests = [_submit(_engine(url, engines), requester=f"U_{n:02d}") for n in range(12)]
    workers = [_worker(_engine(url, engines), fake_slack, tmp_path) for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        wait_until(
            lambda: _all_sent(engines[0], [request.id for request in requests]),
            timeout=30,
            what="every row sent",
        )
    finally:
        for worker in workers:
            worker.stop()

    delivered = _delivered(fake_slack)
    # Per request: the contact's DM, the channel post, "received" and "notified" to the requester.
    assert sum(delivered.values()) == 4 * len(requests)
    assert set(delivered.values()) == {1}


def test_a_row_whose_worker_died_is_taken_over_after_its_lease(
    url: str, engines: list[Engine], fake_slack: FakeSlack, tmp_path: Path
) -> None:
    engine = _engine(url, engines)
    request = _submit(engine)
    dead = Outbox(
        engine,
        make_outbox_client(slack_settings(tmp_path / "x", fake_slack)),
        render=workflow.render(engine),
    )
    row_id = outbox.rows_for(engine, request.id)[0].id
    assert dead._claim(row_id) is not None  # claimed, then the process died before sending
    box = Outbox(
        engine,
        make_outbox_client(slack_settings(tmp_path / "x", fake_slack)),
        render=workflow.render(engine),
        on_delivered=workflow.on_delivered,
    )

    box.run_once()
    assert outbox.rows_for(engine, request.id)[0].status == "sending"  # the lease still holds
    box.run_once(now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))

    assert outbox.rows_for(engine, request.id)[0].status == "sent"


def test_a_status_moves_only_forward_and_one_of_two_claims_wins(
    url: str, engines: list[Engine]
) -> None:
    engine = _engine(url, engines)
    request = _submit(engine)
    workflow.move(engine, request.reference, "claimed", "U_ONE")

    with pytest.raises(store.TransitionRefused):
        workflow.move(engine, request.reference, "claimed", "U_TWO")
    workflow.move(engine, request.reference, "resolved", "U_TWO")
    with pytest.raises(store.TransitionRefused):
        workflow.move(engine, request.reference, "claimed", "U_ONE")

    final = store.get_request(engine, request.id)
    assert final is not None and final.status == "resolved"
    assert (final.claimed_by, final.resolved_by) == ("U_ONE", "U_TWO")


def test_references_are_unique_and_readable(url: str, engines: list[Engine]) -> None:
    engine = _engine(url, engines)
    references = [_submit(engine).reference for _ in range(3)]

    year = dt.datetime.now(dt.UTC).year
    assert references == [f"SP-{year}-{n:04d}" for n in (1, 2, 3)]


def test_an_event_id_is_answered_once_per_database(url: str, engines: list[Engine]) -> None:
    first, second = _engine(url, engines), _engine(url, engines)

    assert claim_event(first, "Ev123") is True
    assert claim_event(second, "Ev123") is False
