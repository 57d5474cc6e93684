"""App Home: what the bot does, example questions, the contact; status for admins."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.coverage import reply
from knowledge.embeddings import Embedder, MiniLMEmbedder, Vectors
from tests.bot.conftest import BrokenEmbedder, RunningApp, slack_settings, start_app
from tests.bot.coverage_rows import asked, bot_database
from tests.fakes.slack_requests import new_ts
from tests.fakes.slack_web_api import FakeSlack


def _home_opened(user: str, tab: str = "home") -> dict:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": "D_HOME",
        "tab": tab,
        "event_ts": new_ts(),
    }


def _text(view: dict) -> str:
    return "\n".join(
        block["text"]["text"] for block in view["blocks"] if block.get("type") == "section"
    )


def test_app_home_publishes_what_the_bot_does_examples_and_the_contact(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    running.sender.event(_home_opened("U_VISITOR"))

    publish = fake_slack.wait_for("views.publish")[0]
    assert publish.args["user_id"] == "U_VISITOR"
    view = publish.args["view"]
    assert view["type"] == "home"
    text = _text(view)
    assert "How do I join a sector partnership?" in text
    assert "Phone: 515-725-3882" in text
    assert "Knowledge base" not in text
    assert "Unanswered questions" not in text


def test_admins_also_see_the_knowledge_base_status(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder
) -> None:
    settings = slack_settings(data_dir, fake_slack, ADMIN_USER_IDS="U_ADMIN")
    app = start_app(settings, minilm)
    try:
        app.sender.event(_home_opened("U_ADMIN"))
        publish = fake_slack.wait_for("views.publish")[0]
    finally:
        app.stop()

    assert "*Knowledge base* (admins only)" in _text(publish.args["view"])
    assert "2 documents" in _text(publish.args["view"])
    assert "Serving version" in _text(publish.args["view"])
    assert "No scheduled refresh (REFRESH_INTERVAL_HOURS is 0)." in _text(publish.args["view"])
    assert "*Open hand-offs* (admins only)\nNone." in _text(publish.args["view"])


def test_the_messages_tab_publishes_nothing(running: RunningApp, fake_slack: FakeSlack) -> None:
    running.sender.event(_home_opened("U_VISITOR", tab="messages"))
    running.sender.event(_home_opened("U_SENTINEL"))

    publish = fake_slack.wait_for("views.publish")
    assert [call.args["user_id"] for call in publish] == ["U_SENTINEL"]


HOSTILE_QUESTION = "Is there a <!channel> partnership for R&D > 5 people?"


def _store_unanswered(data_dir: Path) -> None:
    engine = bot_database(data_dir)
    asked(engine, "Are there grants for sector partnerships?", user="U_ONE", days_ago=2)
    asked(engine, "Can a new sector partnership get grant money?", user="U_TWO", days_ago=1)
    asked(engine, HOSTILE_QUESTION, user="U_THREE", days_ago=1)
    engine.dispose()


def _open_home(data_dir: Path, fake_slack: FakeSlack, user: str, embedder: Embedder) -> str:
    settings = slack_settings(data_dir, fake_slack, ADMIN_USER_IDS="U_ADMIN")
    app = start_app(settings, embedder)
    try:
        app.sender.event(_home_opened(user))
        publish = fake_slack.wait_for("views.publish")[0]
    finally:
        app.stop()
    return _text(publish.args["view"])


def test_admins_see_the_top_unanswered_questions_grouped_and_escaped(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder
) -> None:
    _store_unanswered(data_dir)

    text = _open_home(data_dir, fake_slack, "U_ADMIN", minilm)

    assert "*Open hand-offs* (admins only)" in text
    assert "*Unanswered questions* (admins only): 2 groups so far" in text
    assert "grant" in text and "2 times by 2 people" in text
    assert "<!channel>" not in text
    assert "&lt;!channel&gt; partnership for R&amp;D &gt; 5 people?" in text


def test_people_who_are_not_admins_do_not_see_unanswered_questions(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder
) -> None:
    _store_unanswered(data_dir)

    text = _open_home(data_dir, fake_slack, "U_VISITOR", minilm)

    assert "Unanswered questions" not in text and "grants" not in text


def test_a_failing_embedder_leaves_app_home_with_a_short_note(
    fake_slack: FakeSlack, data_dir: Path
) -> None:
    _store_unanswered(data_dir)

    text = _open_home(data_dir, fake_slack, "U_ADMIN", BrokenEmbedder())

    assert "*Knowledge base* (admins only)" in text
    assert "The report could not be built just now (the server log says why)." in text
    assert "secret-internal-detail" not in text


class _StalledEmbedder:
    """An embedding service that answers only once the test lets it."""

    model_id = "all-MiniLM-L6-v2-int8"
    dimensions = 384

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner = inner
        self.release = threading.Event()

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.release.wait(timeout=30)
        return self.inner.embed(texts)


def test_a_slow_embedder_does_not_hold_up_app_home(
    fake_slack: FakeSlack,
    data_dir: Path,
    minilm: MiniLMEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _store_unanswered(data_dir)
    monkeypatch.setattr(reply, "HOME_REPORT_SECONDS", 0.2)
    stalled = _StalledEmbedder(minilm)
    try:
        text = _open_home(data_dir, fake_slack, "U_ADMIN", stalled)
    finally:
        stalled.release.set()

    assert "*Open hand-offs* (admins only)" in text
    assert "The report is still being prepared; open Home again in a minute." in text
