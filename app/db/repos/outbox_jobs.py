"""The dispatcher's side of the outbox (DESIGN §4.3): record each send's outcome. Rows are
claimed against the send budget in `send_budget.claim`. PENDING → SENDING → SENT, or back to
PENDING later, or FAILED (with the reason on the message).

Order within a chat is the rows' (priority, `created_at`) order. A retry pushes the chat's
later pending rows back with it, and a chat with a row waiting for a retry gets nothing else
claimed, so a restart can never send them ahead of the one that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db import fast
from app.db.repos import mapping
from app.db.tables import Message, Outbox
from app.domain import MessageStatus, OutboxStatus
from app.domain import conversations as c
from app.domain.sending import SendKind


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
    kind: SendKind = SendKind.REPLY
    cold: bool = False  # to a contact who never wrote
    slot_at: datetime | None = None  # when the send budget lets it go


def job_of(row: dict[str, Any], slot_at: datetime | None = None) -> Job:
    """An outbox row (piccolo or plain SQL: the payload may still be JSON text) as a Job."""
    payload = mapping.json_value(row["payload"], {}) or {}
    return Job(
        row["id"],
        row["workspace_id"],
        row["session_id"],
        row["conversation_id"],
        row["message_id"],
        row["jid"],
        str(payload.get("text", "")),
        row["attempts"],
        row["created_at"],
        payload.get("media"),
        SendKind(row["kind"]),
        bool(row["cold"]),
        slot_at or row.get("slot_at"),
    )


_DUE_SESSIONS = (
    "SELECT s.id FROM whatsapp_sessions s WHERE EXISTS (SELECT 1 FROM outbox o "
    "WHERE o.session_id = s.id AND o.status = 'PENDING' AND o.next_attempt_at <= {})"
)


async def due_sessions(now: datetime) -> list[str]:
    """Sessions with rows due now (the claim then decides what the budget allows): one index
    probe per session, however many rows wait."""
    return [r["id"] for r in await fast.execute(Outbox, _DUE_SESSIONS, now)]


async def release(job_ids: list[str], next_at: datetime) -> None:
    """Claimed rows not sent after all (the chat is held, or we are stopping): PENDING again."""
    if job_ids:
        await Outbox.update(
            {Outbox.status: OutboxStatus.PENDING, Outbox.next_attempt_at: next_at}
        ).where(Outbox.id.is_in(job_ids) & (Outbox.status == OutboxStatus.SENDING))


# Postgres: whether the session still has rows due, read by the "sent" statement itself —
# the dispatcher's next pass claims there, or has nothing to do for this send, without first
# asking which sessions have rows due (`due_sessions`: a round trip per finished send).
_MORE_DUE = (
    "EXISTS (SELECT 1 FROM outbox o WHERE o.session_id = {} AND o.status = 'PENDING' "
    "AND o.next_attempt_at <= {}) AS more_due"
)
_SENT_ROW = (  # our constants only
    "UPDATE outbox SET status = 'SENT', wa_message_id = {}, sent_at = {}, attempts = {} "  # noqa: S608
    "WHERE id = {} RETURNING " + _MORE_DUE
)
# Postgres: both rows in one statement (a data-modifying CTE runs to completion whether or not
# the outer statement reads it) — one round trip instead of BEGIN, two UPDATEs and COMMIT.
_SENT_BOTH = (  # our constants only
    "WITH sent AS (UPDATE outbox SET status = 'SENT', wa_message_id = {}, sent_at = {}, "  # noqa: S608
    "attempts = {} WHERE id = {}) "
    "UPDATE messages SET wa_message_id = {}, status = 'SENT' WHERE id = {} "
    "RETURNING *, " + _MORE_DUE
)


@dataclass(frozen=True, slots=True)
class Sent:
    """A send recorded: its message (None for a row without one), and whether the session
    had rows due beside it — read in the same statement on Postgres (a PENDING row queued
    after that statement began is not seen: whoever queues it wakes the dispatcher); None
    when not read (SQLite, where asking costs no round trip)."""

    message: c.Message | None
    more_due: bool | None = None


async def mark_sent(job: Job, wa_message_id: str, now: datetime) -> Sent:
    """The outbox row SENT and its message SENT with WhatsApp's id, together."""
    if Outbox._meta.db.engine_type != "sqlite":
        due = (job.session_id, now)
        if job.message_id is None:
            args = (wa_message_id, now, job.attempts + 1, job.id, *due)
            rows = await fast.execute(Outbox, _SENT_ROW, *args)
            return Sent(None, rows[0]["more_due"] if rows else None)
        rows = await fast.execute(
            Outbox,
            _SENT_BOTH,
            wa_message_id,
            now,
            job.attempts + 1,
            job.id,
            wa_message_id,
            job.message_id,
            *due,
        )
        return Sent(mapping.message(rows[0]), rows[0]["more_due"]) if rows else Sent(None)
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
            return Sent(None)
        rows = (
            await Message.update(
                {Message.wa_message_id: wa_message_id, Message.status: MessageStatus.SENT}
            )
            .where(Message.id == job.message_id)
            .returning(*Message.all_columns())
        )
    return Sent(mapping.message(rows[0]) if rows else None)


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


async def recover_session(session_id: str) -> int:
    """A session this node has just taken over (a lease it claimed): its rows the previous
    holder left SENDING go back to PENDING — that node is gone, or fenced off and sends
    nothing more (see `app/db/repos/leases.py`)."""
    rows = (
        await Outbox.update({Outbox.status: OutboxStatus.PENDING})
        .where((Outbox.session_id == session_id) & (Outbox.status == OutboxStatus.SENDING))
        .returning(Outbox.id)
    )
    return len(rows)


async def recover_interrupted() -> int:
    """Rows left SENDING by a crash go back to PENDING (see the dispatcher's docstring)."""
    rows = (
        await Outbox.update({Outbox.status: OutboxStatus.PENDING})
        .where(Outbox.status == OutboxStatus.SENDING)
        .returning(Outbox.id)
    )
    return len(rows)
