"""Answer one Slack message: show we are working, answer, remember the turn, post or apologise.

Every surface that answers questions (mentions, DMs, thread follow-ups, the assistant pane,
``/sectorbot ask``) goes through here, so they all store turns, render the same blocks and never
go silent: any failure becomes a short apology with the contact, never exception text.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from slack_bolt.context.set_status import SetStatus
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import messages
from bot.blocks.answer import build_answer_blocks
from bot.blocks.elements import Block
from bot.conversations import HISTORY_TURNS, gives_context, question_leant_on
from bot.followups import is_smalltalk, needs_context
from bot.limits import QUESTION_LIMIT, too_long
from bot.services import Services
from bot.store import turns
from bot.streaming import AnswerStream
from knowledge import Answer, Contact, Exchange, route_contact

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asked:
    """A question someone asked in Slack, and where its answer goes.

    ``conversation`` keys the stored turns (a thread ``ts``, or ``DM_CONVERSATION``);
    ``reply_thread_ts`` is where to post (None: the channel itself); ``message_ts`` is the
    user's message, for the working reaction.
    """

    channel_id: str
    conversation: str
    reply_thread_ts: str | None
    message_ts: str | None
    user_id: str
    text: str
    surface: str
    use_context: bool = True
    team_id: str | None = None
    # The message carried files (its text may then be empty: a file shared on its own).
    has_files: bool = False

    @classmethod
    def in_thread(
        cls,
        event: dict[str, Any],
        thread_ts: str,
        text: str,
        surface: str,
        team_id: str | None,
    ) -> Asked:
        """A message ``event`` answered in the thread ``thread_ts``, which keys its turns."""
        return cls(
            channel_id=event["channel"],
            conversation=thread_ts,
            reply_thread_ts=thread_ts,
            message_ts=event.get("ts"),
            user_id=event.get("user", ""),
            text=text,
            surface=surface,
            team_id=team_id,
            has_files=bool(event.get("files")),
        )


@dataclass(frozen=True)
class Reply:
    """An answer rendered for Slack, with the id of the turn it was stored as."""

    answer: Answer
    turn_id: str
    text: str
    blocks: list[Block]


class Indicator(Protocol):
    """Shows the user that the bot is working on their message."""

    def start(self) -> None:
        """Show it."""

    def stop(self) -> None:
        """Take it away."""


class Reaction:
    """An emoji reaction on the user's message while the bot works."""

    def __init__(self, client: WebClient, channel_id: str, message_ts: str | None) -> None:
        self.client = client
        self.channel_id = channel_id
        self.message_ts = message_ts
        self._added = False

    def start(self) -> None:
        """Add the reaction (a failure here must not stop the answer)."""
        if not self.message_ts:
            return
        try:
            self.client.reactions_add(
                channel=self.channel_id, timestamp=self.message_ts, name=messages.WORKING_REACTION
            )
            self._added = True
        except SlackApiError as error:
            logger.info("could not add the working reaction: %s", error.response.get("error"))

    def stop(self) -> None:
        """Remove the reaction if we added it."""
        if not self._added:
            return
        try:
            self.client.reactions_remove(
                channel=self.channel_id, timestamp=self.message_ts, name=messages.WORKING_REACTION
            )
        except SlackApiError as error:
            logger.info("could not remove the working reaction: %s", error.response.get("error"))


class AssistantStatus:
    """The assistant pane's "is typing" status; Slack clears it when the reply is posted."""

    def __init__(self, set_status: SetStatus) -> None:
        self.set_status = set_status

    def start(self) -> None:
        """Set the status (outside a real assistant thread Slack refuses; that is fine)."""
        try:
            self.set_status(messages.WORKING_STATUS)
        except SlackApiError as error:
            logger.info("could not set the assistant status: %s", error.response.get("error"))

    def stop(self) -> None:
        """Nothing to do: posting the reply clears the status."""


def prepare_reply(
    services: Services, asked: Asked, on_text: Callable[[str], None] | None = None
) -> Reply:
    """Answer ``asked`` (standalone, using the conversation's earlier turns) and store the turn.

    ``on_text`` gets an LLM-written answer's text as it is written (nothing in extractive mode).
    """
    # A bare mention is a greeting: the answerer's small-talk reply explains what the bot does.
    text = asked.text or "hello"
    context = None
    history: list[Exchange] = []
    if asked.use_context and not is_smalltalk(text, services.answerer):
        now = dt.datetime.now(dt.UTC)
        earlier = [
            turn
            for turn in turns.recent_turns(
                services.engine, asked.channel_id, asked.conversation, HISTORY_TURNS
            )
            if gives_context(asked.conversation, turn.created_at, now)
        ]
        if earlier and needs_context(text):
            context = question_leant_on(earlier)
        # An LLM rewrites any follow-up from these; the extractive answerer ignores them.
        history = [Exchange(turn.text, turn.answer) for turn in earlier]
    answer = services.answerer.answer(text, context=context, history=history, on_text=on_text)
    turn_id = turns.add_turn(
        services.engine,
        channel_id=asked.channel_id,
        conversation=asked.conversation,
        user_id=asked.user_id,
        surface=asked.surface,
        text=text,
        answer=answer,
    )
    fallback, blocks = build_answer_blocks(answer, turn_id)
    return Reply(answer, turn_id, fallback, blocks)


def answer_in_conversation(
    client: WebClient, services: Services, asked: Asked, indicator: Indicator
) -> None:
    """Answer ``asked`` where it was asked; on any failure, post the apology instead.

    An LLM-written answer is shown while it is written (``bot.streaming``); the finished
    message is then replaced by the rendered answer.
    """
    if too_long(asked.text):
        _post_note(client, asked, messages.question_too_long(len(asked.text), QUESTION_LIMIT))
        return
    if not asked.text and asked.has_files:
        # A file on its own is no question; the greeting would pretend it was one.
        _post_note(client, asked, messages.files_not_read())
        return
    indicator.start()
    stream = AnswerStream(
        client,
        channel=asked.channel_id,
        thread_ts=asked.reply_thread_ts,
        user_id=asked.user_id,
        team_id=asked.team_id,
        interval=services.settings.slack_stream_interval_seconds,
    )
    try:
        reply = prepare_reply(services, asked, on_text=stream.append)
        if stream.started:
            ts = stream.finish(reply.text, reply.blocks, _UNFURL)
        else:
            response = client.chat_postMessage(**_post_arguments(asked, reply.text, reply.blocks))
            ts = response.get("ts")
    except Exception:
        # Log the failure for us; the user gets a human sentence, never the exception.
        logger.exception("could not answer a %s message", asked.surface)
        if stream.started:
            _replace_with_apology(client, services, asked, stream)
        else:
            post_apology(client, services, asked)
    else:
        _remember_ts(services, reply.turn_id, ts)
    finally:
        indicator.stop()


def _post_note(client: WebClient, asked: Asked, text: str) -> None:
    """Post one of our own sentences instead of an answer (nothing is stored)."""
    try:
        client.chat_postMessage(**_post_arguments(asked, text, None))
    except Exception:
        logger.exception("could not post a note instead of an answer")


def post_apology(client: WebClient, services: Services, asked: Asked) -> None:
    """Post the apology with the contact; a failure here is only logged (nothing else to do)."""
    text = messages.apology(contact_for(services, asked.text))
    try:
        client.chat_postMessage(**_post_arguments(asked, text, None))
    except Exception:
        logger.exception("could not post the apology either")


def _replace_with_apology(
    client: WebClient, services: Services, asked: Asked, stream: AnswerStream
) -> None:
    """The half-written answer becomes the apology (or, failing that, the apology is posted)."""
    text = messages.apology(contact_for(services, asked.text))
    try:
        stream.finish(text, [], _UNFURL)
    except Exception:
        logger.exception("could not replace the unfinished answer with the apology")
        post_apology(client, services, asked)


def contact_for(services: Services, text: str) -> Contact:
    """The contact for a question (routing rules from settings)."""
    return route_contact(services.settings.contacts, text)


# Source links would otherwise unfurl into big previews under every answer.
_UNFURL = {"unfurl_links": False, "unfurl_media": False}


def _post_arguments(asked: Asked, text: str, blocks: list[Block] | None) -> dict[str, Any]:
    arguments: dict[str, Any] = {"channel": asked.channel_id, "text": text, **_UNFURL}
    if asked.reply_thread_ts:
        arguments["thread_ts"] = asked.reply_thread_ts
    if blocks is not None:
        arguments["blocks"] = blocks
    return arguments


def _remember_ts(services: Services, turn_id: str, ts: Any) -> None:
    if not isinstance(ts, str):
        return
    try:
        turns.set_answer_ts(services.engine, turn_id, ts)
    except Exception:
        logger.exception("could not store the answer's message ts")
