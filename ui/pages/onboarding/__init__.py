"""`/onboarding` (seed §7): the setup wizard a new owner lands on after registering — name the
workspace, link WhatsApp or start the simulator, choose persona and model, teach a first
answer, try a question. Every step can be skipped; the dashboard offers the wizard again while
the workspace has no session or no knowledge."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from app.auth import Resource, can
from ui import session, theme
from ui.pages.onboarding import connect_step, knowledge_step, model_step, try_step
from ui.pages.onboarding import workspace_step as name_step
from ui.pages.onboarding._common import STEPS, Wizard, needs_setup

__all__ = ["create", "needs_setup"]


def create() -> None:
    @ui.page("/onboarding", title="Set up · Aimywhatsapp")
    async def onboarding():  # type: ignore[no-untyped-def]
        current = await session.current()
        if current is None:
            return RedirectResponse("/login")
        actor, user, workspaces = current
        if actor.workspace_id is None or actor.role is None:
            return RedirectResponse("/workspaces/new")
        workspace = next(w for w in workspaces if w.id == actor.workspace_id)
        with theme.frame("Set up your workspace", actor, user, workspaces):
            if not can(actor.role, Resource.SETTINGS, write=True):
                ui.label("An owner or admin sets up this workspace.").mark("forbidden")
                ui.link("Back to the dashboard", "/dashboard")
                return None
            with ui.row().classes("w-full items-center justify-between"):
                ui.label("A few steps and your bot is answering.").classes("text-grey-8")
                ui.button("Skip setup", on_click=lambda: ui.navigate.to("/dashboard")).props(
                    "flat no-caps"
                ).mark("skip-setup")
            _wizard(Wizard(actor, workspace, ui.stepper()))
        return None


def _wizard(wizard: Wizard) -> None:
    stepper = wizard.stepper
    stepper.props("vertical flat header-nav=false").classes("w-full bg-white rounded")
    stepper.mark("stepper")
    builders = {
        "name": name_step.build,
        "connect": connect_step.build,
        "model": model_step.build,
        "knowledge": knowledge_step.build,
    }
    with stepper:
        for key, title, icon in STEPS:
            with ui.step(key, title=title, icon=icon).mark(f"step-{key}"):
                if key == "try":
                    wizard.question = try_step.build(wizard)
                else:
                    builders[key](wizard)
