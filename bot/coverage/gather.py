"""Read the questions the bot failed: the ones it declined and the ones people found not helpful.

One asked question (one turn) is one gap, however many people clicked "Not helpful" on its answer
and whether or not it was also declined, so a question is never counted twice. The newest rows
are read up to a cap, so a large table never stalls Slack.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine, false, func, or_, select

from bot.conversations import (
    COMMAND_CONVERSATION,
    HISTORY_TURNS,
    gives_context,
    question_leant_on,
)
from bot.followups import needs_context
from bot.store.feedback import answer_feedback
from bot.store.turns import conversation_turns
from knowledge import as_utc

# Embedding is the slow step (about 4 ms a new question; repeats come from the cache).
READ_LIMIT = 2000
# Conversations looked up per query (SQLite allows a few hundred parameters at least).
_IN_LIMIT = 500


@dataclass(frozen=True)
class Gap:
    """One asked question the knowledge base did not serve well.

    ``declined`` says the bot answered that the documents do not hold the answer; ``not_helpful``
    that someone clicked "Not helpful" on the answer. Both can be true for one question.
    """

    turn_id: str
    question: str
    user_id: str
    asked_at: dt.datetime
    declined: bool
    not_helpful: bool
    # The conversation's earlier question a short follow-up leant on ("and before that?").
    follows: str | None = None
    channel_id: str | None = None
    conversation: str | None = None

    @property
    def wording(self) -> str:
        """The question as the report shows it: a follow-up with what it followed."""
        question = self.question.strip()
        return (
            f"{question} (asked after \u201c{self.follows.strip()}\u201d)"
            if self.follows
            else question
        )


def gather_gaps(
    engine: Engine, *, since: dt.datetime | None = None, limit: int = READ_LIMIT
) -> tuple[list[Gap], bool]:
    """The newest ``limit`` gaps asked since ``since`` (newest first), and whether more exist.

    Declined means ``confident`` is false for a turn whose intent is ``question``, unless it was
    refused by policy (someone's own records, private details): small talk is
    never declined, and an involvement turn is routed to a person, so its "no" is not a missing
    document. "Not helpful" counts any answer, whatever its intent, that someone judged so.
    """
    declined = _declined(engine, since, limit + 1)
    not_helpful = _not_helpful(engine, since, limit + 1)
    gaps: dict[str, Gap] = {gap.turn_id: gap for gap in declined}
    for gap in not_helpful:
        known = gaps.get(gap.turn_id)
        gaps[gap.turn_id] = gap if known is None else replace(known, not_helpful=True)
    newest = sorted(gaps.values(), key=lambda gap: (gap.asked_at, gap.turn_id), reverse=True)
    more = len(newest) > limit or len(declined) > limit or len(not_helpful) > limit
    return _with_what_they_followed(engine, newest[:limit]), more


def _with_what_they_followed(engine: Engine, gaps: list[Gap]) -> list[Gap]:
    """Short follow-ups with the question each leant on: alone, "and before that?" says nothing.

    That is the one the bot read it with, by the rules of ``bot.conversations``.
    """
    following = [
        (gap, gap.channel_id, gap.conversation)
        for gap in gaps
        if gap.channel_id
        and gap.conversation
        and gap.conversation != COMMAND_CONVERSATION
        and needs_context(gap.question)
    ]
    earlier = _turns_of(
        engine, {channel for _, channel, _ in following}, {conv for _, _, conv in following}
    )
    follows: dict[str, str] = {}
    for gap, channel, conversation in following:
        before = [
            turn
            for turn in earlier.get((channel, conversation), [])
            if turn.created_at < gap.asked_at
        ][-HISTORY_TURNS:]
        read = [t for t in before if gives_context(conversation, t.created_at, gap.asked_at)]
        if read:
            follows[gap.turn_id] = question_leant_on(read)
    return [
        replace(gap, follows=follows[gap.turn_id]) if gap.turn_id in follows else gap
        for gap in gaps
    ]


@dataclass(frozen=True)
class _Earlier:
    question: str
    confident: bool
    created_at: dt.datetime


def _turns_of(
    engine: Engine, channels: set[str], conversations: set[str]
) -> dict[tuple[str, str], list[_Earlier]]:
    """The stored turns of these channels' conversations, oldest first, by the pair."""
    turns = conversation_turns.c
    found: dict[tuple[str, str], list[_Earlier]] = {}
    keys = sorted(conversations)
    with engine.connect() as connection:
        for start in range(0, len(keys), _IN_LIMIT):
            rows = connection.execute(
                select(
                    turns.channel_id,
                    turns.conversation,
                    turns.question,
                    turns.confident,
                    turns.created_at,
                )
                .where(
                    turns.conversation.in_(keys[start : start + _IN_LIMIT]),
                    turns.channel_id.in_(sorted(channels)),
                )
                .order_by(turns.created_at, turns.turn_id)
            )
            for row in rows:
                found.setdefault((row.channel_id, row.conversation), []).append(
                    _Earlier(row.question, bool(row.confident), _utc(row.created_at))
                )
    return found


def _declined(engine: Engine, since: dt.datetime | None, limit: int) -> list[Gap]:
    turns = conversation_turns.c
    query = (
        select(
            turns.turn_id,
            turns.question,
            turns.user_id,
            turns.created_at,
            turns.channel_id,
            turns.conversation,
        )
        .where(
            turns.confident == false(),
            turns.intent == "question",
            # Refusals by policy (someone's own records, private details) are not missing
            # documents; turns stored before the reason was kept (NULL) still count.
            or_(turns.declined_because.is_(None), turns.declined_because != "policy"),
        )
        .order_by(turns.created_at.desc(), turns.turn_id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(turns.created_at >= since)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [_gap(row, row.user_id, row.created_at, declined=True) for row in rows]


def _not_helpful(engine: Engine, since: dt.datetime | None, limit: int) -> list[Gap]:
    feedback = answer_feedback.c
    turns = conversation_turns.c
    # Feedback copies the question in, so it stays readable when its turn has been pruned; the
    # turn, when present, says who asked and when (the clicker may be someone else).
    asked_at = func.coalesce(turns.created_at, feedback.created_at).label("asked_at")
    asker = func.coalesce(turns.user_id, feedback.user_id).label("asker")
    columns = (
        feedback.turn_id,
        feedback.question,
        asker,
        asked_at,
        turns.channel_id,
        turns.conversation,
    )
    query = (
        select(*columns)
        .select_from(
            answer_feedback.outerjoin(conversation_turns, turns.turn_id == feedback.turn_id)
        )
        .where(feedback.helpful == false())
        .group_by(*columns)
        .order_by(asked_at.desc(), feedback.turn_id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(asked_at >= since)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [_gap(row, row.asker, row.asked_at, declined=False) for row in rows]


def _gap(row: Any, asker: str, asked_at: Any, *, declined: bool) -> Gap:
    """A declined or a not-helpful question (the other query adds the other flag)."""
    return Gap(
        row.turn_id,
        row.question,
        asker,
        _utc(asked_at),
        declined,
        not declined,
        channel_id=row.channel_id,
        conversation=row.conversation,
    )


def _utc(value: Any) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, dt.datetime):
        raise TypeError(f"expected a timestamp, got {type(value).__name__}")
    return as_utc(moment).astimezone(dt.UTC)
