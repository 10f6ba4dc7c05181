"""Persist an inbound message first: contact (create/update, LID ↔ phone merge), the open
conversation, and the message row — one transaction, so a redelivered message (same
`(workspace, session, waMessageId)`) rolls back whole and is a no-op."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from app.db import fast
from app.db.engine import durable_commit, make_durable
from app.db.errors import is_unique_violation
from app.db.repos import csat, mapping
from app.db.repos.resolver import phone_of, resolve_contact
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
) -> Persisted | None:
    """Store `msg`; None when it was already stored (redelivery). `inside` runs in the same
    transaction with what was stored (the webhook outbox writes there): it commits or rolls
    back with the message. Before acknowledging it, await `durable()`."""
    for attempt in range(2):
        try:
            async with Message._meta.db.transaction():
                await durable_commit(Message._meta.db)
                stored = await _persist(workspace_id, session_id, msg, now)
                if inside is not None:
                    await inside(stored)
                return stored
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
            duplicate = await Message.exists().where(
                (Message.workspace_id == workspace_id)
                & (Message.session_id == session_id)
                & (Message.wa_message_id == msg.wa_message_id)
            )
            if duplicate or attempt == 1:
                return None  # redelivered; or a contact race lost twice (logged by caller)
    return None


async def durable() -> None:
    """Every message stored so far survives a power loss (app/db/durability.py): what a 202
    promises. Separate from `persist_inbound` so routing need not wait for the disk."""
    await make_durable(Message._meta.db)


async def _persist(
    workspace_id: str, session_id: str, msg: NormalizedMessage, now: datetime
) -> Persisted:
    contact, created, touch = await resolve_contact(workspace_id, session_id, msg, now)
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
    content = msg.body or (msg.reaction.emoji if msg.reaction else "") or msg.contact_name or ""
    row = message_row(
        workspace_id=workspace_id,
        conversation_id=conv["id"],
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
    unread = 0 if msg.is_from_me or rating else 1  # a rating leaves the resolved thread read
    # the row and the conversation's count in one statement on Postgres (`insert_with`)
    await fast.insert_with(
        [(Message, row)], Conversation, _COUNT_MESSAGE, unread, now, now, conv["id"]
    )
    stored = mapping.message(row)
    conv.update(unread_count=conv["unread_count"] + unread, last_message_at=now, updated_at=now)
    contact_model = mapping.contact(contact)
    conversation = mapping.conversation(conv, contact_model)
    routing = row["routed_at"] is None
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
