"""Text to and from Slack: unwrapping markup in questions, mentions, follow-up rules."""

from __future__ import annotations

from bot.followups import is_smalltalk, needs_context, talks_to_someone_else
from bot.slack_text import escape, mentioned_users, plain_text, split_text
from knowledge.answering import Answerer
from knowledge.embeddings import MiniLMEmbedder
from knowledge.store.db import make_engine
from knowledge.store.reader import KnowledgeBase


def test_a_question_loses_the_bot_mention_and_keeps_readable_markup() -> None:
    text = "<@UBOT> is <#C1|general> &amp; <https://x.org|this page> right? <!here>"

    assert plain_text(text, "UBOT") == "is #general & this page right?"


def test_mentioned_users_are_found_with_or_without_labels() -> None:
    assert mentioned_users("<@U1> and <@W2|bob> but not <!channel>") == {"U1", "W2"}


def test_escape_defuses_broadcasts_and_markup() -> None:
    assert escape("<!channel> @here & co") == "&lt;!channel&gt; @\u200bhere &amp; co"


def test_split_text_prefers_paragraphs_then_sentences() -> None:
    text = "First paragraph here.\n\nSecond one. It is longer than the first."

    assert split_text(text, 30) == [
        "First paragraph here.",
        "Second one.",
        "It is longer than the first.",
    ]


def test_short_or_pronoun_follow_ups_need_the_previous_question() -> None:
    assert needs_context("Is it free?")
    assert needs_context("Which community colleges take part in them?")
    assert not needs_context("Which community colleges convene partnerships in northern Iowa?")


def test_people_talking_to_each_other_and_smalltalk_are_recognised(minilm: MiniLMEmbedder) -> None:
    assert talks_to_someone_else("<@U_BOB> can you call them?", "UBOT")
    assert not talks_to_someone_else("<@UBOT> and <@U_BOB>: is it free?", "UBOT")
    assert not talks_to_someone_else("is it free?", "UBOT")
    answerer = Answerer(KnowledgeBase(make_engine("sqlite://"), None, minilm), ())
    assert is_smalltalk("thanks!", answerer)
    assert not is_smalltalk("Is it free to join?", answerer)
