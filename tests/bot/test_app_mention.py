"""A mention in a channel is answered once, in its thread, with linked sources and buttons."""

from __future__ import annotations

from tests.bot.conftest import RunningApp
from tests.fakes.slack_requests import mention, new_ts
from tests.fakes.slack_web_api import FakeSlack


def _buttons(blocks: list[dict]) -> list[str]:
    return [
        element["action_id"]
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_a_mention_gets_one_answer_in_its_thread_with_linked_sources_and_three_buttons(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    ts = new_ts()

    response = running.sender.event(mention("How can my company join a sector partnership?", ts=ts))

    assert response.status == 200
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert post.args["channel"] == "C_GENERAL"
    assert post.args["thread_ts"] == ts
    assert post.token == "xoxb-test-token"
    blocks = post.args["blocks"]
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "515-725-3882" in text
    page = "https://workforce.iowa.gov/employers/boards-and-partnerships/sector-partnerships"
    assert f"<{page}|" in text
    assert _buttons(blocks) == ["feedback_helpful", "feedback_not_helpful", "talk_to_person"]
    assert post.args["unfurl_links"] is False
    # The working reaction went on the user's message and came off after the answer.
    added = fake_slack.wait_for("reactions.remove")[0]
    assert added.args["timestamp"] == ts
    assert len(fake_slack.calls_to("reactions.add")) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_sources_are_numbered_with_their_titles_linked_and_their_dates(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    running.sender.event(mention("Is membership in a sector partnership free for employers?"))

    post = fake_slack.wait_for("chat.postMessage")[0]
    sources = next(b for b in post.args["blocks"] if b.get("block_id") == "answer_sources")
    text = sources["text"]["text"]
    assert text.startswith("*Sources*\n1. <https://")
    assert (
        "<https://example.org/iwd/regional-sector-partnerships-update|Regional Sector "
        "Partnerships: Quarterly Update> \u00b7 March 15, 2024"
    ) in text
    assert sources["text"]["verbatim"] is True


def test_a_mention_inside_a_thread_is_answered_in_that_thread(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    root = new_ts()

    running.sender.event(mention("What is a sector partnership?", thread_ts=root))

    post = fake_slack.wait_for("chat.postMessage")[0]
    assert post.args["thread_ts"] == root


def test_a_bare_mention_gets_the_greeting(running: RunningApp, fake_slack: FakeSlack) -> None:
    running.sender.event(mention(""))

    post = fake_slack.wait_for("chat.postMessage")[0]
    assert "I answer questions about Iowa's Business Sector Partnerships" in post.args["text"]
