"""LangChain chat models for tests: scripted replies (LangChain's own fake), failures, stalls.

``scripted(*replies)`` is ``GenericFakeChatModel`` (it streams word by word) with a callback that
records every list of messages the model was sent, so tests can check the prompt.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult


class Recorder(BaseCallbackHandler):
    """Keeps what each model call was sent."""

    def __init__(self) -> None:
        self.sent: list[list[BaseMessage]] = []

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        self.sent.extend(messages)

    def human(self, call: int = -1) -> str:
        """The user message of a call (the last by default)."""
        return str(self.sent[call][-1].content)

    def system(self, call: int = -1) -> str:
        """The system message of a call."""
        return str(self.sent[call][0].content)


def scripted(*replies: str) -> tuple[GenericFakeChatModel, Recorder]:
    """A model that answers each call with the next reply, and its recorder."""
    recorder = Recorder()
    model = GenericFakeChatModel(
        messages=iter([AIMessage(reply) for reply in replies]), callbacks=[recorder]
    )
    return model, recorder


class FailingChatModel(BaseChatModel):
    """A model whose service answers with an error (the message quotes a key, as some do)."""

    @property
    def _llm_type(self) -> str:
        return "failing-fake"

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        raise ConnectionError("401 Incorrect API key provided: sk-test0123456789abcdefghijkl")

    def _stream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content="Partnerships are [1]"))
        raise ConnectionError("401 Incorrect API key provided: sk-test0123456789abcdefghijkl")


class StalledChatModel(BaseChatModel):
    """A model that starts answering and then says nothing until ``release`` is set."""

    release: threading.Event

    @property
    def _llm_type(self) -> str:
        return "stalled-fake"

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.release.wait()
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="late [1]"))])

    def _stream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content="Sector partnerships "))
        self.release.wait()
        yield ChatGenerationChunk(message=AIMessageChunk(content="came late [1]."))
