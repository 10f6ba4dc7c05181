"""The dispatcher's side of the outbox (DESIGN §4.3): find due rows, claim them in one
statement, and record each send's outcome. PENDING → SENDING → SENT, or back to PENDING
later, or FAILED (with the reason on the message).

Order within a chat is the rows' `created_at` order. A retry pushes the chat's later pending
rows back with it, so a restart can never send them ahead of the one that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db.repos import mapping
from app.db.tables import Message, Outbox
from app.domain import MessageStatus, OutboxStatus
from app.domain import conversations as c


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
    media: dict[str, Any] | None = None  # `outbox.Media.payload()`: send a file, text = caption


async def due(now: datetime, limit: int = 200) -> list[Job]:
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
            (r["payload"] or {}).get("media"),
        )
        for r in rows
    ]


async def claim(job_ids: list[str]) -> set[str]:
    """PENDING → SENDING for all of `job_ids` at once; returns those this call got."""
    if not job_ids:
        return set()
    done = (
        await Outbox.update({Outbox.status: OutboxStatus.SENDING})
        .where(Outbox.id.is_in(job_ids) & (Outbox.status == OutboxStatus.PENDING))
        .returning(Outbox.id)
    )
    return {r["id"] for r in done}


async def release(job_ids: list[str], next_at: datetime) -> None:
    """Claimed rows not sent after all (the chat is held, or we are stopping): PENDING again."""
    if job_ids:
        await Outbox.update(
            {Outbox.status: OutboxStatus.PENDING, Outbox.next_attempt_at: next_at}
        ).where(Outbox.id.is_in(job_ids) & (Outbox.status == OutboxStatus.SENDING))


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


async def mark_retry(job: Job, next_at: datetime, error: str, *, attempt: bool = True) -> None:
    """Back to PENDING at `next_at`, and the chat's later rows not before it (order).
    `attempt=False`: the number was offline — nothing was tried, the ladder does not move."""
    async with Outbox._meta.db.transaction():
        await Outbox.update(
            {
                Outbox.status: OutboxStatus.PENDING,
                Outbox.attempts: job.attempts + (1 if attempt else 0),
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


async def mark_failed(job: Job, error: str, *, attempt: bool = True) -> c.Message | None:
    """FAILED for good: the outbox row and its message, which keeps the reason."""
    async with Outbox._meta.db.transaction():
        await Outbox.update(
            {
                Outbox.status: OutboxStatus.FAILED,
                Outbox.attempts: job.attempts + (1 if attempt else 0),
                Outbox.last_error: error[:500],
            }
        ).where(Outbox.id == job.id)
        if job.message_id is None:
            return None
        rows = (
            await Message.update(
                {Message.status: MessageStatus.FAILED, Message.failure_reason: error[:500]}
            )
            .where(Message.id == job.message_id)
            .returning(*Message.all_columns())
        )
    return mapping.message(rows[0]) if rows else None


async def resume_session(session_id: str, now: datetime) -> int:
    """The number is back online: its waiting rows are due now (the window is checked at send)."""
    rows = (
        await Outbox.update({Outbox.next_attempt_at: now})
        .where(
            (Outbox.session_id == session_id)
            & (Outbox.status == OutboxStatus.PENDING)
            & (Outbox.next_attempt_at > now)
        )
        .returning(Outbox.id)
    )
    return len(rows)


async def held_lanes(now: datetime) -> dict[tuple[str, str], datetime]:
    """Chats whose head row waits for a retry: nothing newer may overtake it (start-up)."""
    rows = await Outbox.select(Outbox.session_id, Outbox.jid, Outbox.next_attempt_at).where(
        (Outbox.status == OutboxStatus.PENDING) & (Outbox.next_attempt_at > now)
    )
    held: dict[tuple[str, str], datetime] = {}
    for r in rows:
        key = (r["session_id"], r["jid"])
        held[key] = max(held.get(key, r["next_attempt_at"]), r["next_attempt_at"])
    return held


async def recover_interrupted() -> int:
    """Rows left SENDING by a crash go back to PENDING (see the dispatcher's docstring)."""
    rows = (
        await Outbox.update({Outbox.status: OutboxStatus.PENDING})
        .where(Outbox.status == OutboxStatus.SENDING)
        .returning(Outbox.id)
    )
    return len(rows)
