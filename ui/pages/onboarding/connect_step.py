"""Step 2: link a WhatsApp number (QR code or pairing code) or start the phone simulator,
which stands in for a real number so the bot can be tried before linking one."""

from __future__ import annotations

import logging

from nicegui import ui

from app.domain import Conflict, DomainError, Resource, SessionStatus
from app.domain import conversations as c
from app.events import names
from app.events.bus import Event
from app.services.sessions import phone_digits
from ui.components import ErrorLabel
from ui.components.live import listen
from ui.pages.onboarding._common import Wizard, nav
from ui.state import container

QR_REFRESH_S = 3.0
log = logging.getLogger(__name__)


async def _session(wizard: Wizard, channel: str) -> c.WhatsappSession:
    """The workspace's session of this kind, created once (a second click reuses it). A
    WhatsApp worker that cannot start (say, the `whatsapp` extra is missing) is shown in the
    form, not left as a silent server error."""
    try:
        return await _find_or_create(wizard, channel)
    except DomainError:
        raise
    except Exception as exc:
        log.exception("starting a %s session failed", channel)
        raise Conflict(f"WhatsApp could not start here: {exc}") from None


async def _find_or_create(wizard: Wizard, channel: str) -> c.WhatsappSession:
    sessions = container().services.sessions
    for existing in await sessions.list(wizard.actor):
        if (existing.channel == "simulator") == (channel == "simulator"):
            if not (await sessions.state(wizard.actor, existing.id)).running:
                return await sessions.connect(wizard.actor, existing.id)  # was switched off
            return existing
    base = "simulator" if channel == "simulator" else "main"
    for suffix in ("", "-2", "-3"):
        try:
            return await sessions.create(wizard.actor, base + suffix, channel)
        except Conflict:
            continue
    raise Conflict("pick a free account name in Settings → WhatsApp")


def build(wizard: Wizard) -> None:
    if not wizard.actor.may(Resource.WHATSAPP, write=True):
        ui.label("Only the workspace owner can link a WhatsApp number.").classes("text-grey-7")
        with nav(wizard):
            ui.button("Continue", on_click=wizard.next).props("unelevated")
        return
    ui.label(
        "Link your business number, or try the bot first with the built-in phone simulator."
    ).classes("text-grey-7")
    with ui.tabs().props("dense align=left no-caps").classes("w-full") as tabs:
        sim_tab = ui.tab("simulator", "Simulator", icon="smartphone").mark("tab-simulator")
        ui.tab("qr", "QR code", icon="qr_code_2").mark("tab-qr")
        ui.tab("pair", "Pair by code", icon="pin").mark("tab-pair")
    error = ErrorLabel("connect-error")
    with ui.tab_panels(tabs, value=sim_tab).classes("w-full bg-transparent"):
        with ui.tab_panel("simulator").classes("px-0"):
            _simulator(wizard, error)
        with ui.tab_panel("qr").classes("px-0"):
            _qr(wizard, error)
        with ui.tab_panel("pair").classes("px-0"):
            _pair(wizard, error)
    with nav(wizard):
        ui.button("Continue", on_click=wizard.next).props("unelevated").mark("connect-next")


def _simulator(wizard: Wizard, error: ErrorLabel) -> None:
    ui.label(
        "Messages you type in the simulator go through the real pipeline; the bot's answers "
        "show up in the inbox. Link a real number any time in Settings → WhatsApp."
    ).classes("text-sm text-grey-8")
    done = ui.label().classes("text-positive").mark("simulator-ready")

    async def start() -> None:
        made = await error.run(lambda: _session(wizard, "simulator"))
        if made is not None:
            wizard.simulator_id = made.id
            done.text = f"Simulator ready ({made.account_id}) ✓"
            wizard.next()

    ui.button("Start with the simulator", icon="play_arrow", on_click=start).props(
        "unelevated"
    ).mark("start-simulator")


def _qr(wizard: Wizard, error: ErrorLabel) -> None:
    ui.label("On your phone: WhatsApp → Linked devices → Link a device, then scan.").classes(
        "text-sm text-grey-8"
    )
    image = ui.image().classes("w-64 h-64 border rounded bg-white").mark("qr-image")
    image.set_visibility(False)
    status = ui.label().classes("text-sm").mark("qr-status")
    state: dict[str, str] = {}

    async def refresh() -> None:
        if "id" not in state:
            return
        code = await error.run(lambda: container().services.sessions.qr(wizard.actor, state["id"]))
        if code is None:
            timer.deactivate()
            return
        if code.status == SessionStatus.CONNECTED:
            timer.deactivate()
            image.set_visibility(False)
            status.text = "Connected ✓"
            return
        status.text = "Waiting for the scan…" if code.qr_code else "Preparing the QR code…"
        if code.qr_code:
            image.set_source(code.qr_code)
            image.set_visibility(True)

    timer = ui.timer(QR_REFRESH_S, refresh, active=False)  # a fallback to the events below

    async def on_status(event: Event) -> None:
        if event.data.get("sessionId") == state.get("id"):
            await refresh()  # a new code or the scan: show it at once

    listen(wizard.actor, {names.WHATSAPP_STATUS}, on_status)

    async def show() -> None:
        made = await error.run(lambda: _session(wizard, "whatsapp"))
        if made is not None:
            state["id"] = made.id
            timer.activate()
            await refresh()

    ui.button("Show QR code", on_click=show).props("unelevated").mark("show-qr")


def _pair(wizard: Wizard, error: ErrorLabel) -> None:
    phone = ui.input("Phone number", placeholder="+49 176 12345678").props("outlined")
    phone.classes("w-full max-w-xs").mark("pair-phone")
    code = ui.label().classes("text-2xl font-mono tracking-widest").mark("pair-code")

    async def pair() -> None:
        async def call() -> c.PairingCode:
            number = phone.value or ""
            phone_digits(number)  # a typo fails here, before a session starts
            made = await _session(wizard, "whatsapp")
            return await container().services.live_sessions.pair(wizard.actor, made.id, number)

        got = await error.run(call)
        if got is not None:
            code.text = got.code

    ui.label("Then on your phone: Linked devices → Link with phone number instead.").classes(
        "text-sm text-grey-8"
    )
    ui.button("Get pairing code", on_click=pair).props("unelevated").mark("get-code")
