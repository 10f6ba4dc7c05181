"""Seed §7 TakeoverBanner and ApprovalBanner, and the flow banner (issue 14).

Takeover is the contact's flag (the bot stays silent for them until released); the API puts
it under contacts, so changing it needs write access to contacts — an agent sees the banner,
and their first reply turns takeover on by itself (workspace setting). A conversation waiting
for a human (the bot escalated, or someone said so) keeps the bot silent too, and the switch
says so; handing it back to the bot is a conversation change, which agents may make.

An approval banner per PENDING_APPROVAL draft: approve as is, edit then send, or reject (kept
on record).

The flow banner says which flow and node the contact is in ("in flow X at node Y", what it
waits for) and lets whoever may write conversations stop the run: the contact leaves the flow
and the bot answers them as usual.

The banners report back through callbacks: `on_changed` after the takeover flag moved or a run
was stopped, `on_message` with the draft as it now is after an approval decision.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import context, ui

from app.domain import Actor, ConversationStatus, DomainError, Resource
from app.domain import conversations as c
from app.domain.flows import FlowRun, Waiting
from ui import features
from ui.state import container

Changed = Callable[[], Awaitable[None]]
MessageShown = Callable[[c.Message], Awaitable[None]]
WAITING = (
    "Waiting for a human: the bot told the customer a person will reply and stays silent "
    "here until someone does. Switch to Bot to let it answer again."
)


def takeover(actor: Actor, conversation: c.Conversation, on_changed: Changed) -> None:
    """The Bot/Human switch, showing who answers now: a human who took the contact over, the
    humans a waiting conversation was handed to (the bot stays silent there too), or the bot.
    Switching to Bot ends either; switching to Human takes the contact over."""
    contact = conversation.contact
    if contact is None:
        return
    waiting = conversation.status == ConversationStatus.WAITING_HUMAN
    human = contact.human_takeover
    if human:
        text, marker = "A human has taken over: the bot stays silent for this contact.", "takeover"
        may = actor.may(Resource.CONTACTS, write=True)
    elif waiting:
        text, marker = WAITING, "waiting"
        may = actor.may(Resource.CONVERSATIONS, write=True)
    else:
        text, marker = "The bot answers this contact.", "bot"
        may = actor.may(Resource.CONTACTS, write=True)
    tone = "bg-orange-1 text-orange-10" if human or waiting else "bg-blue-grey-1 text-blue-grey-9"
    with ui.row().classes(f"w-full items-center justify-between rounded-lg px-3 py-1 {tone}"):
        ui.label(text).classes("text-sm").mark(f"{marker}-banner")
        toggle = ui.toggle({False: "Bot", True: "Human"}, value=human or waiting).props(
            "dense no-caps toggle-color=primary"
        )
        toggle.mark("takeover-toggle")
        if not may:
            toggle.disable()
            toggle.tooltip("Only owners and admins can switch the bot on or off for a contact")
            return

        async def switch() -> None:
            if toggle.value == (human or waiting):
                return
            services = container().services
            try:
                if toggle.value:
                    await services.contacts.set_flag(actor, contact.id, "takeover")
                elif human:  # release also ends the contact's waiting conversations
                    await services.contacts.set_flag(actor, contact.id, "release")
                else:
                    await services.conversations.update(
                        actor, conversation.id, status=ConversationStatus.OPEN
                    )
            except DomainError as exc:
                ui.notify(exc.detail, type="negative")
            await on_changed()

        toggle.on_value_change(switch)


_WAITING = {
    Waiting.REPLY: "waiting for the contact's answer",
    Waiting.MESSAGE: "waiting for the contact's next message",
    Waiting.WAKE: "waiting",
}


def flow_run(actor: Actor, run: FlowRun | None, on_changed: Changed) -> None:
    """The run the contact is in, if any, with a Stop button."""
    if run is None:
        return
    node = run.current_node_id or "?"
    kind = f" ({run.current_node_type})" if run.current_node_type else ""
    waiting = _WAITING.get(run.waiting_for) if run.waiting_for else None
    if waiting and run.wake_at is not None:
        waiting += f" until {run.wake_at:%d %b %H:%M} UTC"
    with (
        ui.row()
        .classes(
            "w-full items-center justify-between rounded-lg px-3 py-1 bg-purple-1 text-purple-10"
        )
        .mark("flow-banner")
    ):
        with ui.column().classes("gap-0"):
            ui.label(f"In flow “{run.flow_name or run.flow_id}” at node {node}{kind}").classes(
                "text-sm font-medium"
            ).mark("flow-where")
            if waiting:
                ui.label(waiting).classes("text-xs")
            if features.available("flows") and actor.may(Resource.FLOWS):
                ui.link("Open the flow", f"/dashboard/flows/{run.flow_id}").classes("text-xs").mark(
                    "flow-open"
                )
        if not actor.may(Resource.CONVERSATIONS, write=True):
            return

        async def stop() -> None:
            try:
                await container().services.flow_runs.stop(actor, run.id)
            except DomainError as exc:
                ui.notify(exc.detail, type="negative")
            await on_changed()

        ui.button("Stop flow", icon="stop_circle", on_click=stop).props(
            "flat dense no-caps color=purple"
        ).mark("flow-stop")


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

        async def run(call: Callable[[], Awaitable[object]]) -> None:
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
    detail = await container().services.conversation_queries.get(actor, cid, page=1, page_size=50)
    for fresh in detail.messages:
        if fresh.id == message_id:
            await on_message(fresh)
