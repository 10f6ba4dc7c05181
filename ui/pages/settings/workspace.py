"""Workspace tab: the name everyone sees and the logo (a URL; uploads come with file storage)."""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, Resource
from app.domain import records as m
from ui import theme
from ui.components import ErrorLabel
from ui.pages.settings._shell import section, settings_page
from ui.state import container


def create() -> None:
    @settings_page("workspace")
    async def body(actor: Actor, ws: m.Workspace) -> None:
        editable = actor.may(Resource.WORKSPACE, write=True)
        with section("Workspace", "Shown to your team in the workspace switcher."):
            name = ui.input("Name", value=ws.name).props("outlined").classes("w-full max-w-md")
            name.mark("workspace-name")
            logo = ui.input(
                "Logo URL", value=ws.logo_url or "", placeholder="https://example.com/logo.png"
            )
            logo.props("outlined clearable").classes("w-full max-w-md").mark("workspace-logo")
            with ui.row().classes("items-center gap-3"):
                preview = ui.image(ws.logo_url or "").classes("w-16 h-16 rounded border")
                preview.props("fit=contain").mark("logo-preview")
                preview.set_visibility(bool(ws.logo_url))
                ui.label(f"Plan: {str(ws.plan).title()} · slug: {ws.slug}").classes(
                    "text-grey-7 text-sm"
                )
            error = ErrorLabel()

            async def save() -> None:
                saved = await error.run(
                    lambda: container().services.workspaces.update(
                        actor, ws.id, name=name.value or "", logo_url=logo.value or ""
                    )
                )
                if saved is not None:
                    preview.set_source(saved.logo_url or "")
                    preview.set_visibility(bool(saved.logo_url))
                    theme.rename_workspace(saved)
                    ui.notify("Workspace saved", type="positive")

            save_button = ui.button("Save", on_click=save).props("unelevated").mark("save")
            if not editable:
                for element in (name, logo, save_button):
                    element.disable()
                ui.label("Only an owner or admin can change these.").classes("text-grey-7")
