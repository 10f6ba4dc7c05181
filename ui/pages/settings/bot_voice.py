"""The bot tab's voice-notes card: which whisper model transcribes this workspace's voice
notes, and the models that can be downloaded for it (only when the user clicks), with a
progress bar fed by `speech-model:progress` events.

The built-in tiny.en only understands English; a business whose customers send voice notes in
other languages needs a multilingual model, so the card says which ones are.
"""

from __future__ import annotations

import time

from nicegui import context, ui

from app.domain import Actor
from app.domain import records as m
from app.domain.workspace_settings import OPENAI_SPEECH
from app.events.bus import Event
from app.events.names import SPEECH_MODEL_PROGRESS
from app.services.speech_models import SpeechModelView
from ui.components import ErrorLabel, confirm
from ui.components.format import size
from ui.components.live import listen
from ui.pages.settings._shell import section
from ui.pages.settings.bot_form import lock, save_button, submit
from ui.pages.settings.bot_models import OFF
from ui.state import container


def label_of(model: SpeechModelView) -> str:
    kind = "many languages" if model.multilingual else "English only"
    return f"{model.name} ({'built in, ' if model.builtin else ''}{kind})"


def voice(actor: Actor, view: m.WorkspaceSettingsView, editable: bool) -> None:
    service = container().services.speech_models
    page = context.client.layout
    with section(
        "Voice notes",
        "Voice notes are transcribed on this computer. The built-in model knows only English; "
        "download a multilingual one if your customers speak other languages.",
    ):
        choice = ui.select({}, label="Transcription model").props("outlined")
        choice.classes("w-full sm:w-96").mark("speech-model")
        error = ErrorLabel("voice-error")
        save_button(
            "save-voice",
            lambda: submit(actor, error, lambda: {"speech_model": choice.value}, "Voice saved"),
            editable,
        )
        lock(editable, choice)

        @ui.refreshable
        def catalog() -> None:
            models = service.list(actor.workspace_id or "")
            installed = {x.name: label_of(x) for x in models if x.installed}
            if view.ai_provider == "openai":  # transcription on the same OpenAI account
                installed[OPENAI_SPEECH] = "OpenAI (cloud, with this workspace's OpenAI key)"
            current = choice.value or view.speech_model or next(iter(installed), None)
            choice.set_options(installed, value=current if current in installed else None)
            for model in models:
                row(model)

        def row(model: SpeechModelView) -> None:
            with ui.row().classes("w-full items-center no-wrap gap-2 py-1 border-b"):
                ui.icon("record_voice_over" if model.installed else "cloud_download").classes(
                    "text-grey-7"
                )
                with ui.column().classes("grow min-w-0 gap-0"):
                    ui.label(label_of(model)).classes("font-medium").mark("speech-row")
                    ui.label(model.note).classes("text-sm text-grey-7")
                    running = model.download and model.download.state == "downloading"
                    if running and model.download:
                        done, total = model.download.done_bytes, model.download.total_bytes
                        ui.linear_progress(value=done / total if total else 0, show_value=False)
                        ui.label(f"{size(done)} of {size(total)}").classes("text-sm")
                    elif model.download and model.download.state == "failed":
                        ui.label(f"Download failed: {model.download.error}").classes(
                            "text-sm text-negative"
                        ).mark(f"speech-failed-{model.name}")
                shown = model.size_bytes if model.installed else (model.download_mb or 0) << 20
                ui.label(size(shown)).classes("text-sm text-grey-7 shrink-0")
                if not editable or model.builtin or running:
                    return
                if not model.installed and not service.downloads_allowed:
                    return
                if model.installed:
                    ui.button(icon="delete", on_click=lambda n=model.name: delete(n)).props(
                        "flat round dense color=negative aria-label=Delete"
                    ).mark(f"delete-speech-{model.name}")
                else:
                    ui.button(icon="download", on_click=lambda n=model.name: download(n)).props(
                        "flat round dense aria-label=Download"
                    ).mark(f"download-speech-{model.name}")

        async def download(name: str) -> None:
            if await error.run(lambda: service.start_download(actor, name)) is not None:
                catalog.refresh()

        async def delete(name: str) -> None:
            with page:  # not inside the list: a progress event redraws it
                asked = await confirm(f"Delete {name}?", "The model is removed from disk.")
            if asked and await error.run(lambda: _delete(name)):
                ui.notify(f"Deleted {name}", type="positive")
                catalog.refresh()

        async def _delete(name: str) -> bool:
            await service.delete(actor, name)
            return True

        with ui.column().classes("w-full gap-0").mark("speech-models"):
            catalog()
        if not service.downloads_allowed:
            ui.label(OFF).classes("text-sm text-grey-7").mark("speech-downloads-off")

        last = [0.0]

        def on_event(event: Event) -> None:
            # one redraw per half second while bytes arrive; always on done/failed
            now = time.monotonic()
            if event.data.get("state") != "downloading" or now - last[0] > 0.5:
                last[0] = now
                catalog.refresh()

        listen(actor, [SPEECH_MODEL_PROGRESS], on_event)
