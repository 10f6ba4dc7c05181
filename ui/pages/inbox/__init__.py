"""`/dashboard/inbox` and `/dashboard/inbox/{id}` (seed §7): the conversation list beside the
open thread, kept live from the event bus while the tab is open.

On a phone the two panels do not fit side by side: the list page shows only the list, the
thread page only the thread (with a back arrow in its header).
"""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, DomainError, Resource
from app.domain import conversations as c
from app.events import Event, names
from ui.components.live import follow, message_of, note_of
from ui.page import Viewer, dashboard_page
from ui.pages.inbox import extras, media_route
from ui.pages.inbox.conversation_list import ConversationList
from ui.pages.inbox.thread import Thread
from ui.state import container

NO_ACCESS = "Your role does not give access to conversations."


def create() -> None:
    media_route.create()

    @dashboard_page("/dashboard/inbox", "Inbox", Resource.CONVERSATIONS, refusal=NO_ACCESS)
    async def inbox(viewer: Viewer) -> None:
        await _page(viewer, None)

    @dashboard_page(
        "/dashboard/inbox/{conversation_id}",
        "Conversation",
        Resource.CONVERSATIONS,
        heading="Inbox",
        refusal=NO_ACCESS,
    )
    async def conversation(viewer: Viewer, conversation_id: str) -> None:
        await _page(viewer, conversation_id)


async def _page(viewer: Viewer, conversation_id: str | None) -> None:
    viewer.content.classes(replace="w-full max-w-7xl mx-auto p-2 sm:p-4 gap-2")
    actor = viewer.actor
    detail = None
    if conversation_id is not None:
        try:
            detail = await container().services.conversation_queries.get(actor, conversation_id)
        except DomainError as exc:
            ui.label(exc.detail).classes("text-negative").mark("not-found")
    await _layout(actor, conversation_id if detail else None, detail)


async def _layout(
    actor: Actor, conversation_id: str | None, detail: c.ConversationDetail | None
) -> None:
    with ui.row().classes("w-full no-wrap items-start gap-4"):
        side = "w-full sm:w-80 shrink-0" + (" gt-xs" if detail else "")
        with ui.column().classes(side):
            listing = ConversationList(actor, conversation_id)
        await listing.load()
        thread: Thread | None = None
        with ui.column().classes("grow min-w-0" + ("" if detail else " gt-xs")):
            if detail is None:
                ui.label("Pick a conversation on the left.").classes("text-grey-7 p-8").mark(
                    "pick-one"
                )
            else:
                shown = await extras.load(actor, detail.id, detail.messages)
                run = await container().services.flow_runs.active_in(actor, detail.id)
                thread = Thread(actor, detail, shown, run)
                if detail.unread_count and actor.may(Resource.CONVERSATIONS, write=True):
                    await container().services.conversations.update(actor, detail.id, read=True)

    async def on_event(event: Event) -> None:
        mine = thread is not None and event.conversation_id == thread.conversation_id
        if event.name in (names.MESSAGE_NEW, names.MESSAGE_UPDATED):
            listing.refresh_soon()
            message = message_of(event)
            if mine and thread is not None and message is not None:
                await thread.on_message(message)
        elif event.name == names.MESSAGE_DELETED:
            listing.refresh_soon()
            if mine and thread is not None:
                thread.on_deleted(str(event.data.get("messageId")))
        elif event.name == names.CONVERSATION_UPDATED:
            listing.refresh_soon()
            if mine and thread is not None:
                await thread.on_changed()
        elif event.name == names.CONTACT_UPDATED:
            contact = event.data.get("contact") or {}
            if thread is not None and thread.detail.contact_id == contact.get("id"):
                await thread.on_changed()
        elif event.name == names.NOTE_NEW and mine and thread is not None:
            note = note_of(event)
            if note is not None:
                await thread.on_note(note)
        elif event.name == names.NOTE_UPDATED and mine and thread is not None:
            note = note_of(event)
            if note is not None:
                thread.notes.updated(note)
        elif event.name == names.NOTE_DELETED and mine and thread is not None:
            thread.notes.deleted(str(event.data.get("noteId")))
        elif event.name == names.FLOW_RUN and mine and thread is not None:
            await thread.on_flow_run()
        elif event.name in (names.TYPING_START, names.TYPING_STOP) and mine and thread:
            thread.typing.set_visibility(event.name == names.TYPING_START)

    follow(actor, on_event)
