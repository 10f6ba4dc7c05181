"""Private notes in a thread (issue 17): what the team tells itself about a conversation.

A note is a `conversation_notes` row, never a message: the outbox and the dispatcher only send
`messages`, and analytics, unread counts, previews and the AI's history only read them — so a
note cannot reach the customer, or be counted or quoted as something they were told.
Anyone who may write conversations may add one; whoever may read them, reads them. Its
author may edit or delete it; an admin or owner may delete anyone's (a note in the wrong
thread, or one that should not have been written) but not put words in a colleague's mouth.
"""

from __future__ import annotations

from app.auth import Resource, guarded
from app.db.repos.notes import by_id, notes_of
from app.db.tables import ConversationNote
from app.domain import Actor, Clock, Forbidden, Invalid, NotFound
from app.domain import agent_tools as t
from app.events import EventBus, catalog
from app.records import AuditTrail
from app.services.conversation_queries import ConversationQueries


class NoteService:
    def __init__(
        self, queries: ConversationQueries, events: EventBus, audit: AuditTrail, clock: Clock
    ) -> None:
        self._queries = queries
        self._events = events  # `note:new`: other open inboxes show it at once
        self._audit = audit
        self._clock = clock

    @guarded(Resource.CONVERSATIONS, write=True)
    async def add(self, actor: Actor, conversation_id: str, text: str) -> t.Note:
        await self._queries.row(actor, conversation_id)
        text = text.strip()
        if not text:
            raise Invalid("text: a note needs text")
        row = ConversationNote(
            workspace_id=actor.workspace_id,
            conversation_id=conversation_id,
            author_user_id=actor.user_id,
            text=text,
            created_at=self._clock.now(),
        )
        await ConversationNote.insert(row)
        await self._audit.record(actor, "conversation.note", "conversation", conversation_id)
        (note,) = await by_id(row.id)
        self._events.publish(catalog.note_new(actor.workspace_id or "", note))
        return note

    @guarded(Resource.CONVERSATIONS, write=True)
    async def edit(self, actor: Actor, conversation_id: str, note_id: str, text: str) -> t.Note:
        """The author's new text for their note (marked edited)."""
        note = await self._own(actor, conversation_id, note_id, deleting=False)
        text = text.strip()
        if not text:
            raise Invalid("text: a note needs text")
        await ConversationNote.update(
            {ConversationNote.text: text, ConversationNote.edited_at: self._clock.now()}
        ).where(ConversationNote.id == note.id)
        await self._audit.record(actor, "conversation.note.edit", "conversation", conversation_id)
        (note,) = await by_id(note.id)
        self._events.publish(catalog.note_updated(actor.workspace_id or "", note))
        return note

    @guarded(Resource.CONVERSATIONS, write=True)
    async def delete(self, actor: Actor, conversation_id: str, note_id: str) -> None:
        """Its author, or an admin or owner, removes a note."""
        note = await self._own(actor, conversation_id, note_id, deleting=True)
        await ConversationNote.delete().where(ConversationNote.id == note.id)
        await self._audit.record(actor, "conversation.note.delete", "conversation", conversation_id)
        event = catalog.note_deleted(actor.workspace_id or "", note.id, conversation_id)
        self._events.publish(event)

    async def _own(
        self, actor: Actor, conversation_id: str, note_id: str, *, deleting: bool
    ) -> t.Note:
        """The note, if it is in this (visible) conversation and the actor may change it."""
        await self._queries.row(actor, conversation_id)
        found = [n for n in await by_id(note_id) if n.conversation_id == conversation_id]
        if not found:
            raise NotFound("note not found")
        note = found[0]
        if not t.may_change_note(actor, note, deleting=deleting):
            who = "its author, or an admin or owner," if deleting else "its author"
            raise Forbidden(f"only {who} may {'delete' if deleting else 'edit'} a note")
        return note

    @guarded(Resource.CONVERSATIONS, write=False)
    async def list(self, actor: Actor, conversation_id: str) -> list[t.Note]:
        await self._queries.row(actor, conversation_id)
        return await notes_of(conversation_id)
