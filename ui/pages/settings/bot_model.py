"""The bot tab's AI model card: provider, model, key (write-only), tuning, and a live test.

"OpenAI-compatible" is stored as the `openai` provider with a base URL; a local model is the
`llamacpp` provider with a file from the models folder as its model name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.domain import Actor
from app.domain import records as m
from app.events.bus import Event
from ui.components import ErrorLabel
from ui.components.live import listen
from ui.pages.settings._shell import section
from ui.pages.settings.bot_form import CLOUD, PROVIDERS, choice_of, lock, number, save, save_button
from ui.state import container


async def model(
    actor: Actor, view: m.WorkspaceSettingsView, editable: bool
) -> Callable[[str], Awaitable[None]]:
    """The card; returns how to show that the workspace now answers with a local file (a
    one-click install from the catalog switched it on the server already)."""
    services = container().services
    local = [x.name for x in services.local_models.list()]
    with section("AI model", "Which model writes the replies. Keys are stored encrypted."):
        choice = ui.select(PROVIDERS, label="Provider", value=choice_of(view))
        choice.props("outlined").classes("w-full").mark("provider")
        name = ui.input("Model name", value=view.ai_model if view.ai_provider != "llamacpp" else "")
        name.props('outlined placeholder="e.g. gpt-4o-mini"').classes("w-full").mark("model-name")
        mine = view.ai_model if view.ai_provider == "llamacpp" and view.ai_model else None
        options = {x: x for x in local} | ({mine: mine} if mine else {})
        gguf = ui.select(options, label="Local model file", value=mine)
        gguf.props("outlined").classes("w-full").mark("model-file")
        none_local = ui.label("No local model yet: download one in “Local models” below.")
        none_local.classes("text-sm text-grey-7 -mt-2")
        url = ui.input("Base URL", value=view.ai_base_url or "")
        url.props('outlined placeholder="http://localhost:8000/v1"').classes("w-full")
        url.mark("base-url")
        with ui.column().classes("w-full gap-1") as key_box:
            key = ui.input("API key", password=True, password_toggle_button=True)
            key.props("outlined autocomplete=new-password").classes("w-full").mark("api-key")
            with ui.row().classes("items-center gap-2"):
                stored = ui.label().classes("text-sm text-grey-7").mark("api-key-mask")
                forget = ui.button("Remove key", on_click=lambda: remove_key())
                forget.props("flat dense no-caps color=negative").mark("remove-key")
        with ui.row().classes("w-full gap-4 no-wrap"):
            temp = ui.number("Temperature", value=view.ai_temperature, step=0.1, format="%.2f")
            temp.props("outlined").classes("grow").mark("temperature")
            tokens = ui.number("Max tokens", value=view.ai_max_tokens, step=1)
            tokens.props("outlined").classes("grow").mark("max-tokens")

        def show_mask(mask: str | None) -> None:
            stored.text = (
                f"Stored key: {mask}. Leave blank to keep it." if mask else "No key stored."
            )
            forget.set_visibility(bool(mask) and editable)

        async def remove_key() -> None:
            saved = await error.run(lambda: save(actor, {"ai_api_key": ""}))
            if saved is not None:
                show_mask(saved.ai_api_key)
                ui.notify("API key removed", type="positive")

        def sync() -> None:
            c = choice.value
            name.set_visibility(c in CLOUD)
            gguf.set_visibility(c == "llamacpp")
            none_local.set_visibility(c == "llamacpp" and not gguf.options)
            url.set_visibility(c == "compatible")
            key_box.set_visibility(c in CLOUD)
            temp.set_visibility(c != "extractive")
            tokens.set_visibility(c != "extractive")

        def downloaded(event: Event) -> None:  # a finished download is offered at once
            if event.data.get("state") == "done":
                names = [x.name for x in services.local_models.list()]
                gguf.set_options(names, value=gguf.value if gguf.value in names else None)
                sync()

        listen(actor, ["model:progress"], downloaded)

        async def use_local(name: str) -> None:
            names = [x.name for x in services.local_models.list()]
            gguf.set_options(sorted({*names, name}), value=name)
            choice.value = "llamacpp"
            temp.value = (await services.settings.get(actor)).ai_temperature  # the family's
            sync()

        error = ErrorLabel("model-error")
        choice.on_value_change(sync)
        sync()
        show_mask(view.ai_api_key)

        def values() -> dict[str, Any]:
            c = choice.value
            out: dict[str, Any] = {
                "ai_provider": "openai" if c == "compatible" else c,
                "ai_model": (gguf.value or "") if c == "llamacpp" else (name.value or ""),
                "ai_base_url": (url.value or "") if c == "compatible" else None,
                "ai_temperature": number(temp.value),
                "ai_max_tokens": number(tokens.value),
            }
            if key.value:
                out["ai_api_key"] = key.value
            return out

        async def submit() -> None:
            async def call() -> m.WorkspaceSettingsView:
                return await save(actor, values())

            saved = await error.run(call)
            if saved is not None:
                key.value = ""
                show_mask(saved.ai_api_key)
                ui.notify("Model settings saved", type="positive")

        result = ui.label().classes("text-sm whitespace-pre-wrap").mark("test-result")
        result.set_visibility(False)

        async def test() -> None:
            spinner.set_visibility(True)
            try:
                outcome = await services.settings.test_model(actor)
            finally:
                spinner.set_visibility(False)
            result.set_visibility(True)
            same = outcome.model in ("", outcome.provider)
            where = outcome.provider if same else f"{outcome.provider} {outcome.model}"
            if outcome.ok:
                result.text = f"OK · {where} · {outcome.latency_ms:.0f} ms\n“{outcome.sample}”"
                result.classes(replace="text-sm whitespace-pre-wrap text-positive")
            else:
                result.text = f"Failed · {where} · {outcome.error}"
                result.classes(replace="text-sm whitespace-pre-wrap text-negative")

        with ui.row().classes("items-center gap-2"):
            save_button("save-model", submit, editable)
            ui.button("Test model", icon="play_arrow", on_click=test).props("outline").mark(
                "test-model"
            ).tooltip("Sends one short question with the saved settings")
            spinner = ui.spinner(size="sm")
            spinner.set_visibility(False)
        lock(editable, choice, name, gguf, url, key, temp, tokens)
    return use_local
