"""Contacts (seed §6): list/filter, edit, block, human takeover, labels, GDPR delete, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from piccolo.query import OrderByRaw

from app.auth import Resource, guarded
from app.db.repos import mapping
from app.db.repos.search import contact_matches
from app.db.tables import (
    Contact,
    ContactCustomField,
    ContactLabel,
    Conversation,
    Label,
    Message,
)
from app.domain import Actor, Clock, ConversationStatus, Invalid, NotFound, Page
from app.domain import conversations as c
from app.events import EventBus, names
from app.services._rows import page_bounds
from app.services.audit import AuditService

CSV_COLUMNS = (
    "id", "jid", "phone_number", "name", "display_name", "is_blocked", "human_takeover",
    "approval_mode", "autoreply_enabled", "is_vip", "language", "notes", "first_seen_at",
    "last_message_at",
)  # fmt: skip
# list orders: the shown name (set name, else WhatsApp name, else phone), phone, activity
SORTS = {
    "name": OrderByRaw("LOWER(COALESCE(display_name, name, phone_number))"),
    "phone": Contact.phone_number,
    "recent": Contact.last_message_at,
    "first_seen": Contact.first_seen_at,
}


class ContactService:
    def __init__(self, clock: Clock, events: EventBus, audit: AuditService, data_dir: Path) -> None:
        self._clock = clock
        self._events = events
        self._audit = audit
        self._media_dir = data_dir / "media"

    def _where(self, actor: Actor, **filters: Any) -> Any:
        where = Contact.workspace_id == actor.workspace_id
        for flag, column in (
            ("blocked", Contact.is_blocked),
            ("takeover", Contact.human_takeover),
            ("vip", Contact.is_vip),
        ):
            if filters.get(flag) is not None:
                where &= column == filters[flag]
        if filters.get("label"):
            linked = ContactLabel.select(ContactLabel.contact_id).where(
                ContactLabel.label_id == filters["label"]
            )
            where &= Contact.id.is_in(linked)
        if filters.get("search"):
            where &= contact_matches(filters["search"])
        if filters.get("ids") is not None:
            where &= Contact.id.is_in(list(filters["ids"]) or [""])
        return where

    @guarded(Resource.CONTACTS, write=False)
    async def list(
        self,
        actor: Actor,
        *,
        page: int = 1,
        page_size: int = 50,
        sort: str = "recent",
        descending: bool | None = None,
        **filters: Any,
    ) -> Page[c.Contact]:
        """One page; `sort` is a key of SORTS (recent activity first unless told otherwise)."""
        if sort not in SORTS:
            raise Invalid(f"sort: one of {', '.join(SORTS)}")
        limit, offset = page_bounds(page, page_size)
        where = self._where(actor, **filters)
        down = sort == "recent" if descending is None else descending
        rows = (
            await Contact.select()
            .where(where)
            .order_by(SORTS[sort], ascending=not down)
            .order_by(Contact.id)
            .limit(limit)
            .offset(offset)
        )
        total = await Contact.count().where(where)
        items = await self._with_extras(rows)
        return Page(items=items, total=total, page=max(page, 1), page_size=limit)

    async def _with_extras(self, rows: list[dict[str, Any]]) -> list[c.Contact]:
        ids = [r["id"] for r in rows]
        labels: dict[str, list[c.Label]] = {i: [] for i in ids}
        fields: dict[str, dict[str, str]] = {i: {} for i in ids}
        if ids:
            links = await ContactLabel.select(
                ContactLabel.contact_id, *ContactLabel.label_id.all_columns()
            ).where(ContactLabel.contact_id.is_in(ids))
            for link in links:
                labels[link["contact_id"]].append(
                    c.Label(
                        id=link["label_id.id"],
                        name=link["label_id.name"],
                        color=link["label_id.color"],
                        created_at=link["label_id.created_at"],
                    )
                )
            for f in await ContactCustomField.select().where(
                ContactCustomField.contact_id.is_in(ids)
            ):
                fields[f["contact_id"]][f["key"]] = f["value"]
        return [mapping.contact(r, labels[r["id"]], fields[r["id"]]) for r in rows]

    async def _row(self, actor: Actor, contact_id: str) -> dict[str, Any]:
        row = (
            await Contact.select()
            .where((Contact.id == contact_id) & (Contact.workspace_id == actor.workspace_id))
            .first()
        )
        if row is None:
            raise NotFound("contact not found")
        return row

    @guarded(Resource.CONTACTS, write=False)
    async def get(self, actor: Actor, contact_id: str) -> c.Contact:
        return (await self._with_extras([await self._row(actor, contact_id)]))[0]

    @guarded(Resource.CONTACTS, write=True)
    async def update(
        self, actor: Actor, contact_id: str, changes: dict[str, Any], custom: dict[str, Any] | None
    ) -> c.Contact:
        """Set the given fields (None = leave as is); `custom` values of None delete a key."""
        await self._row(actor, contact_id)
        async with Contact._meta.db.transaction():
            if changes:
                values = {getattr(Contact, k): v for k, v in changes.items()}
                values[Contact.updated_at] = self._clock.now()
                await Contact.update(values).where(Contact.id == contact_id)
            for key, value in (custom or {}).items():
                await ContactCustomField.delete().where(
                    (ContactCustomField.contact_id == contact_id) & (ContactCustomField.key == key)
                )
                if value is not None:
                    await ContactCustomField.insert(
                        ContactCustomField(contact_id=contact_id, key=key, value=value)
                    )
            meta = {**changes, **({"customFields": sorted(custom)} if custom else {})}
            await self._audit.record(actor, "contact.update", "contact", contact_id, meta)
        return await self._changed(actor, contact_id)

    async def _changed(self, actor: Actor, contact_id: str) -> c.Contact:
        contact = await self.get(actor, contact_id)
        self._events.publish(
            names.CONTACT_UPDATED, actor.workspace_id or "", {"contact": _encode(contact)}
        )
        return contact

    @guarded(Resource.CONTACTS, write=True)
    async def set_flag(self, actor: Actor, contact_id: str, action: str) -> c.Contact:
        """block / unblock / takeover / release."""
        column, value = {
            "block": (Contact.is_blocked, True),
            "unblock": (Contact.is_blocked, False),
            "takeover": (Contact.human_takeover, True),
            "release": (Contact.human_takeover, False),
        }[action]
        await self._row(actor, contact_id)
        await Contact.update({column: value, Contact.updated_at: self._clock.now()}).where(
            Contact.id == contact_id
        )
        if action == "release":  # the bot answers again: nobody waits for a human any more
            await Conversation.update({Conversation.status: ConversationStatus.OPEN}).where(
                (Conversation.contact_id == contact_id)
                & (Conversation.status == ConversationStatus.WAITING_HUMAN)
            )
        await self._audit.record(actor, f"contact.{action}", "contact", contact_id)
        return await self._changed(actor, contact_id)

    @guarded(Resource.CONTACTS, write=True)
    async def attach_label(self, actor: Actor, contact_id: str, label_id: str) -> c.Contact:
        await self._row(actor, contact_id)
        label = await Label.exists().where(
            (Label.id == label_id) & (Label.workspace_id == actor.workspace_id)
        )
        if not label:
            raise NotFound("label not found")
        linked = await ContactLabel.exists().where(
            (ContactLabel.contact_id == contact_id) & (ContactLabel.label_id == label_id)
        )
        if not linked:
            await ContactLabel.insert(ContactLabel(contact_id=contact_id, label_id=label_id))
            await self._audit.record(
                actor, "contact.label", "contact", contact_id, {"labelId": label_id}
            )
        return await self._changed(actor, contact_id)

    @guarded(Resource.CONTACTS, write=True)
    async def detach_label(self, actor: Actor, contact_id: str, label_id: str) -> c.Contact:
        await self._row(actor, contact_id)
        removed = (
            await ContactLabel.delete()
            .where((ContactLabel.contact_id == contact_id) & (ContactLabel.label_id == label_id))
            .returning(ContactLabel.id)
        )
        if not removed:
            raise NotFound("the contact does not have this label")
        await self._audit.record(
            actor, "contact.unlabel", "contact", contact_id, {"labelId": label_id}
        )
        return await self._changed(actor, contact_id)

    @guarded(Resource.CONTACTS, write=True)
    async def delete(self, actor: Actor, contact_id: str) -> None:
        """GDPR erasure: the contact, its conversations, messages, outbox rows (cascade) and
        its media files. The audit entry keeps only the id."""
        await self._row(actor, contact_id)
        from app.db.tables import Conversation

        conv_ids = Conversation.select(Conversation.id).where(Conversation.contact_id == contact_id)
        media = await Message.select(Message.media_url).where(
            Message.conversation_id.is_in(conv_ids) & Message.media_url.is_not_null()
        )
        await Contact.delete().where(Contact.id == contact_id)
        for row in media:
            path = (self._media_dir.parent / row["media_url"]).resolve()
            if path.is_relative_to(self._media_dir.resolve()):
                path.unlink(missing_ok=True)
        await self._audit.record(actor, "contact.delete", "contact", contact_id)

    @guarded(Resource.CONTACTS, write=False)
    async def export_csv(self, actor: Actor, **filters: Any) -> AsyncIterator[bytes]:
        """The workspace's contacts (those matching `filters`, as for `list`, plus `ids`) as
        CSV, streamed page by page."""
        yield (",".join(CSV_COLUMNS) + ",labels\r\n").encode()
        where = self._where(actor, **filters)
        after = ""
        while True:
            rows = (
                await Contact.select()
                .where(where & (Contact.id > after))
                .order_by(Contact.id)
                .limit(500)
            )
            if not rows:
                return
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            keys = [_camel(k) for k in CSV_COLUMNS]
            for contact in await self._with_extras(rows):
                data = _encode(contact)
                values = [data[k] for k in keys]
                writer.writerow(
                    [_cell(v) for v in values] + [";".join(lb.name for lb in contact.labels)]
                )
            yield buffer.getvalue().encode()
            after = rows[-1]["id"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _cell(value: Any) -> str:
    """Plain text; a leading =,+,-,@ is quoted so spreadsheets don't run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not text[1:].isdigit() else text


def _encode(model: Any) -> dict[str, Any]:
    import msgspec

    return msgspec.to_builtins(model)


__all__ = ["ContactService"]
