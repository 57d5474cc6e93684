"""The hand-off form: its questions, and its values read from a submission and checked.

The Slack modal (``bot.blocks.handoff``) and the terminal (``bot.chat``) ask the same questions
and check the answers with the same rules. Slack enforces ``max_length`` in its own client, but a
payload can come from anywhere that holds the signing secret's requests, so every limit is
checked here again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot import ids

# The questions, in the order the form asks them: the modal's labels, the terminal's prompts.
LABELS = {
    ids.HANDOFF_NAME: "Name",
    ids.HANDOFF_ORGANIZATION: "Organization",
    ids.HANDOFF_EMAIL: "E-mail",
    ids.HANDOFF_PHONE: "Phone",
    ids.HANDOFF_REGION: "County or region",
    ids.HANDOFF_INDUSTRY: "Industry",
    ids.HANDOFF_INTEREST: "What would you like to do?",
    ids.HANDOFF_DETAILS: "Details",
}
INTEREST_LABELS = {
    "join": "Join a partnership",
    "start": "Start a partnership",
    "training": "A training need",
    "other": "Something else",
}
LIMITS = {
    ids.HANDOFF_NAME: 100,
    ids.HANDOFF_ORGANIZATION: 150,
    ids.HANDOFF_EMAIL: 254,
    ids.HANDOFF_PHONE: 40,
    ids.HANDOFF_REGION: 100,
    ids.HANDOFF_INDUSTRY: 100,
    ids.HANDOFF_DETAILS: 2900,
}
# One "@", something before it, a dot-separated domain after; the mail server has the last word.
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>.]+(\.[^@\s<>.]+)+")
_PHONE_CHARACTERS = re.compile(r"[0-9+()\-.\s]+(\s*(x|ext\.?)\s*\d{1,6})?", re.IGNORECASE)
_EXTENSION = re.compile(r"\s*(x|ext\.?)\s*\d{1,6}$", re.IGNORECASE)


@dataclass(frozen=True)
class HandoffForm:
    """The submitted values, trimmed."""

    name: str
    organization: str
    email: str
    phone: str
    region: str
    industry: str
    interest: str
    details: str


def read_form(view: dict[str, Any]) -> HandoffForm:
    """The values of a submitted ``handoff_modal`` by action id (missing inputs read as empty).

    Block ids are not looked at: they change when the prefill updates the modal.
    """
    values = _by_action_id(view)

    def text(name: str) -> str:
        return str(values.get(name, {}).get("value") or "").strip()

    option = values.get(ids.HANDOFF_INTEREST, {}).get("selected_option") or {}
    return HandoffForm(
        name=text(ids.HANDOFF_NAME),
        organization=text(ids.HANDOFF_ORGANIZATION),
        email=text(ids.HANDOFF_EMAIL),
        phone=text(ids.HANDOFF_PHONE),
        region=text(ids.HANDOFF_REGION),
        industry=text(ids.HANDOFF_INDUSTRY),
        interest=str(option.get("value") or ""),
        details=text(ids.HANDOFF_DETAILS),
    )


def error_blocks(errors: dict[str, str], view: dict[str, Any]) -> dict[str, str]:
    """``errors`` keyed by the block ids of the submitted ``view`` (Slack shows them there)."""
    block_ids: dict[str, str] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") if isinstance(block, dict) else None
        if isinstance(element, dict) and block.get("type") == "input":
            block_ids.setdefault(str(element.get("action_id")), str(block.get("block_id")))
    for block_id, actions in _state_values(view).items():
        for action_id in actions:
            block_ids.setdefault(action_id, block_id)
    return {block_ids.get(name, name): text for name, text in errors.items()}


def _state_values(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    values = (view.get("state") or {}).get("values") or {}
    return {
        str(block_id): actions for block_id, actions in values.items() if isinstance(actions, dict)
    }


def _by_action_id(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for actions in _state_values(view).values():
        for action_id, state in actions.items():
            if isinstance(state, dict):
                found.setdefault(str(action_id), state)
    return found


def validate(form: HandoffForm) -> dict[str, str]:
    """Errors keyed by the input's action id (its name); empty when the form can be stored."""
    errors: dict[str, str] = {}
    for name, limit in LIMITS.items():
        if len(getattr(form, name)) > limit:
            errors[name] = f"Please keep this under {limit} characters."
    if not form.name and ids.HANDOFF_NAME not in errors:
        errors[ids.HANDOFF_NAME] = "Please give a name, so the contact knows whom to ask for."
    if form.interest not in ids.HANDOFF_INTEREST_VALUES:
        errors[ids.HANDOFF_INTEREST] = "Please choose one."
    if form.email and ids.HANDOFF_EMAIL not in errors and not _EMAIL.fullmatch(form.email):
        errors[ids.HANDOFF_EMAIL] = "That doesn't look like an e-mail address (name@example.com)."
    if form.phone and ids.HANDOFF_PHONE not in errors and not valid_phone(form.phone):
        errors[ids.HANDOFF_PHONE] = "That doesn't look like a phone number (e.g. 515-555-0100)."
    if not form.email and not form.phone:
        message = "Please give an e-mail address or a phone number, so the contact can reach you."
        errors.setdefault(ids.HANDOFF_EMAIL, message)
        errors.setdefault(ids.HANDOFF_PHONE, message)
    return errors


_INTEREST_CUES = (
    ("start", re.compile(r"\b(start|starting|create|launch|new partnership)\b")),
    ("training", re.compile(r"\b(train\w*|apprentice\w*|upskill\w*|skills?)\b")),
    ("join", re.compile(r"\b(join|joining|member|participate|take part|get involved)\b")),
)


def guess_interest(text: str) -> str:
    """The form's "what would you like to do?" as the question suggests it ("" when unclear)."""
    lowered = text.lower()
    for value, cue in _INTEREST_CUES:
        if cue.search(lowered):
            return value
    return ""


def valid_phone(phone: str) -> bool:
    """A US number (10 digits, optionally a leading 1) or an international one (+ and 8-15)."""
    if not _PHONE_CHARACTERS.fullmatch(phone):
        return False
    digits = re.sub(r"\D", "", _EXTENSION.sub("", phone))
    if phone.lstrip().startswith("+"):
        return 8 <= len(digits) <= 15
    return len(digits) == 10 or (len(digits) == 11 and digits.startswith("1"))
