"""``sectorbot ask --blocks``: the message the Slack app posts, and a Block Kit Builder link."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from click.testing import CliRunner

from bot.blocks.preview import BUILDER_URL, PREVIEW_TURN_ID
from bot.cli import cli
from tests.bot.conftest import RunningApp
from tests.fakes.slack_requests import mention
from tests.fakes.slack_web_api import FakeSlack

QUESTION = "How can my company join a sector partnership?"


def _without_turn_ids(blocks: list[dict[str, Any]]) -> str:
    """The blocks as JSON, with the buttons' values (the stored turn's id) left out."""
    blocks = copy.deepcopy(blocks)
    for block in blocks:
        for element in block.get("elements", []):
            element.pop("value", None)
    return json.dumps(blocks, sort_keys=True)


def _ask_blocks(data_dir: Path, question: str) -> tuple[dict[str, Any], str]:
    result = CliRunner().invoke(
        cli, ["ask", question, "--blocks"], env={"SECTORBOT_DATA_DIR": str(data_dir)}
    )
    assert result.exit_code == 0, result.output
    printed, _, link = result.stdout.rpartition("Open it in Block Kit Builder:\n")
    return json.loads(printed), link.strip()


def test_ask_blocks_prints_the_message_a_mention_gets_and_a_builder_link(
    running: RunningApp, fake_slack: FakeSlack, data_dir: Path
) -> None:
    running.sender.event(mention(QUESTION))
    posted = fake_slack.wait_for("chat.postMessage")[0].args
    running.stop()

    message, link = _ask_blocks(data_dir, QUESTION)

    assert message["text"] == posted["text"]
    assert _without_turn_ids(message["blocks"]) == _without_turn_ids(posted["blocks"])
    assert link.startswith(BUILDER_URL)
    assert json.loads(unquote(link.removeprefix(BUILDER_URL))) == {"blocks": message["blocks"]}
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {button["value"] for button in buttons} == {PREVIEW_TURN_ID}


def test_ask_blocks_reads_questions_from_stdin_too_and_refuses_json_beside_it(
    data_dir: Path,
) -> None:
    environ = {"SECTORBOT_DATA_DIR": str(data_dir)}
    piped = CliRunner().invoke(
        cli, ["ask", "-", "--blocks"], input=f"{QUESTION}\nhi\n", env=environ
    )
    both = CliRunner().invoke(cli, ["ask", QUESTION, "--blocks", "--json"], env=environ)

    assert piped.exit_code == 0, piped.output
    assert piped.stdout.count("Open it in Block Kit Builder:") == 2
    assert both.exit_code == 2
    assert "--json and --blocks" in both.output
