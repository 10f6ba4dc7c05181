"""The audit trail: every mutating service call leaves a row (seed §5 AuditLog, §17 phase 4)."""

from __future__ import annotations

from typing import Any

from app.db.tables import AuditLog
from app.domain import Actor


class AuditTrail:
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
        """Write one entry; `action` reads like `contact.block` (resource.verb)."""
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
