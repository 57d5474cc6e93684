"""Open the hand-off modal at once, then fill in what Slack knows about the person.

Slack's ``trigger_id`` expires three seconds after the click, so the modal opens first with what
the click itself carries (the question, the message); the profile (``users.info``) and the
message's permalink are looked up afterwards and the modal updated in place.

Slack keeps what an input shows across ``views.update`` when its block id and action id are
unchanged, so a new ``initial_value`` alone would never appear. The inputs the update fills in
therefore get new block ids (their action ids stay, and the submission is read by action id);
the others keep theirs, and with them anything the person typed meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.handoff import Prefill, build_handoff_modal
from bot.handoff.form import LIMITS, guess_interest
from bot.handoff.metadata import ModalContext, seal, workspace_permalink
from bot.slack_text import safe_url
from knowledge import Contact

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Opening:
    """Why the form opens: whose profile fills it, and where the text came from."""

    trigger_id: str
    requester: str
    details: str = ""
    profile_user: str = ""  # whose name and e-mail to fill in (the requester, or a message author)
    message_channel: str = ""  # a message handed off: its channel and ts, for the permalink
    message_ts: str = ""
    # The workspace's address, from auth.test when the app was built: only links there are kept.
    workspace_url: str | None = None


def open_handoff_modal(client: WebClient, opening: Opening, contact: Contact, key: bytes) -> None:
    """Open the modal, then update it with the profile and permalink (each lookup may fail).

    ``key`` seals the modal's metadata (``bot.handoff.metadata.metadata_key``).
    """
    on_behalf_of = opening.profile_user if opening.profile_user != opening.requester else ""
    prefill = Prefill(
        details=opening.details[: LIMITS["details"]],
        interest=guess_interest(opening.details),
        note=_note(on_behalf_of, ""),
    )
    metadata = seal(ModalContext(opening.requester, on_behalf_of), key)
    response = client.views_open(
        trigger_id=opening.trigger_id,
        view=build_handoff_modal(prefill, metadata, contact.name),
    )
    view = response.get("view") or {}
    permalink = workspace_permalink(_permalink(client, opening), opening.workspace_url)
    profile = _profile(client, opening.profile_user or opening.requester)
    if not permalink and not profile:
        return
    filled = replace(
        prefill,
        name=profile.get("name", ""),
        email=profile.get("email", ""),
        phone=profile.get("phone", ""),
        note=_note(on_behalf_of, permalink),
    )
    metadata = seal(ModalContext(opening.requester, on_behalf_of, permalink), key)
    try:
        client.views_update(
            view_id=view.get("id"),
            # The hash makes Slack refuse the update if the modal changed meanwhile.
            hash=view.get("hash"),
            view=build_handoff_modal(
                filled, metadata, contact.name, renamed=_changed_inputs(prefill, filled)
            ),
        )
    except SlackApiError as error:
        logger.info("could not prefill the hand-off modal: %s", error.response.get("error"))


def open_or_explain(
    client: WebClient,
    opening: Opening,
    contact: Contact,
    key: bytes,
    explain: Callable[[], object],
) -> None:
    """Open the form; if Slack will not (an expired trigger, an outage), call ``explain``.

    ``explain`` shows the contact card instead, so the person still learns whom to call.
    """
    try:
        open_handoff_modal(client, opening, contact, key)
    except Exception:
        logger.exception("could not open the hand-off form")
        try:
            explain()
        except Exception:
            logger.exception("could not show the contact card either")


def _changed_inputs(before: Prefill, after: Prefill) -> frozenset[str]:
    """The inputs whose prefilled value the update changes (``note`` is no input)."""
    return frozenset(
        field.name
        for field in fields(Prefill)
        if field.name != "note" and getattr(before, field.name) != getattr(after, field.name)
    )


def _note(on_behalf_of: str, permalink: str) -> str:
    if not on_behalf_of:
        return ""
    note = f"Handing off a message from <@{on_behalf_of}>"
    url = safe_url(permalink)
    return note + (f" (<{url}|original message>)." if url else ".")


def _permalink(client: WebClient, opening: Opening) -> str:
    if not (opening.message_channel and opening.message_ts):
        return ""
    try:
        response = client.chat_getPermalink(
            channel=opening.message_channel, message_ts=opening.message_ts
        )
    except SlackApiError as error:
        logger.info("no permalink for the handed-off message: %s", error.response.get("error"))
        return ""
    return str(response.get("permalink") or "")


def _profile(client: WebClient, user_id: str) -> dict[str, str]:
    if not user_id:
        return {}
    try:
        response = client.users_info(user=user_id)
    except SlackApiError as error:
        # users:read.email may be missing; the form simply stays empty there.
        logger.info("could not read the Slack profile: %s", error.response.get("error"))
        return {}
    user: dict[str, Any] = response.get("user") or {}
    profile: dict[str, Any] = user.get("profile") or {}
    name = profile.get("real_name") or user.get("real_name") or profile.get("display_name") or ""
    return {
        "name": str(name),
        "email": str(profile.get("email") or ""),
        "phone": str(profile.get("phone") or ""),
    }
