"""WhatsApp session rows: the hub's status writes and the session service's CRUD."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.db.repos import mapping
from app.db.tables import WhatsappSession
from app.domain import NotFound, SessionStatus
from app.domain import conversations as c


async def get(workspace_id: str, session_id: str) -> dict[str, Any]:
    row = (
        await WhatsappSession.select()
        .where((WhatsappSession.id == session_id) & (WhatsappSession.workspace_id == workspace_id))
        .first()
    )
    if row is None:
        raise NotFound("WhatsApp session not found")
    return row


async def row_of(session_id: str) -> dict[str, Any] | None:
    """The session's row whatever its workspace (the node that took over its lease opens it)."""
    row: dict[str, Any] | None = (
        await WhatsappSession.select().where(WhatsappSession.id == session_id).first()
    )
    return row


async def list_for(workspace_id: str) -> list[c.WhatsappSession]:
    rows = (
        await WhatsappSession.select()
        .where(WhatsappSession.workspace_id == workspace_id)
        .order_by(WhatsappSession.created_at)
    )
    return [mapping.session(r) for r in rows]


async def set_status(
    session_id: str, status: SessionStatus, now: datetime, reason: str | None = None
) -> bool:
    """The live status, and why: a reason becomes `last_error` (kept through the CONNECTING
    of the next attempt), connecting or a requested stop clears it. True when the status
    changed (webhooks hear of changes, in the caller's transaction)."""
    changes: dict[Any, Any] = {WhatsappSession.status: status, WhatsappSession.updated_at: now}
    if status is SessionStatus.CONNECTED or reason == "stopped":
        changes[WhatsappSession.last_error] = None
    elif reason:
        changes[WhatsappSession.last_error] = reason[:1000]
    before = (
        await WhatsappSession.select(WhatsappSession.status)
        .where(WhatsappSession.id == session_id)
        .first()
    )
    await WhatsappSession.update(changes).where(WhatsappSession.id == session_id)
    return before is not None and before["status"] != status


async def update(session_id: str, now: datetime, **values: Any) -> None:
    changes = {getattr(WhatsappSession, k): v for k, v in values.items()}
    changes[WhatsappSession.updated_at] = now
    await WhatsappSession.update(changes).where(WhatsappSession.id == session_id)


async def account_of(session_id: str) -> str | None:
    """The session's account id (how people know the number), None if it is gone."""
    row = (
        await WhatsappSession.select(WhatsappSession.account_id)
        .where(WhatsappSession.id == session_id)
        .first()
    )
    return row["account_id"] if row else None
