"""The bot tab's local models card: the recommended models (one click downloads, verifies and
selects one), GGUF files for the llama.cpp provider — list, delete, import from a path
(desktop only; the service refuses it headless), and download from a URL the user typed, only
when they click, with a progress bar fed by `model:progress` events.
"""

from __future__ import annotations

from typing import Any

from nicegui import context, ui

from app.domain import Actor
from app.events.bus import Event
from ui.components import ErrorLabel, confirm
from ui.components.format import size
from ui.components.live import listen
from ui.components.model_catalog import Installed, catalog_cards
from ui.pages.settings._shell import section
from ui.state import container

OFF = "Downloads are turned off on this server: the operator enables them (AIMY_MODEL_DOWNLOADS)."


async def section_(actor: Actor, editable: bool, on_installed: Installed) -> None:
    services = container().services
    page = context.client.layout
    with section(
        "Local models",
        "GGUF files the “Local GGUF model” provider can run on this computer, offline.",
    ):

        @ui.refreshable
        def files() -> None:
            listed = services.local_models.list()
            if not listed:
                ui.label("No local models yet.").classes("text-grey-7").mark("no-models")
            for model in listed:
                with ui.row().classes(
                    "w-full items-center no-wrap gap-2 py-1 border-b border-gray-200"
                ):
                    ui.icon("memory").classes("text-grey-7")
                    ui.label(model.name).classes("grow min-w-0 break-all").mark("model-row")
                    ui.label(size(model.size_bytes)).classes("text-sm text-grey-7 shrink-0")
                    if editable:
                        ui.button(icon="delete", on_click=lambda n=model.name: delete(n)).props(
                            "flat round dense color=negative aria-label=Delete"
                        ).mark(f"delete-model-{model.name}")

        async def delete(name: str) -> None:
            with page:  # not inside the list: a finished download redraws it
                asked = await confirm(
                    f"Delete {name}?", "The file is removed from disk.", action="Delete"
                )
            if not asked:
                return

            async def call() -> bool:
                await services.local_models.delete(actor, name)
                return True

            if await error.run(call):
                ui.notify(f"Deleted {name}", type="positive")
                files.refresh()

        with ui.column().classes("w-full gap-0"):
            files()
        error = ErrorLabel("models-error")

        async def installed(name: str) -> None:
            files.refresh()
            await on_installed(name)

        recommended = ui.expansion("Recommended models", icon="recommend")
        recommended.classes("w-full").mark("recommended-models")
        recommended.value = not services.local_models.list()
        with recommended:
            await catalog_cards(actor, editable, installed)
        if not editable:
            return
        if not services.local_models.imports_allowed:
            ui.label(
                "On a server, copy .gguf files into the data folder's models/ directory."
            ).classes("text-sm text-grey-7")
        else:
            with ui.row().classes("w-full items-center no-wrap gap-2"):
                path = ui.input("Import from a file path", placeholder="/home/me/model.gguf")
                path.props("outlined dense").classes("grow").mark("import-path")

                async def do_import() -> None:
                    done = await error.run(
                        lambda: services.local_models.import_file(actor, path.value or "", None)
                    )
                    if done is not None:
                        path.value = ""
                        ui.notify(f"Imported {done.name}", type="positive")
                        files.refresh()

                ui.button("Import", on_click=do_import).props("outline").mark("import-model")
        if not services.local_models.downloads_allowed:
            ui.label(OFF).classes("text-sm text-grey-7").mark("downloads-off")
            return
        with ui.row().classes("w-full items-center no-wrap gap-2"):
            url = ui.input("Download from a URL", placeholder="https://…/model.Q4_K_M.gguf")
            url.props("outlined dense").classes("grow").mark("download-url")
            button = ui.button("Download", icon="download").props("outline")
            button.mark("download-model")
        with ui.column().classes("w-full gap-1") as progress_box:
            status = ui.label().classes("text-sm text-grey-8").mark("download-status")
            bar = ui.linear_progress(value=0, show_value=False).mark("download-progress")
        progress_box.set_visibility(False)

        heard: set[str] = set()  # downloads an event already reported (it may beat the click)

        def show(data: dict[str, Any]) -> None:
            progress_box.set_visibility(True)
            done, total = data.get("doneBytes", 0), data.get("totalBytes")
            bar.value = (done / total) if total else 0
            state = data.get("state")
            if state == "failed":
                status.text = f"{data['name']}: failed — {data.get('error')}"
            elif state == "done":
                status.text = f"{data['name']}: downloaded ({size(done)})"
                bar.value = 1
                files.refresh()
            else:
                status.text = f"{data['name']}: {size(done)} of {size(total)}"

        async def download() -> None:
            started = await error.run(
                lambda: services.local_models.start_download(actor, url.value or "", None, None)
            )
            if started is not None and started.name not in heard:
                show({"name": started.name, "state": "downloading", "doneBytes": 0})

        button.on_click(download)
        for running in services.local_models.downloads(actor.workspace_id or ""):
            if running.state == "downloading":
                show(
                    {
                        "name": running.name,
                        "state": running.state,
                        "doneBytes": running.done_bytes,
                        "totalBytes": running.total_bytes,
                    }
                )

        def on_event(event: Event) -> None:
            heard.add(event.data.get("name", ""))
            show(event.data)

        listen(actor, ["model:progress"], on_event)
