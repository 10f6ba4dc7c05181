"""API keys tab: keys for `X-API-Key` (seed §6 settings/api-keys). A new key is shown once —
only its hash is stored — so the create dialog shows it with a copy button and a warning."""

from __future__ import annotations

from datetime import UTC, date, datetime

from nicegui import ui

from app.domain import Actor, Invalid, Resource
from app.domain import records as m
from ui.components import ErrorLabel, SecretBox, confirm
from ui.components.format import day, when
from ui.pages.settings._shell import section, settings_page
from ui.state import container


def expiry(text: str | None) -> datetime | None:
    """'2027-01-31' → that day's start in UTC (the key stops working on it); blank → never."""
    if not text:
        return None
    try:
        d = date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("the expiry date must look like 2027-01-31") from None
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def create() -> None:
    @settings_page("api")
    async def body(actor: Actor, ws: m.Workspace) -> None:
        services = container().services
        manage = actor.may(Resource.SETTINGS, write=True)

        @ui.refreshable
        async def keys() -> None:
            listed = await services.api_keys.list(actor)
            if not listed:
                ui.label("No API keys yet.").classes("text-grey-7").mark("no-keys")
            for key in listed:
                row = ui.row().classes(
                    "w-full items-center gap-x-4 gap-y-0 py-2 border-b border-gray-200"
                )
                row.props["data-key"] = key.name
                with row:
                    with ui.column().classes("gap-0 grow min-w-0"):
                        ui.label(key.name).classes("font-medium").mark("api-key")
                        ui.label(f"aimy_{key.key_preview}…").classes(
                            "font-mono text-sm text-grey-8"
                        )
                    with ui.column().classes("gap-0 text-sm text-grey-7"):
                        ui.label(f"created {day(key.created_at)}")
                        ui.label(f"last used {when(key.last_used_at, 'never')}")
                        ui.label(f"expires {day(key.expires_at, 'never')}")
                    if manage:
                        ui.button(icon="delete", on_click=lambda k=key: revoke(k)).props(
                            "flat round dense color=negative aria-label=Revoke"
                        ).tooltip("Revoke").mark(f"revoke-{key.name}")

        async def revoke(key: m.ApiKey) -> None:
            if not await confirm(
                f"Revoke “{key.name}”?",
                "Anything using this key stops working at once. This cannot be undone.",
                action="Revoke",
            ):
                return

            async def call() -> bool:
                await services.api_keys.revoke(actor, key.id)
                return True

            if await error.run(call):
                ui.notify(f"Revoked {key.name}", type="positive")
                keys.refresh()

        with section(
            "API keys",
            "Send a key as the X-API-Key header to /api/v1. A key acts as an admin of this "
            "workspace: it cannot manage the team, billing or WhatsApp numbers.",
        ) as s:
            if manage:
                with s.actions:
                    ui.button(
                        "Create key", icon="add", on_click=lambda: create_dialog(actor, keys)
                    ).props("unelevated").mark("create-key")
            error = ErrorLabel("api-error")
            with ui.column().classes("w-full gap-0").mark("keys"):
                await keys()


def create_dialog(actor: Actor, keys: ui.refreshable) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-full max-w-md gap-3").mark("key-dialog"):
        ui.label("New API key").classes("text-lg font-semibold")
        name = ui.input("Name", placeholder="e.g. CRM sync").props("outlined autofocus")
        name.classes("w-full").mark("key-name")
        expires = ui.input("Expires on (optional, UTC)").props("outlined type=date clearable")
        expires.classes("w-full").mark("key-expires")
        error = ErrorLabel("key-error")
        result = ui.column().classes("w-full gap-2")
        with ui.row().classes("w-full justify-end gap-2") as buttons:
            ui.button("Cancel", on_click=dialog.close).props("flat")
            ui.button("Create", on_click=lambda: submit()).props("unelevated").mark("create")

        async def submit() -> None:
            async def call() -> m.ApiKey:
                until = expiry(expires.value)
                return await container().services.api_keys.create(actor, name.value or "", until)

            key = await error.run(call)
            if key is None:
                return
            keys.refresh()
            name.disable()
            expires.disable()
            buttons.clear()
            with buttons:
                ui.button("Done", on_click=lambda: (dialog.close(), keys.refresh())).props(
                    "unelevated"
                ).mark("done")
            with result:
                ui.label("Your new key:").classes("text-sm")
                SecretBox(
                    "API key",
                    key.key or "",
                    "Copy it now: this is the only time it is shown. "
                    "Lost keys cannot be recovered — revoke and create a new one.",
                    marker="new-key",
                )

        name.on("keydown.enter", submit)
    dialog.on("hide", dialog.delete)
    dialog.open()
