"""Contacts people are routed to, and the rule that picks one for a question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Contact:
    """A person who runs partnerships.

    ``topics`` and ``regions`` let routing pick among several contacts; ``source`` is the URL of
    the page that publishes the contact, cited first when a person is routed.
    """

    name: str
    title: str = ""
    phone: str = ""
    email: str = ""
    slack_user_id: str = ""
    topics: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    source: str = ""

    def as_json(self) -> dict[str, str | None]:
        """The contact as the ``handoff`` object of ``ask --json``."""
        return {
            "name": self.name,
            "title": self.title,
            "phone": self.phone,
            "email": self.email or None,
            "slack_user_id": self.slack_user_id or None,
        }

    def reach_text(self) -> str:
        """How to reach the contact, in one phrase: only what is actually configured."""
        ways = [way for way in (self.phone, self.email) if way]
        return " or ".join(ways)


def route_contact(contacts: Sequence[Contact], text: str) -> Contact:
    """Pick the contact whose regions or topics the text names; the first contact otherwise.

    A region match beats a topic match, since a regional contact knows the local partnerships.
    """
    lowered = text.lower()
    for attribute in ("regions", "topics"):
        for contact in contacts:
            if any(term.lower() in lowered for term in getattr(contact, attribute) if term):
                return contact
    return contacts[0]
