"""Over-long input: questions are refused with a request to shorten; form fields are capped."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from bot.blocks.handoff import Prefill, build_handoff_modal
from bot.handoff import store
from bot.handoff.form import LIMITS
from bot.limits import QUESTION_LIMIT
from knowledge.embeddings import MiniLMEmbedder, Vectors
from tests.bot.conftest import RunningApp, slack_settings, start_app
from tests.bot.handoff_helpers import VALID_FORM
from tests.fakes.slack_requests import mention, new_ts, view_submission
from tests.fakes.slack_web_api import FakeSlack

# Slack's own cap on a message; the words make it look like a question, and a marker near the
# end shows whether the text is echoed back.
LONG_QUESTION = ("How do sector partnerships work in Iowa? " * 1000)[:39_990] + " ECHO-MARK"


class CountingEmbedder:
    """The real model, counting the texts it is asked to embed (retrieval embeds the question)."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimensions = inner.dimensions
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.texts.extend(texts)
        return self.inner.embed(texts)


@pytest.fixture
def counted(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder
) -> Iterator[tuple[RunningApp, CountingEmbedder]]:
    embedder = CountingEmbedder(minilm)
    running = start_app(slack_settings(data_dir, fake_slack), embedder)
    yield running, embedder
    running.stop()


def test_a_40000_character_mention_is_refused_without_retrieval_or_echo(
    counted: tuple[RunningApp, CountingEmbedder], fake_slack: FakeSlack
) -> None:
    running, embedder = counted
    long_ts, short_ts = new_ts(), new_ts()

    response = running.sender.event(mention(LONG_QUESTION, ts=long_ts))
    running.sender.event(mention("What is a sector partnership?", ts=short_ts))
    fake_slack.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts") == short_ts)

    assert response.status == 200
    [reply] = fake_slack.calls_to("chat.postMessage", lambda c: c.args.get("thread_ts") == long_ts)
    assert f"up to {QUESTION_LIMIT:,}" in reply.args["text"]
    assert "ECHO-MARK" not in str(reply.args) and len(reply.args["text"]) < 300
    # Only the short question was embedded; the long one never reached retrieval.
    assert embedder.texts == ["What is a sector partnership?"]


def test_a_40000_character_ask_command_is_refused_in_the_ack(
    counted: tuple[RunningApp, CountingEmbedder], fake_slack: FakeSlack
) -> None:
    running, embedder = counted

    response = running.sender.command(
        "ask " + LONG_QUESTION, response_url=fake_slack.response_url()
    )

    assert response.status == 200
    assert f"up to {QUESTION_LIMIT:,}" in response.body and "ECHO-MARK" not in response.body
    assert embedder.texts == []
    assert fake_slack.calls_to("response_url") == []


def test_a_question_at_the_limit_is_answered(
    counted: tuple[RunningApp, CountingEmbedder], fake_slack: FakeSlack
) -> None:
    running, _ = counted
    question = ("What is a sector partnership? " * 100)[:QUESTION_LIMIT]
    ts = new_ts()

    running.sender.event(mention(question, ts=ts))

    [reply] = fake_slack.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts") == ts)
    assert "blocks" in reply.args


def test_every_text_input_of_the_hand_off_form_has_its_max_length() -> None:
    view = build_handoff_modal(Prefill(details="x" * 10_000), "{}", "Kathy Leggett")

    inputs = {
        block["block_id"]: block["element"]
        for block in view["blocks"]
        if block["type"] == "input" and block["element"]["type"] == "plain_text_input"
    }
    assert {name: element.get("max_length") for name, element in inputs.items()} == LIMITS
    assert len(inputs["details"]["initial_value"]) == LIMITS["details"]


def test_every_over_long_field_is_refused_inline_and_nothing_is_stored(
    running: RunningApp,
) -> None:
    # Slack's client enforces max_length, but a signed payload can say anything.
    too_long = {
        name: ("9" * (limit + 1) if name == "phone" else "x" * (limit + 1))
        for name, limit in LIMITS.items()
    }
    too_long["email"] = "p" * (LIMITS["email"] - 11) + "@example.com"

    reply = running.sender.interaction(view_submission({**VALID_FORM, **too_long})).json()

    assert reply["response_action"] == "errors"
    assert set(reply["errors"]) == set(LIMITS)
    assert all("under" in text for text in reply["errors"].values())
    assert store.list_requests(running.services.engine) == []
