"""App Home: what the bot does, example questions, the contact; status for admins."""

from __future__ import annotations

from pathlib import Path

from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import RunningApp, slack_settings, start_app
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
    assert "*Open hand-offs* (admins only)\nNone." in _text(publish.args["view"])


def test_the_messages_tab_publishes_nothing(running: RunningApp, fake_slack: FakeSlack) -> None:
    running.sender.event(_home_opened("U_VISITOR", tab="messages"))
    running.sender.event(_home_opened("U_SENTINEL"))

    publish = fake_slack.wait_for("views.publish")
    assert [call.args["user_id"] for call in publish] == ["U_SENTINEL"]
