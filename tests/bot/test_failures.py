"""Never silent: a failure becomes an apology with the contact; rate limits are waited out."""

from __future__ import annotations

from pathlib import Path

from tests.bot.conftest import BrokenEmbedder, RunningApp, slack_settings, start_app
from tests.fakes.slack_requests import mention, new_ts
from tests.fakes.slack_web_api import FakeSlack


def test_a_failure_in_answering_posts_a_short_apology_with_the_contact(
    fake_slack: FakeSlack, data_dir: Path
) -> None:
    broken = start_app(slack_settings(data_dir, fake_slack), BrokenEmbedder())
    ts = new_ts()
    try:
        response = broken.sender.event(mention("What is a sector partnership?", ts=ts))
        post = fake_slack.wait_for("chat.postMessage")[0]
        fake_slack.wait_for("reactions.remove")
    finally:
        broken.stop()

    assert response.status == 200
    assert post.args["thread_ts"] == ts
    assert post.args["text"].startswith("Sorry, something went wrong")
    assert "Kathy Leggett" in post.args["text"] and "515-725-3882" in post.args["text"]
    assert "secret-internal-detail" not in post.args["text"]
    assert "blocks" not in post.args


def test_a_failed_post_of_the_answer_becomes_an_apology(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "invalid_blocks")

    running.sender.event(mention("What is a sector partnership?"))

    posts = fake_slack.wait_for("chat.postMessage", 2)
    assert "blocks" in posts[0].args
    assert posts[1].args["text"].startswith("Sorry, something went wrong")


def test_ratelimited_then_success_posts_the_answer_once(
    running: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "ratelimited", retry_after=0)

    running.sender.event(mention("What is a sector partnership?"))
    fake_slack.wait_for("reactions.remove")

    posts = fake_slack.calls_to("chat.postMessage")
    assert len(posts) == 2  # the 429, then the same message again after Retry-After
    assert posts[0].args == posts[1].args
    assert "blocks" in posts[1].args
