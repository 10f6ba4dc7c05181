"""The dashboard shell in a real browser: register, land in the frame, switch, sign out, in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import browser
from tests.e2e.browser import shot as _shot
from tests.e2e.conftest import Process

pytestmark = pytest.mark.e2e


def test_register_dashboard_sign_out_and_in(server: Process) -> None:
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
        page.goto(f"{server.url}/dashboard")
        page.wait_for_url("**/register")  # a fresh install: the first visitor is the owner
        page.get_by_text("Create the owner account").wait_for()
        _shot(page, "register-owner")
        page.get_by_label("Your name").fill("Priya")
        page.get_by_label("Email").fill("priya@example.com")
        page.get_by_label("Password (10+ characters)").fill("short")
        page.get_by_label("Business or workspace name").fill("Priya's Salon")
        page.get_by_role("button", name="Create account").click()
        page.get_by_text("at least 10 characters").wait_for()  # validation error shown in place
        page.get_by_label("Password (10+ characters)").fill("Salon-2026-ok")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/onboarding")  # a new owner lands in the setup wizard
        page.get_by_role("button", name="Skip setup").click()
        page.wait_for_url("**/dashboard")
        page.get_by_text("Hello Priya").wait_for()
        for section in ("Inbox", "Contacts", "Knowledge", "Settings"):
            assert page.get_by_role("link", name=section).count() >= 1
        _shot(page, "dashboard")
        page.get_by_role("link", name="Inbox").first.click()
        page.wait_for_url("**/dashboard/inbox")
        _shot(page, "inbox-placeholder")
        page.locator("[data-testid], button").filter(has_text="account_circle").first.click()
        page.get_by_text("Sign out").click()
        # signing out ends this tab's live access too, which may navigate to /login a moment
        # before the menu's own navigation does: poll the URL instead of waiting for one load
        expect(page).to_have_url(re.compile(r"/login"))
        page.goto(f"{server.url}/dashboard")
        page.wait_for_url("**/login")  # really signed out
        page.get_by_label("Email").fill("priya@example.com")
        page.get_by_label("Password").fill("wrong-password-1")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("wrong email or password").wait_for()
        page.get_by_label("Password").fill("Salon-2026-ok")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/dashboard")
        page.get_by_text("Hello Priya").wait_for()


def test_phone_width_login_and_frame(server: Process) -> None:
    with browser() as b:
        page = b.new_page(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
        page.goto(f"{server.url}/register")
        page.get_by_label("Your name").fill("Leo")
        page.get_by_label("Email").fill("leo@example.com")
        page.get_by_label("Password (10+ characters)").fill("Leo-phone-2026")
        page.get_by_label("Business or workspace name").fill("Leo's")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/onboarding")
        page.get_by_role("button", name="Skip setup").click()
        page.wait_for_url("**/dashboard")
        page.get_by_text("Hello Leo").wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"horizontal scroll at phone width: {width}px"
        _shot(page, "dashboard-375")
