"""Labels (seed §6 `/contacts/labels`): coloured tags, unique by name per workspace."""

from __future__ import annotations

from typing import Any

from app.auth import Resource, guarded
from app.db.errors import is_unique_violation
from app.db.repos import mapping
from app.db.tables import Label
from app.domain import Actor, Conflict, NotFound, new_id
from app.domain import conversations as c
from app.records import AuditTrail


class LabelService:
    def __init__(self, audit: AuditTrail) -> None:
        self._audit = audit

    @guarded(Resource.CONTACTS, write=False)
    async def list(self, actor: Actor) -> list[c.Label]:
        rows = (
            await Label.select()
            .where(Label.workspace_id == actor.workspace_id)
            .order_by(Label.name)
        )
        return [mapping.label(r) for r in rows]

    @guarded(Resource.CONTACTS, write=True)
    async def create(self, actor: Actor, name: str, color: str) -> c.Label:
        label_id = new_id()
        try:
            await Label.insert(
                Label(id=label_id, workspace_id=actor.workspace_id, name=name.strip(), color=color)
            )
        except Exception as exc:
            if is_unique_violation(exc):
                raise Conflict(f"a label named {name!r} exists") from None
            raise
        await self._audit.record(actor, "label.create", "label", label_id, {"name": name})
        return await self._get(actor, label_id)

    async def _get(self, actor: Actor, label_id: str) -> c.Label:
        row = (
            await Label.select()
            .where((Label.id == label_id) & (Label.workspace_id == actor.workspace_id))
            .first()
        )
        if row is None:
            raise NotFound("label not found")
        return mapping.label(row)

    @guarded(Resource.CONTACTS, write=True)
    async def update(
        self, actor: Actor, label_id: str, name: str | None, color: str | None
    ) -> c.Label:
        await self._get(actor, label_id)
        changes: dict[Any, Any] = {}
        if name is not None:
            changes[Label.name] = name.strip()
        if color is not None:
            changes[Label.color] = color
        if changes:
            try:
                await Label.update(changes).where(Label.id == label_id)
            except Exception as exc:
                if is_unique_violation(exc):
                    raise Conflict(f"a label named {name!r} exists") from None
                raise
            await self._audit.record(actor, "label.update", "label", label_id)
        return await self._get(actor, label_id)

    @guarded(Resource.CONTACTS, write=True)
    async def delete(self, actor: Actor, label_id: str) -> None:
        await self._get(actor, label_id)
        await Label.delete().where(Label.id == label_id)  # links go with it (cascade)
        await self._audit.record(actor, "label.delete", "label", label_id)
