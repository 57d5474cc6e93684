"""The bot's own sentences (not taken from documents): greetings, declines, contact lines."""

from __future__ import annotations

import re

from knowledge.contacts import Contact

_THANKS = re.compile(r"\b(thanks?|thank you|thx|ty|cheers|appreciate)\b", re.IGNORECASE)


def _who(contact: Contact) -> str:
    return f"{contact.name} ({contact.title})" if contact.title else contact.name


def _reach(contact: Contact) -> str:
    reach = contact.reach_text()
    return f" at {reach}" if reach else ""


def smalltalk(contact: Contact, message: str = "") -> str:
    """Reply to greetings, thanks and "what can you do?"."""
    if _THANKS.search(message):
        return "You're welcome! Ask me anything else about Iowa's Business Sector Partnerships."
    return (
        "Hi! I answer questions about Iowa's Business Sector Partnerships from Iowa Workforce "
        "Development documents, with sources. Try \u201cWhat is a sector partnership?\u201d or "
        "\u201cHow can my company join one?\u201d. To talk to a person, contact "
        f"{_who(contact)}{_reach(contact)}."
    )


def nothing_new(contact: Contact) -> str:
    """A follow-up whose search finds only what the last answer quoted: no echo, no denial.

    The last answer may hold what was asked ("who ran them before?" after an answer that says
    the partnerships moved from the Department of Education), or not; either way the documents
    have nothing more, which is what the reply says.
    """
    return (
        "I have nothing more on that than my last answer. If your question is about the "
        "partnerships, "
        f"{_who(contact)} can help{_reach(contact)}."
    )


def not_found(contact: Contact) -> str:
    """The honest "I don't know", pointing to a person for partnership questions."""
    return (
        "I couldn't find that in the documents I have on Iowa's Business Sector Partnerships, so "
        "I won't guess. If your question is about the partnerships, "
        f"{_who(contact)} can help{_reach(contact)}."
    )


def private_details(contact: Contact) -> str:
    """Decline requests for someone's private contact details."""
    return (
        "I can't help with anyone's personal contact details. For Business Sector Partnerships, "
        f"the published contact is {_who(contact)}{_reach(contact)}."
    )


def personal_case(contact: Contact) -> str:
    """Decline questions about someone's own claim, account or taxes."""
    return (
        "I can't look up individual records such as claims, accounts or tax bills: I only know "
        "what Iowa Workforce Development's documents say about Business Sector Partnerships. "
        f"For partnership questions, {_who(contact)} can help{_reach(contact)}."
    )


def empty_knowledge_base(contact: Contact) -> str:
    """Said when no knowledge base has been built yet."""
    return (
        "My knowledge base is empty right now (an admin can run `sectorbot ingest`). "
        f"Meanwhile, {_who(contact)} can help{_reach(contact)}."
    )


def contact_line(contact: Contact, marker: str) -> str:
    """The routing sentence of an involvement answer."""
    who = f"{_who(contact)}{_reach(contact)}"
    return f"To get involved in a Business Sector Partnership, contact {who}.{marker}"


def no_email(contact: Contact) -> str:
    """Said when someone asks for an e-mail address that is not published."""
    phone = f"; the phone number {contact.phone} is the way to reach them" if contact.phone else ""
    return f"No e-mail address is published for {contact.name}{phone}."


def next_steps() -> str:
    """What happens next, in our own words."""
    return (
        "Mention your company, your region or county, your industry, and whether you want to join "
        "an existing partnership or start one."
    )
