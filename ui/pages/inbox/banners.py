"""Seed §7 TakeoverBanner and ApprovalBanner.

Takeover is the contact's flag (the bot stays silent for them until released); the API puts
it under contacts, so changing it needs write access to contacts — an agent sees the banner,
and their first reply turns takeover on by itself (workspace setting). An approval banner per
PENDING_APPROVAL draft: approve as is, edit then send, or reject (kept on record).

The banners report back through callbacks: `on_changed` after the takeover flag moved,
`on_message` with the draft as it now is after an approval decision.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import context, ui

from app.domain import Actor, DomainError, Resource
from app.domain import conversations as c
from ui.state import container

Changed = Callable[[], Awaitable[None]]
MessageShown = Callable[[c.Message], Awaitable[None]]


def takeover(actor: Actor, contact: c.Contact | None, on_changed: Changed) -> None:
    if contact is None:
        return
    human = contact.human_takeover
    tone = "bg-orange-1 text-orange-10" if human else "bg-blue-grey-1 text-blue-grey-9"
    with ui.row().classes(f"w-full items-center justify-between rounded-lg px-3 py-1 {tone}"):
        ui.label(
            "A human has taken over: the bot stays silent for this contact."
            if human
            else "The bot answers this contact."
        ).classes("text-sm").mark("takeover-banner" if human else "bot-banner")
        toggle = ui.toggle({False: "Bot", True: "Human"}, value=human).props(
            "dense no-caps toggle-color=primary"
        )
        toggle.mark("takeover-toggle")
        if not actor.may(Resource.CONTACTS, write=True):
            toggle.disable()
            toggle.tooltip("Only owners and admins can switch the bot on or off for a contact")
            return

        async def switch() -> None:
            if toggle.value == contact.human_takeover:
                return
            action = "takeover" if toggle.value else "release"
            try:
                await container().services.contacts.set_flag(actor, contact.id, action)
            except DomainError as exc:
                ui.notify(exc.detail, type="negative")
            await on_changed()

        toggle.on_value_change(switch)


def approval(actor: Actor, cid: str, message: c.Message, on_message: MessageShown) -> None:
    """The banner of one draft waiting for approval in conversation `cid`."""
    services = container().services
    # the banner is redrawn by live events (even while the agent clicks): the edit dialog must
    # not belong to it, or a redraw in between deletes the dialog's parent
    page = context.client.layout
    with ui.card().classes("w-full bg-amber-1 gap-2 p-3").mark("approval-banner"):
        ui.label("The bot wants to send this reply — approve it?").classes("text-sm font-medium")
        ui.label(message.content).classes("whitespace-pre-wrap text-sm").mark("approval-text")
        if not actor.may(Resource.CONVERSATIONS, write=True):
            return

        async def run(call) -> None:  # type: ignore[no-untyped-def]
            try:
                await call()
            except DomainError as exc:
                ui.notify(exc.detail, type="negative")
            await _reload_draft(actor, cid, message.id, on_message)

        async def edit() -> None:
            with page, ui.dialog() as dialog, ui.card().classes("w-full max-w-lg"):
                box = ui.textarea("Reply", value=message.content).props("outlined autogrow")
                box.classes("w-full").mark("approval-edit-text")
                with ui.row().classes("w-full justify-end"):
                    ui.button("Cancel", on_click=lambda: dialog.submit(None)).props("flat")
                    ui.button("Send", on_click=lambda: dialog.submit(box.value)).mark(
                        "approval-edit-send"
                    )
            text = await dialog
            dialog.delete()
            if text:
                await run(lambda: services.approvals.approve(actor, cid, message.id, text))

        with ui.row().classes("gap-2"):
            ui.button(
                "Approve",
                icon="send",
                on_click=lambda: run(
                    lambda: services.approvals.approve(actor, cid, message.id, None)
                ),
            ).props("unelevated dense no-caps").mark("approve")
            ui.button("Edit & send", icon="edit", on_click=edit).props(
                "outline dense no-caps"
            ).mark("approve-edit")
            ui.button(
                "Reject",
                icon="block",
                on_click=lambda: run(lambda: services.approvals.reject(actor, cid, message.id)),
            ).props("flat dense no-caps color=negative").mark("reject")


async def _reload_draft(actor: Actor, cid: str, message_id: str, on_message: MessageShown) -> None:
    """Refresh the draft from the thread's newest page (the live event may come later)."""
    detail = await container().services.conversations.get(actor, cid, page=1, page_size=50)
    for fresh in detail.messages:
        if fresh.id == message_id:
            await on_message(fresh)
