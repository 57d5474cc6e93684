"""The hand-off's steps: submit (store + queue notifications), delivered, claim, resolve.

Each step is one database transaction that changes the request and queues the messages about
it, so what people are told never gets ahead of (or lost behind) what is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select

from bot.blocks.handoff import build_email, build_notification, requester_text
from bot.handoff import outbox, store
from bot.handoff.form import HandoffForm
from bot.handoff.outbox import Message
from bot.handoff.store import HandoffRequest, NewRequest
from knowledge import Contact, route_contact


@dataclass(frozen=True)
class Origin:
    """Where a hand-off came from: who sends it, about whose message, and its link."""

    requester: str
    on_behalf_of: str = ""
    source_permalink: str = ""


def contact_for(form: HandoffForm, contacts: Sequence[Contact]) -> Contact:
    """Who a filled-in form goes to.

    Routing reads what the person wrote (region, industry, details), so a regional contact added
    in the settings gets their region's requests.
    """
    return route_contact(contacts, " ".join((form.region, form.industry, form.details)))


def submit(
    engine: Engine,
    form: HandoffForm,
    origin: Origin,
    contact: Contact,
    handoff_channel_id: str | None,
    *,
    email_contact: bool = False,
) -> HandoffRequest:
    """Store the request and queue its notifications in one transaction; returns the request.

    ``email_contact``: also e-mail the contact (when SMTP is configured and they have an address).
    """
    now = dt.datetime.now(dt.UTC)
    new = NewRequest(
        requester=origin.requester,
        on_behalf_of=origin.on_behalf_of,
        name=form.name,
        organization=form.organization,
        email=form.email,
        phone=form.phone,
        region=form.region,
        industry=form.industry,
        interest=form.interest,
        details=form.details,
        source_permalink=origin.source_permalink,
        contact=contact.name,
        contact_slack_user_id=contact.slack_user_id,
    )
    with engine.begin() as connection:
        request_id = store.insert_request(connection, new, now)
        request = _load(connection, request_id)
        # Queued without text: ``render`` draws it from the request when it is sent.
        messages = []
        if contact.slack_user_id:
            messages.append(Message(outbox.CONTACT_DM, contact.slack_user_id))
        if handoff_channel_id:
            messages.append(Message(outbox.CHANNEL_POST, handoff_channel_id))
        if email_contact and contact.email:
            messages.append(Message(outbox.CONTACT_EMAIL, contact.email))
        messages += _to_requester(request, "received")
        outbox.enqueue(connection, request_id, messages, now)
    return request


def on_delivered(connection: Connection, row: outbox.OutboxRow, now: dt.datetime) -> None:
    """After a notification reaches the contact or the channel: mark it notified, tell them.

    A click may have claimed or resolved the request while this message was on its way (the
    channel post can land after the DM); then the message just delivered is brought up to date.
    """
    if row.kind not in outbox.NOTIFICATION_KINDS:
        return
    # Locking the request row orders this against a concurrent claim on PostgreSQL: one of the
    # two then sees the other's commit (SQLite already runs writers one at a time).
    request = _load(connection, row.request_id, lock=True)
    if store.mark_notified(connection, row.request_id, now):
        request = _load(connection, row.request_id)
        outbox.enqueue(connection, row.request_id, _to_requester(request, "notified"), now)
    elif request.status in ("claimed", "resolved") and row.sent_ts:
        target = row.sent_channel or row.target
        update = Message(outbox.NOTIFICATION_UPDATE, target, update_ts=row.sent_ts)
        outbox.enqueue(connection, row.request_id, [update], now)


def move(engine: Engine, reference: str, to_status: str, by: str) -> HandoffRequest:
    """Claim or resolve a request; queue updated notifications and the requester's DM.

    Raises:
        LookupError: when no request has this reference.
        store.TransitionRefused: when it is already at or past ``to_status``.

    """
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        request_id = connection.execute(
            select(store.handoff_requests.c.id).where(
                store.handoff_requests.c.reference == reference
            )
        ).scalar()
        if request_id is None:
            raise LookupError(reference)
        # The UPDATE locks the row; the notifications read after it include any delivered
        # meanwhile (on_delivered covers the ones still on their way).
        store.advance(connection, request_id, to_status, by, now)
        request = _load(connection, request_id)
        messages = [
            Message(outbox.NOTIFICATION_UPDATE, row.sent_channel or row.target, update_ts=ts)
            for row in outbox.sent_notifications(connection, request_id)
            if (ts := row.sent_ts)
        ]
        messages += _to_requester(request, to_status)
        outbox.enqueue(connection, request_id, messages, now)
    return request


def render(engine: Engine) -> outbox.Render:
    """The outbox's renderer: a notification drawn from its request as it is now.

    An update sent after a later click shows the latest status, which is what it is for.
    """

    def render_row(row: outbox.OutboxRow) -> tuple[str, list[dict[str, Any]] | None]:
        request = store.get_request(engine, row.request_id)
        if request is None:
            raise LookupError(f"hand-off request {row.request_id} is gone")
        if row.kind == outbox.CONTACT_EMAIL:
            return build_email(request), None
        return build_notification(request)

    return render_row


def _to_requester(request: HandoffRequest, step: str) -> list[Message]:
    """The requester's DM about ``step``; none for a request filed in the terminal."""
    if request.from_terminal:
        return []
    text = requester_text(request, step)
    block = {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}
    return [Message(outbox.REQUESTER_DM, request.requester, text, [block])]


def _load(connection: Connection, request_id: int, *, lock: bool = False) -> HandoffRequest:
    query = select(store.handoff_requests).where(store.handoff_requests.c.id == request_id)
    row = connection.execute(query.with_for_update() if lock else query).one()
    return store.request_from_row(row)
