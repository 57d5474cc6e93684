"""Text going to and coming from Slack: escaping, markdown -> mrkdwn, splitting, mentions.

Slack treats ``<...>`` as markup (``<!channel>``, ``<@U123>``, links), so text we did not write is
escaped before it goes out, and words like ``@here`` are broken with a zero-width space in case a
client auto-parses them. Nothing the bot posts can ping anybody it did not mean to. Markdown links
in answer text (a document's literal text, or a model's reply) are shown as their label only: a
link whose target is hidden behind friendly words is the bot's to make, never a document's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

ZERO_WIDTH_SPACE = "\u200b"

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]{1,300})\]\((https?://[^\s)]+)\)")
_MARKDOWN_BOLD = re.compile(r"\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*")
_LINK_JOINT = re.compile(r"\](?=[(\[:])")
_CITATION = re.compile(r"\[(\d{1,2})\]")
_SLACK_MARKUP = re.compile(r"<([^<>]*)>")
_USER_MENTION = re.compile(r"<@([^>|\s]+)(?:\|[^>]*)?>")
_BOUNDARIES = ("\n\n", "\n", ". ", "; ", ", ", " ")
# In a Python str every surrogate code point is a lone one: JSON's escaped pairs decode to the
# character they encode, so only an unpaired "\ud800" survives as a surrogate.
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"


def escape(text: str) -> str:
    """Escape Slack's control characters and defuse broadcast words in text we did not write."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda match: f"@{ZERO_WIDTH_SPACE}{match.group(1)}", escaped)


def safe_url(url: str | None) -> str | None:
    """The URL, escaped for use inside ``<url|label>``, or None when it is not http(s)."""
    if not url or not re.match(r"https?://", url, re.IGNORECASE):
        return None
    for raw, encoded in (("|", "%7C"), (" ", "%20"), ("\n", ""), ("\t", "")):
        url = url.replace(raw, encoded)
    return url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E")


def link(url: str | None, label: str) -> str:
    """A mrkdwn link to ``url`` labelled with escaped ``label``; just the label without a URL."""
    target = safe_url(url)
    text = escape(label)
    return f"<{target}|{text}>" if target else text


def to_mrkdwn(text: str, citation_urls: Mapping[int, str | None] | None = None) -> str:
    """Convert answer text (plain, with a little markdown) to escaped Slack mrkdwn.

    ``**bold**`` becomes mrkdwn bold; a markdown link becomes its label (the sources block links
    to the documents); ``[n]`` citation markers become links to source ``n`` when
    ``citation_urls`` has an http(s) URL for it.
    """
    urls = citation_urls or {}
    return _inline(_MARKDOWN_LINK.sub(r"\1", text), urls)


def escape_streamed(piece: str, previous: str = "") -> str:
    """Escape one piece of a streamed answer (Slack renders ``markdown_text`` as markdown).

    Besides ``escape``, a zero-width space goes between ``]`` and a following ``(``, ``[`` or
    ``:``, so no markdown link, reference link or link definition can form, even when the model's
    text is cut between two pieces; ``previous`` is the text already sent before ``piece``.
    """
    text = _LINK_JOINT.sub("]" + ZERO_WIDTH_SPACE, piece)
    if previous.endswith("]") and text[:1] in ("(", "[", ":"):
        text = ZERO_WIDTH_SPACE + text
    return escape(text)


def _inline(text: str, urls: Mapping[int, str | None]) -> str:
    escaped = escape(text)
    escaped = _MARKDOWN_BOLD.sub(r"*\1*", escaped)

    def cite(match: re.Match[str]) -> str:
        target = safe_url(urls.get(int(match.group(1))))
        return f"<{target}|[{match.group(1)}]>" if target else match.group(0)

    return _CITATION.sub(cite, escaped)


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters at the nicest boundary."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _cut_point(text: str, limit: int) -> int:
    window = text[:limit]
    for boundary in _BOUNDARIES:
        index = window.rfind(boundary)
        # A boundary in the first quarter would leave a uselessly small piece.
        if index > limit // 4:
            return index + len(boundary.rstrip()) if boundary.strip() else index + len(boundary)
    return limit


def split_rendered(text: str, render: Callable[[str], str], limit: int) -> list[str]:
    """Split plain ``text`` so that each piece, once rendered, fits ``limit`` characters.

    Splitting before rendering never cuts an escape sequence or a link in half; a piece that grows
    past the limit when rendered (escaping lengthens it) is split again, smaller.
    """
    rendered: list[str] = []
    for piece in split_text(text, limit):
        rendered.extend(_fit(piece, render, limit))
    return rendered


def _fit(piece: str, render: Callable[[str], str], limit: int) -> list[str]:
    out = render(piece)
    if len(out) <= limit:
        return [out]
    if len(piece) <= 1:
        return [out[:limit]]
    size = min(max(len(piece) * limit // len(out) - 1, 1), len(piece) - 1)
    fitted: list[str] = []
    for smaller in split_text(piece, size):
        fitted.extend(_fit(smaller, render, limit))
    return fitted


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """Slack message text as a plain question: markup unwrapped, the bot's mention removed."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)

    def unwrap(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return f"@{label or target[1:]}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):
            return ""  # broadcasts and dates carry nothing worth answering
        return label or target

    text = _SLACK_MARKUP.sub(unwrap, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def mentioned_users(text: str) -> set[str]:
    """User ids mentioned in Slack message text (``<@U123>``)."""
    return set(_USER_MENTION.findall(text))


def storable(text: str) -> str:
    """``text`` as every store and model accepts it: NULs removed, lone surrogates replaced.

    Slack delivers whatever JSON can carry: PostgreSQL refuses a NUL in text, and a lone
    surrogate cannot be encoded as UTF-8 (SQLite, PostgreSQL and the tokenizer all fail on it).
    """
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _SURROGATE.sub(REPLACEMENT_CHARACTER, text)


def storable_payload(value: Any) -> Any:
    """A copy of a decoded JSON payload with every string, keys included, made ``storable``."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable_payload(key): storable_payload(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable_payload(item) for item in value]
    return value
