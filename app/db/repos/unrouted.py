"""Inbound messages stored but not routed yet (a crash, or a routing that failed): read in
batches, oldest first, so recovery can walk any number of them without holding them all.

A batch is three indexed queries (messages, then their conversations and contacts by id),
whatever its size; `after` is the last row of the previous batch (keyset paging on
`(created_at, id)`), so rows that stay unrouted — their routing failed again — are not read
twice in one pass.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from piccolo.columns.combination import Combinable, WhereRaw

from app.db.repos import mapping
from app.db.tables import Contact, Conversation, Message
from app.domain import Direction
from app.domain import conversations as c

Cursor = tuple[datetime, str]  # (created_at, id) of the last row read


@dataclass(frozen=True, slots=True)
class Unrouted:
    message: c.Message
    conversation: c.Conversation
    contact: c.Contact
    workspace_id: str
    session_id: str
    media_ref: str | None = None  # what the channel needs to fetch the media again


@dataclass(frozen=True, slots=True)
class Batch:
    items: list[Unrouted]
    cursor: Cursor | None  # where the next batch starts; None: nothing was left to read


# The direction is a literal, not a parameter: on Postgres the unrouted rows have a partial
# index (`WHERE routed_at IS NULL AND direction = 'INBOUND'`, m0035) that a generic plan can
# use only when the query states its predicate in constants.
_INBOUND = WhereRaw(f"direction = '{Direction.INBOUND.value}'")


def _pending(sessions: Collection[str] | None = None) -> Combinable:
    """`sessions`: only these sessions' messages (the ones running on this node)."""
    where = Message.routed_at.is_null() & _INBOUND & Message.session_id.is_not_null()
    if sessions is not None:
        where = where & Message.session_id.is_in(list(sessions))
    return where


async def count(sessions: Collection[str] | None = None) -> int:
    """How many inbound messages wait for routing (indexed on `routed_at`)."""
    if sessions is not None and not sessions:
        return 0
    return await Message.count().where(_pending(sessions))


async def is_unrouted(message_id: str) -> bool:
    return await Message.exists().where((Message.id == message_id) & Message.routed_at.is_null())


async def batch(after: Cursor | None, limit: int, sessions: Collection[str] | None = None) -> Batch:
    """Up to `limit` unrouted inbound messages after `after`, oldest first."""
    if sessions is not None and not sessions:
        return Batch([], None)
    where = _pending(sessions)
    if after is not None:
        at, last_id = after
        where = where & (
            (Message.created_at > at) | ((Message.created_at == at) & (Message.id > last_id))
        )
    rows = await Message.select().where(where).order_by(Message.created_at, Message.id).limit(limit)
    if not rows:
        return Batch([], None)
    conv_ids = list({r["conversation_id"] for r in rows})
    convs = {r["id"]: r for r in await Conversation.select().where(Conversation.id.is_in(conv_ids))}
    contact_ids = list({r["contact_id"] for r in convs.values()})
    contacts = {r["id"]: r for r in await Contact.select().where(Contact.id.is_in(contact_ids))}
    out = []
    for row in rows:
        conv = convs.get(row["conversation_id"])
        contact = contacts.get(conv["contact_id"]) if conv else None
        if conv is None or contact is None:
            continue  # deleted meanwhile (GDPR delete of the contact)
        out.append(
            Unrouted(
                mapping.message(row),
                mapping.conversation(conv),
                mapping.contact(contact),
                row["workspace_id"],
                row["session_id"],
                row.get("media_ref"),
            )
        )
    return Batch(out, (rows[-1]["created_at"], rows[-1]["id"]))
