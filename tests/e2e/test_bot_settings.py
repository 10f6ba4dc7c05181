"""The bot and WhatsApp settings tabs in a real browser against the real process: persona and
model saved and read back over HTTP, the model test, the hours grid, a simulator number going
through disconnect / connect / delete with its live status chip — and both tabs at phone width.
"""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.browser import browser
from tests.e2e.conftest import Process
from tests.e2e.test_settings import _register, _shot

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page, what: str) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{what}: horizontal scroll at phone width: {width}px"


def test_bot_and_whatsapp_tabs(server: Process) -> None:
    url = server.url
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        _register(page, url, "Bea Baker", "bea@example.com", "Bea's Bakery")
        page.wait_for_url("**/onboarding")  # the wizard; the tabs are reachable directly too
        page.goto(f"{url}/dashboard/settings/bot")
        page.get_by_label("Bot name").fill("Mia")
        page.get_by_label("Persona / system prompt").fill("You are Mia, the bakery's assistant.")
        page.get_by_role("button", name="Save").first.click()
        page.get_by_text("Persona saved").wait_for()
        page.get_by_role("button", name="Test model").click()
        page.get_by_text("OK · ").wait_for()
        _shot(page, "settings-bot")

        hours = page.locator(".q-card").filter(has=page.get_by_text("Business hours", exact=True))
        hours.get_by_text("Use business hours").click()
        hours.get_by_text("Saturday").click()
        hours.get_by_role("button", name="Save").click()
        page.get_by_text("Business hours saved").wait_for()
        _shot(page, "settings-bot-hours")
        voice = page.locator(".q-card").filter(has=page.get_by_text("Voice notes", exact=True))
        voice.get_by_text("tiny.en (built in, English only)").first.wait_for()
        voice.get_by_text("base (many languages)").scroll_into_view_if_needed()
        _shot(page, "settings-bot-voice")

        page.get_by_role("tab", name="WhatsApp").click()
        page.wait_for_url("**/dashboard/settings/whatsapp")
        page.get_by_text("No WhatsApp numbers yet.").wait_for()
        page.get_by_role("button", name="Add number").click()
        page.get_by_label("Account id").fill("try-bot")
        page.get_by_label("Kind").click()
        page.get_by_role("option", name="Simulator (for trying the bot)").click()
        page.get_by_role("button", name="Add", exact=True).click()
        row = page.locator("[data-session='try-bot']")
        row.get_by_text("connected", exact=True).wait_for()
        _shot(page, "settings-whatsapp")
        row.get_by_role("button", name="Disconnect").click()
        row.get_by_text("disconnected", exact=True).wait_for()
        row.get_by_role("button", name="Connect").click()
        row.get_by_text("connected", exact=True).wait_for()

        # what the page saved is what the API returns (signed in with the same account)
        token = httpx.post(
            f"{url}/api/v1/auth/login",
            json={"email": "bea@example.com", "password": "Settings-2026-ok"},
        ).json()["accessToken"]
        auth = {"Authorization": f"Bearer {token}"}
        got = httpx.get(f"{url}/api/v1/settings", headers=auth).json()
        assert (got["botName"], got["businessHoursEnabled"]) == ("Mia", True)
        assert got["businessHoursConfig"]["days"]["sat"] == [["09:00", "17:00"]]

        phone = b.new_context(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
        small = phone.new_page()
        _register(small, url, "Pia Phone", "pia@example.com", "Pia's Kiosk")
        small.wait_for_url("**/onboarding")
        small.goto(f"{url}/dashboard/settings/bot")
        small.get_by_label("Bot name").wait_for()
        _no_sideways_scroll(small, "bot")
        _shot(small, "settings-bot-375")
        small.get_by_text("small (many languages)").scroll_into_view_if_needed()
        _no_sideways_scroll(small, "bot voice card")
        _shot(small, "settings-bot-voice-375")
        small.goto(f"{url}/dashboard/settings/whatsapp")
        small.get_by_role("button", name="Add number").click()
        small.get_by_label("Account id").fill("pia-sim")
        small.get_by_label("Kind").click()
        small.get_by_role("option", name="Simulator (for trying the bot)").click()
        small.get_by_role("button", name="Add", exact=True).click()
        small.locator("[data-session='pia-sim']").get_by_text("connected", exact=True).wait_for()
        _no_sideways_scroll(small, "whatsapp")
        _shot(small, "settings-whatsapp-375")

        row.get_by_role("button", name="Delete").click()
        page.get_by_role("dialog").get_by_role("button", name="Delete").click()
        page.get_by_text("No WhatsApp numbers yet.").wait_for()
