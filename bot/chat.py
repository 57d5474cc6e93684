"""``sectorbot chat``: a conversation in the terminal, run by the code that runs a Slack thread.

Every line is a message in one conversation. ``bot.answering.prepare_reply`` answers it with the
conversation's earlier turns, as in a thread (so "who runs them now?" is read with the question
before it), and stores the turn; the answer prints with its numbered sources. ``/handoff`` asks
the hand-off form's questions, checks the answers with the form's rules, and files the request
through the same store and outbox as the Slack form (``bot.handoff.workflow.submit``).

Lines piped on stdin are one conversation too; each is shown after its prompt, so the output
reads as a transcript.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from typing import Protocol, TextIO

from bot import ids, messages
from bot.answer_text import format_answer
from bot.answering import Asked, contact_for, prepare_reply
from bot.handoff import outbox, workflow
from bot.handoff.form import INTEREST_LABELS, LABELS, HandoffForm, guess_interest, validate
from bot.handoff.store import terminal_requester
from bot.limits import QUESTION_LIMIT, too_long
from bot.services import Services
from bot.slack_text import storable
from knowledge import Answer, route_contact

logger = logging.getLogger(__name__)

# Turns of terminal conversations are stored under this "channel", each run its own thread.
CHANNEL = "terminal"
SURFACE = "terminal"
PROMPT = "> "
CANCEL = "/cancel"


class Console(Protocol):
    """Where the conversation is read and written."""

    def read(self, prompt: str) -> str | None:
        """The next line (without its newline), or None at the end of the input."""

    def write(self, text: str) -> None:
        """Show ``text`` and end the line."""


@dataclass
class TerminalConsole:
    """Typed lines with a prompt; from a pipe, each line is shown after its prompt instead."""

    stdin: TextIO
    stdout: TextIO
    interactive: bool

    def read(self, prompt: str) -> str | None:
        """Read a line: ``input`` when typed (line editing), ``readline`` from a pipe."""
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                self.write("")
                return None
        line = self.stdin.readline()
        if not line:
            return None
        line = line.rstrip("\r\n")
        if line.strip() or prompt != PROMPT:
            self.write(prompt + line)
        return line

    def write(self, text: str) -> None:
        """Print a line and flush (a pipe reader sees each answer as it is made)."""
        self.stdout.write(text + "\n")
        self.stdout.flush()


def run_chat(services: Services, console: Console, user: str) -> None:
    """Hold one conversation until the input ends or the person types ``/quit``."""
    conversation = uuid.uuid4().hex
    contact = route_contact(services.settings.contacts, "")
    last_question = ""
    while (line := console.read(PROMPT)) is not None:
        text = storable(line).strip()
        if not text:
            continue
        if text.startswith("/"):
            command = text.split()[0].lower()
            if command in ("/quit", "/exit"):
                break
            if command == "/help":
                console.write(messages.chat_help(contact))
            elif command == "/handoff":
                file_handoff(services, console, user, details=last_question)
            else:
                console.write(messages.chat_unknown_command(command))
        else:
            answer = _answer(services, console, user, conversation, text)
            last_question = text
            if answer is not None and answer.intent == "involvement":
                console.write(messages.chat_handoff_hint(answer.handoff or contact))
        console.write("")


def _answer(
    services: Services, console: Console, user: str, conversation: str, text: str
) -> Answer | None:
    """Answer as a Slack thread would, and print it; on any failure, the apology instead."""
    if too_long(text):
        console.write(messages.question_too_long(len(text), QUESTION_LIMIT))
        return None
    asked = Asked(
        channel_id=CHANNEL,
        conversation=conversation,
        reply_thread_ts=None,
        message_ts=None,
        user_id=user[:32],
        text=text,
        surface=SURFACE,
    )
    try:
        reply = prepare_reply(services, asked)
    except Exception:
        logger.exception("could not answer a terminal message")
        console.write(messages.chat_apology(contact_for(services, text)))
        return None
    console.write(format_answer(reply.answer))
    return reply.answer


def file_handoff(services: Services, console: Console, user: str, details: str = "") -> None:
    """Ask the form's questions, check them as the modal's are checked, then store and queue."""
    contact = route_contact(services.settings.contacts, details)
    console.write(messages.chat_handoff_intro(contact))
    form = _ask_form(console, details)
    if form is None:
        console.write(messages.chat_handoff_cancelled())
        return
    contact = workflow.contact_for(form, services.settings.contacts)
    try:
        request = workflow.submit(
            services.engine,
            form,
            workflow.Origin(requester=terminal_requester(user)),
            contact,
            services.settings.handoff_channel_id,
            email_contact=services.settings.smtp_host is not None,
        )
    except Exception:
        logger.exception("could not store a hand-off request from the terminal")
        console.write(messages.chat_handoff_not_saved(contact))
        return
    rows = outbox.rows_for(services.engine, request.id)
    queued = any(row.kind in outbox.NOTIFICATION_KINDS for row in rows)
    console.write(messages.chat_handoff_filed(request.reference, contact, queued=queued))


def _ask_form(console: Console, details: str) -> HandoffForm | None:
    """The form's values, asked one by one and again where the form's rules find a mistake."""
    form = HandoffForm(
        name="",
        organization="",
        email="",
        phone="",
        region="",
        industry="",
        interest=guess_interest(details),
        details=details,
    )
    asking = list(LABELS)
    while asking:
        for name in asking:
            suggestion = getattr(form, name)
            while True:
                value = _ask_field(console, name, suggestion)
                if value is None:
                    return None
                form = replace(form, **{name: value})
                error = _own_error(form, name)
                if error is None:
                    break
                # Asked again at once, while the person still has it in mind (and piped answers
                # stay in step with their questions), without offering the rejected value back.
                console.write(f"{LABELS[name]}: {error}")
        errors = validate(form)
        for name, error in errors.items():
            console.write(f"{LABELS[name]}: {error}")
        asking = [name for name in LABELS if name in errors]
    return form


def _own_error(form: HandoffForm, name: str) -> str | None:
    """The rule this field breaks on its own, or None.

    An empty e-mail or phone breaks a rule only with the other one empty too: that is judged
    once both were asked.
    """
    if name in (ids.HANDOFF_EMAIL, ids.HANDOFF_PHONE) and not getattr(form, name):
        return None
    return validate(form).get(name)


def _ask_field(console: Console, name: str, suggestion: str) -> str | None:
    """One answer: the typed value, or the suggestion on Enter; None on /cancel or the end."""
    label = LABELS[name]
    if name == ids.HANDOFF_NAME:
        label += " (required)"
    if name == ids.HANDOFF_INTEREST:
        label += f" ({', '.join(INTEREST_LABELS)}; required)"
    shown = suggestion if len(suggestion) <= 60 else suggestion[:57] + "..."
    line = console.read(f"{label}{f' [{shown}]' if shown else ''}: ")
    if line is None:
        return None
    value = storable(line).strip()
    if value.lower() == CANCEL:
        return None
    if name == ids.HANDOFF_INTEREST:
        value = _interest_value(value) if value else suggestion
    return value or suggestion


def _interest_value(typed: str) -> str:
    """The option a typed word picks: its value or the start of its label ("" when none)."""
    lowered = typed.lower()
    for value, label in INTEREST_LABELS.items():
        if lowered in (value, label.lower()) or label.lower().startswith(lowered):
            return value
    return typed
