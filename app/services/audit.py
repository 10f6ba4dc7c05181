"""Audit log: every mutating service call leaves a row (seed §5 AuditLog, §17 phase 4).

Reading the log is a settings read (seed §6 serves it under `/settings/audit-log`).
"""

from __future__ import annotations

from typing import Any

from app.auth import Resource, guarded
from app.db.tables import AuditLog
from app.domain import Actor, Page
from app.domain.models import AuditEntry
from app.services._rows import page_bounds, to_model


class AuditService:
    async def record(
        self,
        actor: Actor,
        action: str,
        entity_type: str | None = None,
        entity_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        *,
        workspace_id: str | None = None,
    ) -> None:
        """Write one entry; `action` reads like `contact.block` (resource.verb).

        Not guarded: it records a call its caller has already authorized (and account-level
        actions with no workspace role); the audit trail must not depend on the role."""
        ws = workspace_id or actor.workspace_id
        if ws is None:
            return  # account-level actions (login, password reset) belong to no workspace
        meta = dict(metadata or {})
        if actor.api_key_id:
            meta.setdefault("apiKeyId", actor.api_key_id)
        await AuditLog.insert(
            AuditLog(
                workspace_id=ws,
                user_id=actor.user_id,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                metadata=meta or None,
                ip_address=actor.ip,
            )
        )

    @guarded(Resource.SETTINGS, write=False)
    async def list(
        self, actor: Actor, *, page: int = 1, page_size: int = 50, action: str | None = None
    ) -> Page[AuditEntry]:
        limit, offset = page_bounds(page, page_size)
        where = AuditLog.workspace_id == actor.workspace_id
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
