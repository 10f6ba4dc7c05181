"""The setup wizard in a real browser against the real process: register → simulator → no
model → a first FAQ → the FAQ's answer to a question → the overview's KPI cards; once at
desktop width and once at phone width (375 px), with screenshots of every step."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.e2e.browser import browser
from tests.e2e.browser import shot as _shot
from tests.e2e.conftest import Process

pytestmark = pytest.mark.e2e
PASSWORD = "Onboard-2026-ok"
QUESTION = "When is the bakery open?"
ANSWER = "Every day from 7:00 to 19:00, Sundays until noon."


def _no_sideways_scroll(page, width: int) -> None:  # type: ignore[no-untyped-def]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"horizontal scroll: {scroll}px > {width}px"


def _onboard(server: Process, width: int, email: str, suffix: str) -> None:
    with browser() as b:
        page = b.new_page(viewport={"width": width, "height": 860})  # type: ignore[attr-defined]
        page.goto(f"{server.url}/register")
        page.get_by_label("Your name").fill("Bea")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password (10+ characters)").fill(PASSWORD)
        page.get_by_label("Business or workspace name").fill("Bea's Bakery")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/onboarding")

        name = page.get_by_label("Workspace name")
        assert name.input_value() == "Bea's Bakery"
        name.fill("")
        page.get_by_role("button", name="Continue").first.click()
        page.get_by_text("workspace name must not be empty").wait_for()
        name.fill("Bea's Bakery & Café")
        _shot(page, f"onboarding-1-name{suffix}")
        page.get_by_role("button", name="Continue").first.click()

        page.get_by_role("button", name="Start with the simulator").click()
        page.get_by_label("Bot name").wait_for()  # the model step is open
        page.locator("[data-state=connected]").wait_for()  # the header badge turned green
        page.get_by_label("Bot name").fill("Bea's helper")
        page.get_by_label("Persona").fill("You are the friendly helper of Bea's Bakery.")
        page.wait_for_timeout(400)  # Quasar's floating label settles before the screenshot
        assert page.get_by_role("radio", name="No model: answer from my FAQs and documents")
        _shot(page, f"onboarding-3-model{suffix}")
        _no_sideways_scroll(page, width)
        page.get_by_role("button", name="Save and continue").click()

        page.get_by_role("button", name="Add FAQ").click()
        page.get_by_text("Write both the question and its answer.").wait_for()
        page.get_by_label("Question", exact=True).first.fill(QUESTION)
        page.get_by_label("Answer").fill(ANSWER)
        _shot(page, f"onboarding-4-faq{suffix}")
        page.get_by_role("button", name="Add FAQ").click()

        asked = page.get_by_label("Question", exact=True).last
        asked.wait_for()
        assert asked.input_value() == QUESTION  # prefilled with the FAQ just added
        page.locator("button").filter(has_text="send").click()
        page.get_by_text(ANSWER).last.wait_for()
        page.get_by_text("From an FAQ").wait_for()
        _shot(page, f"onboarding-5-try{suffix}")
        _no_sideways_scroll(page, width)

        page.get_by_role("button", name="Go to the dashboard").click()
        page.wait_for_url("**/dashboard")
        page.get_by_text("Hello Bea").wait_for()
        assert page.get_by_text("Finish setting up your bot").count() == 0  # set up now

        # a customer writes through the simulator; the bot answers from the FAQ
        phone = _simulate(server.url, email, QUESTION)
        _until_kpi(page, "messages_today", "2")  # the question and the bot's answer, live
        assert page.locator("[data-kpi=open_conversations]").inner_text() == "1"
        assert page.locator("[data-kpi=waiting_human]").inner_text() == "0"
        assert page.locator("[data-kpi=resolution_rate]").inner_text() == "—"  # none resolved
        _shot(page, f"onboarding-6-dashboard{suffix}")
        _no_sideways_scroll(page, width)

        page.locator("button").filter(has_text="notifications").click()  # 1 unread: new contact
        page.locator(".q-menu").get_by_text(f"New contact {phone}").wait_for()  # (and a toast)
        page.wait_for_timeout(400)  # the menu's fade-in
        _shot(page, f"shell-notifications{suffix}")
        page.get_by_role("button", name="Mark all read").click()
        page.get_by_role("button", name="Mark all read").and_(page.locator("[disabled]")).wait_for()


def _simulate(url: str, email: str, text: str) -> str:
    """Play an inbound message on the workspace's simulator session over the public API."""
    login = httpx.post(f"{url}/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    auth = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    (session,) = httpx.get(f"{url}/api/v1/whatsapp/sessions", headers=auth).json()
    phone = "4915112345678"
    sent = httpx.post(
        f"{url}/api/v1/whatsapp/sessions/{session['id']}/simulate",
        json={"from": phone, "name": "Carla", "text": text},
        headers=auth,
    )
    assert sent.status_code == 202, sent.text
    return phone


def _until_kpi(page, key: str, value: str, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """The cards follow message:new live: no reload."""
    deadline = time.monotonic() + timeout
    while True:
        shown = page.locator(f"[data-kpi={key}]").inner_text()
        if shown == value:
            return
        assert time.monotonic() < deadline, f"{key} shows {shown}, expected {value}"
        page.wait_for_timeout(200)


def test_onboarding_at_desktop_width(server: Process) -> None:
    _onboard(server, 1280, "bea@example.com", "")


def test_onboarding_at_phone_width(server: Process) -> None:
    _onboard(server, 375, "bea.phone@example.com", "-375")
