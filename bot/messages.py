"""What the bot says in its own words (answers themselves come from ``knowledge``).

For Slack: plain text with Slack mrkdwn where noted; anything that came from a user is escaped by
the caller. The ``chat_*`` texts are for the terminal (``sectorbot chat``): plain, unescaped.
"""

from __future__ import annotations

import re

from bot.slack_text import escape
from knowledge import Contact

WORKING_REACTION = "hourglass_flowing_sand"
WORKING_STATUS = "is looking that up..."

SUGGESTED_PROMPTS = (
    ("Join a partnership", "How do I join a sector partnership?"),
    ("What they are", "What is an Iowa Business Sector Partnership?"),
    ("Partnerships and WIOA", "How do sector partnerships relate to local workforce boards?"),
    ("Talk to a person", "Who runs the sector partnerships at Iowa Workforce Development?"),
)
EXAMPLE_QUESTIONS = tuple(message for _, message in SUGGESTED_PROMPTS)


# Contacts come from our settings, but are escaped all the same: an "&" in a title is legal there.
def _who(contact: Contact) -> str:
    name = escape(contact.name)
    return f"{name} ({escape(contact.title)})" if contact.title else name


def _reach(contact: Contact) -> str:
    reach = escape(contact.reach_text())
    return f" at {reach}" if reach else ""


def apology(contact: Contact) -> str:
    """Said when something broke while answering: never silent, never a stack trace."""
    return (
        "Sorry, something went wrong while I was looking that up. Please try again in a minute, "
        f"or contact {_who(contact)}{_reach(contact)}."
    )


def greeting() -> str:
    """The first line of an assistant thread."""
    return (
        "Hi! Ask me about Iowa's Business Sector Partnerships: what they are, who runs them, and "
        "how to join or start one. I answer from Iowa Workforce Development documents, with "
        "sources."
    )


def contact_card(contact: Contact) -> str:
    """The contact as mrkdwn lines (name, title, phone, e-mail, Slack)."""
    lines = [f"*{_who(contact)}*"]
    if contact.phone:
        lines.append(f"Phone: {escape(contact.phone)}")
    if contact.email:
        lines.append(f"E-mail: {escape(contact.email)}")
    if re.fullmatch(r"[UW][A-Z0-9]{2,}", contact.slack_user_id):
        # Pinging the contact is intended here: it is the person the user asked for.
        lines.append(f"Slack: <@{contact.slack_user_id}>")
    return "\n".join(lines)


def talk_to_person(contact: Contact) -> str:
    """The contact card with a sentence (``/sectorbot contact``, or when the form cannot open)."""
    return (
        "The person who runs Iowa's Business Sector Partnerships can help you directly:\n"
        + contact_card(contact)
    )


def feedback_thanks() -> str:
    """After "Helpful"."""
    return "Thanks for the feedback!"


def feedback_sorry(contact: Contact) -> str:
    """After "Not helpful": thanks, and a person who can do better."""
    return (
        "Thanks for telling me. I've noted that this answer didn't help. A person can: "
        f"contact {_who(contact)}{_reach(contact)}."
    )


def command_help(contact: Contact) -> str:
    """The help text of ``/sectorbot`` (mrkdwn)."""
    examples = "\n".join(f"\u2022 {question}" for question in EXAMPLE_QUESTIONS)
    return (
        "*Sector Partnerships bot*: answers about Iowa's Business Sector Partnerships from Iowa "
        "Workforce Development documents, with sources.\n"
        "\u2022 `/sectorbot ask QUESTION`: answer a question (only you see it)\n"
        "\u2022 `/sectorbot contact`: who runs the partnerships and how to reach them\n"
        "\u2022 `/sectorbot handoff`: send your details to that person, who follows up\n"
        "\u2022 `/sectorbot help`: this message\n"
        "You can also mention me in a channel or send me a direct message.\n\n"
        f"*Try asking*\n{examples}\n\n"
        f"*Talk to a person*: {_who(contact)}{_reach(contact)}."
    )


def ask_usage() -> str:
    """When ``/sectorbot ask`` has no question."""
    return "Add your question after `ask`, e.g. `/sectorbot ask How do I join a partnership?`"


def unknown_subcommand(escaped_word: str) -> str:
    """When the first word is not a subcommand; ``escaped_word`` must already be escaped."""
    return f"I don't know `{escaped_word}`. Try `/sectorbot help`."


def handoff_not_saved(contact: Contact) -> str:
    """Shown inline in the form when the request could not be stored (nothing was sent)."""
    return (
        "Sorry, your request could not be saved just now. Please try again in a minute, or "
        f"contact {contact.name}{' at ' + contact.reach_text() if contact.reach_text() else ''}."
    )


def handoff_unknown() -> str:
    """A status button for a request this database does not hold."""
    return "I can't find that hand-off request any more; it may belong to another installation."


def handoff_already(reference: str, status: str) -> str:
    """A Claim or Resolved click on a request that has moved on already."""
    return f"Hand-off *{reference}* is already {status}; nothing changed."


def handoffs_refused() -> str:
    """``/sectorbot handoffs`` from someone who is not hand-off staff."""
    return (
        "Only admins, the partnership contacts and hand-off staff can list hand-off requests. "
        "To reach a person yourself, use `/sectorbot handoff`."
    )


def handoff_move_refused(escaped_reference: str) -> str:
    """A Claim or Resolved click from someone who may not move hand-offs (nothing changed)."""
    return (
        f"Only the partnership contacts, admins and hand-off staff can claim or resolve "
        f"*{escaped_reference}*; nothing changed."
    )


def handoffs_listing(lines: list[str]) -> str:
    """``/sectorbot handoffs``: the open requests, one mrkdwn line each (already escaped)."""
    if not lines:
        return "No open hand-off requests."
    return "*Open hand-off requests*\n" + "\n".join(lines)


def question_too_long(length: int, limit: int) -> str:
    """Said instead of answering a message longer than ``limit`` characters (nothing echoed)."""
    return (
        f"That message is {length:,} characters long, and I read questions of up to {limit:,}. "
        "Please ask again with just the question: a sentence or two works best."
    )


def files_not_read() -> str:
    """Said to a message that holds only a file (a picture, a PDF): the bot reads text."""
    return (
        "I can only read text, so I can't open files. Please type your question about Iowa's "
        "Business Sector Partnerships, and I'll answer with sources."
    )


# --- The terminal (``sectorbot chat``) ---------------------------------------------------------


def _plain_who(contact: Contact) -> str:
    return f"{contact.name} ({contact.title})" if contact.title else contact.name


def _plain_reach(contact: Contact) -> str:
    reach = contact.reach_text()
    return f" at {reach}" if reach else ""


def chat_welcome(contact: Contact) -> str:
    """Shown when ``sectorbot chat`` starts."""
    return (
        "Ask me about Iowa's Business Sector Partnerships; follow-up questions keep the context.\n"
        f"Type /handoff to leave your details for {contact.name}, /help for help, /quit to leave."
    )


def chat_help(contact: Contact) -> str:
    """``/help`` in the terminal."""
    return (
        'Type a question and press Enter; a short follow-up ("who runs them now?") is read '
        "with the question before it, as in a Slack thread.\n"
        f"/handoff  leave your details for {_plain_who(contact)}, who follows up\n"
        "/quit     leave (so does Ctrl+D)"
    )


def chat_handoff_hint(contact: Contact) -> str:
    """After an answer that routes to the contact: the terminal's "Talk to a person" button."""
    return f"Type /handoff to leave your details, and {contact.name} will get back to you."


def chat_unknown_command(word: str) -> str:
    """A line starting with "/" that is no command."""
    return f"There is no command {word}; /help lists them."


def chat_apology(contact: Contact) -> str:
    """Said when answering failed: never silent, never a stack trace."""
    return (
        "Sorry, something went wrong while I was looking that up. Please try again in a minute, "
        f"or contact {_plain_who(contact)}{_plain_reach(contact)}."
    )


def chat_handoff_intro(contact: Contact) -> str:
    """Before the hand-off form's questions."""
    return (
        f"I'll pass your details to {_plain_who(contact)}, who follows up. Press Enter to skip a "
        "question or keep the [suggestion]; give an e-mail address or a phone number; "
        "/cancel stops."
    )


def chat_handoff_filed(reference: str, contact: Contact, *, queued: bool) -> str:
    """The request is stored; ``queued``: notifications wait in the outbox for the Slack app."""
    told = (
        f"The Slack app (sectorbot serve, on this database) delivers the message to "
        f"{contact.name} from the outbox as soon as it runs."
        if queued
        else f"No Slack user, hand-off channel or e-mail is set up for {contact.name}, so no "
        "message goes out; staff see the request with `sectorbot handoffs`."
    )
    return f"Thanks! Your request {reference} is saved for {contact.name}. {told}"


def chat_handoff_cancelled() -> str:
    """The form was left before it was sent."""
    return "Nothing was sent."


def chat_handoff_not_saved(contact: Contact) -> str:
    """Storing the request failed."""
    return (
        "Sorry, I couldn't save your request. Please try again in a minute, or contact "
        f"{_plain_who(contact)}{_plain_reach(contact)} directly."
    )
