"""Run a chat model with one overall deadline, passing the text on as it streams in.

The model streams in a worker thread and the caller's thread reads the pieces, so the deadline
holds for any provider (a stalled connection included) and the caller's ``on_text`` (which may
post to Slack) runs in the caller's thread. A stream given up on is told to stop at its next
piece; the provider's own timeout, where it has one, ends a stalled read.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

logger = logging.getLogger(__name__)

TextSink = Callable[[str], None]


class GenerationTimeout(Exception):
    """The model did not finish within the deadline."""


def generate(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    *,
    timeout_seconds: float,
    on_text: TextSink | None = None,
) -> str:
    """The model's whole reply to ``messages``; ``on_text`` gets each piece as it arrives.

    Raises:
        GenerationTimeout: when the reply is not complete after ``timeout_seconds``.
        Exception: whatever the model raised (the caller falls back and logs it).

    """
    pieces: queue.Queue[tuple[Literal["text", "end", "error"], str | BaseException]] = queue.Queue()
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in model.stream(list(messages)):
                if stop.is_set():
                    return
                text = str(chunk.text)
                if text:
                    pieces.put(("text", text))
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
            pieces.put(("error", error))
        else:
            pieces.put(("end", ""))

    worker = threading.Thread(target=produce, name="llm-stream", daemon=True)
    deadline = time.monotonic() + timeout_seconds
    worker.start()
    reply: list[str] = []
    sink = on_text
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GenerationTimeout
            try:
                kind, value = pieces.get(timeout=remaining)
            except queue.Empty:
                raise GenerationTimeout from None
            if kind == "end":
                return "".join(reply)
            if kind == "error":
                assert isinstance(value, BaseException)
                raise value
            assert isinstance(value, str)
            reply.append(value)
            if sink is not None:
                try:
                    sink(value)
                except Exception:
                    # Showing progress is a nicety; the answer itself must not suffer.
                    logger.exception("could not pass streamed text on; continuing without")
                    sink = None
    finally:
        stop.set()
