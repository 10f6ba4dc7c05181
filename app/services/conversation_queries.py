"""Reading conversations (seed §6): the inbox list with its filters, previews, one thread,
and the export. The writes (status, assignment, replies) are `ConversationService`'s, which
finds its conversations through this service."""

from __future__ import annotations

import builtins
from typing import Any

import msgspec
from piccolo.custom_types import Combinable

from app.auth import Resource, guarded
from app.db.repos import mapping
from app.db.repos.csat import csat_of
from app.db.repos.messages import previews
from app.db.repos.notes import notes_of
from app.db.repos.search import contact_matches
from app.db.tables import Contact, ContactLabel, Conversation, Message
from app.domain import Actor, NotFound, Page
from app.domain import conversations as c
from app.records import AuditTrail
from app.services._rows import page_bounds


class ConversationQueries:
    def __init__(self, audit: AuditTrail) -> None:
        self._audit = audit  # an export is audited

    @guarded(Resource.CONVERSATIONS, write=False)
    async def list(
        self, actor: Actor, *, page: int = 1, page_size: int = 50, **f: Any
    ) -> Page[c.Conversation]:
        limit, offset = page_bounds(page, page_size)
        where: Combinable = Conversation.workspace_id == actor.workspace_id
        if f.get("status"):
            where &= Conversation.status == f["status"]
        if f.get("assignee") == "none":
            where &= Conversation.assigned_user_id.is_null()
        elif f.get("assignee"):
            who = actor.user_id if f["assignee"] == "me" else f["assignee"]
            where &= Conversation.assigned_user_id == who
        if f.get("unread") is not None:
            where &= (
                (Conversation.unread_count > 0) if f["unread"] else (Conversation.unread_count == 0)
            )
        if f.get("session_id"):
            where &= Conversation.session_id == f["session_id"]
        if f.get("contact_id"):
            where &= Conversation.contact_id == f["contact_id"]
        if f.get("label"):
            where &= Conversation.contact_id.is_in(
                ContactLabel.select(ContactLabel.contact_id).where(
                    ContactLabel.label_id == f["label"]
                )
            )
        if f.get("search"):
            where &= Conversation.contact_id.is_in(
                Contact.select(Contact.id).where(
                    (Contact.workspace_id == actor.workspace_id) & contact_matches(f["search"])
                )
            )
        rows = (
            await Conversation.select()
            .where(where)
            .order_by(Conversation.last_message_at, ascending=False)
            .order_by(Conversation.id)
            .limit(limit)
            .offset(offset)
        )
        total = await Conversation.count().where(where)
        contacts = {}
        if rows:
            ids = list({r["contact_id"] for r in rows})
            contacts = {
                r["id"]: mapping.contact(r)
                for r in await Contact.select().where(Contact.id.is_in(ids))
            }
        items = [mapping.conversation(r, contacts.get(r["contact_id"])) for r in rows]
        return Page(items=items, total=total, page=max(page, 1), page_size=limit)

    @guarded(Resource.CONVERSATIONS, write=False)
    async def previews(self, actor: Actor, conversation_ids: builtins.list[str]) -> dict[str, str]:
        """Last-message previews for the inbox list, only for this workspace's conversations."""
        mine = await Conversation.select(Conversation.id).where(
            (Conversation.workspace_id == actor.workspace_id)
            & Conversation.id.is_in(conversation_ids or [""])
        )
        return await previews([r["id"] for r in mine])

    @guarded(Resource.CONVERSATIONS, write=False)
    async def row(self, actor: Actor, conversation_id: str) -> dict[str, Any]:
        row = (
            await Conversation.select()
            .where(
                (Conversation.id == conversation_id)
                & (Conversation.workspace_id == actor.workspace_id)
            )
            .first()
        )
        if row is None:
            raise NotFound("conversation not found")
        return row

    async def belongs_to(self, workspace_id: str, conversation_id: str) -> bool:
        """Whether the conversation is the workspace's: for a caller that checked the actor's
        membership itself (the websocket's rooms)."""
        return await Conversation.exists().where(
            (Conversation.id == conversation_id) & (Conversation.workspace_id == workspace_id)
        )

    @guarded(Resource.CONVERSATIONS, write=False)
    async def get(
        self, actor: Actor, conversation_id: str, *, page: int = 1, page_size: int = 50
    ) -> c.ConversationDetail:
        """The conversation and one page of messages: page 1 is the most recent, each page
        in chronological order."""
        row = await self.row(actor, conversation_id)
        limit, offset = page_bounds(page, page_size, max_size=500)
        where = Message.conversation_id == conversation_id
        rows = (
            await Message.select()
            .where(where)
            .order_by(Message.created_at, ascending=False)
            .order_by(Message.id, ascending=False)
            .limit(limit)
            .offset(offset)
        )
        total = await Message.count().where(where)
        contact = await Contact.select().where(Contact.id == row["contact_id"]).first()
        base = mapping.conversation(row, mapping.contact(contact) if contact else None)
        # the notes written in the time this page spans: from its oldest message (none on
        # the last page) up to the next newer message (none on page 1)
        since = rows[-1]["created_at"] if rows and offset + len(rows) < total else None
        until = None
        if offset > 0:
            newer = (
                await Message.select(Message.created_at)
                .where(where)
                .order_by(Message.created_at, ascending=False)
                .order_by(Message.id, ascending=False)
                .offset(offset - 1)
                .first()
            )
            until = newer["created_at"] if newer else None
        return c.ConversationDetail(
            **msgspec.structs.asdict(base),
            messages=[mapping.message(r) for r in reversed(rows)],
            messages_total=total,
            notes=await notes_of(conversation_id, since, until),
            csat=await csat_of(conversation_id),
            page=max(page, 1),
            page_size=limit,
        )

    @guarded(Resource.CONVERSATIONS, write=False)
    async def export(self, actor: Actor, conversation_id: str) -> dict[str, Any]:
        """The whole thread as plain data (the JSON export; the PDF is rendered from it)."""
        detail = await self.get(actor, conversation_id, page=1, page_size=1)
        rows = (
            await Message.select()
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.created_at)
            .order_by(Message.id)
        )
        data = msgspec.to_builtins(detail)
        data.pop("page", None)
        data.pop("pageSize", None)
        data["messages"] = [msgspec.to_builtins(mapping.message(r)) for r in rows]
        data["notes"] = msgspec.to_builtins(await notes_of(conversation_id))  # all, not a page's
        await self._audit.record(actor, "conversation.export", "conversation", conversation_id)
        return data
