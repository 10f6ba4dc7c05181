"""Persist an inbound message first: contact (create/update, LID ↔ phone merge), the open
conversation, and the message row — one transaction, so a redelivered message (same
`(workspace, session, waMessageId)`) rolls back whole and is a no-op."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db import fast
from app.db.errors import is_unique_violation
from app.db.repos import mapping
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

# the per-message statements in plain SQL: piccolo's builder cost more than SQLite's work
_COUNT_MESSAGE = (
    "UPDATE conversations SET unread_count = unread_count + {}, last_message_at = {}, "
    "updated_at = {} WHERE id = {}"
)
_OPEN_CONVERSATION = (
    "SELECT * FROM conversations WHERE contact_id = {} AND status != 'RESOLVED' "
    "ORDER BY created_at DESC LIMIT 1"
)


_FIND_CONTACT = "SELECT * FROM contacts WHERE workspace_id = {} AND (jid IN (%s)"


def _marks(values: list[str]) -> str:
    return ", ".join("{}" for _ in values)


@dataclass(frozen=True, slots=True)
class Persisted:
    message: c.Message
    conversation: c.Conversation
    contact: c.Contact
    new_contact: bool
    needs_routing: bool = True


def phone_of(jid: str | None) -> str:
    """E.164 from a phone JID (`4917…@s.whatsapp.net` → `+4917…`); "" for LIDs/groups."""
    if not jid or not jid.endswith("@s.whatsapp.net"):
        return ""
    return "+" + jid.split("@", 1)[0].split(":", 1)[0]


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
    }
    row.update(values)
    return row


async def insert_message(row: dict[str, Any]) -> c.Message:
    await fast.insert(Message, row)
    return mapping.message(row)


async def persist_inbound(
    workspace_id: str, session_id: str, msg: NormalizedMessage, now: datetime
) -> Persisted | None:
    """Store `msg`; None when it was already stored (redelivery)."""
    for attempt in range(2):
        try:
            async with Message._meta.db.transaction():
                return await _persist(workspace_id, session_id, msg, now)
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


async def _persist(
    workspace_id: str, session_id: str, msg: NormalizedMessage, now: datetime
) -> Persisted:
    contact, created = await _resolve_contact(workspace_id, session_id, msg, now)
    conv = await _open_conversation(workspace_id, session_id, contact["id"], now)
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
        reply_to_id=msg.reply_to_wa_message_id,
        created_at=now,
        # own messages and non-conversational kinds never go through the router
        routed_at=now if msg.is_from_me or not msg.is_conversational else None,
        status=MessageStatus.SENT if msg.is_from_me else MessageStatus.RECEIVED,
    )
    if not row["content"] and not msg.media_type:
        row["content"] = content
    stored = await insert_message(row)
    unread = 0 if msg.is_from_me else 1
    await fast.execute(Conversation, _COUNT_MESSAGE, unread, now, now, conv["id"])
    conv.update(unread_count=conv["unread_count"] + unread, last_message_at=now, updated_at=now)
    contact_model = mapping.contact(contact)
    conversation = mapping.conversation(conv, contact_model)
    return Persisted(stored, conversation, contact_model, created, row["routed_at"] is None)


async def _resolve_contact(
    workspace_id: str, session_id: str, msg: NormalizedMessage, now: datetime
) -> tuple[dict[str, Any], bool]:
    """Find the sender by phone JID or LID; learn the other identity; merge duplicates."""
    if msg.is_group:
        phone_jid, lid, name = msg.chat_jid, None, None
    else:
        phone_jid = msg.sender_phone_jid or (msg.jid if "@s.whatsapp.net" in msg.jid else None)
        lid = msg.sender_lid or (msg.jid if msg.jid.endswith("@lid") else None)
        name = None if msg.is_from_me else msg.push_name
    keys = [k for k in (phone_jid, lid) if k]
    sql = _FIND_CONTACT.replace("%s", _marks(keys)) + (" OR lid = {})" if lid else ")")
    rows = await fast.execute(Contact, sql, workspace_id, *keys, *([lid] if lid else []))
    by_phone = next((r for r in rows if phone_jid and r["jid"] == phone_jid), None)
    keep = by_phone or (rows[0] if rows else None)
    if keep is None:
        row = _new_contact(workspace_id, session_id, phone_jid or lid or msg.jid, lid, name, now)
        await fast.insert(Contact, row)
        return row, True
    changes: dict[Any, Any] = {Contact.last_message_at: now, Contact.updated_at: now}
    if lid and keep["lid"] != lid:
        changes[Contact.lid] = keep["lid"] = lid
    if phone_jid and keep["jid"] != phone_jid:  # known by LID so far; now we see the phone
        await _merge_others(keep, rows, changes)
        changes[Contact.jid] = keep["jid"] = phone_jid
        changes[Contact.phone_number] = keep["phone_number"] = phone_of(phone_jid)
    elif by_phone:
        await _merge_others(keep, rows, changes)
    if name and keep["name"] != name:
        changes[Contact.name] = keep["name"] = name
    await Contact.update(changes).where(Contact.id == keep["id"])
    keep.update(last_message_at=now, updated_at=now)
    return keep, False


def _new_contact(
    workspace_id: str, session_id: str, jid: str, lid: str | None, name: str | None, now: datetime
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "workspace_id": workspace_id,
        "session_id": session_id,
        "jid": jid,
        "lid": lid,
        "phone_number": phone_of(jid),
        "name": name,
        "display_name": None,
        "profile_pic_url": None,
        "about": None,
        "autoreply_enabled": True,
        "human_takeover": False,
        "approval_mode": False,
        "is_blocked": False,
        "is_vip": False,
        "language": None,
        "notes": None,
        "first_seen_at": now,
        "last_message_at": now,
        "created_at": now,
        "updated_at": now,
    }


_CARRIED = ("name", "display_name", "notes", "language", "profile_pic_url", "about")
_ORED = ("is_blocked", "human_takeover", "is_vip", "approval_mode")


async def _merge_others(
    keep: dict[str, Any], rows: list[dict[str, Any]], changes: dict[Any, Any]
) -> None:
    """Fold the other identities' rows into `keep`: fill its blanks, keep any block/takeover."""
    for other in rows:
        if other["id"] == keep["id"]:
            continue
        for field in _CARRIED:
            if not keep[field] and other[field]:
                changes[getattr(Contact, field)] = keep[field] = other[field]
        for field in _ORED:
            if other[field] and not keep[field]:
                changes[getattr(Contact, field)] = keep[field] = True
        await _merge_into(keep["id"], other["id"])


async def _merge_into(keep_id: str, other_id: str) -> None:
    """The LID-only contact and the phone contact are one person: keep one, move history."""
    await Conversation.update({Conversation.contact_id: keep_id}).where(
        Conversation.contact_id == other_id
    )
    await Contact.delete().where(Contact.id == other_id)


async def _open_conversation(
    workspace_id: str, session_id: str, contact_id: str, now: datetime
) -> dict[str, Any]:
    """The contact's newest unresolved conversation, or a new OPEN one."""
    rows = await fast.execute(Conversation, _OPEN_CONVERSATION, contact_id)
    if rows:
        return rows[0]
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
    return row
