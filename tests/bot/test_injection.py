"""Mentions, broadcasts and links written by users or documents never ping or link in Slack.

One run through every surface that shows such text: a hostile document is ingested and quoted in
an answer (text and sources block), a hostile question is declined and lands in App Home and the
coverage report, and a hostile hand-off reaches the contact, the hand-off channel and App Home.
Everything the bot sent to the fake Slack is then searched for live markup.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.slack_text import escape_streamed, to_mrkdwn
from ingest.pipeline import refresh
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import start_app
from tests.bot.handoff_helpers import (
    ADMIN_USER,
    HANDOFF_CHANNEL,
    VALID_FORM,
    handoff_settings,
    posts_to,
    wait_until,
    write_config,
)
from tests.fakes.slack_requests import mention, new_ts, view_submission
from tests.fakes.slack_web_api import Call, FakeSlack

HOSTILE = (
    "<!channel> <!here|here> <!everyone> <@U123> <@W999|boss> <#C999|secret> "
    "<https://evil.example|click> &lt;!channel&gt; &lt;@U123&gt; @here @channel "
    "[the official page](https://evil.example/phish)"
)
DOCUMENT_TXT = f"""Forklift Safety Grant {HOSTILE}

The Forklift Safety Grant pays warehouses up to 9,000 dollars for operator training {HOSTILE}.
"""
DOCUMENT_HTML = """<html><head><title>Crane Grant &lt;!here&gt; &lt;@U123&gt;</title></head>
<body><main><h1>Crane Grant &lt;!channel&gt;</h1>
<p>The Crane Operator Grant pays contractors for crane certification &lt;!channel&gt;
&lt;@U123&gt; &lt;https://evil.example|click&gt; &amp;lt;!here&amp;gt;
<a href="https://evil.example/a">the grant page</a> and applications open in March.</p>
</main></body></html>
"""
# Live Slack markup that no user or document text may produce: broadcasts, mentions of the
# planted ids, channel links, and any link to the hostile host. (mrkdwn shows "[a](url)"
# literally, with the URL in plain sight; only streamed markdown would make it a link.)
_LIVE = re.compile(r"<!|<@U123|<@W999|<#C999|<[^>]*evil\.example|@(here|channel|everyone)\b")


def _live_markup(calls: list[Call]) -> list[str]:
    found = []
    for call in calls:
        text = json.dumps(call.args, ensure_ascii=False)
        found += [f"{call.method}: {match.group(0)}" for match in _LIVE.finditer(text)]
    return found


def test_hostile_text_from_users_and_documents_never_pings_or_links(
    fake_slack: FakeSlack, data_dir: Path, minilm: MiniLMEmbedder, tmp_path: Path
) -> None:
    docs = tmp_path / "hostile"
    docs.mkdir()
    (docs / "forklift.txt").write_text(DOCUMENT_TXT, encoding="utf-8")
    (docs / "crane.html").write_text(DOCUMENT_HTML, encoding="utf-8")
    settings = handoff_settings(
        data_dir, fake_slack, write_config(tmp_path), ADMIN_USER_IDS=ADMIN_USER
    )
    running = start_app(settings, minilm)
    try:
        assert refresh(running.services.kb, [(str(docs), None)], full=False).indexed_anything
        threads = [new_ts() for _ in range(3)]
        for ts, question in zip(
            threads,
            (
                f"How much does the Forklift Safety Grant pay? {HOSTILE}",
                "What does the Crane Operator Grant pay contractors for?",
                f"What time does the state fair open on Saturday? {HOSTILE}",  # declined: reported
            ),
            strict=True,
        ):
            running.sender.event(mention(question, ts=ts))
        for ts in threads:
            fake_slack.wait_for(
                "chat.postMessage", where=lambda c, ts=ts: c.args.get("thread_ts") == ts
            )
        hostile_form = {
            **VALID_FORM,
            **{name: HOSTILE[:90] for name in ("name", "organization", "region", "industry")},
            "details": HOSTILE,
        }
        running.sender.interaction(view_submission(hostile_form))
        wait_until(lambda: posts_to(fake_slack, HANDOFF_CHANNEL), what="the channel notification")
        running.sender.event(
            {"type": "app_home_opened", "user": ADMIN_USER, "channel": "D_HOME", "tab": "home"}
        )
        fake_slack.wait_for("views.publish")
        running.sender.command(
            "report", user=ADMIN_USER, response_url=fake_slack.response_url("report")
        )
        fake_slack.wait_for("response_url")
    finally:
        running.stop()

    answers = [
        json.dumps(call.args, ensure_ascii=False)
        for call in fake_slack.calls_to("chat.postMessage")
        if call.args.get("thread_ts") in threads
    ]
    assert "9,000 dollars" in answers[0] and "Forklift Safety Grant" in answers[0]
    assert "crane certification" in answers[1]
    assert "the official page" in answers[0]  # a document's markdown link shows as its words
    home = json.dumps(fake_slack.calls_to("views.publish")[0].args, ensure_ascii=False)
    assert "state fair" in home and "Open hand-offs" in home and "@\u200bhere" in home
    assert "state fair" in json.dumps(fake_slack.calls_to("response_url")[0].args)
    assert _live_markup(fake_slack.calls) == []


def test_markdown_links_show_their_label_and_streamed_text_cannot_form_a_link() -> None:
    assert to_mrkdwn("See [the page](https://evil.example/x) [1].", {1: "https://iwd.example"}) == (
        "See the page <https://iwd.example|[1]>."
    )
    # A link cut between two streamed pieces still cannot form: "]" and "(" are kept apart.
    first, second = "See [the page]", "(https://evil.example/x) now"
    streamed = escape_streamed(first) + escape_streamed(second, first)
    assert "](" not in streamed and "the page" in streamed
    assert "](" not in escape_streamed("[a](https://evil.example) [b][ref] [ref]: https://evil")
    assert "]:" not in escape_streamed("[ref]: https://evil.example")
