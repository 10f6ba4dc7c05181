"""The analytics page in a real browser on the real process: customers write to a simulator
number, the bot answers them, and /dashboard/analytics draws the KPIs and ECharts canvases from
those rows — every request to the app's own host (ECharts is NiceGUI's bundled copy)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.accounts import PASSWORD, login, register
from tests.e2e.browser import browser
from tests.e2e.browser import shot as _shot
from tests.e2e.conftest import Process

pytestmark = pytest.mark.e2e
QUESTIONS = ["How much is delivery?", "What does delivery cost?", "Are you open on Sunday?"]


def _seed(url: str, email: str) -> dict[str, str]:
    register(url, email, "Analytics Shop")
    auth = {"Authorization": f"Bearer {login(url, email)}"}
    session = httpx.post(
        f"{url}/api/v1/whatsapp/sessions",
        json={"accountId": "sim", "channel": "simulator"},
        headers=auth,
    )
    assert session.status_code == 201, session.text
    sim = f"{url}/api/v1/whatsapp/sessions/{session.json()['id']}/simulate"
    for i, text in enumerate(QUESTIONS):
        body = {"from": f"+4917200000{i:02d}", "name": f"Customer {i}", "text": text}
        assert httpx.post(sim, json=body, headers=auth).status_code == 202
    deadline = time.monotonic() + 30
    while True:  # every question in, and answered (or handed over) by the bot
        chart = httpx.get(f"{url}/api/v1/analytics/messages", headers=auth).json()
        sums = {s: sum(p["values"][s] for p in chart["points"]) for s in ("in", "bot")}
        if sums["in"] == len(QUESTIONS) and sums["bot"] >= len(QUESTIONS):
            return auth
        assert time.monotonic() < deadline, f"the bot never answered: {sums}"
        time.sleep(0.2)


def test_analytics_page_draws_real_numbers(server: Process) -> None:
    email = "analyst@example.com"
    _seed(server.url, email)
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        hosts: set[str] = set()
        page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
        page.goto(f"{server.url}/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/dashboard")
        page.get_by_role("link", name="Analytics").first.click()
        page.wait_for_url("**/dashboard/analytics")
        page.get_by_text("Messages received").wait_for()
        received = page.locator(".nicegui-card", has_text="Messages received")
        assert received.locator(".text-2xl").inner_text() == str(len(QUESTIONS))
        for title in ("Messages by sender", "Contacts", "Bot performance", "Top topics"):
            page.get_by_text(title, exact=True).first.wait_for()
        page.locator("canvas").nth(4).wait_for()  # ECharts drew its canvases
        assert page.locator("canvas").count() >= 5
        topic = page.get_by_text("How much is delivery?").or_(
            page.get_by_text("What does delivery cost?")
        )
        topic.first.wait_for(timeout=90_000)  # the e5 model loads on the first topics request
        with page.expect_download() as download:
            page.get_by_role("button", name="CSV").first.click()
        assert download.value.suggested_filename == "messages.csv"
        _shot(page, "analytics")
        assert hosts == {urlsplit(server.url).netloc}, hosts  # no CDN
