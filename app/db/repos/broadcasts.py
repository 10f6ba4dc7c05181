"""Broadcast recipients in the database: who is in the audience, the claim that hands one
recipient to the outbox, and their state read back from their messages.

The claim is the exactly-once part. A recipient goes pending → queued in the transaction
that also writes its message and outbox row (`Outbox.enqueue` joins it), guarded by
`status = 'pending'`; the outbox row carries the idempotency key `broadcast:<recipient id>`
(unique per workspace), a second lock on the same door. A crash either loses the whole
transaction (the recipient is still pending and is messaged after the restart) or keeps it
(the dispatcher sends the queued row) — never both, never neither.

After that the message's own status is the truth (receipts move it SENT → DELIVERED → READ);
`sync` copies it onto the recipient rows, adds REPLIED when the contact wrote back within the
reply window, and is cheap to run often (it reads only rows still on their way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.db import fast
from app.db.repos.mapping import json_value
from app.db.tables import (
    Broadcast,
    BroadcastRecipient,
    Contact,
    ContactCustomField,
    ContactLabel,
    Message,
    Outbox,
)
from app.domain import BroadcastStatus, BroadcastTarget, OutboxStatus, new_id
from app.domain.broadcasts import BroadcastStats

PENDING, QUEUED, OPTED_OUT, FAILED = "pending", "queued", "opted_out", "failed"
_RANK = {QUEUED: 0, "sent": 1, "delivered": 2, "read": 3, "replied": 4}
_FROM_MESSAGE = {
    "QUEUED": QUEUED,
    "SENT": "sent",
    "DELIVERED": "delivered",
    "READ": "read",
    "FAILED": FAILED,
}


@dataclass(frozen=True, slots=True)
class AudienceRow:
    contact_id: str
    opted_out: bool


async def audience(
    workspace_id: str, target: BroadcastTarget, label_ids: list[str], contact_ids: list[str]
) -> tuple[list[AudienceRow], int]:
    """The contacts a broadcast reaches (opted-out ones flagged), and how many blocked ones
    it leaves out."""
    query = Contact.select(Contact.id, Contact.opted_out_at, Contact.is_blocked).where(
        Contact.workspace_id == workspace_id
    )
    if target is BroadcastTarget.LABEL:
        if not label_ids:
            return [], 0
        linked = await ContactLabel.select(ContactLabel.contact_id).where(
            ContactLabel.label_id.is_in(label_ids)
        )
        ids = list(dict.fromkeys(r["contact_id"] for r in linked))
        if not ids:
            return [], 0
        query = query.where(Contact.id.is_in(ids))
    elif target is BroadcastTarget.CONTACTS:
        if not contact_ids:
            return [], 0
        query = query.where(Contact.id.is_in(contact_ids))
    rows = await query.order_by(Contact.created_at).order_by(Contact.id)
    blocked = sum(1 for r in rows if r["is_blocked"])
    reached = [
        AudienceRow(r["id"], r["opted_out_at"] is not None) for r in rows if not r["is_blocked"]
    ]
    return reached, blocked


async def add_recipients(broadcast_id: str, rows: list[AudienceRow], now: datetime) -> None:
    """Freeze the audience as recipient rows (inside the caller's transaction): opted-out
    contacts are written as skipped, so the stats can say how many were."""
    batch: list[BroadcastRecipient] = []
    for row in rows:
        batch.append(
            BroadcastRecipient(
                id=new_id(),
                broadcast_id=broadcast_id,
                contact_id=row.contact_id,
                status=OPTED_OUT if row.opted_out else PENDING,
            )
        )
        if len(batch) >= 500:
            await BroadcastRecipient.insert(*batch)
            batch = []
    if batch:
        await BroadcastRecipient.insert(*batch)


_IN_FLIGHT = (
    "SELECT COUNT(*) AS n FROM broadcast_recipients r JOIN outbox o ON o.message_id = r.message_id "
    "WHERE r.broadcast_id = {} AND r.status = 'queued' AND o.status IN ('PENDING', 'SENDING')"
)


async def in_flight(broadcast_id: str) -> int:
    """The broadcast's messages waiting in the outbox (not yet sent), whether or not `sync`
    has looked at the recipients since."""
    rows = await fast.execute(BroadcastRecipient, _IN_FLIGHT, broadcast_id)
    return int(rows[0]["n"]) if rows else 0


async def next_pending(broadcast_id: str, limit: int) -> list[str]:
    rows = (
        await BroadcastRecipient.select(BroadcastRecipient.id)
        .where(
            (BroadcastRecipient.broadcast_id == broadcast_id)
            & (BroadcastRecipient.status == PENDING)
        )
        .order_by(BroadcastRecipient.id)
        .limit(limit)
    )
    return [r["id"] for r in rows]


_CLAIM = (
    "UPDATE broadcast_recipients SET status = 'queued', queued_at = {} "
    "WHERE id = {} AND status = 'pending' AND EXISTS (SELECT 1 FROM broadcasts b "
    "WHERE b.id = {} AND b.status = 'SENDING') RETURNING contact_id"
)


async def claim(broadcast_id: str, recipient_id: str, now: datetime) -> dict[str, Any] | None:
    """pending → queued while the broadcast is sending, or None (someone else took it, or
    it was paused meanwhile) — inside the caller's transaction, the one that writes the
    message. Returns the contact to message, with its custom fields."""
    claimed = await fast.execute(BroadcastRecipient, _CLAIM, now, recipient_id, broadcast_id)
    if not claimed:
        return None
    contact = (
        await Contact.select(
            Contact.id,
            Contact.jid,
            Contact.name,
            Contact.display_name,
            Contact.phone_number,
            Contact.language,
            Contact.is_blocked,
            Contact.opted_out_at,
        )
        .where(Contact.id == claimed[0]["contact_id"])
        .first()
    )
    if contact is None:  # deleted since (GDPR): the recipient row goes with it
        return None
    fields = await ContactCustomField.select(
        ContactCustomField.key, ContactCustomField.value
    ).where(ContactCustomField.contact_id == contact["id"])
    contact["fields"] = {f["key"]: f["value"] for f in fields}
    return contact


async def mark(recipient_id: str, **values: Any) -> None:
    columns = {getattr(BroadcastRecipient, k): v for k, v in values.items()}
    await BroadcastRecipient.update(columns).where(BroadcastRecipient.id == recipient_id)


_ON_THEIR_WAY = """
SELECT r.id, r.status, r.contact_id, r.sent_at AS r_sent_at, m.status AS m_status,
       m.failure_reason, m.delivered_at, m.read_at, o.sent_at AS o_sent_at
FROM broadcast_recipients r
JOIN messages m ON m.id = r.message_id
LEFT JOIN outbox o ON o.message_id = m.id
WHERE r.broadcast_id = {} AND r.status IN ('queued', 'sent', 'delivered', 'read')
"""
_ANSWERED = """
SELECT r.id, r.sent_at, MIN(i.created_at) AS at FROM broadcast_recipients r
JOIN conversations cv ON cv.contact_id = r.contact_id
JOIN messages i ON i.conversation_id = cv.id AND i.direction = 'INBOUND'
    AND i.created_at > r.sent_at
WHERE r.broadcast_id = {} AND r.status IN ('sent', 'delivered', 'read') AND r.sent_at IS NOT NULL
GROUP BY r.id, r.sent_at
"""


def _when(value: Any) -> datetime | None:
    """SQLite's MIN() hands a timestamp back as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def sync(broadcast_id: str, reply_window: timedelta) -> bool:
    """Copy message states onto the recipients still on their way, and mark those who
    answered within `reply_window` of their message; True if any row changed."""
    changed = False
    for row in await fast.execute(BroadcastRecipient, _ON_THEIR_WAY, broadcast_id):
        status = _FROM_MESSAGE.get(row["m_status"], row["status"])
        values: dict[str, Any] = {}
        if status == FAILED:
            values = {"status": FAILED, "error": row["failure_reason"] or "not sent"}
        elif _RANK.get(status, 0) > _RANK.get(row["status"], 0):
            values = {"status": status, "sent_at": row["r_sent_at"] or row["o_sent_at"]}
            values |= {"delivered_at": row["delivered_at"], "read_at": row["read_at"]}
        if values:
            await mark(row["id"], **values)
            changed = True
    for row in await fast.execute(BroadcastRecipient, _ANSWERED, broadcast_id):
        at, sent_at = _when(row["at"]), _when(row["sent_at"])
        if at is not None and sent_at is not None and at <= sent_at + reply_window:
            await mark(row["id"], status="replied", replied_at=at)
            changed = True
    return changed


async def stats(broadcast_id: str) -> BroadcastStats:
    rows = await fast.execute(
        BroadcastRecipient,
        "SELECT status, COUNT(*) AS n FROM broadcast_recipients WHERE broadcast_id = {} "
        "GROUP BY status",
        broadcast_id,
    )
    n = {r["status"]: int(r["n"]) for r in rows}
    replied = n.get("replied", 0)
    read = n.get("read", 0) + replied
    delivered = n.get("delivered", 0) + read
    return BroadcastStats(
        total=sum(n.values()),
        pending=n.get(PENDING, 0) + n.get(QUEUED, 0),
        sent=n.get("sent", 0) + delivered,
        delivered=delivered,
        read=read,
        replied=replied,
        failed=n.get(FAILED, 0),
        opted_out=n.get(OPTED_OUT, 0),
    )


async def withdraw(broadcast_id: str) -> list[tuple[str, str | None]]:
    """Take back the queued messages the dispatcher has not claimed yet (pause, cancel): their
    outbox rows and messages go, the recipients are pending again. A row already SENDING goes
    out (its recipient then counts as sent). One transaction; the outbox row's status decides,
    so the dispatcher and this never both have a row. Returns the messages taken back (id,
    conversation) — open inboxes are told (`message:deleted`)."""
    async with Outbox._meta.db.transaction():
        rows = await fast.execute(
            Outbox,
            "SELECT r.id, r.message_id, o.conversation_id FROM broadcast_recipients r "
            "JOIN outbox o ON o.message_id = r.message_id "
            "WHERE r.broadcast_id = {} AND r.status = 'queued' AND o.status = 'PENDING'",
            broadcast_id,
        )
        taken: list[tuple[str, str | None]] = []
        for row in rows:
            gone = (
                await Outbox.delete()
                .where(
                    (Outbox.message_id == row["message_id"])
                    & (Outbox.status == OutboxStatus.PENDING)
                )
                .returning(Outbox.id)
            )
            if not gone:
                continue
            await Message.delete().where(Message.id == row["message_id"])
            await mark(row["id"], status=PENDING, message_id=None, queued_at=None)
            taken.append((row["message_id"], row["conversation_id"]))
    return taken


async def begin(row: dict[str, Any], now: datetime) -> bool:
    """DRAFT or SCHEDULED → SENDING with its audience frozen as recipient rows, in one
    transaction; False when it was not in either state any more (another caller began it)."""
    async with Broadcast._meta.db.transaction():
        moved = await set_status(
            row["id"], [BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED],
            BroadcastStatus.SENDING, sent_at=now, updated_at=now,
        )  # fmt: skip
        if not moved:
            return False
        target = BroadcastTarget(row["target_type"])
        labels = json_value(row["label_ids"], [])
        contacts = json_value(row["contact_ids"], [])
        rows, _ = await audience(row["workspace_id"], target, labels, contacts)
        await add_recipients(row["id"], rows, now)
    return True


async def status_of(broadcast_id: str) -> str | None:
    row = await Broadcast.select(Broadcast.status).where(Broadcast.id == broadcast_id).first()
    return row["status"] if row else None


async def active() -> list[dict[str, Any]]:
    """Broadcasts the runner looks after: sending, and scheduled ones (due or not)."""
    return await Broadcast.select().where(
        Broadcast.status.is_in([BroadcastStatus.SENDING, BroadcastStatus.SCHEDULED])
    )


async def recent_finished(since: datetime) -> list[dict[str, Any]]:
    """Finished broadcasts whose receipts and replies may still come in."""
    return await Broadcast.select(
        Broadcast.id, Broadcast.workspace_id, Broadcast.name, Broadcast.status
    ).where(
        Broadcast.status.is_in(
            [BroadcastStatus.SENT, BroadcastStatus.PAUSED, BroadcastStatus.CANCELLED]
        )
        & ((Broadcast.completed_at.is_null()) | (Broadcast.completed_at >= since))
    )


async def set_status(
    broadcast_id: str, expected: list[BroadcastStatus], status: BroadcastStatus, **values: Any
) -> bool:
    """Move a broadcast from one of `expected` to `status`: a guarded UPDATE, so two callers
    (two nodes, a click and the runner) never both make the same move."""
    columns = {getattr(Broadcast, k): v for k, v in values.items()}
    columns[Broadcast.status] = status
    moved = (
        await Broadcast.update(columns)
        .where((Broadcast.id == broadcast_id) & Broadcast.status.is_in(list(expected)))
        .returning(Broadcast.id)
    )
    return bool(moved)


def media_of(row: dict[str, Any]) -> dict[str, Any] | None:
    value = json_value(row.get("media"), None)
    return value if isinstance(value, dict) else None
