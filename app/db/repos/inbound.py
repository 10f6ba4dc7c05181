"""Persist an inbound message first: contact (create/update, LID ↔ phone merge), the open
conversation, and the message row — atomically, so a redelivered message (same
`(workspace, session, waMessageId)`) rolls back whole and is a no-op.

Most messages come from a known contact into their open conversation. On Postgres, with
nothing else to commit beside them (no webhook listening), such a message is stored by one
statement that reads the contact too, and returns what routing reads first — one round trip
where a transaction takes five (BEGIN, contact read, update and conversation read, insert,
COMMIT) and the route read a sixth; everything else takes the transaction, starting from the
contact rows that statement read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import PurePath
from typing import Any

from app.db import fast
from app.db.engine import durable_commit, durable_select, make_durable
from app.db.errors import is_unique_violation
from app.db.repos import csat, mapping
from app.db.repos.messages import RouteRead, route_columns, route_joins, route_of
from app.db.repos.resolver import (
    find_statement,
    known_contact,
    phone_of,
    resolve_contact,
    sender_of,
    touch_statement,
)
from app.db.tables import Contact, Conversation, Message
from app.domain import (
    ConversationStatus,
    Direction,
    MessageStatus,
    NormalizedMessage,
    SenderType,
    new_id,
)
from app.domain import conversations as c
from app.domain.csat import rating_of

__all__ = [
    "Persisted",
    "durable",
    "insert_message",
    "message_row",
    "open_conversation",
    "persist_inbound",
    "phone_of",
]

# the per-message statements in plain SQL: piccolo's builder cost more than SQLite's work
_COUNT_MESSAGE = (
    "UPDATE conversations SET unread_count = unread_count + {}, last_message_at = {}, "
    "updated_at = {} WHERE id = {}"
)
_OPEN_CONVERSATION = (
    "SELECT * FROM conversations WHERE contact_id = {} AND status != 'RESOLVED' "
    "ORDER BY created_at DESC LIMIT 1"
)

_CONVERSATION = "SELECT * FROM conversations WHERE id = {}"
_CONVERSATION_COLUMNS = frozenset(col._meta.db_column_name for col in Conversation._meta.columns)

# `_persist_alone`'s statement: the sender's contact rows (`k`), the one it is (`one`), its
# open conversation (`c`), then the writes, each only when there is one — none at all
# otherwise, and the caller takes the transaction instead
_OPEN_OF_ONE = _OPEN_CONVERSATION.replace("{}", "(SELECT id FROM one)")
_IF_OPEN = "EXISTS (SELECT 1 FROM c)"
_COUNT_IN_OPEN = (
    "UPDATE conversations SET unread_count = unread_count + {}, last_message_at = {}, "
    "updated_at = {} WHERE id = (SELECT id FROM c)"
)


@dataclass(frozen=True, slots=True)
class Persisted:
    message: c.Message
    conversation: c.Conversation
    contact: c.Contact
    new_contact: bool
    needs_routing: bool = True
    new_conversation: bool = False
    # the message answered the contact's CSAT ask (issue 17): the rating it stored, in the
    # resolved conversation it rates; it is not routed (no bot, no reopening)
    csat_rating: int | None = None
    # what routing reads first (`messages.route_read`), read by the store's own statement
    # (Postgres, `_persist_alone`): as fresh as a read would be when the message is routed
    # at once, its chat's lane idle (`Pipeline.handle`); None when not read with it
    route: RouteRead | None = None


def message_row(**values: Any) -> dict[str, Any]:
    """A complete messages row with the table's defaults (so no re-select is needed)."""
    row: dict[str, Any] = {
        "id": new_id(),
        "session_id": None,
        "wa_message_id": None,
        "sender_user_id": None,
        "content": "",
        "media_type": None,
        "media_url": None,
        "media_caption": None,
        "media_filename": None,
        "media_mime": None,
        "media_ref": None,
        "media_transcript": None,
        "reply_to_id": None,
        "sentiment": None,
        "confidence": None,
        "kb_chunks_used": [],
        "flow_id": None,
        "is_approved": None,
        "is_read": False,
        "delivered_at": None,
        "read_at": None,
        "routed_at": None,
        "status": MessageStatus.RECEIVED,
        "ai_provider": None,
        "ai_model": None,
        "tokens_in": None,
        "tokens_out": None,
        "latency_ms": None,
        "cost_usd": None,
        "language": None,
        "failure_reason": None,
        "escalation_reason": None,
        "send_kind": None,
    }
    row.update(values)
    return row


async def insert_message(row: dict[str, Any]) -> c.Message:
    await fast.insert(Message, row)
    return mapping.message(row)


async def persist_inbound(
    workspace_id: str,
    session_id: str,
    msg: NormalizedMessage,
    now: datetime,
    inside: Callable[[Persisted], Awaitable[None]] | None = None,
    *,
    alone: bool = False,
) -> Persisted | None:
    """Store `msg`; None when it was already stored (redelivery). `inside` runs in the same
    transaction with what was stored (the webhook outbox writes there): it commits or rolls
    back with the message. Before acknowledging it, await `durable()`.

    `alone`: `inside` will write nothing (no webhook listens), so the message may be stored
    without a transaction when one statement can do it (module docstring); `inside` then
    runs after it."""
    rows = None
    engine = Message._meta.db
    if alone and engine.engine_type == "postgres" and rating_of(msg.text) is None:
        try:
            stored, rows = await _persist_alone(workspace_id, session_id, msg, now)
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
            if await _stored_already(workspace_id, session_id, msg):
                return None
            stored, rows = None, None  # a contact changed under us: the transaction sorts it
        if stored is not None:
            if inside is not None:
                await inside(stored)
            return stored
    for attempt in range(2):
        try:
            async with engine.transaction():
                await durable_commit(engine)
                stored = await _persist(workspace_id, session_id, msg, now, rows)
                if inside is not None:
                    await inside(stored)
                return stored
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
            rows = None
            if await _stored_already(workspace_id, session_id, msg) or attempt == 1:
                return None  # redelivered; or a contact race lost twice (logged by caller)
    return None


async def _stored_already(workspace_id: str, session_id: str, msg: NormalizedMessage) -> bool:
    return bool(
        await Message.exists().where(
            (Message.workspace_id == workspace_id)
            & (Message.session_id == session_id)
            & (Message.wa_message_id == msg.wa_message_id)
        )
    )


async def durable() -> None:
    """Every message stored so far survives a power loss (app/db/durability.py): what a 202
    promises. Separate from `persist_inbound` so routing need not wait for the disk."""
    await make_durable(Message._meta.db)


async def _persist(
    workspace_id: str,
    session_id: str,
    msg: NormalizedMessage,
    now: datetime,
    rows: list[dict[str, Any]] | None,
) -> Persisted:
    contact, created, touch = await resolve_contact(workspace_id, session_id, msg, now, rows)
    writes = [touch] if touch is not None else []
    if touch is not None and rating_of(msg.text) is not None:  # a rating reads more first
        await fast.execute(Contact, touch[0], *touch[1])
        writes = []
    answered = None if created else await _csat_answer(contact["id"], msg, now)
    rating = answered[0] if answered is not None else None
    if answered is not None:
        conv, opened = answered[1], False
    else:
        conv, opened = await open_conversation(
            workspace_id, session_id, contact["id"], now, writes=writes
        )
    row = _message_row(workspace_id, session_id, msg, now, rating)
    row["conversation_id"] = conv["id"]
    unread = _unread(msg, rating)
    # the row and the conversation's count in one statement on Postgres (`insert_with`)
    await fast.insert_with(
        [(Message, row)], Conversation, _COUNT_MESSAGE, unread, now, now, conv["id"]
    )
    return _persisted(row, conv, contact, unread, created=created, opened=opened, rating=rating)


async def _persist_alone(
    workspace_id: str, session_id: str, msg: NormalizedMessage, now: datetime
) -> tuple[Persisted | None, list[dict[str, Any]]]:
    """A known contact's message into their open conversation, as one statement (Postgres):
    the contact's read and update, the conversation's read, the message and the
    conversation's count, committed durably when the engine's durability asks for it
    (`durable_select`), with what routing reads (`messages.route_columns`). Each write only
    when the sender is exactly one contact (`known_contact`) with an open conversation.
    Otherwise nothing is written: (None, the contact rows the sender may be) — what the
    transaction then starts from."""
    row = _message_row(workspace_id, session_id, msg, now, None)
    sql, args = store_statement(workspace_id, msg, now, row)
    result = await fast.execute(Conversation, sql, *args)
    rows = [fast.unprefixed(r, _K) for r in result]
    unread = _unread(msg, None)
    known = known_contact(rows, sender_of(msg), now)
    if known is None or result[0]["id"] is None:
        return None, rows
    conv = {k: v for k, v in result[0].items() if k in _CONVERSATION_COLUMNS}
    row["conversation_id"] = conv["id"]
    stored = _persisted(row, conv, known[0], unread, created=False, opened=False, rating=None)
    return replace(stored, route=route_of(result[0])), rows


def store_statement(
    workspace_id: str, msg: NormalizedMessage, now: datetime, row: dict[str, Any]
) -> fast.Write:
    """`_persist_alone`'s statement for `msg` and its message row (`row`, but for the
    conversation, which the statement fills in)."""
    sender = sender_of(msg)
    find, found_by = find_statement(workspace_id, sender)
    touch, touched = touch_statement(sender, now, "(SELECT id FROM one)")
    message = fast.insert_statement(
        Message, row, only_if=_IF_OPEN, computed=(("conversation_id", "(SELECT id FROM c)"),)
    )
    unread = _unread(msg, None)
    # every part is our SQL; the values are parameters
    sql = (
        f"WITH k AS ({find}), one AS (SELECT id FROM k WHERE (SELECT count(*) FROM k) = 1), "  # noqa: S608
        f"c AS ({_OPEN_OF_ONE}), w0 AS ({touch} AND {_IF_OPEN}), "
        f"w1 AS ({message[0]}), w2 AS ({_COUNT_IN_OPEN}), "
        # over `c` (one row at most), so the flows' EXISTS stay per-row index probes
        f"rt AS (SELECT {route_columns('c')} FROM c {route_joins('c')}) "
        f"SELECT {fast.columns_as(Contact, 'k', _K)}, c.*, rt.*"
        f"{durable_select(Message._meta.db)} "
        "FROM k LEFT JOIN c ON TRUE LEFT JOIN rt ON TRUE"
    )
    return sql, (*found_by, *touched, *message[1], unread, now, now, True)


_K = "k_"  # the contact's columns in `_persist_alone`'s rows, beside the conversation's


def _unread(msg: NormalizedMessage, rating: int | None) -> int:
    """What a stored message adds to its conversation's unread count: our own messages and
    a rating (which leaves the resolved thread read) add nothing."""
    return 0 if msg.is_from_me or rating else 1


def _message_row(
    workspace_id: str, session_id: str, msg: NormalizedMessage, now: datetime, rating: int | None
) -> dict[str, Any]:
    """The message's row, but for its conversation."""
    content = msg.body or (msg.reaction.emoji if msg.reaction else "") or msg.contact_name or ""
    row = message_row(
        workspace_id=workspace_id,
        session_id=session_id,
        wa_message_id=msg.wa_message_id,
        direction=Direction.OUTBOUND if msg.is_from_me else Direction.INBOUND,
        sender_type=SenderType.HUMAN if msg.is_from_me else SenderType.CONTACT,
        content=msg.text or "",
        media_type=msg.media_type,
        media_caption=msg.media_caption,
        media_filename=PurePath(msg.media_filename).name[:200] if msg.media_filename else None,
        media_mime=(msg.media_mime or "").split(";")[0].strip()[:128] or None,
        media_ref=msg.media_ref,
        reply_to_id=msg.reply_to_wa_message_id,
        created_at=now,
        # own messages, non-conversational kinds and ratings never go through the router
        routed_at=now if msg.is_from_me or not msg.is_conversational or rating else None,
        status=MessageStatus.SENT if msg.is_from_me else MessageStatus.RECEIVED,
    )
    if not row["content"] and not msg.media_type:
        row["content"] = content
    return row


def _persisted(
    row: dict[str, Any],
    conv: dict[str, Any],
    contact: dict[str, Any],
    unread: int,
    *,
    created: bool,
    opened: bool,
    rating: int | None,
) -> Persisted:
    now = row["created_at"]
    conv.update(unread_count=conv["unread_count"] + unread, last_message_at=now, updated_at=now)
    contact_model = mapping.contact(contact)
    conversation = mapping.conversation(conv, contact_model)
    routing = row["routed_at"] is None
    stored = mapping.message(row)
    return Persisted(stored, conversation, contact_model, created, routing, opened, rating)


async def _csat_answer(
    contact_id: str, msg: NormalizedMessage, now: datetime
) -> tuple[int, dict[str, Any]] | None:
    """When `msg` is a 1-5 rating, the contact has no open conversation and an unanswered
    ask in the window: store the rating (once) and return it with the rated conversation."""
    if msg.is_from_me or msg.is_group or not msg.is_conversational:
        return None
    rating = rating_of(msg.text)
    if rating is None or await fast.execute(Conversation, _OPEN_CONVERSATION, contact_id):
        return None
    conversation_id = await csat.answer(contact_id, rating, now)
    if conversation_id is None:
        return None
    rows = await fast.execute(
        Conversation, "SELECT * FROM conversations WHERE id = {}", conversation_id
    )
    return rating, rows[0]


async def open_conversation(
    workspace_id: str,
    session_id: str,
    contact_id: str,
    now: datetime,
    *,
    writes: list[fast.Write] | None = None,
) -> tuple[dict[str, Any], bool]:
    """The contact's newest unresolved conversation, or a new OPEN one (True). `writes` (the
    contact's update) run first, with the read (`fast.run_with`)."""
    rows = await fast.run_with(writes or [], Conversation, _OPEN_CONVERSATION, contact_id)
    if rows:
        return rows[0], False
    row = {
        "id": new_id(),
        "workspace_id": workspace_id,
        "session_id": session_id,
        "contact_id": contact_id,
        "status": ConversationStatus.OPEN,
        "assigned_user_id": None,
        "resolved_at": None,
        "last_message_at": now,
        "unread_count": 0,
        "sentiment": None,
        "created_at": now,
        "updated_at": now,
    }
    await fast.insert(Conversation, row)
    return row, True
