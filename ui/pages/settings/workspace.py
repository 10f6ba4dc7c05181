"""Workspace tab: the name everyone sees, the logo (a URL; uploads come with file storage), and
how long messages are kept (the nightly cleanup's message retention, issue 17 item 5)."""

from __future__ import annotations

from nicegui import ui

from app.domain import Actor, Resource
from app.domain import records as m
from app.domain.workspace_settings import RETENTION_DAYS
from ui import theme
from ui.components import ErrorLabel
from ui.pages.settings._shell import section, settings_page
from ui.pages.settings.bot_form import number, save
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
        await retention(actor)


async def retention(actor: Actor) -> None:
    """Off (keep everything) or N days; saved through the settings service like the API."""
    editable = actor.may(Resource.SETTINGS, write=True)
    current = (await container().services.settings.get(actor)).message_retention_days
    low, high = RETENTION_DAYS
    with section(
        "Data retention",
        "Every night at 2 AM, delete messages and their media files older than this. "
        "Contacts, conversations, the knowledge base and analytics totals stay.",
    ):
        on = ui.switch("Delete old messages", value=current is not None).mark("retention-on")
        days = ui.number(
            f"Days to keep ({low}-{high})", value=current or 365, min=low, max=high, step=1
        )
        days.props("outlined").classes("w-48").mark("retention-days")
        days.bind_visibility_from(on, "value")
        error = ErrorLabel("retention-error")

        async def save_retention() -> None:
            async def call() -> m.WorkspaceSettingsView:
                value = number(days.value) if on.value else None
                return await save(actor, {"message_retention_days": value})

            saved = await error.run(call)
            if saved is not None:
                kept = saved.message_retention_days
                ui.notify(
                    f"Messages older than {kept} days will be deleted nightly"
                    if kept
                    else "Messages are kept",
                    type="positive",
                )

        button = ui.button("Save", on_click=save_retention).props("unelevated")
        button.mark("save-retention")
        if not editable:
            for element in (on, days, button):
                element.disable()
