"""Show an answer in Slack while the model writes it, then replace it with the checked answer.

Slack's streaming methods (``chat.startStream`` / ``appendStream`` / ``stopStream``) are used
for replies in a thread; where Slack refuses them (an older workspace, a top-level DM, a missing
scope) a posted message is updated instead. Either way text is sent at most once per
``interval`` seconds (``chat.update`` allows about one call a second per message), a failed
progress call only stops the progress (the final message still goes out), and the finished
message is replaced in full by the rendered answer: checked citations, sources, buttons.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.elements import Block
from bot.slack_text import escape_streamed, to_mrkdwn

logger = logging.getLogger(__name__)

# Shown after the text while it is still being written (message updates only).
WRITING_MARK = " \u2026"
# Slack caps a message's text; progress shows the first part, the final answer is split properly.
PROGRESS_LIMIT = 3000


class AnswerStream:
    """One answer's message, shown as it grows; ``finish`` or ``replace`` ends it."""

    def __init__(
        self,
        client: WebClient,
        *,
        channel: str,
        thread_ts: str | None,
        user_id: str | None = None,
        team_id: str | None = None,
        interval: float = 1.0,
        use_streaming_api: bool = True,
    ) -> None:
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self.user_id = user_id
        self.team_id = team_id
        self.interval = interval
        self.ts: str | None = None
        self.mode: str | None = None  # "stream" or "update" once started
        self._use_streaming_api = use_streaming_api and thread_ts is not None
        self._text = ""
        self._sent = 0  # characters of _text already shown
        self._last_sent = 0.0
        self._broken = False

    @property
    def started(self) -> bool:
        """A message exists that ``finish`` must complete."""
        return self.ts is not None

    def append(self, piece: str) -> None:
        """Add written text; it is sent when ``interval`` has passed since the last send."""
        self._text += piece
        if self._broken or time.monotonic() - self._last_sent < self.interval:
            return
        self._send()

    def finish(self, text: str, blocks: list[Block], unfurl: dict[str, Any]) -> str | None:
        """Replace the message with the final answer; returns its ts (None if never started).

        Raises:
            SlackApiError: when the final message cannot be written (the caller apologises).

        """
        if self.ts is None:
            return None
        if self.mode == "stream":
            try:
                self.client.chat_stopStream(channel=self.channel, ts=self.ts)
            except SlackApiError as error:
                logger.info("could not stop the answer stream: %s", error.response.get("error"))
        self.client.chat_update(
            channel=self.channel, ts=self.ts, text=text, blocks=blocks, **unfurl
        )
        return self.ts

    def _send(self) -> None:
        self._last_sent = time.monotonic()
        try:
            if self.ts is None:
                self._start()
            elif self.mode == "stream":
                new = self._text[self._sent :]
                if new:
                    self.client.chat_appendStream(
                        channel=self.channel,
                        ts=self.ts,
                        markdown_text=escape_streamed(new, self._text[self._sent - 1 : self._sent]),
                    )
            else:
                self.client.chat_update(
                    channel=self.channel, ts=self.ts, text=self._progress(), blocks=[]
                )
            self._sent = len(self._text)
        except SlackApiError as error:
            # Progress is a nicety: stop showing it; the final answer still goes out (as an
            # update of the message if there is one, else as a new message).
            logger.info("stopped showing the answer as it is written: %s", _error(error))
            self._broken = True

    def _start(self) -> None:
        if self._use_streaming_api:
            try:
                response = self.client.chat_startStream(
                    channel=self.channel,
                    thread_ts=str(self.thread_ts),
                    markdown_text=escape_streamed(self._text),
                    recipient_user_id=self.user_id or None,
                    recipient_team_id=self.team_id or None,
                )
                self.ts, self.mode = str(response["ts"]), "stream"
                return
            except SlackApiError as error:
                logger.info(
                    "Slack refused to stream (%s); updating a message instead", _error(error)
                )
        arguments: dict[str, Any] = {"channel": self.channel, "text": self._progress()}
        if self.thread_ts:
            arguments["thread_ts"] = self.thread_ts
        response = self.client.chat_postMessage(**arguments, unfurl_links=False, unfurl_media=False)
        self.ts, self.mode = str(response["ts"]), "update"

    def _progress(self) -> str:
        return to_mrkdwn(self._text[:PROGRESS_LIMIT]) + WRITING_MARK


def _error(error: SlackApiError) -> str:
    return str(error.response.get("error"))
