"""Contacts (seed §6): list/filter, edit, block, human takeover, labels, GDPR delete, CSV.

This module holds the changes (each audited and published as `contact:updated`); reading,
filtering and the CSV export are `ContactQueries`' (contact_queries.py). Webhooks hear of each
change in its transaction: `contact.updated`, or `contact.labeled` for a label put on or
taken off (and `conversation.updated` when a release reopens a waiting conversation).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from app.auth import Resource, guarded
from app.db.repos import mapping
from app.db.tables import Contact, ContactCustomField, ContactLabel, Conversation, Label, Message
from app.db.tx import transaction
from app.domain import Actor, Clock, ConversationStatus, NotFound
from app.domain import conversations as c
from app.events import Event, EventBus, catalog
from app.jobs.retention import remove_unused_files
from app.records import AuditTrail, WebhookOutbox
from app.services.contact_queries import ContactQueries
from app.storage import Storage


class ContactService:
    def __init__(
        self,
        queries: ContactQueries,
        events: EventBus,
        audit: AuditTrail,
        clock: Clock,
        storage: Storage,
        webhooks: WebhookOutbox,
        label_added: Callable[[str, str, str], Awaitable[None]] | None = None,
    ) -> None:
        self._queries = queries
        self._webhooks = webhooks
        self._label_added = label_added  # LABEL_ADDED flows start here (workspace, contact, label)
        self._clock = clock
        self._events = events
        self._audit = audit
        self._storage = storage

    @guarded(Resource.CONTACTS, write=True)
    async def update(
        self, actor: Actor, contact_id: str, changes: dict[str, Any], custom: dict[str, Any] | None
    ) -> c.Contact:
        """Set the given fields (None = leave as is); `custom` values of None delete a key."""
        await self._queries.row(actor, contact_id)
        async with transaction():
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
            contact, told = await self._tell(actor, contact_id)
        return self._publish(actor, contact, told)

    async def _tell(
        self, actor: Actor, contact_id: str, *also: Event, label: tuple[str, bool] | None = None
    ) -> tuple[c.Contact, list[Event]]:
        """Inside the change's transaction: the contact after it, and what webhooks hear
        (`contact.updated`, or `contact.labeled` for `label` = (id, added), plus `also`)."""
        ws = actor.workspace_id or ""
        contact = await self._queries.get(actor, contact_id)
        told = [*also]
        if label is None:
            told.insert(0, catalog.contact_updated(ws, contact))
        else:
            row = await Label.select().where(Label.id == label[0]).first()
            if row is not None:
                told.insert(0, catalog.contact_labeled(ws, contact, mapping.label(row), label[1]))
        await self._webhooks.record(*told)
        return contact, told

    def _publish(self, actor: Actor, contact: c.Contact, told: list[Event]) -> c.Contact:
        """After the commit: `contact:updated` for live views, and what webhooks heard."""
        updated = catalog.contact_updated(actor.workspace_id or "", contact)
        for event in [updated, *(e for e in told if e.name != updated.name)]:
            self._events.publish(event)
        return contact

    @guarded(Resource.CONTACTS, write=True)
    async def set_flag(self, actor: Actor, contact_id: str, action: str) -> c.Contact:
        """block / unblock / takeover / release / opt_out / opt_in (of broadcasts: an opted-out
        contact is skipped by every broadcast; by hand as by an opt-out word)."""
        now = self._clock.now()
        column, value = {
            "block": (Contact.is_blocked, True),
            "unblock": (Contact.is_blocked, False),
            "takeover": (Contact.human_takeover, True),
            "release": (Contact.human_takeover, False),
            "opt_out": (Contact.opted_out_at, now),
            "opt_in": (Contact.opted_out_at, None),
        }[action]
        await self._queries.row(actor, contact_id)
        async with transaction():
            await Contact.update({column: value, Contact.updated_at: now}).where(
                Contact.id == contact_id
            )
            reopened = []
            if action == "release":  # the bot answers again: nobody waits for a human any more
                rows = (
                    await Conversation.update(
                        {Conversation.status: ConversationStatus.OPEN, Conversation.updated_at: now}
                    )
                    .where(
                        (Conversation.contact_id == contact_id)
                        & (Conversation.status == ConversationStatus.WAITING_HUMAN)
                    )
                    .returning(*Conversation.all_columns())
                )
                ws = actor.workspace_id or ""
                reopened = [catalog.conversation_updated(ws, mapping.conversation(r)) for r in rows]
            await self._audit.record(actor, f"contact.{action}", "contact", contact_id)
            contact, told = await self._tell(actor, contact_id, *reopened)
        return self._publish(actor, contact, told)

    @guarded(Resource.CONTACTS, write=True)
    async def attach_label(self, actor: Actor, contact_id: str, label_id: str) -> c.Contact:
        await self._queries.row(actor, contact_id)
        label = await Label.exists().where(
            (Label.id == label_id) & (Label.workspace_id == actor.workspace_id)
        )
        if not label:
            raise NotFound("label not found")
        async with transaction():
            linked = await ContactLabel.exists().where(
                (ContactLabel.contact_id == contact_id) & (ContactLabel.label_id == label_id)
            )
            told: list[Event] = []
            if not linked:
                await ContactLabel.insert(ContactLabel(contact_id=contact_id, label_id=label_id))
                await self._audit.record(
                    actor, "contact.label", "contact", contact_id, {"labelId": label_id}
                )
                contact, told = await self._tell(actor, contact_id, label=(label_id, True))
            else:
                contact = await self._queries.get(actor, contact_id)
        published = self._publish(actor, contact, told)
        if not linked and self._label_added is not None:
            await self._label_added(actor.workspace_id or "", contact_id, label_id)
        return published

    @guarded(Resource.CONTACTS, write=True)
    async def detach_label(self, actor: Actor, contact_id: str, label_id: str) -> c.Contact:
        await self._queries.row(actor, contact_id)
        async with transaction():
            removed = (
                await ContactLabel.delete()
                .where(
                    (ContactLabel.contact_id == contact_id) & (ContactLabel.label_id == label_id)
                )
                .returning(ContactLabel.id)
            )
            if not removed:
                raise NotFound("the contact does not have this label")
            await self._audit.record(
                actor, "contact.unlabel", "contact", contact_id, {"labelId": label_id}
            )
            contact, told = await self._tell(actor, contact_id, label=(label_id, False))
        return self._publish(actor, contact, told)

    @guarded(Resource.CONTACTS, write=True)
    async def delete(self, actor: Actor, contact_id: str) -> None:
        """GDPR erasure: the contact, its conversations, messages, outbox rows, flow runs,
        labels links, custom fields, broadcast recipient rows (cascade) and its media files
        (but not a broadcast's file its other recipients share). The audit entry keeps only
        the id."""
        await self._queries.row(actor, contact_id)
        conv_ids = Conversation.select(Conversation.id).where(Conversation.contact_id == contact_id)
        media = await Message.select(Message.media_url).where(
            Message.conversation_id.is_in(conv_ids) & Message.media_url.is_not_null()
        )
        await Contact.delete().where(Contact.id == contact_id)
        urls = {row["media_url"] for row in media}
        await remove_unused_files(actor.workspace_id or "", urls, self._storage)
        await self._audit.record(actor, "contact.delete", "contact", contact_id)


__all__ = ["ContactService"]
