"""The audit log as the settings page and `GET /settings/audit-log` read it (a settings
read, seed §6). Rows are written by `app.records.AuditTrail`."""

from __future__ import annotations

from piccolo.custom_types import Combinable

from app.auth import Resource, guarded
from app.db.tables import AuditLog
from app.domain import Actor, Page
from app.domain.records import AuditEntry
from app.services._rows import page_bounds, to_model


class AuditService:
    """The audit log, read back; `app.records.AuditTrail` writes it."""

    @guarded(Resource.SETTINGS, write=False)
    async def list(
        self, actor: Actor, *, page: int = 1, page_size: int = 50, action: str | None = None
    ) -> Page[AuditEntry]:
        limit, offset = page_bounds(page, page_size)
        where: Combinable = AuditLog.workspace_id == actor.workspace_id
        if action:
            where &= AuditLog.action.like(f"{action}%")
        rows = (
            await AuditLog.select()
            .where(where)
            .order_by(AuditLog.created_at, ascending=False)
            .limit(limit)
            .offset(offset)
            .output(load_json=True)
        )
        total = await AuditLog.count().where(where)
        items = [to_model(AuditEntry, r) for r in rows]
        return Page(items=items, total=total, page=max(page, 1), page_size=limit)
