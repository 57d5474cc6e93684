"""Mask personal data in what users write before it goes to a model.

E-mail addresses, phone numbers, US social security numbers, payment card numbers and Slack
user mentions are replaced by a bracketed label. Published contact details (the numbers and
addresses in sectorbot.toml, which the documents publish too) are not personal data and stay.
Retrieved passages are never masked: they are our own documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_SSN = re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")
_CARD = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}(?!\d)"
    r"|(?<![\w+])\+\d{1,3}[\s.-]?(?:\(?\d{1,4}\)?[\s.-]?){2,5}\d{2,4}(?!\d)"
)
# Raw ("<@U123|jane>") and as the bot reads it ("@U123").
_SLACK_USER = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>|(?<![\w.])@[UW][A-Z0-9]{5,}\b")


class Redactor:
    """Masks personal data, keeping the published contact details it was given."""

    def __init__(self, published: Iterable[str] = ()) -> None:
        self._published = {_key(value) for value in published if value and _key(value)}

    def __call__(self, text: str) -> str:
        """``text`` with personal data replaced by ``[email]``, ``[phone]`` and the like."""
        text = _SLACK_USER.sub("[someone]", text)
        text = _EMAIL.sub(lambda m: self._keep_or(m.group(0), "[email]"), text)
        text = _SSN.sub("[id number]", text)
        text = _CARD.sub(lambda m: "[card number]" if _luhn(m.group(0)) else m.group(0), text)
        return _PHONE.sub(lambda m: self._keep_or(m.group(0), "[phone]"), text)

    def _keep_or(self, found: str, label: str) -> str:
        return found if _key(found) in self._published else label


def _key(value: str) -> str:
    """Compare addresses case-insensitively and numbers by their last ten digits."""
    if "@" in value:
        return value.strip().lower()
    return re.sub(r"\D", "", value)[-10:]


def _luhn(candidate: str) -> bool:
    digits = [int(c) for c in candidate if c.isdigit()]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0
