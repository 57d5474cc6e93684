"""What the hand-off modal carries to its submission, sealed so that it cannot be forged.

The modal's ``private_metadata`` names whose message is handed off and links to it. It comes
back inside the submission, and a submission is only as trustworthy as whoever can produce a
signed request: so it is sealed here with an HMAC over the values and the person the form was
opened for. A forged, altered or borrowed seal reads as no context at all, and a link is kept
only when it points at a message in this workspace, so the contact never sees an "Original
message" that leads anywhere else.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.settings import Settings

# Slack's limit on a view's private_metadata.
METADATA_LIMIT = 3000
_KEY_PURPOSE = b"sectorbot: hand-off modal private_metadata"


@dataclass(frozen=True)
class ModalContext:
    """Who the form was opened for, whose message it hands off, and that message's link."""

    requester: str
    on_behalf_of: str = ""
    permalink: str = ""


def metadata_key(settings: Settings) -> bytes:
    """The sealing key, derived from the bot token (the one secret both modes have).

    Raises:
        ValueError: when no bot token is configured (the app cannot run without one).

    """
    if settings.slack_bot_token is None:
        raise ValueError("SLACK_BOT_TOKEN is not set")
    token = settings.slack_bot_token.reveal().encode("utf-8")
    return hmac.new(token, _KEY_PURPOSE, hashlib.sha256).digest()


def seal(context: ModalContext, key: bytes) -> str:
    """``context`` as ``private_metadata``; the link is left out if it would not fit."""
    raw = _sealed(context, key)
    if len(raw) <= METADATA_LIMIT:
        return raw
    return _sealed(ModalContext(context.requester, context.on_behalf_of), key)


def unseal(raw: str, key: bytes, submitter: str) -> ModalContext | None:
    """The context sealed in ``raw`` for ``submitter``.

    No metadata at all reads as an empty context; metadata whose seal does not hold (forged,
    altered, or sealed for someone else) reads as None.
    """
    if not raw:
        return ModalContext(submitter)
    try:
        envelope = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(envelope, dict):
        return None
    data, mac = envelope.get("data"), envelope.get("mac")
    if not isinstance(data, str) or not isinstance(mac, str):
        return None
    if not hmac.compare_digest(mac, _mac(data, key)):
        return None
    values = json.loads(data)
    if values.get("requester") != submitter:
        return None  # sealed for someone else: not this person's form
    return ModalContext(
        submitter, str(values.get("on_behalf_of") or ""), str(values.get("permalink") or "")
    )


def workspace_permalink(url: str, workspace_url: str | None) -> str:
    """``url`` when it is an https link to a message of the workspace at ``workspace_url``.

    ``workspace_url`` is the address ``auth.test`` reports (``https://NAME.slack.com/``);
    without it no link is trusted.
    """
    if not url or not workspace_url:
        return ""
    link, workspace = urlsplit(url), urlsplit(workspace_url)
    if link.scheme != "https" or not link.hostname or link.username or link.password:
        return ""
    if link.hostname.lower() != (workspace.hostname or "").lower() or link.port is not None:
        return ""
    return url if link.path.startswith("/archives/") else ""


def _sealed(context: ModalContext, key: bytes) -> str:
    data = json.dumps(
        {
            "requester": context.requester,
            "on_behalf_of": context.on_behalf_of,
            "permalink": context.permalink,
        },
        separators=(",", ":"),
    )
    return json.dumps({"data": data, "mac": _mac(data, key)}, separators=(",", ":"))


def _mac(data: str, key: bytes) -> str:
    return hmac.new(key, data.encode("utf-8"), hashlib.sha256).hexdigest()
