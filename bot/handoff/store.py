"""Hand-off requests: stored before anyone is told, numbered for people, moved only forward.

A request's status goes ``new -> notified -> claimed -> resolved``. A step may be skipped forward
(a contact can claim a request from the channel post before the DM to them was delivered) but
never backward: each move is one ``UPDATE ... WHERE status IN (earlier statuses)``, so two
people clicking at once, on any number of instances, cannot both win.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)

from bot.handoff.statuses import STATUSES
from knowledge import as_utc, metadata

# The requester of a hand-off filed in ``sectorbot chat``: the prefix, then the computer's user
# name. Such a requester has no Slack DM to receive updates in; ``sectorbot handoffs`` shows them.
TERMINAL_PREFIX = "terminal:"
REFERENCE_PREFIX = "SP"

handoff_requests = Table(
    "handoff_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("status", String(16), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("requester", String(32), nullable=False),
    Column("on_behalf_of", String(32), nullable=False, default=""),
    Column("name", String(200), nullable=False),
    Column("organization", String(200), nullable=False),
    Column("email", String(254), nullable=False),
    Column("phone", String(40), nullable=False),
    Column("region", String(200), nullable=False),
    Column("industry", String(200), nullable=False),
    Column("interest", String(16), nullable=False),
    Column("details", Text, nullable=False),
    Column("source_permalink", Text, nullable=False),
    Column("contact", String(200), nullable=False),
    Column("contact_slack_user_id", String(32), nullable=False, default=""),
    Column("notified_at", DateTime(timezone=True)),
    Column("claimed_by", String(32)),
    Column("claimed_at", DateTime(timezone=True)),
    Column("resolved_by", String(32)),
    Column("resolved_at", DateTime(timezone=True)),
)


class TransitionRefused(Exception):
    """The request is not in a status this move may start from (it was moved already)."""


@dataclass(frozen=True)
class NewRequest:
    """What the hand-off form collected, and who and what it is about."""

    requester: str
    name: str
    organization: str
    email: str
    phone: str
    region: str
    industry: str
    interest: str
    details: str
    source_permalink: str
    contact: str
    contact_slack_user_id: str = ""
    on_behalf_of: str = ""


@dataclass(frozen=True)
class HandoffRequest:
    """One stored hand-off request."""

    id: int
    reference: str
    status: str
    created_at: dt.datetime
    requester: str
    on_behalf_of: str
    name: str
    organization: str
    email: str
    phone: str
    region: str
    industry: str
    interest: str
    details: str
    source_permalink: str
    contact: str
    contact_slack_user_id: str
    notified_at: dt.datetime | None
    claimed_by: str | None
    claimed_at: dt.datetime | None
    resolved_by: str | None
    resolved_at: dt.datetime | None

    def as_json(self) -> dict[str, Any]:
        """The object ``sectorbot handoffs --json`` prints (DESIGN.md's fields, exactly)."""
        return {
            "id": self.id,
            "reference": self.reference,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "requester": self.requester,
            "name": self.name,
            "organization": self.organization,
            "email": self.email,
            "phone": self.phone,
            "region": self.region,
            "industry": self.industry,
            "interest": self.interest,
            "details": self.details,
            "source_permalink": self.source_permalink,
            "contact": self.contact,
        }

    @property
    def from_terminal(self) -> bool:
        """True for a request filed in ``sectorbot chat`` rather than by a Slack member."""
        return self.requester.startswith(TERMINAL_PREFIX)


def terminal_requester(user: str) -> str:
    """The requester recorded for ``user`` filing a hand-off in the terminal (32 characters)."""
    return (TERMINAL_PREFIX + user)[:32]


def format_request_line(request: HandoffRequest) -> str:
    """One line for people: reference, status, when, who, how to reach them."""
    reach = ", ".join(part for part in (request.email, request.phone) if part)
    organization = f" ({request.organization})" if request.organization else ""
    return (
        f"{request.reference}  {request.status:<8}  {request.created_at:%Y-%m-%d %H:%M}  "
        f"{request.name}{organization}  {reach}  {request.interest}  -> {request.contact}"
    )


def reference_for(request_id: int, created_at: dt.datetime) -> str:
    """``SP-2026-0042``: the year it came in and its number, easy to read out on the phone."""
    return f"{REFERENCE_PREFIX}-{created_at.year}-{request_id:04d}"


def insert_request(connection: Connection, new: NewRequest, now: dt.datetime | None = None) -> int:
    """Insert a request inside the caller's transaction; returns its id.

    The caller commits it together with the outbox rows that announce it, so either both exist
    or neither does.
    """
    created = now or dt.datetime.now(dt.UTC)
    values = {field.name: getattr(new, field.name) for field in fields(new)}
    result = connection.execute(
        insert(handoff_requests).values(
            # A unique placeholder until the id, which the number is made from, is known.
            reference="pending-" + uuid.uuid4().hex[:20],
            status="new",
            created_at=created,
            **values,
        )
    )
    key = result.inserted_primary_key
    assert key is not None  # an INSERT of one row always has one
    request_id = int(key[0])
    connection.execute(
        update(handoff_requests)
        .where(handoff_requests.c.id == request_id)
        .values(reference=reference_for(request_id, created))
    )
    return request_id


def create_request(engine: Engine, new: NewRequest) -> HandoffRequest:
    """Store a request on its own (committed when this returns)."""
    with engine.begin() as connection:
        request_id = insert_request(connection, new)
    found = get_request(engine, request_id)
    assert found is not None
    return found


def get_request(engine: Engine, request_id: int) -> HandoffRequest | None:
    """The request with this id, or None."""
    with engine.connect() as connection:
        row = connection.execute(
            select(handoff_requests).where(handoff_requests.c.id == request_id)
        ).first()
    return request_from_row(row) if row else None


def find_by_reference(engine: Engine, reference: str) -> HandoffRequest | None:
    """The request with this reference number, or None."""
    with engine.connect() as connection:
        row = connection.execute(
            select(handoff_requests).where(handoff_requests.c.reference == reference)
        ).first()
    return request_from_row(row) if row else None


def list_requests(engine: Engine, statuses: tuple[str, ...] | None = None) -> list[HandoffRequest]:
    """Requests (all, or those in ``statuses``), oldest first."""
    query = select(handoff_requests).order_by(handoff_requests.c.id)
    if statuses is not None:
        query = query.where(handoff_requests.c.status.in_(statuses))
    with engine.connect() as connection:
        return [request_from_row(row) for row in connection.execute(query)]


def mark_notified(connection: Connection, request_id: int, now: dt.datetime) -> bool:
    """``new -> notified`` inside the caller's transaction; False when it had moved on already."""
    result = connection.execute(
        update(handoff_requests)
        .where(handoff_requests.c.id == request_id, handoff_requests.c.status == "new")
        .values(status="notified", notified_at=now)
    )
    return bool(result.rowcount)


def advance(
    connection: Connection, request_id: int, to_status: str, by: str, now: dt.datetime
) -> None:
    """Move a request to ``claimed`` or ``resolved`` (by ``by``, at ``now``).

    Raises:
        TransitionRefused: when the request is already at or past ``to_status``.
        ValueError: for a status that is not claimed or resolved.

    """
    if to_status not in ("claimed", "resolved"):
        raise ValueError(f"cannot move a request to {to_status!r} by hand")
    earlier = STATUSES[: STATUSES.index(to_status)]
    who = {"claimed_by": by, "claimed_at": now} if to_status == "claimed" else {}
    if to_status == "resolved":
        who = {"resolved_by": by, "resolved_at": now}
    result = connection.execute(
        update(handoff_requests)
        .where(handoff_requests.c.id == request_id, handoff_requests.c.status.in_(earlier))
        .values(status=to_status, **who)
    )
    if not result.rowcount:
        raise TransitionRefused(f"request {request_id} is already {to_status} or further")


def request_from_row(row: Any) -> HandoffRequest:
    """A ``HandoffRequest`` from a ``handoff_requests`` row."""
    data = dict(row._mapping)
    for key in ("created_at", "notified_at", "claimed_at", "resolved_at"):
        data[key] = as_utc(data[key]) if data[key] is not None else None
    return HandoffRequest(**data)
