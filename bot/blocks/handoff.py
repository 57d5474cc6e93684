"""The hand-off modal, the notification to the contact, and what the requester is told."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import ids
from bot.blocks.elements import Block, button, section
from bot.handoff.form import INTEREST_LABELS, LABELS, LIMITS
from bot.handoff.store import TERMINAL_PREFIX, HandoffRequest
from bot.slack_text import escape, safe_url

# Appended to the block id of an input the prefill update fills in.
PREFILLED_SUFFIX = "-prefilled"
_STATUS_LINES = {
    "new": "New",
    "notified": "Waiting for someone to claim it",
    "claimed": "Claimed",
    "resolved": "Resolved",
}


@dataclass(frozen=True)
class Prefill:
    """What is already known when the form opens; every field may be empty."""

    name: str = ""
    organization: str = ""
    email: str = ""
    phone: str = ""
    region: str = ""
    industry: str = ""
    interest: str = ""
    details: str = ""
    note: str = ""  # mrkdwn shown above the inputs, e.g. whose message is handed off


def build_handoff_modal(
    prefill: Prefill,
    private_metadata: str,
    contact_name: str,
    *,
    renamed: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The ``handoff_modal`` view; ``private_metadata`` comes back with the submission.

    Each input's action id is its name (``bot.ids``); so is its block id, except for the inputs
    in ``renamed``, whose block ids change so that Slack shows their new ``initial_value``
    (``bot.handoff.modal`` explains why).
    """
    intro = (
        f"Tell us how to reach you and what you need; *{escape(contact_name)}*, who runs Iowa's "
        "Business Sector Partnerships, gets it and follows up."
    )
    blocks: list[Block] = [section(intro)]
    if prefill.note:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": prefill.note}]})
    inputs = [
        _text_input(ids.HANDOFF_NAME, prefill.name),
        _text_input(ids.HANDOFF_ORGANIZATION, prefill.organization, optional=True),
        _text_input(ids.HANDOFF_EMAIL, prefill.email, optional=True, hint="E-mail or phone."),
        _text_input(ids.HANDOFF_PHONE, prefill.phone, optional=True),
        _text_input(ids.HANDOFF_REGION, prefill.region, optional=True),
        _text_input(ids.HANDOFF_INDUSTRY, prefill.industry, optional=True),
        _interest_input(prefill.interest),
        _text_input(ids.HANDOFF_DETAILS, prefill.details, optional=True, multiline=True),
    ]
    for block in inputs:
        if block["block_id"] in renamed:
            block["block_id"] += PREFILLED_SUFFIX
    blocks += inputs
    return {
        "type": "modal",
        "callback_id": ids.HANDOFF_MODAL,
        "title": {"type": "plain_text", "text": "Talk to a person"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def build_received_view(request: HandoffRequest) -> dict[str, Any]:
    """What the modal turns into once the request is stored: the reference number."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Request received"},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": [section(requester_text(request, "received"))],
    }


def build_notification(request: HandoffRequest) -> tuple[str, list[Block]]:
    """The message to the contact and the hand-off channel, with buttons for what comes next."""
    who = escape(request.name) + (
        f", {escape(request.organization)}" if request.organization else ""
    )
    lines = [
        f"*Hand-off {request.reference}*: {who} "
        f"({INTEREST_LABELS.get(request.interest, 'Something else').lower()})",
    ]
    if request.email:
        lines.append(f"E-mail: {escape(request.email)}")
    if request.phone:
        lines.append(f"Phone: {escape(request.phone)}")
    if request.region:
        lines.append(f"County or region: {escape(request.region)}")
    if request.industry:
        lines.append(f"Industry: {escape(request.industry)}")
    if request.from_terminal:
        who = escape(request.requester.removeprefix(TERMINAL_PREFIX))
        lines.append(f"Sent from the terminal (sectorbot chat) by {who}")
    else:
        lines.append(f"Sent by <@{request.requester}>")
    url = safe_url(request.source_permalink)
    if url:
        lines.append(f"<{url}|Original message>")
    blocks: list[Block] = [section("\n".join(lines))]
    if request.details:
        blocks.append(section("*Details*\n" + escape(request.details[: LIMITS["details"]])))
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _status_line(request)}]}
    )
    buttons = []
    if request.status in ("new", "notified"):
        buttons.append(button(ids.HANDOFF_CLAIM, "Claim", request.reference, "primary"))
    if request.status != "resolved":
        buttons.append(button(ids.HANDOFF_RESOLVE, "Resolved", request.reference))
    if buttons:
        blocks.append({"type": "actions", "block_id": "handoff_actions", "elements": buttons})
    text = f"Hand-off {request.reference}: {escape(request.name)} ({_STATUS_LINES[request.status]})"
    return text, blocks


def build_email(request: HandoffRequest) -> str:
    """The contact's e-mail as ``subject``, a blank line, then the plain-text body."""
    interest = INTEREST_LABELS.get(request.interest, "Something else").lower()
    fields = [
        ("Name", request.name),
        ("Organization", request.organization),
        ("E-mail", request.email),
        ("Phone", request.phone),
        ("County or region", request.region),
        ("Industry", request.industry),
        ("Wants", interest),
        ("Original message", request.source_permalink),
    ]
    lines = [f"{label}: {value}" for label, value in fields if value]
    if request.details:
        lines += ["", "Details:", request.details]
    lines += ["", f"Reference {request.reference}. Claim it in Slack, or reply to the person."]
    subject = f"Hand-off {request.reference}: {request.name} ({interest})"
    return subject + "\n\n" + "\n".join(lines)


def requester_text(request: HandoffRequest, step: str) -> str:
    """The requester's update for ``step``: received, notified, claimed or resolved."""
    contact = escape(request.contact)
    reference = f"*{request.reference}*"
    if step == "received":
        return (
            f"Thanks! Your request {reference} is saved and on its way to {contact}. "
            "Keep this reference number; I'll message you as it moves along."
        )
    if step == "notified":
        return f"Your request {reference} has reached {contact}."
    if step == "claimed":
        return (
            f"<@{request.claimed_by}> has taken on your request {reference} and will be in touch."
        )
    return f"Your request {reference} is marked resolved by <@{request.resolved_by}>."


def _status_line(request: HandoffRequest) -> str:
    if request.status == "claimed" and request.claimed_at:
        return f"Claimed by <@{request.claimed_by}> on {request.claimed_at:%Y-%m-%d %H:%M} UTC"
    if request.status == "resolved" and request.resolved_at:
        return f"Resolved by <@{request.resolved_by}> on {request.resolved_at:%Y-%m-%d %H:%M} UTC"
    return (
        f"{_STATUS_LINES[request.status]} \u00b7 received {request.created_at:%Y-%m-%d %H:%M} UTC"
    )


def _text_input(
    name: str,
    initial: str,
    *,
    optional: bool = False,
    multiline: bool = False,
    hint: str | None = None,
) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": name,
        "max_length": LIMITS[name],
        "multiline": multiline,
    }
    if initial:
        element["initial_value"] = initial[: LIMITS[name]]
    block: Block = {
        "type": "input",
        "block_id": name,
        "label": {"type": "plain_text", "text": LABELS[name]},
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _interest_input(initial: str) -> Block:
    options = [_option(value) for value in ids.HANDOFF_INTEREST_VALUES]
    element: Block = {
        "type": "static_select",
        "action_id": ids.HANDOFF_INTEREST,
        "placeholder": {"type": "plain_text", "text": "Choose one"},
        "options": options,
    }
    if initial in ids.HANDOFF_INTEREST_VALUES:
        element["initial_option"] = _option(initial)
    return {
        "type": "input",
        "block_id": ids.HANDOFF_INTEREST,
        "label": {"type": "plain_text", "text": LABELS[ids.HANDOFF_INTEREST]},
        "element": element,
    }


def _option(value: str) -> Block:
    return {"text": {"type": "plain_text", "text": INTEREST_LABELS[value]}, "value": value}
