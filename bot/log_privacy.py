"""Logs carry no payloads: what people wrote, hand-off details and tokens stay out, at any level.

Our own modules log ids, counts and error codes only. The libraries under them are chattier:
at DEBUG, slack_sdk logs every Web API request and response body (a hand-off notification
holds the person's name, phone and e-mail) and Bolt the responses it sends; at INFO, Bolt logs
the whole body of a request whose signature fails; SQLAlchemy logs result rows and parameters;
the OpenAI client logs each prompt. The filter here cuts such lines before their payload, so
``LOG_LEVEL=DEBUG`` still shows what happened (which API method, which status) and never what
was said. Lines at WARNING and above are left whole: they carry errors, and the ones these
libraries write there quote ids and error codes, not bodies.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import Engine

REDACTED = "[payload not logged]"
# The libraries whose loggers get the filter (each logger it applies to is named below or found
# by prefix, since a logging.Filter only sees records logged on its own logger).
LIBRARY_PREFIXES = ("slack_sdk", "slack_bolt", "sqlalchemy.engine", "openai")
# Loggers some library creates only when first used; made now so the filter is on them then.
KNOWN_LOGGERS = (
    "slack_sdk.web.base_client",
    "slack_sdk.webhook.client",
    "slack_sdk.socket_mode.builtin.client",
    "slack_sdk.socket_mode.builtin.connection",
    "slack_bolt.App",
    "sqlalchemy.engine.Engine",
    "openai._base_client",
)
# Where a payload starts in a library's log line: a dict or list, or a field name such as
# "body:", "json_body:", "message:" or "options:" (covering every line the libraries above
# write below WARNING, e.g. "Sending a request - url: ..., body_params: {...}").
_PAYLOAD_START = re.compile(
    r"[\s,(\-]*(?:[{\[]|\b(?:url|query_params|body_params|files|json_body|headers|body|"
    r"message|event|payload|signature|options|data|row|params|parameters)\b\s*[:=])",
    re.IGNORECASE,
)
_API_METHOD = re.compile(r"https?://[^/\s]+/api/([A-Za-z0-9_.]+)")
# SQLAlchemy's own formats for a result row and for statement parameters.
_SQL_DATA_FORMATS = frozenset({"Row %r", "[%s] %r"})


class RedactPayloads(logging.Filter):
    """Cut a library's log line below WARNING where its payload starts; keep the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record`` in place when it would carry a payload; never drop it."""
        if record.levelno >= logging.WARNING:
            return True
        if isinstance(record.msg, str) and record.msg in _SQL_DATA_FORMATS:
            record.msg, record.args = f"SQL data {REDACTED}", ()
            return True
        message = record.getMessage()
        start = _PAYLOAD_START.search(message)
        if start is None:
            return True
        method = _API_METHOD.search(message)
        kept = message[: start.start()].rstrip(" ,:-(")
        record.msg = f"{kept}{f' ({method.group(1)})' if method else ''} {REDACTED}"
        record.args = ()
        return True


_FILTER = RedactPayloads()


def keep_payloads_out_of_logs(engine: Engine | None = None) -> None:
    """Put the filter on every library logger that exists (idempotent).

    Call after the libraries have made their loggers (Bolt makes one per middleware when an
    ``App`` is built). ``engine``, when given, also hides statement parameters from its errors,
    which our own ``logger.exception`` calls would otherwise print with the traceback.
    """
    if engine is not None:
        engine.hide_parameters = True
    names = set(KNOWN_LOGGERS) | {
        name for name in logging.root.manager.loggerDict if name.startswith(LIBRARY_PREFIXES)
    }
    for name in names:
        library_logger = logging.getLogger(name)
        if _FILTER not in library_logger.filters:
            library_logger.addFilter(_FILTER)
