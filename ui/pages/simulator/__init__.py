"""`/dashboard/simulator`: the owner talks to their bot as a customer would (DESIGN §6).

Messages go through `sessions.simulate` on the workspace's simulator session — the whole
pipeline runs (AI engine, knowledge base, approvals, takeover), so the conversation also shows
in the inbox like a real one. The page needs a simulator session; an owner gets one created on
first visit, other roles are told to ask an owner.
"""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, DomainError, Resource
from app.domain import conversations as c
from ui.page import Viewer, dashboard_page
from ui.pages.simulator.phone import Phone
from ui.pages.simulator.try_flow import try_flow_card
from ui.state import container

ACCOUNT = "simulator"
NO_SESSION = "This workspace has no simulator yet. An owner opens this page once to create it."
NO_ACCESS = "Your role cannot send messages, so it cannot use the simulator."


def create() -> None:
    @dashboard_page(
        "/dashboard/simulator", "Simulator", Resource.CONVERSATIONS, write=True, refusal=NO_ACCESS
    )
    async def simulator(viewer: Viewer, flow: str | None = None) -> None:
        try:
            sim = await simulator_session(viewer.actor)
        except DomainError as exc:
            ui.label(exc.detail).classes("text-negative").mark("simulator-error")
            return
        if sim is None:
            ui.label(NO_SESSION).classes("text-grey-8").mark("no-simulator")
            return
        ui.label(
            "Write to your bot as a customer would. Replies use your knowledge base and bot "
            "settings; the conversation also appears in the Inbox."
        ).classes("text-grey-7 text-sm")
        with ui.column().classes("w-full gap-2") as top:
            pass
        phone = Phone(viewer.actor, sim, viewer.user)
        await phone.start()
        if flow:  # the flow builder's "Try in simulator"
            with top:
                await try_flow_card(viewer.actor, flow, phone)


async def simulator_session(actor: Actor) -> c.WhatsappSession | None:
    """The workspace's simulator session, running; created (and connected) for an owner."""
    services = container().services
    owner = actor.may(Resource.WHATSAPP, write=True)
    found = await services.sessions.simulators(actor)
    if not found:
        if not owner:
            return None
        taken = {s.account_id for s in await services.sessions.list(actor)}
        account = next(
            name
            for name in (ACCOUNT, *(f"{ACCOUNT}-{i}" for i in range(2, 99)))
            if name not in taken
        )
        return await services.sessions.create(actor, account, "simulator")
    sim = found[0]
    if owner and not (await services.sessions.state(actor, sim.id)).running:
        sim = await services.sessions.connect(actor, sim.id)
    return sim  # not running and not an owner: sending says so
