"""The onboarding model step and the recommended-model cards through NiceGUI's User simulation:
the step shows what is saved and "Save and continue" keeps it; one click on a catalog card
downloads (from the fake hub), verifies and selects the model, in the wizard and in Settings."""

from __future__ import annotations

import msgspec
import pytest

from app.domain import Actor, Role
from app.llm import catalog
from app.schemas.settings import SettingsPatchBody
from tests.fakes.gguf_hub import GgufHub
from tests.integration.api.test_model_catalog import (  # noqa: F401  (fixtures)
    KEY,
    hub,
    packaged,
    served_entry,
)
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.test_settings_pages import _eventually


def _value(user, marker: str) -> object:  # type: ignore[no-untyped-def]
    with user:
        return next(iter(user.find(marker=marker).elements)).value


async def _owner(dashboard: Dashboard) -> Actor:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    return Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)


def _use_hub(dashboard: Dashboard, fake: GgufHub) -> None:
    """The operator allowed downloads and points the app at a (loopback) mirror of the hub."""
    models = dashboard.container.services.local_models
    models._hub_url = fake.url  # type: ignore[attr-defined]
    models._manager.allow = ("127.0.0.1",)  # type: ignore[attr-defined]
    models._jobs.allowed = True  # type: ignore[attr-defined]


async def test_the_model_step_shows_and_keeps_the_saved_settings(dashboard: Dashboard) -> None:
    actor = await _owner(dashboard)
    settings = dashboard.container.services.settings
    saved = {
        "botName": "Mia", "botPersona": "You are Mia of Olga's Bakery.", "aiProvider": "openai",
        "aiModel": "llama3.2", "aiBaseUrl": "http://localhost:11434/v1",
    }  # fmt: skip
    await settings.update(actor, msgspec.convert(saved, SettingsPatchBody))
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/onboarding")
    await user.should_see(marker="model-next")
    assert _value(user, "bot-name") == "Mia"
    assert _value(user, "bot-persona") == "You are Mia of Olga's Bakery."
    assert _value(user, "provider-choice") == "compatible"
    assert _value(user, "base-url") == "http://localhost:11434/v1"
    assert _value(user, "model-name") == "llama3.2"
    user.find(marker="model-next").click()  # "Save and continue" without touching anything

    async def kept() -> bool:
        got = await settings.get(actor)
        return (got.bot_name, got.bot_persona, got.ai_provider, got.ai_model, got.ai_base_url) == (
            "Mia", "You are Mia of Olga's Bakery.", "openai", "llama3.2",
            "http://localhost:11434/v1",
        )  # fmt: skip

    await user.should_see(marker="step-knowledge")
    await _eventually(kept)


@pytest.mark.slow
async def test_one_click_in_the_wizard_downloads_verifies_and_selects(
    dashboard: Dashboard,
    hub: GgufHub,  # noqa: F811
    served_entry: catalog.CatalogModel,  # noqa: F811
) -> None:
    _use_hub(dashboard, hub)
    actor = await _owner(dashboard)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/onboarding")
    await user.should_see(marker="model-next")
    user.find("Local GGUF model on this computer").click()
    await user.should_see(marker="no-local-models")
    await user.should_see(marker=f"catalog-{KEY}")
    await user.should_see(marker="catalog-speed-note")
    await user.should_see(marker="non-commercial-qwen2.5-3b-instruct")
    user.find(marker=f"install-{KEY}").click()
    await user.should_see("Downloaded and verified", retries=600)
    assert _value(user, "local-model") == served_entry.file
    got = await dashboard.container.services.settings.get(actor)
    assert (got.ai_provider, got.ai_model) == ("llamacpp", served_entry.file)
    user.find(marker="bot-name").clear().type("Aimy")
    user.find(marker="model-next").click()
    await user.should_see(marker="step-knowledge")

    async def kept() -> bool:
        got = await dashboard.container.services.settings.get(actor)
        return (got.bot_name, got.ai_provider, got.ai_model) == (
            "Aimy", "llamacpp", served_entry.file,
        )  # fmt: skip

    await _eventually(kept)


@pytest.mark.slow
async def test_one_click_in_bot_settings_selects_the_model_in_the_model_card(
    dashboard: Dashboard,
    hub: GgufHub,  # noqa: F811
    served_entry: catalog.CatalogModel,  # noqa: F811
) -> None:
    _use_hub(dashboard, hub)
    await _owner(dashboard)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/bot")
    await user.should_see(marker="recommended-models")
    user.find(marker=f"install-{KEY}").click()
    await user.should_see("Downloaded and verified", retries=600)
    await user.should_see(content=served_entry.file, marker="model-row")

    async def selected() -> bool:
        return _value(user, "provider") == "llamacpp" and _value(user, "model-file") == (
            served_entry.file
        )

    await _eventually(selected)
    temperature = catalog.FAMILIES[served_entry.family].temperature
    assert _value(user, "temperature") == temperature
