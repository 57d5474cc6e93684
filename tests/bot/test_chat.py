"""``sectorbot chat``: a terminal conversation run by the Slack thread's code, and its hand-off.

The CLI cases pipe lines into the real command (CliRunner) on a copy of the Slack tests' small
knowledge base; the hand-off cases then deliver the outbox to the fake Slack, as
``sectorbot serve`` would.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from bot.app import make_outbox_client
from bot.chat import run_chat
from bot.cli import cli
from bot.handoff import outbox, store, workflow
from bot.handoff.outbox import Outbox
from bot.services import Services, build_services
from bot.store import turns
from knowledge.embeddings import MiniLMEmbedder
from tests.bot.conftest import BrokenEmbedder
from tests.bot.handoff_helpers import CONTACT_USER, write_config
from tests.conftest import make_settings
from tests.fakes.slack_web_api import FakeSlack

FIRST = "What are sector partnerships?"
FOLLOW_UP = "who runs them now?"
# The form's answers in its order: name, organization, e-mail, phone, region, industry,
# what they want (Enter keeps the suggestion), details (Enter keeps the question).
FORM_LINES = ["Jo Prairie", "Prairie Tools", "jo@prairietools.example", "", "Story County"]
FORM_LINES += ["Advanced manufacturing", "", ""]


def _chat(data_dir: Path, lines: list[str], config: Path | None = None) -> Result:
    environ = {"SECTORBOT_DATA_DIR": str(data_dir), "USER": "pat"}
    if config is not None:
        environ["SECTORBOT_CONFIG"] = str(config)
    return CliRunner().invoke(
        cli, ["chat"], input="".join(f"{line}\n" for line in lines), env=environ
    )


def _turns(data_dir: Path, minilm: MiniLMEmbedder) -> list[turns.Turn]:
    table = turns.conversation_turns
    with _opened(data_dir, minilm) as services:
        with services.engine.connect() as connection:
            ids = connection.execute(select(table.c.turn_id).order_by(table.c.created_at))
            turn_ids = list(ids.scalars())
        found = [turns.get_turn(services.engine, turn_id) for turn_id in turn_ids]
    return [turn for turn in found if turn is not None]


def _requests(data_dir: Path, minilm: MiniLMEmbedder) -> list[store.HandoffRequest]:
    with _opened(data_dir, minilm) as services:
        return store.list_requests(services.engine)


def test_piped_questions_are_one_conversation_and_the_follow_up_keeps_its_context(
    data_dir: Path,
    minilm: MiniLMEmbedder,
) -> None:
    result = _chat(data_dir, [FIRST, FOLLOW_UP])

    assert result.exit_code == 0, result.output
    first, second = result.stdout.split(f"> {FOLLOW_UP}\n")
    assert first.startswith(f"> {FIRST}\n")
    assert "Sector Partnerships" in first and "Sources:\n  [1] " in first
    # Alone, the follow-up names nothing to search for; with the question before it, it is
    # answered from the sentence that says who runs the partnerships now.
    assert "Iowa Workforce Development" in second and "September 2022" in second
    assert "Sources:\n  [1] Sector Partnerships | Iowa Workforce Development" in second
    stored = _turns(data_dir, minilm)
    assert [turn.text for turn in stored] == [FIRST, FOLLOW_UP]
    assert {(turn.channel_id, turn.surface, turn.user_id) for turn in stored} == {
        ("terminal", "terminal", "pat")
    }
    assert len({turn.conversation for turn in stored}) == 1


def test_the_follow_up_alone_is_not_answered(data_dir: Path, minilm: MiniLMEmbedder) -> None:
    # What the conversation added: asked on its own, the same words get no confident answer.
    with _opened(data_dir, minilm) as services:
        assert not services.answerer.answer(FOLLOW_UP).confident


def test_a_wish_to_join_shows_the_contact_and_the_form_files_a_hand_off(
    data_dir: Path, minilm: MiniLMEmbedder
) -> None:
    result = _chat(
        data_dir, ["How can my company join a sector partnership?", "/handoff", *FORM_LINES]
    )

    assert result.exit_code == 0, result.output
    assert "515-725-3882" in result.stdout
    assert "Type /handoff to leave your details, and Kathy Leggett will get back to you." in (
        result.stdout
    )
    for prompt in (
        "Name (required): Jo Prairie",
        "Phone: \n",
        "What would you like to do? (join, start",
    ):
        assert prompt in result.stdout
    assert "Details [How can my company join a sector partnership?]: " in result.stdout
    [request] = _requests(data_dir, minilm)
    assert request.reference in result.stdout
    assert (request.name, request.email, request.region, request.interest) == (
        "Jo Prairie",
        "jo@prairietools.example",
        "Story County",
        "join",
    )
    assert request.details == "How can my company join a sector partnership?"
    assert request.requester == "terminal:pat" and request.from_terminal
    assert request.contact == "Kathy Leggett" and request.status == "new"
    # The repository's settings give the contact no Slack id, channel or e-mail: nothing queued.
    with _opened(data_dir, minilm) as services:
        assert outbox.rows_for(services.engine, request.id) == []
    assert "sectorbot handoffs" in result.stdout


def test_the_form_asks_again_where_its_rules_find_a_mistake(
    data_dir: Path, minilm: MiniLMEmbedder
) -> None:
    # Each mistake is pointed out, and its question asked again, before the next question.
    lines = ["/handoff", "", "Jo Prairie", "Prairie Tools", "jo at prairie tools"]
    lines += ["jo@prairietools.example", "", "", "", "dance", "start", "Hi"]

    result = _chat(data_dir, lines)

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Name (required): \nName: Please give a name" in out
    assert "E-mail: That doesn't look like an e-mail address (name@example.com).\nE-mail: " in out
    assert "; required): dance\nWhat would you like to do?: Please choose one.\nWhat" in out
    assert "[dance]" not in out and "[jo at prairie tools]" not in out
    assert out.index("Please give a name") < out.index("Organization: ")
    assert out.index("look like an e-mail") < out.index("Phone: ")
    [request] = _requests(data_dir, minilm)
    assert (request.name, request.email, request.interest, request.details) == (
        "Jo Prairie",
        "jo@prairietools.example",
        "start",
        "Hi",
    )


def test_an_e_mail_left_empty_is_fine_when_a_phone_follows_and_asked_for_when_none_does(
    data_dir: Path, minilm: MiniLMEmbedder
) -> None:
    phone_only = ["/handoff", "Jo Prairie", "", "", "515-555-0100", "", "", "join", "Hi"]
    neither = ["/handoff", "Ana Ruiz", "", "", "", "", "", "join", "Hello", "ana@example.org", ""]

    result = _chat(data_dir, phone_only + neither)

    assert result.exit_code == 0, result.output
    first, second = result.stdout.split("> /handoff")[1:]
    assert "Please give an e-mail address or a phone number" not in first
    assert second.count("Please give an e-mail address or a phone number") == 2  # e-mail, phone
    jo, ana = sorted(_requests(data_dir, minilm), key=lambda request: request.name, reverse=True)
    assert (jo.name, jo.email, jo.phone) == ("Jo Prairie", "", "515-555-0100")
    assert (ana.name, ana.email, ana.phone) == ("Ana Ruiz", "ana@example.org", "")


@pytest.mark.parametrize("end", [["/cancel"], []], ids=["cancel", "end-of-input"])
def test_leaving_the_form_sends_nothing(
    data_dir: Path, minilm: MiniLMEmbedder, end: list[str]
) -> None:
    result = _chat(data_dir, ["/handoff", "Jo Prairie", *end])

    assert result.exit_code == 0, result.output
    assert "Nothing was sent." in result.stdout
    assert _requests(data_dir, minilm) == []


def test_help_and_unknown_commands_answer_without_searching(
    data_dir: Path, minilm: MiniLMEmbedder
) -> None:
    result = _chat(data_dir, ["/help", "/frobnicate", "/quit", FIRST])

    assert result.exit_code == 0, result.output
    assert "/handoff" in result.stdout and "/quit" in result.stdout
    assert "There is no command /frobnicate; /help lists them." in result.stdout
    assert FIRST not in result.stdout  # read after /quit
    assert _turns(data_dir, minilm) == []


def test_a_terminal_hand_off_reaches_the_contact_through_the_outbox_without_a_requester_dm(
    data_dir: Path, fake_slack: FakeSlack, tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    config = write_config(tmp_path)

    form = [*FORM_LINES[:6], "join", "We make tools in Ames."]

    result = _chat(data_dir, ["/handoff", *form], config=config)

    assert result.exit_code == 0, result.output
    assert "sectorbot serve" in result.stdout  # the Slack app delivers what waits in the outbox
    environ = {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_API_URL": fake_slack.api_url}
    with _opened(data_dir, minilm, config, **environ) as services:
        [request] = store.list_requests(services.engine)
        assert [row.kind for row in outbox.rows_for(services.engine, request.id)] == [
            outbox.CONTACT_DM
        ]
        # What `sectorbot serve` does with it: one DM to the contact, saying who sent it.
        box = Outbox(
            services.engine,
            make_outbox_client(services.settings),
            render=workflow.render(services.engine),
            on_delivered=workflow.on_delivered,
        )
        assert box.run_once() == 1
        assert box.run_once() == 0  # being notified queues no DM for a terminal requester
        assert store.get_request(services.engine, request.id).status == "notified"  # type: ignore[union-attr]
    [dm] = fake_slack.calls_to("chat.postMessage")
    assert dm.args["channel"] == "D" + CONTACT_USER.lstrip("U")
    assert "Sent from the terminal (sectorbot chat) by pat" in str(dm.args["blocks"])
    assert "<@terminal" not in str(dm.args["blocks"])


def test_a_failure_while_answering_gets_the_apology_with_the_contact(data_dir: Path) -> None:
    services = build_services(make_settings(data_dir), embedder=BrokenEmbedder())
    console = ScriptedConsole([FIRST])

    run_chat(services, console, "pat")

    services.close()
    assert any("Sorry, something went wrong" in line for line in console.written)
    assert any("515-725-3882" in line for line in console.written)
    assert not any("secret-internal-detail" in line for line in console.written)


@dataclasses.dataclass
class ScriptedConsole:
    """A console that reads the given lines and keeps what is written."""

    lines: list[str]
    written: list[str] = dataclasses.field(default_factory=list)

    def read(self, prompt: str) -> str | None:
        return self.lines.pop(0) if self.lines else None

    def write(self, text: str) -> None:
        self.written.append(text)


@contextmanager
def _opened(
    data_dir: Path, embedder: MiniLMEmbedder, config: Path | None = None, **environ: str
) -> Iterator[Services]:
    if config is not None:
        environ["SECTORBOT_CONFIG"] = str(config)
    services = build_services(make_settings(data_dir, **environ), embedder=embedder)
    try:
        yield services
    finally:
        services.close()
