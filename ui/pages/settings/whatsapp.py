"""WhatsApp tab: the workspace's linked numbers (and simulators) with their live status, and —
for whoever may change WhatsApp (the owner) — add, link by QR or pairing code, connect,
disconnect and delete.

Status chips follow `whatsapp:status` events from the bus, so a scan on the phone turns the chip
green without a reload; the QR dialog listens to the same events to refresh and to close. A
number that is not connected says why, in words (`lastErrorMessage`; the raw error on hover).
Under each number its send budget (`whatsapp_budget.py`): today's use, refreshed every few
seconds and at once when the number is paused (`sending_paused`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import background_tasks, context, ui

from app.domain import Actor, Resource, SessionStatus
from app.domain import conversations as c
from app.domain import records as m
from app.domain.sending import SendBudgetView
from app.events import names
from app.events.bus import Event
from ui.components import ErrorLabel, confirm
from ui.components.live import listen
from ui.pages.settings import whatsapp_budget as budget_ui
from ui.pages.settings import whatsapp_dialogs as dialogs
from ui.pages.settings._shell import section, settings_page
from ui.state import container

COLORS = {
    SessionStatus.CONNECTED: "positive",
    SessionStatus.QR_READY: "warning",
    SessionStatus.CONNECTING: "warning",
    SessionStatus.DISCONNECTED: "grey-7",
    SessionStatus.BANNED: "negative",
    SessionStatus.ERROR: "negative",
}
Watcher = Callable[[dict[str, Any]], None]
BUDGET_REFRESH_S = 15.0


def chip(status: str) -> ui.badge:
    label = str(status).replace("_", " ").lower()
    return ui.badge(label, color=COLORS.get(SessionStatus(status), "grey-7")).props("rounded")


def create() -> None:
    @settings_page("whatsapp")
    async def body(actor: Actor, ws: m.Workspace) -> None:
        services = container().services
        manage = actor.may(Resource.WHATSAPP, write=True)
        chips: dict[str, ui.badge] = {}
        page = context.client.layout
        watchers: list[Watcher] = []

        listed: list[c.WhatsappSession] = []
        budgets: dict[str, SendBudgetView] = {}

        @ui.refreshable
        def rows() -> None:
            """Drawn from `listed` in one go: no await between clearing and drawing, so a
            status event and a click redrawing at once can't interleave into doubled rows."""
            chips.clear()
            if not listed:
                ui.label("No WhatsApp numbers yet.").classes("text-grey-7").mark("no-sessions")
            for s in listed:
                row = ui.row().classes(
                    "w-full items-center gap-x-3 gap-y-1 py-2 border-b border-gray-200"
                )
                row.props["data-session"] = s.account_id
                with row:
                    icon = "science" if s.channel == "simulator" else "phone_iphone"
                    ui.icon(icon).classes("text-2xl text-grey-7")
                    with ui.column().classes("gap-0 grow min-w-0"):
                        ui.label(s.account_id).classes("font-medium break-all").mark("session")
                        if s.channel == "simulator":
                            detail = "Simulator · no real phone"
                        else:
                            detail = f"WhatsApp · {s.phone_number or 'no number linked yet'}"
                        ui.label(detail).classes("text-sm text-grey-7")
                        if s.last_error_message and s.status != SessionStatus.CONNECTED:
                            problem = ui.label(s.last_error_message).mark(f"problem-{s.account_id}")
                            problem.classes("text-sm text-negative break-words")
                            problem.tooltip(s.last_error or "")  # the raw error, for support
                    chips[s.id] = chip(s.status).mark(f"status-{s.account_id}")
                    if manage:
                        _actions(s)
                    budget_ui.line(actor, s, budgets.get(s.id), manage, redraw)

        async def load() -> None:
            listed[:] = await services.sessions.list(actor)
            budgets.clear()
            for s in listed:
                budgets[s.id] = await services.send_budgets.get(actor, s.id)

        async def reload() -> None:
            await load()
            rows.refresh()

        def redraw() -> None:
            background_tasks.create(reload(), name="whatsapp-rows")

        def _actions(s: c.WhatsappSession) -> None:
            def button(icon: str, tip: str, mark: str, call: Any, color: str = "") -> None:
                b = ui.button(icon=icon, on_click=call).props(f"flat round dense {color}")
                b.props(f'aria-label="{tip}"').tooltip(tip).mark(f"{mark}-{s.account_id}")

            with ui.row().classes("gap-0 no-wrap ml-auto"):
                if s.channel != "simulator" and s.status != SessionStatus.CONNECTED:
                    button("qr_code_2", "Link by QR code", "qr", lambda: show_qr(s))
                    button("dialpad", "Link by pairing code", "pair", lambda: pair(s))
                if s.enabled and s.status != SessionStatus.DISCONNECTED:
                    button("link_off", "Disconnect", "disconnect", lambda: act(s, "disconnect"))
                else:
                    button("link", "Connect", "connect", lambda: act(s, "connect"))
                button("delete", "Delete", "delete", lambda: delete(s), "color=negative")

        # Dialogs opened from a row live in the page's layout, not in the row: a status event
        # redraws the rows, and a dialog created inside one would vanish with it.
        def show_qr(s: c.WhatsappSession) -> None:
            with page:
                dialogs.qr_dialog(actor, s, watchers)

        def pair(s: c.WhatsappSession) -> None:
            with page:
                dialogs.pair_dialog(actor, s)

        async def act(s: c.WhatsappSession, what: str) -> None:
            call = services.sessions.connect if what == "connect" else services.sessions.disconnect
            if await error.run(lambda: call(actor, s.id)) is not None:
                ui.notify(f"{s.account_id}: {what}ed", type="positive")
                redraw()

        async def delete(s: c.WhatsappSession) -> None:
            with page:
                asked = await confirm(
                    f"Delete {s.account_id}?",
                    "The number is unlinked and its login credentials are deleted. Contacts "
                    "and conversations stay.",
                    action="Delete",
                )
            if not asked:
                return

            async def call() -> bool:
                await services.sessions.delete(actor, s.id)
                return True

            if await error.run(call):
                ui.notify(f"Deleted {s.account_id}", type="positive")
                redraw()

        def on_status(event: Event) -> None:
            data = event.data
            badge = chips.get(str(data.get("sessionId")))
            if badge is not None and data.get("status"):
                status = SessionStatus(data["status"])
                badge.text = str(status).replace("_", " ").lower()
                badge.props(f"color={COLORS.get(status, 'grey-7')}")
            for watcher in list(watchers):
                watcher(data)
            if data.get("status") in (SessionStatus.CONNECTED, SessionStatus.DISCONNECTED):
                redraw()  # the row's buttons depend on the status

        hint = (
            "Link a WhatsApp number by scanning a QR code with the phone, or with a pairing "
            "code. A simulator stands in for a phone while you try the bot."
        )
        with section("WhatsApp numbers", hint) as card:
            if manage:
                with card.actions:
                    ui.button(
                        "Add number",
                        icon="add",
                        on_click=lambda: dialogs.add_dialog(actor, redraw, show_qr),
                    ).props("unelevated").mark("add-session")
            error = ErrorLabel("whatsapp-error")
            with ui.column().classes("w-full gap-0").mark("sessions"):
                await load()
                rows()
            if not manage:
                ui.label("Only the owner can link or remove numbers.").classes("text-grey-7")
        await budget_ui.sending_hours(actor)
        listen(actor, [names.WHATSAPP_STATUS], on_status)

        def on_notice(event: Event) -> None:
            if event.data.get("type") == names.SENDING_PAUSED:
                redraw()

        listen(actor, [names.NOTIFICATION_NEW], on_notice)
        ui.timer(BUDGET_REFRESH_S, redraw)  # today's counts move as messages go out
