"""Let only size-limited, signed, well-formed requests reach Bolt (HTTP mode).

Bolt parses a request's body before its own middleware checks the signature, so without this
guard anyone could make it parse (and, at INFO, log in full) whatever they send: a malformed
body became an HTTP 500 with a traceback, and a body holding a newline could write a forged
line into our log. Here the body is read up to ``MAX_BODY_BYTES``, its signature is checked
over the raw bytes, and only then is it parsed, the way Bolt will parse it. Whatever fails
gets a short status (413, 401 or 400) and one log line that names the reason and the size,
never the body or a header value.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from slack_bolt.request.internals import parse_body

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

# Slack's largest request, a message shortcut on a 40,000-character message (its text and its
# rich-text blocks, form-encoded), stays under 1 MB; twice that leaves room and still refuses
# the 300 MB bodies that used to be read whole.
MAX_BODY_BYTES = 2 * 1024 * 1024
# Slack refuses to send, and Bolt refuses to accept, a timestamp more than five minutes off.
MAX_CLOCK_SKEW_SECONDS = 5 * 60
READ_CHUNK = 64 * 1024


class RequestRefused(Exception):
    """A request that must not reach Bolt: ``status`` for the sender, ``reason`` for the log."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signed_requests_only(
    bolt: WSGIApplication,
    signing_secret: str,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    clock: Callable[[], float] = time.time,
) -> WSGIApplication:
    """Wrap Bolt's WSGI handler so it sees only bodies that passed every check.

    Bolt checks the signature again; that costs one HMAC and keeps it correct on its own.
    """
    key = signing_secret.encode("utf-8")

    def guarded(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = _checked_body(environ, key, max_body_bytes, clock)
        except RequestRefused as refusal:
            logger.warning(
                "refused a request to %s: %s",
                str(environ.get("PATH_INFO") or "/")[:100],
                refusal.reason,
            )
            payload = json.dumps({"error": "invalid request"}).encode("ascii")
            start_response(
                refusal.status,
                [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
            )
            return [payload]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return bolt(environ, start_response)

    return guarded


def _checked_body(
    environ: WSGIEnvironment, key: bytes, max_body_bytes: int, clock: Callable[[], float]
) -> bytes:
    body = _read_body(environ, max_body_bytes)
    size = f"{len(body)} bytes"
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
    if not timestamp or not signature:
        raise RequestRefused("401 Unauthorized", f"no Slack signature ({size})")
    if not timestamp.isdigit() or abs(clock() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        raise RequestRefused("401 Unauthorized", f"stale or malformed timestamp ({size})")
    if not hmac.compare_digest(signature, expected_signature(key, timestamp, body)):
        raise RequestRefused("401 Unauthorized", f"signature does not match ({size})")
    # Signed, so it came from Slack (or from someone holding the secret): still, a body Bolt
    # cannot parse must end here as a 400 rather than inside Bolt as a 500.
    content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip() or None
    try:
        parsed = parse_body(body.decode("utf-8"), content_type)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RequestRefused("400 Bad Request", f"signed but malformed body ({size})") from None
    if not isinstance(parsed, dict):
        raise RequestRefused("400 Bad Request", f"signed body is not an object ({size})")
    return body


def expected_signature(key: bytes, timestamp: str, body: bytes) -> str:
    """Slack's ``v0`` signature of ``body``: an HMAC-SHA256 over the raw bytes.

    Computed on bytes, unlike ``slack_sdk``'s verifier, so a body that is not UTF-8 is refused
    (or, when signed, reported) rather than raising while being checked.
    """
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(key, base, hashlib.sha256).hexdigest()


def _read_body(environ: WSGIEnvironment, max_body_bytes: int) -> bytes:
    raw_length = str(environ.get("CONTENT_LENGTH") or "0").strip()
    if not raw_length.isdigit():
        raise RequestRefused("400 Bad Request", "malformed Content-Length")
    length = int(raw_length)
    if length > max_body_bytes:
        raise RequestRefused(
            "413 Request Entity Too Large", f"body of {length} bytes is over the limit"
        )
    stream = environ.get("wsgi.input")
    if stream is None or length == 0:
        return b""
    chunks: list[bytes] = []
    remaining = length
    while remaining > 0:
        chunk = stream.read(min(READ_CHUNK, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
