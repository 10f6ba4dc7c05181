"""The bot settings tab through NiceGUI's User simulation: saves reach the settings service,
bad values show readable errors, the API key never comes back, the model test runs for real
(the test profile's fake provider), and the hours grid writes the seed's config shape."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from nicegui.testing.user import User

from app.ai import api_key_name
from app.domain import Actor, Role
from tests.integration.ui.conftest import Dashboard

SECRET = "sk-test-abcdefghijklmnop1234"


async def _owner(dashboard: Dashboard) -> tuple[User, Actor]:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/bot")
    await user.should_see(marker="bot-name")
    return user, Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)


async def _eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.05)


def _set(user: User, marker: str, value: object) -> None:
    with user:
        next(iter(user.find(marker=marker).elements)).value = value  # type: ignore[attr-defined]


async def test_persona_and_model_save_through_the_service(dashboard: Dashboard) -> None:
    user, actor = await _owner(dashboard)
    settings = dashboard.container.services.settings
    user.find(marker="bot-name").clear().type("Mia")
    user.find(marker="bot-persona").type("You are Mia from Olga's Bakery.")
    _set(user, "bot-language", "de")
    user.find(marker="save-persona").click()
    await user.should_see("Persona saved")
    view = await settings.get(actor)
    assert (view.bot_name, view.bot_persona, view.default_language) == (
        "Mia", "You are Mia from Olga's Bakery.", "de",
    )  # fmt: skip

    _set(user, "provider", "compatible")
    user.find(marker="model-name").type("qwen2.5-7b")
    user.find(marker="base-url").type("http://localhost:8000/v1")
    user.find(marker="api-key").type(SECRET)
    _set(user, "temperature", 0.3)
    _set(user, "max-tokens", 300)
    user.find(marker="save-model").click()
    await user.should_see("Model settings saved")
    view = await settings.get(actor)
    assert (view.ai_provider, view.ai_model, view.ai_base_url) == (
        "openai", "qwen2.5-7b", "http://localhost:8000/v1",
    )  # fmt: skip
    assert (view.ai_temperature, view.ai_max_tokens) == (0.3, 300)
    assert dashboard.container.secrets.get(api_key_name(actor.workspace_id or "")) == SECRET
    await user.should_see("Stored key: sk-…1234")
    field = next(iter(user.find(marker="api-key").elements))
    assert field.value == ""  # type: ignore[attr-defined]

    await user.open("/dashboard/settings/bot")  # reopened: the key is nowhere on the page
    await user.should_see("Stored key: sk-…1234")
    await user.should_not_see(SECRET)
    assert next(iter(user.find(marker="provider").elements)).value == "compatible"  # type: ignore[attr-defined]
    user.find(marker="remove-key").click()
    await user.should_see("No key stored.")
    assert dashboard.container.secrets.get(api_key_name(actor.workspace_id or "")) is None


async def test_bad_values_show_errors_and_change_nothing(dashboard: Dashboard) -> None:
    user, actor = await _owner(dashboard)
    _set(user, "provider", "compatible")
    user.find(marker="base-url").type("ftp://example.com")
    user.find(marker="save-model").click()
    await user.should_see("Base URL must start with http(s)://")
    user.find(marker="base-url").clear().type("https://llm.example.com/v1")
    _set(user, "temperature", 2.5)
    user.find(marker="save-model").click()
    await user.should_see("Temperature must be at most 2")
    _set(user, "history", 0)
    user.find(marker="save-replies").click()
    await user.should_see("History length must be at least 1")
    user.find(marker="bot-name").clear()
    user.find(marker="save-persona").click()
    await user.should_see("Bot name must not be empty")
    view = await dashboard.container.services.settings.get(actor)
    assert (view.ai_provider, view.ai_temperature, view.bot_name) == (
        "extractive",
        0.7,
        "Assistant",
    )


async def test_replies_switches_and_test_model(dashboard: Dashboard) -> None:
    user, actor = await _owner(dashboard)
    _set(user, "confidence", 0.8)
    _set(user, "history", 12)
    _set(user, "approval-mode", True)
    user.find(marker="save-replies").click()
    await user.should_see("Reply settings saved")
    view = await dashboard.container.services.settings.get(actor)
    assert (view.confidence_threshold, view.max_conversation_history) == (0.8, 12)
    assert view.approval_mode_default is True
    user.find(marker="test-model").click()
    await user.should_see(marker="test-result")
    await user.should_see("OK · fake")  # the test profile overrides the provider with the fake


async def test_business_hours_grid_and_messages(dashboard: Dashboard) -> None:
    user, actor = await _owner(dashboard)
    _set(user, "hours-enabled", True)
    _set(user, "hours-timezone", "Europe/Berlin")
    for day in ("mon", "tue"):
        _set(user, f"day-{day}", True)
    user.find(marker="close-tue").clear().type("22:30")
    _set(user, "day-sat", True)
    user.find(marker="open-sat").clear().type("20:00")
    user.find(marker="close-sat").clear().type("02:00")
    user.find(marker="save-hours").click()
    await user.should_see("Business hours saved")
    view = await dashboard.container.services.settings.get(actor)
    assert view.business_hours_enabled is True
    assert view.business_hours_config == {
        "timezone": "Europe/Berlin",
        "days": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "22:30"]],
                 "sat": [["20:00", "02:00"]]},
    }  # fmt: skip
    user.find(marker="open-mon").clear().type("9am")
    user.find(marker="save-hours").click()
    await user.should_see("businessHoursConfig")

    user.find(marker="away-message").type("We are closed, back at 9.")
    user.find(marker="welcome-message").type("Hi! I'm the bakery bot.")
    user.find(marker="save-messages").click()
    await user.should_see("Messages saved")
    view = await dashboard.container.services.settings.get(actor)
    assert view.away_message == "We are closed, back at 9."
    assert view.welcome_message == "Hi! I'm the bakery bot."
    assert view.human_escalation_message is None


async def test_admin_edits_but_viewer_gets_nothing(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    await dashboard.member(owner, "admin@example.com", Role.ADMIN)
    user = await dashboard.signed_in("admin@example.com")
    from ui import session

    await user.open("/dashboard")
    with user:
        session.choose_workspace(owner.workspace.id)  # type: ignore[union-attr]
    await user.open("/dashboard/settings/bot")
    await user.should_see(marker="save-model")  # settings: ADMIN may write
    await dashboard.member(owner, "viewer@example.com", Role.VIEWER)
    viewer = await dashboard.signed_in("viewer@example.com")
    await viewer.open("/dashboard")
    with viewer:
        session.choose_workspace(owner.workspace.id)  # type: ignore[union-attr]
    await viewer.open("/dashboard/settings/bot")
    await viewer.should_see(marker="forbidden")
    await viewer.should_not_see(marker="bot-name")
