"""Broadcasts (issue 15.2, seed §6): compose a templated message for an audience, send it now
or at a time, pause, resume, cancel, and follow every recipient.

A draft is free to change. Sending (or the scheduled time) freezes the audience as recipient
rows — blocked contacts are never in it, opted-out ones are written as skipped — and the
runner (`app/pipeline/broadcasts.py`) queues them through the outbox within the number's send
budget. A `mediaUrl` is checked by the SSRF guard when saved and fetched through it once,
when sending is asked for, so every recipient gets the same file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec

from app.auth import Resource, guarded
from app.db.repos import broadcasts as repo
from app.db.repos import send_budget as budgets
from app.db.repos import sessions
from app.db.repos.mapping import json_value, to_model
from app.db.tables import Broadcast, BroadcastRecipient, Contact, ContactCustomField, Label
from app.domain import (
    Actor,
    BroadcastStatus,
    BroadcastTarget,
    Clock,
    Conflict,
    Invalid,
    NotFound,
    Page,
    SessionStatus,
    new_id,
)
from app.domain import broadcasts as b
from app.domain.templating import contact_values, render, unknown
from app.net import Egress
from app.pipeline.broadcasts import BroadcastRunner
from app.pipeline.budget import SendBudget
from app.records import AuditTrail
from app.schemas.broadcasts import BroadcastCreateBody, BroadcastPatchBody
from app.services import attachments
from app.storage import Storage

DRAFT = [BroadcastStatus.DRAFT]


class BroadcastService:
    def __init__(
        self,
        runner: BroadcastRunner,
        budget: SendBudget,
        audit: AuditTrail,
        clock: Clock,
        storage: Storage,
        egress: Egress,
    ) -> None:
        self._runner = runner
        self._budget = budget  # its defaults: the duration estimate
        self._audit = audit
        self._clock = clock
        self._storage = storage
        self._egress = egress  # mediaUrl: checked when saved, fetched through it once

    # --- reading -------------------------------------------------------------------------

    @guarded(Resource.BROADCASTS, write=False)
    async def list(self, actor: Actor) -> list[b.Broadcast]:
        rows = (
            await Broadcast.select()
            .where(Broadcast.workspace_id == (actor.workspace_id or ""))
            .order_by(Broadcast.created_at, ascending=False)
        )
        return [await _view(r) for r in rows]

    @guarded(Resource.BROADCASTS, write=False)
    async def get(self, actor: Actor, broadcast_id: str) -> b.Broadcast:
        row = await _row(actor, broadcast_id)
        await repo.sync(broadcast_id, self._runner.reply_window)  # receipts up to date
        return await _view(row)

    @guarded(Resource.BROADCASTS, write=False)
    async def stats(self, actor: Actor, broadcast_id: str) -> b.BroadcastStats:
        """`{total, pending, sent, delivered, read, replied, failed, optedOut}` (cumulative:
        see `app.domain.broadcasts`), brought up to date with the messages' receipts."""
        await _row(actor, broadcast_id)
        await repo.sync(broadcast_id, self._runner.reply_window)
        return await repo.stats(broadcast_id)

    @guarded(Resource.BROADCASTS, write=False)
    async def recipients(
        self,
        actor: Actor,
        broadcast_id: str,
        *,
        page: int = 1,
        page_size: int = 50,
        status: str | None = None,
    ) -> Page[b.BroadcastRecipient]:
        """The recipients with their state, in the order they are messaged."""
        await _row(actor, broadcast_id)
        where: Any = BroadcastRecipient.broadcast_id == broadcast_id
        if status:
            if status.upper() not in b.RECIPIENT_STATES:
                raise Invalid(f"status: one of {', '.join(b.RECIPIENT_STATES)}")
            where &= BroadcastRecipient.status == status.lower()
        total = await BroadcastRecipient.count().where(where)
        rows = (
            await BroadcastRecipient.select(
                *BroadcastRecipient.all_columns(),
                BroadcastRecipient.contact_id.display_name,
                BroadcastRecipient.contact_id.name,
                BroadcastRecipient.contact_id.phone_number,
                BroadcastRecipient.message_id.conversation_id,
            )
            .where(where)
            .order_by(BroadcastRecipient.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        items = [
            to_model(
                b.BroadcastRecipient,
                r,
                name=r["contact_id.display_name"] or r["contact_id.name"],
                phone_number=r["contact_id.phone_number"],
                status=r["status"].upper(),
                conversation_id=r["message_id.conversation_id"],
            )
            for r in rows
        ]
        return Page(items=items, total=int(total), page=page, page_size=page_size)

    @guarded(Resource.BROADCASTS, write=False)
    async def audience(
        self,
        actor: Actor,
        target_type: BroadcastTarget,
        label_ids: Sequence[str],
        contact_ids: Sequence[str],
        session_id: str | None = None,
    ) -> b.Audience:
        """How many a broadcast would reach now, and how long sending would take."""
        ws = actor.workspace_id or ""
        rows, blocked = await repo.audience(ws, target_type, [*label_ids], [*contact_ids])
        opted_out = sum(1 for r in rows if r.opted_out)
        reach = len(rows) - opted_out
        session = await _session_for(ws, session_id, strict=False)
        defaults = self._budget.defaults
        per_minute, per_day = defaults.per_minute, defaults.per_day
        left_today = per_day
        if session is not None:
            view = await budgets.view(session, self._clock.now(), self._budget.defaults)
            per_minute, per_day = view.per_minute, view.per_day
            left_today = max(0, view.limit_today - view.sent_today)
        return b.Audience(
            recipients=reach,
            opted_out=opted_out,
            blocked=blocked,
            estimated_minutes=_estimate(reach, per_minute, per_day, left_today),
            per_minute=per_minute,
            per_day=per_day,
        )

    @guarded(Resource.BROADCASTS, write=False)
    async def preview(self, actor: Actor, message: str, contact_id: str | None) -> b.Preview:
        """`message` as a contact reads it (a sample contact when none is named)."""
        ws = actor.workspace_id or ""
        query = Contact.select().where(Contact.workspace_id == ws)
        if contact_id:
            query = query.where(Contact.id == contact_id)
        contact = await query.order_by(Contact.created_at).first()
        if contact_id and contact is None:
            raise NotFound("contact not found")
        fields: dict[str, str] = {}
        if contact is not None:
            rows = await ContactCustomField.select().where(
                ContactCustomField.contact_id == contact["id"]
            )
            fields = {r["key"]: r["value"] for r in rows}
        values = contact_values(
            name=(contact["display_name"] or contact["name"]) if contact else "Ann Example",
            phone=contact["phone_number"] if contact else "+4915112345678",
            language=contact["language"] if contact else None,
            fields=fields,
        )
        rendered = render(message, values)
        return b.Preview(
            text=rendered.text,
            missing=list(rendered.missing),
            unknown=unknown(message, await _field_keys(ws)),
        )

    # --- drafts --------------------------------------------------------------------------

    @guarded(Resource.BROADCASTS, write=True)
    async def create(self, actor: Actor, body: BroadcastCreateBody) -> b.Broadcast:
        ws, now = actor.workspace_id or "", self._clock.now()
        values = msgspec.structs.asdict(body)
        await self._check(ws, values)
        row = Broadcast(id=new_id(), workspace_id=ws, created_at=now, updated_at=now, **values)
        await row.save()
        await self._audit.record(actor, "broadcast.create", "broadcast", row.id)
        return await _view(await _row(actor, row.id))

    @guarded(Resource.BROADCASTS, write=True)
    async def update(
        self, actor: Actor, broadcast_id: str, patch: BroadcastPatchBody
    ) -> b.Broadcast:
        ws = actor.workspace_id or ""
        current = await _row(actor, broadcast_id)
        _only_drafts(current)
        values = {
            f: v for f in patch.__struct_fields__ if (v := getattr(patch, f)) is not msgspec.UNSET
        }
        merged = {
            "name": current["name"],
            "message": current["message"],
            "media_url": current["media_url"],
            "target_type": current["target_type"],
            "label_ids": json_value(current["label_ids"], []),
            "contact_ids": json_value(current["contact_ids"], []),
            "session_id": current["session_id"],
        } | values
        await self._check(ws, merged, check_url="media_url" in values)
        if values:
            columns = {getattr(Broadcast, k): v for k, v in values.items()}
            columns[Broadcast.updated_at] = self._clock.now()
            await Broadcast.update(columns).where(
                (Broadcast.id == broadcast_id) & (Broadcast.status == BroadcastStatus.DRAFT)
            )
            await self._audit.record(
                actor, "broadcast.update", "broadcast", broadcast_id, {"fields": sorted(values)}
            )
        return await _view(await _row(actor, broadcast_id))

    @guarded(Resource.BROADCASTS, write=True)
    async def delete(self, actor: Actor, broadcast_id: str) -> None:
        """Drafts only: a broadcast that went out is part of what contacts received."""
        _only_drafts(await _row(actor, broadcast_id))
        await Broadcast.delete().where(
            (Broadcast.id == broadcast_id) & (Broadcast.status == BroadcastStatus.DRAFT)
        )
        await self._audit.record(actor, "broadcast.delete", "broadcast", broadcast_id)

    # --- sending -------------------------------------------------------------------------

    @guarded(Resource.BROADCASTS, write=True)
    async def send(self, actor: Actor, broadcast_id: str) -> b.Broadcast:
        """Start sending now: the audience is frozen and the runner queues it (202)."""
        row = await self._ready(actor, broadcast_id)
        if not await repo.begin(row, self._clock.now()):
            raise Conflict("this broadcast is already sending")
        await self._audit.record(actor, "broadcast.send", "broadcast", broadcast_id)
        self._runner.wake()
        return await _view(await _row(actor, broadcast_id))

    @guarded(Resource.BROADCASTS, write=True)
    async def schedule(self, actor: Actor, broadcast_id: str, at: datetime) -> b.Broadcast:
        """Send at `at` (the audience is taken then: contacts added meanwhile are in it)."""
        if at.tzinfo is None:
            raise Invalid("scheduledAt: give a time zone offset (e.g. 2026-05-01T09:00:00+02:00)")
        row = await self._ready(actor, broadcast_id)
        now = self._clock.now()
        moved = await repo.set_status(
            row["id"], DRAFT, BroadcastStatus.SCHEDULED, scheduled_at=at, updated_at=now
        )
        if not moved:
            raise Conflict("only a draft can be scheduled")
        await self._audit.record(
            actor, "broadcast.schedule", "broadcast", broadcast_id, {"at": at.isoformat()}
        )
        self._runner.wake()
        return await _view(await _row(actor, broadcast_id))

    @guarded(Resource.BROADCASTS, write=True)
    async def pause(self, actor: Actor, broadcast_id: str) -> b.Broadcast:
        """Stop queueing; the messages not yet taken by the dispatcher are taken back."""
        await _row(actor, broadcast_id)
        now = self._clock.now()
        if not await repo.set_status(
            broadcast_id, [BroadcastStatus.SENDING], BroadcastStatus.PAUSED, updated_at=now
        ):
            raise Conflict("only a sending broadcast can be paused")
        await self._runner.withdraw(actor.workspace_id or "", broadcast_id)
        return await self._changed(actor, broadcast_id, "broadcast.pause")

    @guarded(Resource.BROADCASTS, write=True)
    async def resume(self, actor: Actor, broadcast_id: str) -> b.Broadcast:
        await _row(actor, broadcast_id)
        now = self._clock.now()
        if not await repo.set_status(
            broadcast_id, [BroadcastStatus.PAUSED], BroadcastStatus.SENDING, updated_at=now
        ):
            raise Conflict("only a paused broadcast can be resumed")
        self._runner.wake()
        return await self._changed(actor, broadcast_id, "broadcast.resume")

    @guarded(Resource.BROADCASTS, write=True)
    async def cancel(self, actor: Actor, broadcast_id: str) -> b.Broadcast:
        """No one not yet messaged will be; a scheduled broadcast will not start."""
        await _row(actor, broadcast_id)
        now = self._clock.now()
        moving = [BroadcastStatus.SENDING, BroadcastStatus.PAUSED, BroadcastStatus.SCHEDULED]
        if not await repo.set_status(
            broadcast_id, moving, BroadcastStatus.CANCELLED, completed_at=now, updated_at=now
        ):
            raise Conflict("only a scheduled, sending or paused broadcast can be cancelled")
        await self._runner.withdraw(actor.workspace_id or "", broadcast_id)
        return await self._changed(actor, broadcast_id, "broadcast.cancel")

    # --- helpers -------------------------------------------------------------------------

    async def _changed(self, actor: Actor, broadcast_id: str, action: str) -> b.Broadcast:
        await self._audit.record(actor, action, "broadcast", broadcast_id)
        await repo.sync(broadcast_id, self._runner.reply_window)
        view = await _view(await _row(actor, broadcast_id))
        if view.stats is not None:
            row = {"id": view.id, "workspace_id": actor.workspace_id, "name": view.name}
            self._runner.publish(row, view.status, view.stats)
        return view

    async def _ready(self, actor: Actor, broadcast_id: str) -> dict[str, Any]:
        """A draft with a number to send from and its media stored: ready to start."""
        ws = actor.workspace_id or ""
        row = await _row(actor, broadcast_id)
        _only_drafts(row)
        session_id = await _session_for(ws, row["session_id"], strict=True)
        target = BroadcastTarget(row["target_type"])
        labels, contacts = json_value(row["label_ids"], []), json_value(row["contact_ids"], [])
        reached, _ = await repo.audience(ws, target, labels, contacts)
        if not any(not r.opted_out for r in reached):
            raise Invalid("this audience reaches nobody (no contacts, or all opted out or blocked)")
        values: dict[Any, Any] = {Broadcast.session_id: session_id}
        if row["media_url"] and repo.media_of(row) is None:
            file = await attachments.fetched(self._egress, row["media_url"])
            kind = attachments.check(file)
            media = await attachments.store(self._storage, ws, f"broadcast-{row['id']}", kind, file)
            values[Broadcast.media] = {
                "type": media.type.value,
                "url": media.url,
                "path": media.path,
                "mime": media.mime,
                "filename": media.filename,
            }
        await Broadcast.update(values).where(Broadcast.id == broadcast_id)
        return await _row(actor, broadcast_id)

    async def _check(self, ws: str, values: dict[str, Any], *, check_url: bool = True) -> None:
        """The audience refers to this workspace's labels/contacts, the template to variables
        a contact can have, the number to one of ours, the media URL passes the SSRF guard."""
        target = BroadcastTarget(values["target_type"])
        if target is BroadcastTarget.LABEL:
            ids = values.get("label_ids") or []
            if not ids:
                raise Invalid("labelIds: give at least one label for targetType LABEL")
            found = await Label.count().where((Label.workspace_id == ws) & Label.id.is_in(ids))
            if found != len(set(ids)):
                raise Invalid("labelIds: unknown label")
        if target is BroadcastTarget.CONTACTS:
            ids = values.get("contact_ids") or []
            if not ids:
                raise Invalid("contactIds: give at least one contact for targetType CONTACTS")
            found = await Contact.count().where(
                (Contact.workspace_id == ws) & Contact.id.is_in(list(set(ids)))
            )
            if found != len(set(ids)):
                raise Invalid("contactIds: unknown contact")
        if bad := unknown(values["message"], await _field_keys(ws)):
            raise Invalid(
                f"message: unknown variable {{{{{bad[0]}}}}} — use contact.name, "
                "contact.first_name, contact.phone or contact.fields.<key>"
            )
        if values.get("session_id"):
            await sessions.get(ws, values["session_id"])
        if check_url and values.get("media_url"):
            await self._egress.check_url(values["media_url"])


async def _row(actor: Actor, broadcast_id: str) -> dict[str, Any]:
    row = (
        await Broadcast.select()
        .where((Broadcast.id == broadcast_id) & (Broadcast.workspace_id == actor.workspace_id))
        .first()
    )
    if row is None:
        raise NotFound("broadcast not found")
    return row


async def _view(row: dict[str, Any]) -> b.Broadcast:
    stats = None if row["status"] == BroadcastStatus.DRAFT else await repo.stats(row["id"])
    if row["status"] == BroadcastStatus.SCHEDULED:
        stats = None
    return to_model(
        b.Broadcast,
        row,
        label_ids=json_value(row["label_ids"], []),
        contact_ids=json_value(row["contact_ids"], []),
        stats=stats,
    )


def _only_drafts(row: dict[str, Any]) -> None:
    if row["status"] != BroadcastStatus.DRAFT:
        raise Conflict(f"this broadcast is {row['status']}; only a draft can be changed")


async def _field_keys(ws: str) -> set[str]:
    rows = (
        await ContactCustomField.select(ContactCustomField.key)
        .where(ContactCustomField.contact_id.workspace_id == ws)
        .distinct()
    )
    return {r["key"] for r in rows}


async def _session_for(ws: str, session_id: str | None, *, strict: bool) -> str | None:
    """The named number, or the workspace's first connected one (else its first)."""
    if session_id:
        return str((await sessions.get(ws, session_id))["id"])
    listed = await sessions.list_for(ws)
    connected = [s for s in listed if s.status == SessionStatus.CONNECTED]
    if not listed:
        if strict:
            raise Invalid("sessionId: link a WhatsApp number first; there is none to send from")
        return None
    return (connected or listed)[0].id


def _estimate(n: int, per_minute: int, per_day: int, left_today: int) -> int:
    """Minutes to send `n` at the budget: per minute, and a day's wait per day's budget."""
    if n <= 0:
        return 0
    if n <= left_today:
        return math.ceil(n / per_minute)
    rest = n - left_today
    days = math.ceil(rest / max(1, per_day))
    return days * 24 * 60 + math.ceil((rest - (days - 1) * per_day) / per_minute)
