"""Answer buttons: feedback is stored with the question, answer and sources; the contact card."""

from __future__ import annotations

from bot.store.feedback import list_feedback
from tests.bot.conftest import RunningApp
from tests.fakes.slack_requests import block_action, mention
from tests.fakes.slack_web_api import FakeSlack


def _answer_turn_id(running: RunningApp, fake: FakeSlack) -> str:
    running.sender.event(mention("How can my company join a sector partnership?"))
    post = fake.wait_for("chat.postMessage")[0]
    actions = next(block for block in post.args["blocks"] if block["type"] == "actions")
    values = {element["value"] for element in actions["elements"]}
    assert len(values) == 1
    return values.pop()


def test_feedback_clicks_are_stored_with_the_question_answer_and_sources(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    turn_id = _answer_turn_id(running, fake_slack)
    hook = fake_slack.response_url("feedback")

    helpful = running.sender.interaction(
        block_action("feedback_helpful", turn_id, response_url=hook, user="U_ONE")
    )
    thanks = fake_slack.wait_for("response_url")[0]
    not_helpful = running.sender.interaction(
        block_action("feedback_not_helpful", turn_id, response_url=hook, user="U_TWO")
    )
    sorry = fake_slack.wait_for("response_url", 2)[1]

    assert (helpful.status, not_helpful.status) == (200, 200)
    assert thanks.args["text"] == "Thanks for the feedback!"
    assert thanks.args["response_type"] == "ephemeral"
    assert thanks.args["replace_original"] is False
    assert "515-725-3882" in sorry.args["text"]
    stored = {row.user_id: row for row in list_feedback(running.services.engine)}
    assert stored["U_ONE"].helpful is True and stored["U_TWO"].helpful is False
    row = stored["U_ONE"]
    assert row.turn_id == turn_id
    assert row.question == "How can my company join a sector partnership?"
    assert "515-725-3882" in row.answer
    assert row.sources and row.sources[0]["url"].startswith("https://")


def test_a_second_click_changes_the_verdict_instead_of_counting_twice(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    turn_id = _answer_turn_id(running, fake_slack)
    hook = fake_slack.response_url()

    running.sender.interaction(block_action("feedback_helpful", turn_id, response_url=hook))
    fake_slack.wait_for("response_url")
    running.sender.interaction(block_action("feedback_not_helpful", turn_id, response_url=hook))
    fake_slack.wait_for("response_url", 2)

    rows = list_feedback(running.services.engine)
    assert [(row.user_id, row.helpful) for row in rows] == [("U_ASKER", False)]


def test_talk_to_a_person_shows_the_contact_card_when_the_form_cannot_open(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    turn_id = _answer_turn_id(running, fake_slack)
    # Slack refuses a trigger older than three seconds; the person still gets the contact.
    fake_slack.fail("views.open", "expired_trigger_id")

    response = running.sender.interaction(
        block_action("talk_to_person", turn_id, response_url=fake_slack.response_url())
    )

    card = fake_slack.wait_for("response_url")[0]
    assert response.status == 200
    assert card.args["response_type"] == "ephemeral"
    assert (
        "*Kathy Leggett (Business Sector Partnerships, Iowa Workforce Development)*"
        in (card.args["text"])
    )
    assert "Phone: 515-725-3882" in card.args["text"]
