"""What the bot tab's forms share: provider choices, and turning form values into the API's
settings patch so the dashboard validates exactly like `PATCH /api/v1/settings` does.

The service trusts its caller to have validated (the API does it with msgspec on the body), so
the page converts through the same `SettingsPatchBody` and shows msgspec's complaint in words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import msgspec
from nicegui import ui
from nicegui.elements.mixins.disableable_element import DisableableElement

from app.domain import Actor, Invalid
from app.domain import records as m
from app.schemas.settings import SettingsPatchBody
from ui.components import ErrorLabel
from ui.state import container

# The UI's choices; "compatible" is the `openai` provider with a base URL (vLLM, Ollama, …).
PROVIDERS = {
    "extractive": "No model: quote my FAQs and documents",
    "anthropic": "Anthropic (Claude)",
    "openai": "OpenAI",
    "compatible": "OpenAI-compatible server (URL)",
    "llamacpp": "Local GGUF model (llama.cpp)",
}
CLOUD = {"anthropic", "openai", "compatible"}
LANGUAGES = {
    "auto": "Same as the customer",
    "en": "English",
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "tr": "Turkish",
    "ar": "Arabic",
    "hi": "Hindi",
}
LABELS = {
    "botName": "Bot name",
    "botPersona": "Persona",
    "aiModel": "Model name",
    "aiBaseUrl": "Base URL",
    "aiApiKey": "API key",
    "aiMaxTokens": "Max tokens",
    "aiTemperature": "Temperature",
    "confidenceThreshold": "Confidence threshold",
    "defaultLanguage": "Language",
    "maxConversationHistory": "History length",
    "messageRetentionDays": "Days to keep",
}
_ENCODED = {f.name: f.encode_name for f in msgspec.structs.fields(SettingsPatchBody)}


def choice_of(view: m.WorkspaceSettingsView) -> str:
    """The UI provider choice for stored settings."""
    if view.ai_provider == "openai" and view.ai_base_url:
        return "compatible"
    return view.ai_provider if view.ai_provider in PROVIDERS else "extractive"


def friendly(error: str) -> str:
    """msgspec's "Expected `float` <= 2.0 - at `$.aiTemperature`" → "Temperature must be at
    most 2.0"."""
    text, _, where = error.partition(" - at `$.")
    field = where.rstrip("`")
    text = re.sub(r"Expected `\w+` of length <= (\d+)", r"must have at most \1 characters", text)
    text = re.sub(r"Expected `\w+` of length >= 1\b", "must not be empty", text)
    text = re.sub(r"Expected `\w+` of length >= (\d+)", r"must have at least \1 characters", text)
    text = re.sub(r"Expected `\w+` <= ([\d.]+)", r"must be at most \1", text)
    text = re.sub(r"Expected `\w+` >= ([\d.]+)", r"must be at least \1", text)
    text = re.sub(
        r"Expected `str` matching regex '\^https\?://'", "must start with http(s)://", text
    )
    text = re.sub(r"Expected `int`, got `float`", "must be a whole number", text)
    text = re.sub(r"Expected `(int|float)`, got `\w+`", "must be a number", text)
    return f"{LABELS.get(field, field or 'Settings')} {text}"


def to_patch(values: dict[str, Any]) -> SettingsPatchBody:
    """Form values keyed by field name → a validated patch (Invalid with a readable message)."""
    try:
        return msgspec.convert({_ENCODED[k]: v for k, v in values.items()}, SettingsPatchBody)
    except msgspec.ValidationError as exc:
        raise Invalid(friendly(str(exc))) from None


async def save(actor: Actor, values: dict[str, Any]) -> m.WorkspaceSettingsView:
    return await container().services.settings.update(actor, to_patch(values))


def number(value: Any) -> Any:
    """A ui.number's value for the patch: ints stay ints (max tokens), blanks are invalid."""
    if value is None:
        raise Invalid("fill in every number")
    return int(value) if float(value).is_integer() else float(value)


def save_button(marker: str, on_click: Any, editable: bool) -> None:
    if editable:
        ui.button("Save", on_click=on_click).props("unelevated").mark(marker)


async def submit(
    actor: Actor, error: ErrorLabel, values: Callable[[], dict[str, Any]], done: str
) -> bool:
    async def call() -> m.WorkspaceSettingsView:
        return await save(actor, values())

    saved = await error.run(call)
    if saved is not None:
        ui.notify(done, type="positive")
    return saved is not None


def lock(editable: bool, *elements: DisableableElement) -> None:
    if not editable:
        for element in elements:
            element.disable()
