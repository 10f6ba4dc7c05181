"""Broadcasts in a real browser against the real process (issue 15.5): compose one with a
variable (the preview shows a real contact's name, the audience its live count), send it,
and watch the detail page's progress reach 100% and every recipient's state; the list shows
it sent."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from tests.e2e.accounts import PASSWORD, login, register
from tests.e2e.browser import browser
from tests.e2e.browser import shot as _shot
from tests.e2e.conftest import TEST_MASTER_KEY, start

pytestmark = pytest.mark.e2e
PEOPLE = ["Ana Silva", "Ben Okafor", "Chen Wei", "Dara Nolan"]


def test_create_send_and_watch_a_broadcast(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "AIMY_MASTER_KEY": TEST_MASTER_KEY,
        "AIMY_SECRETS_BACKEND": "file",
        "AIMY_AUTO_REPLY": "echo",
        "AIMY_TYPING_MS_PER_CHAR": "0",
        "AIMY_SEND_JITTER_S": "0",
        "AIMY_CHAT_SPACING_S": "0",
        "AIMY_DISPATCH_STALL_S": "0.4",  # the bar has something to move through
        "AIMY_BROADCAST_POLL_S": "0.2",
    }
    server = start(tmp_path / "data", env=env)
    try:
        url, email = server.url, "shop@example.com"
        register(url, email, "Corner Shop")
        auth = {"Authorization": f"Bearer {login(url, email)}"}
        session = httpx.post(
            f"{url}/api/v1/whatsapp/sessions",
            json={"accountId": "sim", "channel": "simulator"},
            headers=auth,
        ).json()
        sim = f"{url}/api/v1/whatsapp/sessions/{session['id']}/simulate"
        for i, name in enumerate(PEOPLE):
            body = {"from": f"+4917100000{i:02d}", "name": name, "text": "hi"}
            assert httpx.post(sim, json=body, headers=auth).status_code == 202
        deadline = time.monotonic() + 30
        while httpx.get(f"{url}/api/v1/contacts", headers=auth).json()["total"] < len(PEOPLE):
            assert time.monotonic() < deadline
            time.sleep(0.2)

        with browser() as b:
            page = b.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
            page.goto(f"{url}/login")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/dashboard")
            page.get_by_role("link", name="Broadcasts").first.click()
            page.wait_for_url("**/dashboard/broadcasts")
            page.get_by_text("No broadcasts yet").wait_for()
            page.get_by_role("button", name="New broadcast").click()
            page.wait_for_url("**/dashboard/broadcasts/new")
            page.get_by_text(f"{len(PEOPLE)} recipients").wait_for()
            page.get_by_label("Name (only you see it)").fill("Opening hours")
            page.get_by_label("Message").fill("Hello ")
            page.get_by_role("button", name="First name").click()
            page.get_by_label("Message").press("End")
            page.get_by_label("Message").type(", we open at 9 tomorrow.")
            page.get_by_text("Hello Ana, we open at 9 tomorrow.").wait_for()  # the preview
            page.get_by_text("Sending takes").wait_for()
            _shot(page, "broadcast-new")
            page.get_by_role("button", name="Send").click()
            page.wait_for_url("**/dashboard/broadcasts/c*")
            page.get_by_text("100%").wait_for(timeout=30_000)
            page.locator(".q-badge", has_text="sent").first.wait_for()
            page.get_by_text(f"{len(PEOPLE)} of {len(PEOPLE)} sent").wait_for()
            for name in PEOPLE:
                page.get_by_role("cell", name=name).wait_for()
            page.get_by_role("link", name="open chat").first.wait_for()
            _shot(page, "broadcast-detail")
            page.get_by_role("link", name="All broadcasts").click()
            page.wait_for_url("**/dashboard/broadcasts")
            page.get_by_text("Opening hours").wait_for()
            page.get_by_text(f"{len(PEOPLE)} of {len(PEOPLE)} sent").wait_for()

        listed = httpx.get(f"{url}/api/v1/broadcasts", headers=auth).json()
        assert listed[0]["status"] == "SENT" and listed[0]["stats"]["sent"] == len(PEOPLE)
    finally:
        assert server.stop() == 0
