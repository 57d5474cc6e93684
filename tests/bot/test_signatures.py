"""Request signatures: forged, stale, unsigned, tampered and replayed requests change nothing.

What "replayed" means here: Bolt refuses a timestamp more than five minutes old, so an old capture
is stale. Inside the five minutes, a re-sent *event* is answered once by its ``event_id``
(``test_retries.py``), and a re-sent command or interaction, which Slack itself never resends, is
refused by its signature (``bot.listeners.middleware.RefuseReplays``).
"""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlencode, urlsplit

from sqlalchemy import func, select

from bot.handoff import store
from knowledge.store.db import metadata
from tests.bot.conftest import RunningApp
from tests.bot.handoff_helpers import VALID_FORM
from tests.fakes.slack_requests import (
    event_envelope,
    mention,
    new_event_id,
    new_ts,
    view_submission,
)
from tests.fakes.slack_web_api import FakeSlack

QUESTION = "What is a sector partnership?"


def _raw_post(url: str, body: str, headers: dict[str, str]) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port or 80, timeout=15)
    try:
        connection.request("POST", parts.path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _row_counts(running: RunningApp) -> dict[str, int]:
    """Rows in every table of the app's database."""
    with running.services.engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
        }


def _settle(running: RunningApp, fake: FakeSlack) -> None:
    """One genuine event, answered: whatever was sent before it has been handled or dropped."""
    ts = new_ts()
    running.sender.event(mention(QUESTION, channel="C_SENTINEL", ts=ts))
    fake.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts") == ts)


def test_bad_signatures_get_401_and_cause_no_web_api_call_and_nothing_stored(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    event_id = new_event_id()
    body = json.dumps(event_envelope(mention(QUESTION, ts=new_ts()), event_id=event_id))
    sender = running.sender
    now = int(time.time())
    good_for_other_body = sender.verifier.generate_signature(timestamp=str(now), body=body + " ")
    calls_before, rows_before = len(fake_slack.calls), _row_counts(running)

    statuses = {
        "forged": sender.post(body, "application/json", signature="v0=" + "0" * 64).status,
        "stale": sender.post(body, "application/json", timestamp=now - 6 * 60).status,
        "from the future": sender.post(body, "application/json", timestamp=now + 6 * 60).status,
        "signed for another body": sender.post(
            body, "application/json", signature=good_for_other_body
        ).status,
        "no headers": _raw_post(sender.url, body, {"Content-Type": "application/json"}),
        "no signature": _raw_post(
            sender.url,
            body,
            {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(now)},
        ),
        "no timestamp": _raw_post(
            sender.url,
            body,
            {"Content-Type": "application/json", "X-Slack-Signature": good_for_other_body},
        ),
    }

    assert statuses == dict.fromkeys(statuses, 401)
    assert len(fake_slack.calls) == calls_before  # no reaction, no answer, no lookup
    assert _row_counts(running) == rows_before
    # The forged requests did not even claim the event id: the genuine event is still answered.
    ts = new_ts()
    assert sender.event(mention(QUESTION, ts=ts), event_id=event_id).status == 200
    fake_slack.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts") == ts)


def test_a_replayed_slash_command_is_refused_and_answered_once(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    hook = fake_slack.response_url("ask")
    form = {
        "team_id": "T0001",
        "channel_id": "C_GENERAL",
        "user_id": "U_ASKER",
        "command": "/sectorbot",
        "text": f"ask {QUESTION}",
        "response_url": hook,
        "trigger_id": "trigger.replayed",
    }
    body, stamp = urlencode(form), int(time.time())
    signature = running.sender.verifier.generate_signature(timestamp=str(stamp), body=body)
    form_type = "application/x-www-form-urlencoded"

    first = running.sender.post(body, form_type, timestamp=stamp, signature=signature)
    replay = running.sender.post(body, form_type, timestamp=stamp, signature=signature)
    _settle(running, fake_slack)

    assert (first.status, replay.status) == (200, 401)
    assert len(fake_slack.calls_to("response_url")) == 1


def test_a_replayed_form_submission_stores_one_hand_off(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    body = urlencode({"payload": json.dumps(view_submission(VALID_FORM))})
    stamp = int(time.time())
    signature = running.sender.verifier.generate_signature(timestamp=str(stamp), body=body)
    form_type = "application/x-www-form-urlencoded"

    first = running.sender.post(body, form_type, timestamp=stamp, signature=signature)
    replay = running.sender.post(body, form_type, timestamp=stamp, signature=signature)

    assert (first.status, replay.status) == (200, 401)
    assert len(store.list_requests(running.services.engine)) == 1


def test_a_replayed_event_is_acknowledged_but_answered_once(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    # Slack retries events itself, so a repeat must get a 200 (or Slack keeps retrying); the
    # event id keeps it from being answered twice.
    ts = new_ts()
    body = json.dumps(event_envelope(mention(QUESTION, ts=ts)))
    stamp = int(time.time())
    signature = running.sender.verifier.generate_signature(timestamp=str(stamp), body=body)

    statuses = [
        running.sender.post(body, "application/json", timestamp=stamp, signature=signature).status
        for _ in range(2)
    ]
    _settle(running, fake_slack)

    assert statuses == [200, 200]
    assert (
        len(fake_slack.calls_to("chat.postMessage", lambda c: c.args.get("thread_ts") == ts)) == 1
    )
