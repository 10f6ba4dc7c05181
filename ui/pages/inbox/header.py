"""The thread header: who the contact is, the conversation's status, and the controls that
change it — assign to a workspace member, resolve / reopen. Roles without write access to
conversations see the state but no controls (seed §14)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nicegui import ui

from app.auth import Resource
from app.domain import ConversationStatus, DomainError
from ui.pages.inbox.conversation_list import STATUS_LABEL, contact_name
from ui.state import container

if TYPE_CHECKING:
    from ui.pages.inbox.thread import Thread


def draw(thread: Thread) -> None:
    from ui.pages.inbox.thread import may

    detail = thread.detail
    writable = may(thread.actor, Resource.CONVERSATIONS)
    with ui.row().classes("w-full items-center justify-between gap-2 bg-white rounded-lg p-2"):
        with ui.row().classes("items-center gap-2 no-wrap min-w-0"):
            ui.button(icon="arrow_back", on_click=lambda: ui.navigate.to("/dashboard/inbox")).props(
                "flat round dense"
            ).classes("lt-sm")
            with ui.column().classes("gap-0 min-w-0"):
                ui.label(contact_name(detail)).classes("text-lg font-semibold truncate").mark(
                    "thread-name"
                )
                phone = detail.contact.phone_number if detail.contact else ""
                shown = phone if phone.startswith("+") or not phone else f"+{phone}"
                ui.label(shown).classes("text-xs text-grey-7")
            ui.badge(STATUS_LABEL[detail.status]).props("outline").mark("thread-status")
        with ui.row().classes("items-center gap-1"):
            if writable:
                _assign(thread)
                resolved = detail.status == ConversationStatus.RESOLVED
                target = ConversationStatus.OPEN if resolved else ConversationStatus.RESOLVED
                ui.button(
                    "Reopen" if resolved else "Resolve",
                    icon="undo" if resolved else "check_circle",
                    on_click=lambda: _update(thread, status=target),
                ).props("flat dense no-caps").mark("reopen" if resolved else "resolve")


def _assign(thread: Thread) -> None:
    select = ui.select({}, label="Assignee", value=thread.detail.assigned_user_id)
    select.props("dense outlined options-dense clearable").classes("w-40").mark("assign")

    async def fill() -> None:
        names = await container().services.workspaces.assignees(thread.actor)
        select.set_options(names, value=select.value)
        select.on_value_change(changed)

    async def changed(event: Any) -> None:
        if event.value == thread.detail.assigned_user_id:
            return
        if event.value:
            await _update(thread, assigned_user_id=event.value)
        else:
            await _update(thread, unassign=True)

    ui.timer(0, fill, once=True)


async def _update(thread: Thread, **changes: Any) -> None:
    try:
        await container().services.conversations.update(
            thread.actor, thread.conversation_id, **changes
        )
    except DomainError as exc:
        ui.notify(exc.detail, type="negative")
        return
    await thread.on_changed()
