"""`/onboarding` (seed §7): the setup wizard a new owner lands on after registering — name the
workspace, link WhatsApp or start the simulator, choose persona and model, teach a first
answer, try a question. Every step can be skipped; the dashboard offers the wizard again while
the workspace has no session or no knowledge."""

from __future__ import annotations

from nicegui import ui

from app.domain import Resource
from ui import theme
from ui.components import ErrorLabel
from ui.page import Viewer, dashboard_page
from ui.pages.onboarding import connect_step, knowledge_step, model_step, try_step
from ui.pages.onboarding._common import STEPS, Wizard, nav, needs_setup
from ui.state import container

__all__ = ["create", "needs_setup"]


def create() -> None:
    @dashboard_page(
        "/onboarding",
        "Set up",
        Resource.SETTINGS,
        write=True,
        heading="Set up your workspace",
        refusal=_owners_only,
        no_workspace="/workspaces/new",
    )
    async def onboarding(viewer: Viewer) -> None:
        assert viewer.workspace is not None  # no_workspace sent the others away
        with ui.row().classes("w-full items-center justify-between"):
            ui.label("A few steps and your bot is answering.").classes("text-grey-8")
            ui.button("Skip setup", on_click=lambda: ui.navigate.to("/dashboard")).props(
                "flat no-caps"
            ).mark("skip-setup")
        await _wizard(Wizard(viewer.actor, viewer.workspace, ui.stepper()))


def _owners_only() -> None:
    ui.label("An owner or admin sets up this workspace.").mark("forbidden")
    ui.link("Back to the dashboard", "/dashboard")


async def _wizard(wizard: Wizard) -> None:
    stepper = wizard.stepper
    stepper.props("vertical flat header-nav=false").classes("w-full bg-white rounded")
    stepper.mark("stepper")
    builders = {
        "name": _name_step,
        "connect": connect_step.build,
        "knowledge": knowledge_step.build,
    }
    with stepper:
        for key, title, icon in STEPS:
            with ui.step(key, title=title, icon=icon).mark(f"step-{key}"):
                if key == "try":
                    wizard.question = try_step.build(wizard)
                elif key == "model":  # reads the saved settings and the model catalog
                    await model_step.build(wizard)
                else:
                    builders[key](wizard)


def _name_step(wizard: Wizard) -> None:
    """Step 1: the workspace's name (prefilled with the one given at registration)."""
    ui.label("This is the name your team sees; customers never see it.").classes("text-grey-7")
    name = ui.input("Workspace name", value=wizard.workspace.name).props("outlined")
    name.classes("w-full max-w-md").mark("onboarding-workspace-name")
    error = ErrorLabel("workspace-error")

    async def save() -> None:
        if not wizard.actor.may(Resource.WORKSPACE, write=True):
            wizard.next()
            return
        saved = await error.run(
            lambda: container().services.workspaces.update(
                wizard.actor, wizard.workspace.id, name=name.value or "", logo_url=None
            )
        )
        if saved is not None:
            wizard.workspace = saved
            theme.rename_workspace(saved)
            wizard.next()

    with nav(wizard, back=False):
        ui.button("Continue", on_click=save).props("unelevated").mark("workspace-next")
