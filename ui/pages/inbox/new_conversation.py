"""The inbox's "New conversation" (issue 15.4): write to a number that never wrote — choose
the number to write from, type theirs (any common format; it is normalised to E.164) and,
optionally, the first message. Without one the conversation opens empty and the first message
is typed in the thread. Either way it is sending first: it goes out within the number's send
budget (the first-message cap included), after replies."""

from __future__ import annotations

from nicegui import context, ui

from app.domain import Actor
from app.domain import conversations as c
from ui.components import ErrorLabel
from ui.state import container


async def open_dialog(actor: Actor) -> None:
    services = container().services
    senders = await services.send_first.senders(actor)
    with (
        context.client.layout,
        ui.dialog() as dialog,
        ui.card().classes("w-full max-w-md gap-3").mark("new-conversation-dialog"),
    ):
        ui.label("New conversation").classes("text-lg font-semibold")
        if not senders:
            ui.label("Link a WhatsApp number first (Settings → WhatsApp).").classes(
                "text-grey-7"
            ).mark("no-senders")
            ui.button("Close", on_click=dialog.close).props("flat").classes("self-end")
            dialog.open()
            return
        options = {
            s.session_id: s.account_id + ("" if s.connected else " (not connected)")
            for s in senders
        }
        sender = ui.select(options, label="From", value=senders[0].session_id)
        sender.props("outlined dense").classes("w-full").mark("new-from")
        if len(senders) == 1:
            sender.set_visibility(False)
        phone = ui.input("Phone number", placeholder="+49 176 12345678").props("outlined autofocus")
        phone.classes("w-full").mark("new-phone")
        text = ui.textarea("First message (optional)").props("outlined autogrow")
        text.classes("w-full").mark("new-text")
        ui.label(
            "It goes out within the number's send budget, after replies to customers."
        ).classes("text-sm text-grey-7")
        error = ErrorLabel("new-error")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=dialog.close).props("flat")
            ui.button("Start", icon="send", on_click=lambda: start()).props("unelevated").mark(
                "new-start"
            )

        async def start() -> None:
            body = (text.value or "").strip()

            async def call() -> c.SentFirst:
                if body:
                    return await services.send_first.send(
                        actor, sender.value, to=phone.value or "", text=body
                    )
                return await services.send_first.start(actor, sender.value, phone.value or "")

            started = await error.run(call)
            if started is None:
                return
            dialog.close()
            ui.navigate.to(f"/dashboard/inbox/{started.conversation_id}")

    dialog.open()
