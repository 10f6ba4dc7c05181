"""Step 3: the bot's name and persona, and which model writes its answers — a cloud key, an
OpenAI-compatible server, a local GGUF file (one click from the recommended catalog), or no
model at all (answers quoted from FAQs and documents, the offline default).

The step opens on what is saved (coming back to the wizard must not show "Assistant / No
model" over a configured bot), and "Save and continue" writes what the step shows."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain import Invalid, Resource
from app.domain.records import WorkspaceSettingsView
from app.schemas.settings import SettingsPatchBody
from ui.components import ErrorLabel
from ui.components.model_catalog import catalog_cards
from ui.pages.onboarding._common import Wizard, checked, nav
from ui.state import container

CHOICES = {
    "extractive": "No model: answer from my FAQs and documents",
    "cloud": "Cloud model (Anthropic or OpenAI key)",
    "compatible": "OpenAI-compatible server (Ollama, LM Studio, vLLM…)",
    "llamacpp": "Local GGUF model on this computer",
}
CLOUD_MODELS = {"anthropic": "claude-haiku-4-5", "openai": "gpt-4o-mini"}


def patch_for(choice: str, form: dict[str, Any], has_key: bool) -> dict[str, Any]:
    """The settings fields one choice sets; Invalid when a choice lacks what it needs."""
    model = (form.get("model") or "").strip()
    key = (form.get("key") or "").strip()
    if choice == "extractive":
        return {"ai_provider": "extractive", "ai_base_url": None}
    if choice == "cloud":
        provider = form.get("provider") or "anthropic"
        if not key and not has_key:
            raise Invalid("Paste the API key of your Anthropic or OpenAI account.")
        fields = {"ai_provider": provider, "ai_model": model or CLOUD_MODELS[provider]}
        return {**fields, "ai_base_url": None, **({"ai_api_key": key} if key else {})}
    if choice == "compatible":
        url = (form.get("base_url") or "").strip()
        if not url.startswith(("http://", "https://")):
            raise Invalid(
                "The server URL starts with http:// or https://, e.g. http://localhost:11434/v1"
            )
        if not model:
            raise Invalid("Name the model the server should run, e.g. llama3.2.")
        return {"ai_provider": "openai", "ai_model": model, "ai_base_url": url,
                **({"ai_api_key": key} if key else {})}  # fmt: skip
    if not model:
        raise Invalid("Choose a local model file, or pick another option.")
    return {"ai_provider": "llamacpp", "ai_model": model, "ai_base_url": None}


def saved_choice(view: WorkspaceSettingsView) -> tuple[str, dict[str, Any]]:
    """The radio choice and form fields that show the saved model settings."""
    form: dict[str, Any] = {"provider": "anthropic"}
    provider = view.ai_provider
    if provider == "llamacpp":  # its own key: the cloud choices' model name is another field
        return "llamacpp", {**form, "local_model": view.ai_model}
    if provider in CLOUD_MODELS and view.ai_base_url:
        return "compatible", {**form, "model": view.ai_model, "base_url": view.ai_base_url}
    if provider in CLOUD_MODELS:
        return "cloud", {**form, "provider": provider, "model": view.ai_model}
    return "extractive", form


async def build(wizard: Wizard) -> None:
    if not wizard.actor.may(Resource.SETTINGS, write=True):
        with nav(wizard):
            ui.button("Continue", on_click=wizard.next).props("unelevated")
        return
    services = container().services
    saved = await services.settings.get(wizard.actor)
    bot_name = ui.input("Bot name", value=saved.bot_name)
    bot_name.props("outlined").classes("w-full max-w-md").mark("bot-name")
    persona = (
        ui.textarea(
            "Persona",
            value=saved.bot_persona or "",
            placeholder="You are the friendly assistant of Acme Bakery. Be brief.",
        )
        .props("outlined autogrow")
        .classes("w-full max-w-xl")
        .mark("bot-persona")
    )
    start, form = saved_choice(saved)
    choice = ui.radio(CHOICES, value=start).mark("provider-choice")
    with ui.column().classes("w-full max-w-md gap-2") as cloud:
        ui.toggle({"anthropic": "Anthropic", "openai": "OpenAI"}).bind_value(form, "provider")
    with ui.column().classes("w-full max-w-md gap-2") as compatible:
        ui.input("Server URL", placeholder="http://localhost:11434/v1").props("outlined").classes(
            "w-full"
        ).bind_value(form, "base_url").mark("base-url")
    with ui.column().classes("w-full max-w-md gap-2") as shared:
        ui.input("Model name (optional for cloud)").props("outlined").classes("w-full").bind_value(
            form, "model"
        ).mark("model-name")
        ui.input("API key", password=True, password_toggle_button=True).props("outlined").classes(
            "w-full"
        ).bind_value(form, "key").mark("api-key")
    local_names = [x.name for x in services.local_models.list()]
    if form.get("local_model") and form["local_model"] not in local_names:
        local_names.append(form["local_model"])  # saved, though the file is gone: still shown
    with ui.column().classes("w-full max-w-xl gap-2") as local:
        files = ui.select(local_names, label="Model file").props("outlined").classes("w-full")
        files.bind_value(form, "local_model").mark("local-model")
        none_yet = ui.label(
            "No GGUF file yet: pick a recommended model below (one click downloads, checks and "
            "selects it), or put a .gguf file into the data folder's models/ directory."
        ).classes("text-sm text-grey-7")
        none_yet.mark("no-local-models")
        files.set_visibility(bool(local_names))
        none_yet.set_visibility(not local_names)

        def installed(name: str) -> None:  # the service switched the workspace already
            if name not in files.options:
                files.set_options([*files.options, name])
            form["local_model"] = name
            files.value = name
            files.set_visibility(True)
            none_yet.set_visibility(False)

        ui.label("Recommended models").classes("text-sm font-medium pt-2")
        await catalog_cards(wizard.actor, True, installed)
    cloud.bind_visibility_from(choice, "value", value="cloud")
    compatible.bind_visibility_from(choice, "value", value="compatible")
    shared.bind_visibility_from(choice, "value", backward=lambda v: v in ("cloud", "compatible"))
    local.bind_visibility_from(choice, "value", value="llamacpp")
    error = ErrorLabel("model-error")

    async def save() -> None:
        async def call() -> object:
            if not (bot_name.value or "").strip():
                raise Invalid("Give the bot a name, e.g. Assistant.")
            current = await services.settings.get(wizard.actor)
            downloading = any(
                d.state == "downloading"
                for d in services.local_models.downloads(wizard.actor.workspace_id or "")
            )
            values = form
            if choice.value == "llamacpp":
                values = {**form, "model": form.get("local_model")}
            if choice.value == "llamacpp" and not values["model"] and downloading:
                fields = {}  # the download selects its model once it is verified
            else:
                fields = patch_for(choice.value, values, has_key=bool(current.ai_api_key))
            body = checked(
                SettingsPatchBody,
                bot_name=(bot_name.value or "").strip(),
                bot_persona=(persona.value or "").strip() or None,
                **fields,
            )
            return await services.settings.update(wizard.actor, body)

        if await error.run(call) is not None:
            wizard.next()

    with nav(wizard):
        ui.button("Save and continue", on_click=save).props("unelevated").mark("model-next")
