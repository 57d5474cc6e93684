"""Which contact details an answer may carry.

Documents and web pages are not trusted to name people or numbers: an answer may carry a phone
number, e-mail address or link only when the settings give it, or when the passage the answer
quotes and cites gives it (a cited source's own URL included).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Contact details, checked in LLM answers. No effect on either development set (its answers are
# extractive and quote their passages); the planted-detail tests fail without them.
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# "[label](url)": Slack would render it as a link the words never gave. Only LLM-written replies
# pass through it, so neither development set's measures move (bench/quality.py is extractive);
# tests/bot/test_injection.py fails without it.
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\s]*\)")
_LINK = re.compile(r"\bhttps?://[^\s<>()\"']+|\bwww\.[^\s<>()\"']+", re.IGNORECASE)


def contact_details(text: str) -> set[str]:
    """The phone numbers (digits only), e-mail addresses and links in ``text``, normalised."""
    found = {re.sub(r"\D", "", m.group(0))[-10:] for m in _PHONE.finditer(text)}
    found |= {m.group(0).lower() for m in _EMAIL.finditer(text)}
    found |= {_bare(m.group(0)) for m in _LINK.finditer(text)}
    return found


def unsupported_details(answer: str, cited: Iterable[str], published: Iterable[str]) -> set[str]:
    """Details in ``answer`` that neither the cited texts nor the published settings give."""
    allowed: set[str] = set()
    for text in [*cited, *published]:
        allowed |= contact_details(text)
        if text.startswith(("http://", "https://")):
            allowed.add(_bare(text))
    return {d for d in contact_details(answer) if not any(d in a or a in d for a in allowed if a)}


def link_words(text: str) -> str:
    """``text`` with each Markdown link reduced to its words."""
    return _MARKDOWN_LINK.sub(r"\1", text)


def _bare(link: str) -> str:
    return re.sub(r"^https?://", "", link.lower()).rstrip("/.,;")
