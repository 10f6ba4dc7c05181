"""The WhatsApp tab's dialogs: add a number, link it by QR code, link it by pairing code.

The QR dialog shows the code the running channel holds, asks again every few seconds (WhatsApp
rotates codes about every 20 s) and on each `whatsapp:status` event carrying a new one, and
closes itself when the number is CONNECTED.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import context, ui

from app.domain import Actor, SessionStatus
from app.domain import conversations as c
from ui.components import ErrorLabel
from ui.state import container

CHANNELS = {"whatsapp": "A real WhatsApp number", "simulator": "Simulator (for trying the bot)"}
QR_REFRESH_S = 3.0


def dispose(dialog: ui.dialog, cleanup: Callable[[], None] | None = None) -> None:
    """Delete the dialog (and stop what it started) once closed, from either side."""

    def changed(event: Any) -> None:
        if not event.value and not dialog.is_deleted:
            if cleanup is not None:
                cleanup()
            dialog.delete()

    dialog.on_value_change(changed)


def add_dialog(
    actor: Actor, on_added: Callable[[], None], show_qr: Callable[[c.WhatsappSession], None]
) -> None:
    page = context.client.layout  # the QR dialog outlives this one: it must not nest in it
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md gap-3").mark("add-dialog"):
        ui.label("Add a WhatsApp number").classes("text-lg font-semibold")
        account = ui.input("Account id", placeholder="e.g. main-shop").props("outlined autofocus")
        account.classes("w-full").mark("account-id")
        ui.label("Your name for this number: letters, digits, '.', '_' or '-'.").classes(
            "text-sm text-grey-7 -mt-2"
        )
        channel = ui.select(CHANNELS, label="Kind", value="whatsapp").props("outlined")
        channel.classes("w-full").mark("channel")
        error = ErrorLabel("add-error")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=dialog.close).props("flat")
            ui.button("Add", on_click=lambda: submit()).props("unelevated").mark("add")

        async def submit() -> None:
            created = await error.run(
                lambda: container().services.sessions.create(
                    actor, (account.value or "").strip(), channel.value
                )
            )
            if created is None:
                return
            dialog.close()
            ui.notify(f"Added {created.account_id}", type="positive")
            on_added()
            if created.channel != "simulator":
                with page:
                    show_qr(created)

        account.on("keydown.enter", submit)
    dispose(dialog)
    dialog.open()


def qr_dialog(actor: Actor, session: c.WhatsappSession, watchers: list[Any]) -> None:
    services = container().services
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-sm items-center gap-3"):
        dialog.mark("qr-dialog")
        ui.label(f"Link {session.account_id}").classes("text-lg font-semibold self-start")
        ui.label(
            "On the phone: WhatsApp → Settings → Linked devices → Link a device, then scan."
        ).classes("text-sm text-grey-8")
        image = ui.image().classes("w-64 h-64").props("fit=contain no-spinner").mark("qr-image")
        status = ui.label("Waiting for a QR code…").classes("text-sm text-grey-7")
        status.mark("qr-status")
        error = ErrorLabel("qr-error")
        ui.button("Close", on_click=dialog.close).props("flat").classes("self-end")

    def show(data: dict[str, Any]) -> None:
        if data.get("status") == SessionStatus.CONNECTED:
            ui.notify(f"{session.account_id} is connected", type="positive")
            dialog.close()
            return
        if data.get("qrCode"):
            image.set_source(data["qrCode"])
            image.set_visibility(True)
            status.text = "Scan this code. It refreshes by itself."
        elif data.get("status"):
            image.set_visibility(False)
            status.text = f"No QR code waiting (status: {str(data['status']).lower()})."

    async def refresh() -> None:
        got = await error.run(lambda: services.sessions.qr(actor, session.id))
        if got is not None:
            show({"status": got.status, "qrCode": got.qr_code})

    def watcher(data: dict[str, Any]) -> None:
        if data.get("sessionId") == session.id:
            show(data)

    image.set_visibility(False)
    watchers.append(watcher)
    with dialog:
        timer = ui.timer(QR_REFRESH_S, refresh)
    ui.timer(0.01, refresh, once=True)

    def closed() -> None:
        timer.cancel()
        if watcher in watchers:
            watchers.remove(watcher)

    dispose(dialog, closed)
    dialog.open()


def pair_dialog(actor: Actor, session: c.WhatsappSession) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-sm gap-3").mark("pair-dialog"):
        ui.label(f"Link {session.account_id} with a code").classes("text-lg font-semibold")
        phone = ui.input("Phone number", placeholder="+49 176 12345678").props("outlined autofocus")
        phone.classes("w-full").mark("pair-phone")
        error = ErrorLabel("pair-error")
        result = ui.column().classes("w-full items-center gap-1")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Close", on_click=dialog.close).props("flat")
            ui.button("Get code", on_click=lambda: submit()).props("unelevated").mark("get-code")

        async def submit() -> None:
            got = await error.run(
                lambda: container().services.live_sessions.pair(
                    actor, session.id, phone.value or ""
                )  # forwarded to the node that runs the session
            )
            if got is None:
                return
            result.clear()
            with result:
                ui.label(got.code).classes("text-3xl font-mono tracking-widest").mark("pair-code")
                ui.label(
                    "On the phone: Linked devices → Link a device → Link with phone number "
                    "instead, then type this code."
                ).classes("text-sm text-grey-8 text-center")

        phone.on("keydown.enter", submit)
    dispose(dialog)
    dialog.open()
