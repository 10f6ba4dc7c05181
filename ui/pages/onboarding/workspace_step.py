"""Step 1: the workspace's name (prefilled with the one given at registration)."""

from __future__ import annotations

from nicegui import ui

from app.auth import Resource
from ui import theme
from ui.components import ErrorLabel
from ui.pages.onboarding._common import Wizard, nav
from ui.state import container


def build(wizard: Wizard) -> None:
    ui.label("This is the name your team sees; customers never see it.").classes("text-grey-7")
    name = ui.input("Workspace name", value=wizard.workspace.name).props("outlined")
    name.classes("w-full max-w-md").mark("onboarding-workspace-name")
    error = ErrorLabel("workspace-error")

    async def save() -> None:
        if not wizard.may(Resource.WORKSPACE):
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
