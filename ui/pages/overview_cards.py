"""The overview's KPI cards (seed §7 `MetricCard`) and the "finish setting up" card, both from
real rows: app/services/overview.py defines every number shown here."""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, DomainError
from app.events import names
from app.services.overview import HELP, Kpis
from ui import features
from ui.components.live import listen
from ui.components.redraw import Coalesced, shared_read
from ui.pages.onboarding import needs_setup
from ui.state import container

LIVE = {names.MESSAGE_NEW, names.CONVERSATION_UPDATED}
REFRESH_S = 1.0
# (key, title, icon, where the number leads, the feature that page needs)
CARDS = [
    ("messages_today", "Messages today", "chat", "/dashboard/inbox", None),
    ("open_conversations", "Open conversations", "forum", "/dashboard/inbox", None),
    ("waiting_human", "Waiting for a human", "support_agent", "/dashboard/inbox", None),
    ("resolution_rate", "Bot resolution rate", "smart_toy", "/dashboard/analytics", "analytics"),
]


def value_of(kpis: Kpis, key: str) -> str:
    if key == "resolution_rate":
        rate = kpis.resolution_rate
        return "—" if rate is None else f"{rate:.0%}"
    return str(getattr(kpis, key))


async def kpi_cards(actor: Actor) -> None:
    """The four cards, refreshed (at most once a second) as messages and conversations change:
    only the numbers' text changes, and the open overviews of a workspace share one recount."""
    try:
        kpis = await container().services.overview.kpis(actor)
    except DomainError as exc:
        ui.label(exc.detail).classes("text-grey-7").mark("kpi-error")
        return
    grid = ui.element("div").classes("w-full grid grid-cols-2 md:grid-cols-4 gap-3").mark("kpis")
    values: dict[str, tuple[ui.label, ui.label]] = {}
    with grid:
        for key, title, icon, link, feature in CARDS:
            card = ui.card().classes("gap-1 p-3 sm:p-4").props("flat bordered")
            if features.available(feature):  # no click into a page that is not there yet
                card.classes("cursor-pointer").on("click", lambda p=link: ui.navigate.to(p))
            with card.mark(f"kpi-{key}"):
                with ui.row().classes("items-center gap-2 no-wrap text-grey-7"):
                    ui.icon(icon).classes("text-lg")
                    ui.label(title).classes("text-sm leading-tight")
                value = ui.label().classes("text-3xl font-semibold")
                value.props(f"data-kpi={key}").mark(f"kpi-{key}-value")
                caption = ui.label().classes("text-xs text-grey-6 leading-tight")
                values[key] = (value, caption)

    def show(kpis: Kpis) -> None:
        for key, (value, caption) in values.items():
            value.text = value_of(kpis, key)
            caption.text = _caption(kpis, key)

    show(kpis)

    async def recount() -> None:  # the workspace's open overviews share one recount
        key = ("kpis", actor.role)
        show(await shared_read(key, actor.workspace_id or "", lambda: overview.kpis(actor)))

    overview = container().services.overview
    refresher = Coalesced(recount, alive=lambda: not grid.is_deleted, window_s=REFRESH_S)
    listen(actor, LIVE, lambda _: refresher.soon())  # a burst of messages costs one recount


def _caption(kpis: Kpis, key: str) -> str:
    if key == "resolution_rate" and kpis.resolved_30d:
        done = f"{kpis.resolved_by_bot_30d} of {kpis.resolved_30d}"
        return f"{done} resolved in 30 days by the bot alone."
    return HELP[key]


async def setup_card(actor: Actor) -> None:
    """Offered to owners/admins until the workspace has a session and some knowledge."""
    if not await needs_setup(actor):
        return
    with ui.card().classes("w-full bg-teal-1").props("flat bordered").mark("setup-card"):
        with ui.row().classes("w-full items-center justify-between gap-2"):
            with ui.column().classes("gap-0"):
                ui.label("Finish setting up your bot").classes("text-lg font-semibold")
                ui.label(
                    "Connect WhatsApp (or the simulator), choose a model, teach a first answer."
                ).classes("text-grey-8 text-sm")
            ui.button("Continue setup", on_click=lambda: ui.navigate.to("/onboarding")).props(
                "unelevated"
            ).mark("open-onboarding")
