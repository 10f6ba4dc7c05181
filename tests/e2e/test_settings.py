"""Settings in a real browser against the real process: invite → join → role change, an API key
that works over HTTP and then does not, the audit trail of all of it, and the phone width."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.browser import browser
from tests.e2e.browser import shot as _shot
from tests.e2e.conftest import Process

pytestmark = pytest.mark.e2e
PASSWORD = "Settings-2026-ok"


def _register(page, url: str, name: str, email: str, workspace: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/register")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password (10+ characters)").fill(PASSWORD)
    page.get_by_label("Business or workspace name").fill(workspace)
    page.get_by_role("button", name="Create account").click()


def test_team_api_keys_and_audit(server: Process) -> None:
    url = server.url
    with browser() as b:
        owner = b.new_page(viewport={"width": 1280, "height": 860})  # type: ignore[attr-defined]
        _register(owner, url, "Olga Owner", "olga@example.com", "Olga's Bakery")
        owner.wait_for_url("**/onboarding")  # a new owner lands in the setup wizard
        owner.get_by_role("link", name="Settings").click()
        owner.wait_for_url("**/dashboard/settings/workspace")
        owner.get_by_label("Name").first.wait_for()
        _shot(owner, "settings-workspace")

        # invite an agent; the link comes from the dialog (no SMTP here)
        owner.get_by_role("tab", name="Team").click()
        owner.wait_for_url("**/dashboard/settings/team")
        owner.get_by_role("button", name="Invite").click()
        owner.get_by_label("Email").fill("ana@example.com")
        owner.get_by_role("button", name="Send invitation").click()
        link_field = owner.get_by_label("Invite link")
        link_field.wait_for()
        link = link_field.input_value()
        assert "/accept-invite?token=inv_" in link
        _shot(owner, "settings-team-invite")
        owner.get_by_role("button", name="Done").click()
        owner.locator("[data-invite='ana@example.com']").wait_for()

        # the agent opens the link, registers with that email, comes back and accepts
        agent = b.new_context(viewport={"width": 1280, "height": 800}).new_page()  # type: ignore[attr-defined]
        assert link.startswith(f"{url}/accept-invite?token=")  # the server's own address
        agent.goto(link)
        agent.get_by_text("You are invited").wait_for()
        agent.get_by_role("link", name="Create an account").click()
        agent.wait_for_url("**/register")
        agent.get_by_label("Your name").fill("Ana Agent")
        agent.get_by_label("Email").fill("ana@example.com")
        agent.get_by_label("Password (10+ characters)").fill(PASSWORD)
        agent.get_by_label("Business or workspace name").fill("Ana's own")
        agent.get_by_role("button", name="Create account").click()
        agent.wait_for_url("**/accept-invite?token=*")
        agent.get_by_role("button", name="Accept invitation").click()
        agent.wait_for_url("**/dashboard")
        agent.get_by_text("Olga's Bakery · your role: AGENT").wait_for()
        assert agent.get_by_role("link", name="Settings").count() == 0
        agent.goto(f"{url}/dashboard/settings/team")
        agent.get_by_text("doesn't give access").wait_for()
        _shot(agent, "settings-agent-forbidden")

        # the owner sees the new member and makes her an admin
        owner.reload()
        row = owner.locator("[data-member='ana@example.com']")
        row.wait_for()
        assert owner.locator("[data-invite='ana@example.com']").count() == 0
        row.locator(".q-select").click()
        owner.get_by_role("option", name="Admin").click()
        owner.get_by_text("Ana Agent is now admin").wait_for()
        _shot(owner, "settings-team")
        agent.reload()
        agent.get_by_role("tab", name="Team").wait_for()  # an admin reads the team
        assert agent.get_by_role("button", name="Invite").count() == 0
        assert agent.get_by_role("tab", name="Billing").count() == 0

        # an API key: shown once, works with X-API-Key, revoked, then refused
        owner.get_by_role("tab", name="API keys").click()
        owner.wait_for_url("**/dashboard/settings/api")
        owner.get_by_role("button", name="Create key").click()
        owner.get_by_label("Name").fill("CRM sync")
        owner.get_by_role("button", name="Create", exact=True).click()
        key_field = owner.get_by_label("API key")
        key_field.wait_for()
        key = key_field.input_value()
        assert key.startswith("aimy_")
        owner.get_by_text("only time it is shown").wait_for()
        _shot(owner, "settings-api-key-created")
        used = httpx.get(f"{url}/api/v1/settings", headers={"X-API-Key": key})
        assert used.status_code == 200, used.text
        keys = httpx.get(f"{url}/api/v1/settings/api-keys", headers={"X-API-Key": key})
        assert keys.status_code == 403, keys.text  # a key may not manage keys
        owner.get_by_role("button", name="Done").click()
        key_row = owner.locator("[data-key='CRM sync']")
        key_row.wait_for()
        key_field.wait_for(state="detached")
        assert key_row.get_by_text("last used never").count() == 0  # the HTTP call counted
        assert key not in owner.content()  # shown once: gone from the page now
        _shot(owner, "settings-api")
        key_row.get_by_role("button", name="Revoke").click()
        owner.get_by_role("dialog").get_by_role("button", name="Revoke").click()
        owner.get_by_text("No API keys yet.").wait_for()
        refused = httpx.get(f"{url}/api/v1/settings", headers={"X-API-Key": key})
        assert refused.status_code == 401

        # the audit log shows every step, and filters
        owner.get_by_role("tab", name="Audit log").click()
        owner.wait_for_url("**/dashboard/settings/audit")
        for action in (
            "member.invite",
            "member.join",
            "member.role",
            "api_key.create",
            "api_key.revoke",
        ):
            owner.get_by_role("cell", name=action, exact=True).first.wait_for()
        _shot(owner, "settings-audit")
        owner.get_by_label("Filter by action").fill("api_key.")
        owner.get_by_text("1–2 of 2").wait_for()
        assert owner.get_by_role("cell", name="member.join", exact=True).count() == 0

        owner.get_by_role("tab", name="Bot").click()
        owner.wait_for_url("**/dashboard/settings/bot")
        owner.get_by_label("Bot name").wait_for()  # the real tab: tests/e2e/test_bot_settings.py


def test_team_page_at_phone_width(server: Process) -> None:
    with browser() as b:
        page = b.new_page(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
        _register(page, server.url, "Pia Phone", "pia@example.com", "Pia's Kiosk")
        page.wait_for_url("**/onboarding")
        page.goto(f"{server.url}/dashboard/settings/team")
        page.locator("[data-member='pia@example.com']").wait_for()
        page.get_by_role("button", name="Invite").click()
        page.get_by_label("Email").fill("sam@example.com")
        page.get_by_role("button", name="Send invitation").click()
        page.get_by_label("Invite link").wait_for()
        _shot(page, "settings-team-invite-375")
        page.get_by_role("button", name="Done").click()
        page.locator("[data-invite='sam@example.com']").wait_for()
        page.get_by_label("Invite link").wait_for(state="detached")  # the dialog has gone
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"horizontal scroll at phone width: {width}px"
        _shot(page, "settings-team-375")
        for tab in ("api", "audit", "workspace"):
            page.goto(f"{server.url}/dashboard/settings/{tab}")
            page.get_by_role("tab", name="Team").wait_for()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{tab}: horizontal scroll at phone width: {width}px"
            _shot(page, f"settings-{tab}-375")
