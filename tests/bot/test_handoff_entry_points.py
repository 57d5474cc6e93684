"""Every way in opens the hand-off modal, then fills it from the Slack profile and the message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.bot.conftest import RunningApp
from tests.bot.handoff_helpers import wait_until
from tests.fakes.slack_requests import block_action, mention, shortcut
from tests.fakes.slack_web_api import FakeSlack

QUESTION = "How can my company join a sector partnership?"


def _values(view: dict[str, Any]) -> dict[str, str]:
    """The prefilled value of each input of a modal, keyed by action id."""
    values = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        option = element.get("initial_option") or {}
        values[element["action_id"]] = element.get("initial_value") or option.get("value", "")
    return values


def _opened(fake: FakeSlack, trigger_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The modal as opened, and as updated with the profile."""
    opened = fake.wait_for("views.open")[0]
    assert opened.args["trigger_id"] == trigger_id
    updated = fake.wait_for("views.update")[0]
    # The update names the opened view and its hash, so it never overwrites a newer one.
    assert updated.args["view_id"].startswith("V") and updated.args["hash"] == "h1"
    for view in (opened.args["view"], updated.args["view"]):
        assert view["callback_id"] == "handoff_modal"
        assert [b["element"]["action_id"] for b in view["blocks"] if b["type"] == "input"] == [
            "name",
            "organization",
            "email",
            "phone",
            "region",
            "industry",
            "interest",
            "details",
        ]
    return opened.args["view"], updated.args["view"]


def test_the_talk_to_person_button_opens_the_form_with_the_question_and_profile(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.users["U_ASKER"] = ("Pat Example", "pat@example.com")
    running.sender.event(mention(QUESTION))
    answer = fake_slack.wait_for("chat.postMessage")[0]
    turn_id = answer.args["blocks"][-1]["elements"][-1]["value"]
    click = block_action("talk_to_person", turn_id, response_url=fake_slack.response_url())

    running.sender.interaction(click)

    opened, updated = _opened(fake_slack, click["trigger_id"])
    assert _values(opened)["details"] == QUESTION
    assert _values(updated) | {"details": ""} == {
        "name": "Pat Example",
        "organization": "",
        "email": "pat@example.com",
        "phone": "",
        "region": "",
        "industry": "",
        "interest": "join",  # what the question asked about
        "details": "",
    }
    assert _values(updated)["details"] == QUESTION
    permalink = fake_slack.wait_for("chat.getPermalink")[0]
    assert permalink.args["message_ts"] == click["container"]["message_ts"]
    assert "fake.slack.test/archives" in updated["private_metadata"]
    # What the person sees, as Slack shows an updated modal: the profile, and the question.
    shown = fake_slack.shown(fake_slack.wait_for("views.update")[0].args["view_id"])
    assert shown == _values(updated)


def test_the_get_involved_shortcut_opens_the_form_with_the_profile(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.users["U_STAFF"] = ("Sam Staff", "sam@example.com")
    payload = shortcut("get_involved")

    response = running.sender.interaction(payload)

    assert response.status == 200
    _opened_view, updated = _opened(fake_slack, payload["trigger_id"])
    assert _values(updated)["name"] == "Sam Staff"
    assert _values(updated)["email"] == "sam@example.com"


def test_the_handoff_message_shortcut_fills_in_the_message_its_author_and_permalink(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.users["U_ASKER"] = ("Alex Author", "alex@example.com")
    text = "We'd like to start a partnership in Ames."
    payload = shortcut("handoff_message", message_text=text)

    running.sender.interaction(payload)

    opened, updated = _opened(fake_slack, payload["trigger_id"])
    assert _values(opened)["details"] == text
    # The form is about the message's author, not the staff member handing it off.
    assert fake_slack.wait_for("users.info")[0].args["user"] == "U_ASKER"
    assert _values(updated)["name"] == "Alex Author"
    assert _values(updated)["email"] == "alex@example.com"
    metadata = json.loads(json.loads(updated["private_metadata"])["data"])
    assert metadata["on_behalf_of"] == "U_ASKER"
    assert metadata["permalink"].startswith("https://fake.slack.test/archives/C_GENERAL/")
    assert "<@U_ASKER>" in json.dumps(updated["blocks"])


def test_the_slash_command_handoff_opens_the_form(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    response = running.sender.command(
        "handoff We need welders in Sioux City", response_url=fake_slack.response_url()
    )

    assert response.status == 200
    opened = fake_slack.wait_for("views.open")[0]
    assert _values(opened.args["view"])["details"] == "We need welders in Sioux City"
    updated = fake_slack.wait_for("views.update")[0]
    assert _values(updated.args["view"])["name"] == "Person U_ASKER"


@pytest.mark.parametrize("failing", ["users.info", "chat.getPermalink"])
def test_the_form_still_opens_when_a_lookup_fails(
    running: RunningApp, fake_slack: FakeSlack, failing: str
) -> None:
    fake_slack.fail(failing, "missing_scope")
    payload = shortcut("handoff_message", message_text="Please call me back.")

    running.sender.interaction(payload)

    opened = fake_slack.wait_for("views.open")[0]
    assert _values(opened.args["view"])["details"] == "Please call me back."
    wait_until(lambda: fake_slack.calls_to(failing), what=failing)


def test_when_slack_will_not_open_the_form_the_shortcut_sends_the_contact_instead(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("views.open", "expired_trigger_id")

    running.sender.interaction(shortcut("get_involved"))

    [dm] = fake_slack.wait_for("chat.postMessage")
    assert dm.args["channel"] == "U_STAFF"
    assert "515-725-3882" in dm.args["text"]


def test_when_slack_will_not_open_the_form_the_command_answers_with_the_contact(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("views.open", "expired_trigger_id")

    running.sender.command("handoff", response_url=fake_slack.response_url("handoff"))

    [reply] = fake_slack.wait_for("response_url")
    assert reply.args["response_type"] == "ephemeral"
    assert "515-725-3882" in reply.args["text"]
