"""Message updates outside the inbound/outbox paths: receipts, media, crash recovery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db.repos import mapping
from app.db.tables import Contact, Conversation, Message, WhatsappSession, WorkspaceSettings
from app.domain import Direction, MessageStatus, ReceiptKind
from app.domain import conversations as c


async def apply_receipt(
    session_id: str, wa_ids: tuple[str, ...], kind: ReceiptKind, at: datetime
) -> list[c.Message]:
    """Mark our sent messages delivered or read; returns the rows that changed."""
    where = (
        (Message.session_id == session_id)
        & Message.wa_message_id.is_in(list(wa_ids))
        & (Message.direction == Direction.OUTBOUND)
    )
    if kind is ReceiptKind.DELIVERED:
        changes: dict[Any, Any] = {
            Message.delivered_at: at,
            Message.status: MessageStatus.DELIVERED,
        }
        where &= Message.delivered_at.is_null() & (Message.status == MessageStatus.SENT)
    else:
        changes = {Message.read_at: at, Message.status: MessageStatus.READ, Message.is_read: True}
        where &= Message.read_at.is_null()
    rows = await Message.update(changes).where(where).returning(*Message.all_columns())
    return [mapping.message(r) for r in rows]


async def set_media_url(message_id: str, url: str) -> None:
    await Message.update({Message.media_url: url}).where(Message.id == message_id)


async def previews(conversation_ids: list[str]) -> dict[str, str]:
    """The newest message of each conversation, as one line for the inbox list (one indexed
    lookup per conversation: the list shows a page of them, never thousands)."""
    out: dict[str, str] = {}
    for conv_id in conversation_ids:
        row = (
            await Message.select(Message.content, Message.media_type, Message.media_caption)
            .where(Message.conversation_id == conv_id)
            .order_by(Message.created_at, ascending=False)
            .order_by(Message.id, ascending=False)
            .first()
        )
        if row is not None:
            text = row["content"] or row["media_caption"] or ""
            kind = f"[{str(row['media_type']).lower()}] " if row["media_type"] else ""
            out[conv_id] = (kind + " ".join(text.split()))[:120]
    return out


async def workspace_settings(workspace_id: str) -> dict[str, Any]:
    row = (
        await WorkspaceSettings.select()
        .where(WorkspaceSettings.workspace_id == workspace_id)
        .first()
    )
    return row or {}


@dataclass(frozen=True, slots=True)
class Unrouted:
    message: c.Message
    conversation: c.Conversation
    contact: c.Contact
    workspace_id: str
    session_id: str


async def unrouted(limit: int = 1000) -> list[Unrouted]:
    """Inbound messages persisted before a crash but never routed, oldest first."""
    rows = (
        await Message.select()
        .where(
            Message.routed_at.is_null()
            & (Message.direction == Direction.INBOUND)
            & Message.session_id.is_not_null()
        )
        .order_by(Message.created_at)
        .limit(limit)
    )
    out = []
    for row in rows:
        conv = await Conversation.select().where(Conversation.id == row["conversation_id"]).first()
        if conv is None:
            continue
        contact = await Contact.select().where(Contact.id == conv["contact_id"]).first()
        if contact is None:
            continue
        out.append(
            Unrouted(
                mapping.message(row),
                mapping.conversation(conv),
                mapping.contact(contact),
                row["workspace_id"],
                row["session_id"],
            )
        )
    return out


async def enabled_sessions() -> list[dict[str, Any]]:
    return await WhatsappSession.select().where(WhatsappSession.enabled == True)  # noqa: E712
