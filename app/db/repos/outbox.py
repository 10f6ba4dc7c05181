"""The outbox (DESIGN §4.3): replies are written with the decision; the dispatcher claims,
sends and marks them. PENDING → SENDING → SENT, or back to PENDING later, or FAILED.

Order within a chat is the rows' `created_at` order. A retry pushes the chat's later pending
rows back with it, so a restart can never send them ahead of the one that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db.repos import mapping
from app.db.repos.inbound import insert_message, message_row
from app.db.tables import Conversation, Message, Outbox
from app.domain import (
    ConversationStatus,
    Direction,
    MessageStatus,
    OutboxStatus,
    SenderType,
    new_id,
)
from app.domain import conversations as c


@dataclass(frozen=True, slots=True)
class Draft:
    """An outbound message to record: queued for sending, or held for approval."""

    text: str
    sender_type: SenderType = SenderType.BOT
    sender_user_id: str | None = None
    flow_id: str | None = None
    confidence: float | None = None
    kb_chunks_used: tuple[str, ...] = ()
    hold: bool = False  # approval mode: PENDING_APPROVAL, no outbox row


@dataclass(frozen=True, slots=True)
class Target:
    workspace_id: str
    session_id: str
    conversation_id: str
    jid: str


async def _write(target: Target, draft: Draft, now: datetime) -> c.Message:
    row = message_row(
        workspace_id=target.workspace_id,
        conversation_id=target.conversation_id,
        session_id=target.session_id,
        direction=Direction.OUTBOUND,
        sender_type=draft.sender_type,
        sender_user_id=draft.sender_user_id,
        content=draft.text,
        flow_id=draft.flow_id,
        confidence=draft.confidence,
        kb_chunks_used=list(draft.kb_chunks_used),
        created_at=now,
        routed_at=now,
        status=MessageStatus.PENDING_APPROVAL if draft.hold else MessageStatus.QUEUED,
    )
    message = await insert_message(row)
    if not draft.hold:
        await enqueue_row(target, message.id, draft.text, now)
    return message


async def enqueue_row(target: Target, message_id: str, text: str, now: datetime) -> None:
    await Outbox.insert(
        Outbox(
            id=new_id(),
            workspace_id=target.workspace_id,
            session_id=target.session_id,
            conversation_id=target.conversation_id,
            message_id=message_id,
            jid=target.jid,
            payload={"text": text},
            next_attempt_at=now,
            created_at=now,
        )
    )


async def record_decision(
    target: Target,
    inbound_id: str | None,
    drafts: list[Draft],
    now: datetime,
    *,
    status: ConversationStatus | None = None,
) -> list[c.Message]:
    """In one transaction: the replies (+ outbox rows), the inbound's routing mark, and the
    conversation's new status/lastMessageAt. A crash before this commits re-routes the
    inbound on start; after it, the outbox holds the replies."""
    async with Message._meta.db.transaction():
        out = [await _write(target, d, now) for d in drafts]
        if inbound_id is not None:
            await Message.update({Message.routed_at: now}).where(Message.id == inbound_id)
        changes: dict[Any, Any] = {}
        if out:
            changes[Conversation.last_message_at] = now
        if status is not None:
            changes[Conversation.status] = status
        if changes:
            changes[Conversation.updated_at] = now
            await Conversation.update(changes).where(Conversation.id == target.conversation_id)
    return out


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    workspace_id: str
    session_id: str
    conversation_id: str | None
    message_id: str | None
    jid: str
    text: str
    attempts: int
    created_at: datetime


async def due(now: datetime, limit: int = 500) -> list[Job]:
    rows = (
        await Outbox.select()
        .where((Outbox.status == OutboxStatus.PENDING) & (Outbox.next_attempt_at <= now))
        .order_by(Outbox.created_at)
        .order_by(Outbox.id)
        .limit(limit)
        .output(load_json=True)
    )
    return [
        Job(
            r["id"],
            r["workspace_id"],
            r["session_id"],
            r["conversation_id"],
            r["message_id"],
            r["jid"],
            str((r["payload"] or {}).get("text", "")),
            r["attempts"],
            r["created_at"],
        )
        for r in rows
    ]


async def claim(job_id: str) -> bool:
    """PENDING → SENDING; False when another dispatcher pass got it first."""
    done = (
        await Outbox.update({Outbox.status: OutboxStatus.SENDING})
        .where((Outbox.id == job_id) & (Outbox.status == OutboxStatus.PENDING))
        .returning(Outbox.id)
    )
    return bool(done)


async def mark_sent(job: Job, wa_message_id: str, now: datetime) -> c.Message | None:
    async with Outbox._meta.db.transaction():
        await Outbox.update(
            {
                Outbox.status: OutboxStatus.SENT,
                Outbox.wa_message_id: wa_message_id,
                Outbox.sent_at: now,
                Outbox.attempts: job.attempts + 1,
            }
        ).where(Outbox.id == job.id)
        if job.message_id is None:
            return None
        rows = (
            await Message.update(
                {Message.wa_message_id: wa_message_id, Message.status: MessageStatus.SENT}
            )
            .where(Message.id == job.message_id)
            .returning(*Message.all_columns())
        )
    return mapping.message(rows[0]) if rows else None


async def mark_retry(job: Job, next_at: datetime, error: str) -> None:
    """Back to PENDING at `next_at`, and the chat's later rows not before it (order)."""
    async with Outbox._meta.db.transaction():
        await Outbox.update(
            {
                Outbox.status: OutboxStatus.PENDING,
                Outbox.attempts: job.attempts + 1,
                Outbox.next_attempt_at: next_at,
                Outbox.last_error: error[:500],
            }
        ).where(Outbox.id == job.id)
        await Outbox.update({Outbox.next_attempt_at: next_at}).where(
            (Outbox.session_id == job.session_id)
            & (Outbox.jid == job.jid)
            & (Outbox.status == OutboxStatus.PENDING)
            & (Outbox.created_at >= job.created_at)
            & (Outbox.next_attempt_at < next_at)
        )


async def mark_failed(job: Job, error: str) -> c.Message | None:
    async with Outbox._meta.db.transaction():
        await Outbox.update(
            {
                Outbox.status: OutboxStatus.FAILED,
                Outbox.attempts: job.attempts + 1,
                Outbox.last_error: error[:500],
            }
        ).where(Outbox.id == job.id)
        if job.message_id is None:
            return None
        rows = (
            await Message.update({Message.status: MessageStatus.FAILED})
            .where(Message.id == job.message_id)
            .returning(*Message.all_columns())
        )
    return mapping.message(rows[0]) if rows else None


async def recover_interrupted() -> int:
    """Rows left SENDING by a crash go back to PENDING (see the dispatcher's docstring)."""
    rows = (
        await Outbox.update({Outbox.status: OutboxStatus.PENDING})
        .where(Outbox.status == OutboxStatus.SENDING)
        .returning(Outbox.id)
    )
    return len(rows)
