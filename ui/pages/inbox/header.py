"""The thread header: who the contact is, the conversation's status, and the controls that
change it — assign to a workspace member, resolve (handing the contact back to the bot, or
keeping it with a human) / reopen — and the customer's CSAT rating, once asked. Roles without
write access to conversations see the state but no controls (seed §14). After a change,
`on_changed` lets the thread reload and redraw."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.domain import Actor, ConversationStatus, DomainError, Resource
from app.domain import conversations as c
from ui.pages.inbox.conversation_row import STATUS_LABEL, contact_name
from ui.state import container

Changed = Callable[[], Awaitable[None]]


def draw(actor: Actor, detail: c.ConversationDetail, on_changed: Changed) -> None:
    writable = actor.may(Resource.CONVERSATIONS, write=True)
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
            _csat(detail)
        with ui.row().classes("items-center gap-1"):
            if writable:
                _assign(actor, detail, on_changed)
                _resolve(actor, detail, on_changed)


def _csat(detail: c.ConversationDetail) -> None:
    """The customer's 1-5 rating after resolve (CSAT), or that it was asked and not given."""
    if detail.csat is None:
        return
    if detail.csat.rating is None:
        ui.chip("Rating asked", icon="star_outline").props("dense outline").classes("text-xs").mark(
            "csat-chip"
        )
        return
    chip = ui.chip(f"{detail.csat.rating}/5", icon="star", color="amber-7", text_color="white")
    chip.props("dense").classes("text-xs").mark("csat-chip")
    chip.tooltip("The customer's rating of this conversation (CSAT)")


def _resolve(actor: Actor, detail: c.ConversationDetail, on_changed: Changed) -> None:
    """Resolve (or reopen). Resolving hands the contact back to the bot; while a human has
    taken the contact over, the button's menu offers to keep it with the humans instead."""
    if detail.status == ConversationStatus.RESOLVED:
        ui.button(
            "Reopen",
            icon="undo",
            on_click=lambda: _update(actor, detail.id, on_changed, status=ConversationStatus.OPEN),
        ).props("flat dense no-caps").mark("reopen")
        return

    async def resolve(keep: bool) -> None:
        status = ConversationStatus.RESOLVED
        await _update(actor, detail.id, on_changed, status=status, keep_takeover=keep)

    if detail.contact is None or not detail.contact.human_takeover:
        ui.button("Resolve", icon="check_circle", on_click=lambda: resolve(False)).props(
            "flat dense no-caps"
        ).mark("resolve")
        return
    with (
        ui.dropdown_button(
            "Resolve", icon="check_circle", split=True, on_click=lambda: resolve(False)
        )
        .props("flat dense no-caps")
        .mark("resolve") as button
    ):
        button.tooltip("Resolve and hand this contact back to the bot")
        with ui.list().props("dense"):
            ui.item("Resolve — the bot answers this contact again", on_click=lambda: resolve(False))
            ui.item("Resolve — keep the contact with a human", on_click=lambda: resolve(True)).mark(
                "resolve-keep-takeover"
            )


def _assign(actor: Actor, detail: c.ConversationDetail, on_changed: Changed) -> None:
    select = ui.select({}, label="Assignee", value=detail.assigned_user_id)
    select.props("dense outlined options-dense clearable").classes("w-40").mark("assign")

    async def fill() -> None:
        names = await container().services.workspaces.assignees(actor)
        select.set_options(names, value=select.value)
        select.on_value_change(changed)

    async def changed(event: Any) -> None:
        if event.value == detail.assigned_user_id:
            return
        if event.value:
            await _update(actor, detail.id, on_changed, assigned_user_id=event.value)
        else:
            await _update(actor, detail.id, on_changed, unassign=True)

    ui.timer(0, fill, once=True)


async def _update(actor: Actor, conversation_id: str, on_changed: Changed, **changes: Any) -> None:
    try:
        await container().services.conversations.update(actor, conversation_id, **changes)
    except DomainError as exc:
        ui.notify(exc.detail, type="negative")
        return
    await on_changed()
