"""Step 3: the bot's name and persona, and which model writes its answers — a cloud key, an
OpenAI-compatible server, a local GGUF file, or no model at all (answers quoted from FAQs and
documents, the offline default)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain import Invalid, Resource
from app.schemas.settings import SettingsPatchBody
from ui.components import ErrorLabel
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


def build(wizard: Wizard) -> None:
    if not wizard.actor.may(Resource.SETTINGS, write=True):
        with nav(wizard):
            ui.button("Continue", on_click=wizard.next).props("unelevated")
        return
    services = container().services
    bot_name = ui.input("Bot name", value="Assistant").props("outlined").classes("w-full max-w-md")
    bot_name.mark("bot-name")
    persona = (
        ui.textarea(
            "Persona", placeholder="You are the friendly assistant of Acme Bakery. Be brief."
        )
        .props("outlined autogrow")
        .classes("w-full max-w-xl")
        .mark("bot-persona")
    )
    choice = ui.radio(CHOICES, value="extractive").mark("provider-choice")
    form: dict[str, Any] = {"provider": "anthropic"}
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
    local_names = [m.name for m in services.local_models.list()]
    with ui.column().classes("w-full max-w-md gap-2") as local:
        if local_names:
            ui.select(local_names, label="Model file").props("outlined").classes(
                "w-full"
            ).bind_value(form, "model").mark("local-model")
        else:
            ui.label(
                "No GGUF file yet: put one into the data folder's models/ directory, or add one "
                "later in Settings → Bot."
            ).classes("text-sm text-grey-7").mark("no-local-models")
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
            fields = patch_for(choice.value, form, has_key=bool(current.ai_api_key))
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
