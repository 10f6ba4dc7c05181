"""The recommended local models as cards: size, RAM, licence, an estimated reply time, and one
button that downloads the model, verifies it and switches the workspace to it, with a progress
bar fed by this workspace's `model:progress` events. Used by the onboarding model step and by
Settings → Bot (local models card).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from nicegui import ui

from app.domain import Actor
from app.events import Event
from app.services.local_models import CatalogModelView
from ui.components.error import ErrorLabel
from ui.components.format import size
from ui.components.live import listen
from ui.state import container

OFF = "Downloads are turned off on this server: the operator enables them (AIMY_MODEL_DOWNLOADS)."
SPEED_NOTE = (
    "Reply times are estimates for a 2-core CPU, scaled from the measured speed of a 270M "
    "model by parameter count and file size; your machine may be faster or slower."
)
Installed = Callable[[str], Any]  # the file name the workspace now answers with


async def catalog_cards(actor: Actor, editable: bool, on_installed: Installed) -> None:
    """One card per recommended model, smallest first."""
    service = container().services.local_models
    models = await service.catalog(actor)
    allowed = service.downloads_allowed
    ui.label(SPEED_NOTE).classes("text-xs text-grey-7").mark("catalog-speed-note")
    if editable and not allowed:
        ui.label(OFF).classes("text-sm text-grey-7").mark("catalog-downloads-off")
    bars: dict[str, tuple[ui.linear_progress, ui.label, ui.button]] = {}
    with ui.column().classes("w-full gap-2"):
        for model in models:
            bars[model.file] = _card(actor, model, editable, allowed, on_installed)

    async def on_event(event: Event) -> None:
        data = event.data
        if data.get("name") not in bars:
            return
        bar, status, button = bars[data["name"]]
        _show(bar, status, data)
        if data.get("state") == "done":
            button.text, button.enabled = "In use", False
            await _call(on_installed, data["name"])
        elif data.get("state") == "failed":
            button.enabled = True

    listen(actor, ["model:progress"], on_event)


def _card(
    actor: Actor, model: CatalogModelView, editable: bool, allowed: bool, on_installed: Installed
) -> tuple[ui.linear_progress, ui.label, ui.button]:
    with ui.card().classes("w-full p-3 gap-1").props("flat bordered").mark(f"catalog-{model.key}"):
        with ui.row().classes("w-full items-center no-wrap gap-2"):
            ui.label(model.name).classes("font-medium grow min-w-0")
            label = "In use" if model.in_use else "Use" if model.installed else "Download and use"
            button = ui.button(label, icon="download" if not model.installed else None)
            button.props("outline dense no-caps").mark(f"install-{model.key}")
            button.enabled = editable and not model.in_use and (model.installed or allowed)
        exact = "" if model.size_exact else "≈ "
        facts = (
            f"{exact}{size(model.size_bytes)} · needs about {model.ram_gb:g} GB RAM · "
            f"about {model.expected_reply_s:g} s per reply ({model.speed}, estimate)"
        )
        ui.label(facts).classes("text-sm text-grey-8")
        with ui.row().classes("items-center gap-1 text-xs text-grey-7"):
            ui.link(model.licence, model.licence_url, new_tab=True).classes("text-grey-7")
            checksum = f"sha256 {model.sha256[:12]}…" if model.sha256 else "sha256 from the hub"
            ui.label(f"· {checksum}").tooltip(model.checksum_source)
        if not model.commercial_use:
            ui.label("Its licence does not allow commercial use.").classes(
                "text-xs text-negative"
            ).mark(f"non-commercial-{model.key}")
        if model.note:
            ui.label(model.note).classes("text-xs text-grey-7")
        status = ui.label().classes("text-xs text-grey-8").mark(f"install-status-{model.key}")
        bar = ui.linear_progress(value=0, show_value=False).mark(f"install-progress-{model.key}")
        bar.set_visibility(False)
        status.set_visibility(False)
        if model.download is not None:
            _show(bar, status, {"name": model.file, **_camel(model.download)})
        error = ErrorLabel(f"install-error-{model.key}")

    async def install() -> None:
        button.enabled = False
        started = await error.run(
            lambda: container().services.local_models.install(actor, model.key)
        )
        if started is None:
            button.enabled = True
            return
        _show(bar, status, {"name": model.file, **_camel(started)})
        if started.state == "done":  # already on disk: switched at once
            button.text = "In use"
            await _call(on_installed, model.file)

    button.on_click(install)
    return bar, status, button


async def _call(on_installed: Installed, name: str) -> None:
    result = on_installed(name)
    if inspect.isawaitable(result):
        await result


def _camel(view: Any) -> dict[str, Any]:
    return {
        "state": view.state, "doneBytes": view.done_bytes, "totalBytes": view.total_bytes,
        "error": view.error,
    }  # fmt: skip


def _show(bar: ui.linear_progress, status: ui.label, data: dict[str, Any]) -> None:
    bar.set_visibility(True)
    status.set_visibility(True)
    done, total = data.get("doneBytes") or 0, data.get("totalBytes")
    state = data.get("state")
    if state == "failed":
        bar.set_visibility(False)
        status.text = f"Failed: {data.get('error')}"
        status.classes(replace="text-xs text-negative")
    elif state == "done":
        bar.value = 1
        status.text = f"Downloaded and verified ({size(done)}); the bot answers with it now."
        status.classes(replace="text-xs text-positive")
    else:
        bar.value = (done / total) if total else 0
        status.text = f"Downloading: {size(done)} of {size(total)}"
        status.classes(replace="text-xs text-grey-8")
