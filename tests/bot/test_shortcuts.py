"""Shortcuts open a modal with the contact (the hand-off form comes with a later version)."""

from __future__ import annotations

from tests.bot.conftest import RunningApp
from tests.fakes.slack_requests import shortcut
from tests.fakes.slack_web_api import FakeSlack


def test_the_get_involved_shortcut_opens_the_contact_modal(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    payload = shortcut("get_involved")

    response = running.sender.interaction(payload)

    opened = fake_slack.wait_for("views.open")[0]
    assert response.status == 200
    assert opened.args["trigger_id"] == payload["trigger_id"]
    assert "515-725-3882" in opened.args["view"]["blocks"][0]["text"]["text"]


def test_the_handoff_message_shortcut_opens_the_contact_modal(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    response = running.sender.interaction(
        shortcut("handoff_message", message_text="We'd like to start a partnership in Ames.")
    )

    opened = fake_slack.wait_for("views.open")[0]
    assert response.status == 200
    assert "hand this message off" in opened.args["view"]["blocks"][0]["text"]["text"]
