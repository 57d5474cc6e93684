"""The log filter cuts library lines where their payload starts, at DEBUG and INFO."""

from __future__ import annotations

import logging

import pytest

from bot.log_privacy import REDACTED, RedactPayloads

SECRET_TEXT = "Pat Example pat@example.com 515-555-0100"


def _filtered(message: str, *args: object, level: int = logging.DEBUG) -> str:
    record = logging.LogRecord("slack_sdk.web.base_client", level, __file__, 1, message, args, None)
    assert RedactPayloads().filter(record) is True  # lines are trimmed, never dropped
    return record.getMessage()


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (
            "Sending a request - url: https://slack.com/api/chat.postMessage, query_params: {}, "
            f"body_params: {{'text': '{SECRET_TEXT}'}}, files: {{}}, json_body: None, "
            "headers: {}",
            f"Sending a request (chat.postMessage) {REDACTED}",
        ),
        (
            "Received the following response - status: 200, headers: {'a': 'b'}, "
            f'body: {{"ok": true, "message": {{"text": "{SECRET_TEXT}"}}}}',
            f"Received the following response - status: 200 {REDACTED}",
        ),
        (
            f'Responding with status: 200 body: "{SECRET_TEXT}" (3 millis)',
            f"Responding with status: 200 {REDACTED}",
        ),
        (
            "Invalid request signature detected (signature: v0=abc, timestamp: 1, "
            f"body: {SECRET_TEXT}\nERROR bot.handoff.outbox: delivered)",
            f"Invalid request signature detected {REDACTED}",
        ),
        (
            f"Unsuccessful Bolt execution result (status: 404, body: {SECRET_TEXT})",
            f"Unsuccessful Bolt execution result (status: 404 {REDACTED}",
        ),
        (f"Request options: {{'json_data': '{SECRET_TEXT}'}}", f"Request {REDACTED}"),
        (
            "Applying bot.listeners.middleware.IgnoreNoise",
            "Applying bot.listeners.middleware.IgnoreNoise",
        ),
    ],
    ids=[
        "sdk-request",
        "sdk-response",
        "bolt-response",
        "bolt-bad-signature",
        "socket-mode",
        "openai",
        "plain",
    ],
)
def test_library_lines_keep_what_happened_and_lose_what_was_said(line: str, kept: str) -> None:
    assert _filtered(line) == kept


def test_sql_rows_and_parameters_are_replaced() -> None:
    assert _filtered("Row %r", (SECRET_TEXT,)) == f"SQL data {REDACTED}"
    assert _filtered("[%s] %r", "generated in 0.001s", (SECRET_TEXT,)) == f"SQL data {REDACTED}"


def test_warnings_and_errors_are_left_whole() -> None:
    line = "Failed to run listener function (error: The server responded with: {'error': 'x'})"
    assert _filtered(line, level=logging.WARNING) == line
