"""Contacts (seed §6): list/filter, edit, block, human takeover, labels, GDPR delete, CSV.

This module holds the changes (each audited and published as `contact:updated`); reading,
filtering and the CSV export are `ContactQueries`' (contact_queries.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from app.auth import Resource, guarded
from app.db.tables import Contact, ContactCustomField, ContactLabel, Conversation, Label, Message
from app.domain import Actor, Clock, ConversationStatus, NotFound, media_file
from app.domain import conversations as c
from app.events import EventBus, catalog
from app.records import AuditTrail
from app.services.contact_queries import ContactQueries


class ContactService:
    def __init__(
        self,
        queries: ContactQueries,
        events: EventBus,
        audit: AuditTrail,
        clock: Clock,
        media_dir: Path,
        label_added: Callable[[str, str, str], Awaitable[None]] | None = None,
    ) -> None:
        self._queries = queries
        self._label_added = label_added  # LABEL_ADDED flows start here (workspace, contact, label)
        self._clock = clock
        self._events = events
        self._audit = audit
        self._media_dir = media_dir

    @guarded(Resource.CONTACTS, write=True)
    async def update(
        self, actor: Actor, contact_id: str, changes: dict[str, Any], custom: dict[str, Any] | None
    ) -> c.Contact:
        """Set the given fields (None = leave as is); `custom` values of None delete a key."""
        await self._queries.row(actor, contact_id)
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
        contact = await self._queries.get(actor, contact_id)
        self._events.publish(catalog.contact_updated(actor.workspace_id or "", contact))
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
        await self._queries.row(actor, contact_id)
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
        await self._queries.row(actor, contact_id)
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
        contact = await self._changed(actor, contact_id)
        if not linked and self._label_added is not None:
            await self._label_added(actor.workspace_id or "", contact_id, label_id)
        return contact

    @guarded(Resource.CONTACTS, write=True)
    async def detach_label(self, actor: Actor, contact_id: str, label_id: str) -> c.Contact:
        await self._queries.row(actor, contact_id)
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
        await self._queries.row(actor, contact_id)
        conv_ids = Conversation.select(Conversation.id).where(Conversation.contact_id == contact_id)
        media = await Message.select(Message.media_url).where(
            Message.conversation_id.is_in(conv_ids) & Message.media_url.is_not_null()
        )
        await Contact.delete().where(Contact.id == contact_id)
        for row in media:
            path = media_file(self._media_dir, row["media_url"]).resolve()
            if path.is_relative_to(self._media_dir.resolve()):
                path.unlink(missing_ok=True)
        await self._audit.record(actor, "contact.delete", "contact", contact_id)


__all__ = ["ContactService"]
