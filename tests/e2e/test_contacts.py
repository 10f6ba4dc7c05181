"""Contacts in a real browser against the real process: contacts arrive as simulated inbound
messages, the table filters, a contact opens and gets a label; desktop and phone widths."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.e2e.accounts import PASSWORD, login, register
from tests.e2e.browser import browser
from tests.e2e.browser import shot as _shot
from tests.e2e.conftest import Process

pytestmark = pytest.mark.e2e
PEOPLE = ["Ana Silva", "Ben Okafor", "Chen Wei", "Dara Nolan", "Eli Haddad", "Farah Aziz"]


def _seed(url: str, email: str) -> None:
    """Inbound messages on a simulator session; waits until every contact exists."""
    register(url, email, "Corner Shop")
    auth = {"Authorization": f"Bearer {login(url, email)}"}
    session = httpx.post(
        f"{url}/api/v1/whatsapp/sessions",
        json={"accountId": "sim", "channel": "simulator"},
        headers=auth,
    )
    assert session.status_code == 201, session.text
    sim = f"{url}/api/v1/whatsapp/sessions/{session.json()['id']}/simulate"
    for i, name in enumerate(PEOPLE):
        body = {"from": f"+4917100000{i:02d}", "name": name, "text": f"Hello, I am {name}"}
        assert httpx.post(sim, json=body, headers=auth).status_code == 202
    deadline = time.monotonic() + 30
    while httpx.get(f"{url}/api/v1/contacts", headers=auth).json()["total"] < len(PEOPLE):
        assert time.monotonic() < deadline, "the simulated contacts never appeared"
        time.sleep(0.2)


def _sign_in(page, url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")


def _no_side_scroll(page, where: str) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{where}: horizontal scroll at phone width: {width}px"


def test_filter_open_and_label_a_contact(server: Process) -> None:
    url = server.url
    _seed(url, "shop@example.com")
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 860})  # type: ignore[attr-defined]
        _sign_in(page, url, "shop@example.com")
        page.get_by_role("link", name="Contacts").first.click()
        page.wait_for_url("**/dashboard/contacts")
        page.get_by_text(f"1–{len(PEOPLE)} of {len(PEOPLE)}").wait_for()
        page.get_by_role("link", name="Farah Aziz").wait_for()
        page.locator(".q-table tbody .q-checkbox").nth(0).click()
        page.locator(".q-table tbody .q-checkbox").nth(1).click()
        page.get_by_text("2 selected").wait_for()
        page.get_by_role("button", name="Export 2 as CSV").wait_for()
        _shot(page, "contacts-list")
        page.get_by_placeholder("Search name or phone").fill("chen")
        page.get_by_text("1–1 of 1").wait_for()
        assert page.get_by_role("link", name="Ana Silva").count() == 0
        page.get_by_role("link", name="Chen Wei").click()
        page.wait_for_url("**/dashboard/contacts/*")
        page.get_by_text("+491710000002").first.wait_for()
        page.locator("a[href^='/dashboard/inbox/']").wait_for()  # the conversation history
        page.get_by_placeholder("New label").fill("wholesale")
        page.get_by_role("button", name="Create").click()
        page.locator(".q-chip", has_text="wholesale").wait_for()
        _shot(page, "contacts-detail")
        # bulk: the label goes onto two more contacts from the table
        page.get_by_role("link", name="All contacts").click()
        page.wait_for_url("**/dashboard/contacts")
        page.get_by_role("link", name="Farah Aziz").wait_for()
        page.locator(".q-table tbody .q-checkbox").nth(0).click()
        page.locator(".q-table tbody .q-checkbox").nth(1).click()
        page.get_by_role("button", name="Add label").click()
        page.locator(".q-menu .q-item", has_text="wholesale").click()
        page.get_by_text("2 contacts updated").wait_for()
        page.locator(".q-badge", has_text="wholesale").nth(2).wait_for()  # Chen + the two
        _shot(page, "contacts-list-labelled")

        phone = b.new_page(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
        _sign_in(phone, url, "shop@example.com")
        phone.goto(f"{url}/dashboard/contacts?search=wei")
        phone.get_by_role("link", name="Chen Wei").wait_for()
        phone.locator(".q-badge", has_text="wholesale").wait_for()
        _no_side_scroll(phone, "contacts list")
        _shot(phone, "contacts-list-375")
        phone.get_by_role("link", name="Chen Wei").click()
        phone.wait_for_url("**/dashboard/contacts/*")
        phone.locator(".q-chip", has_text="wholesale").wait_for()
        _no_side_scroll(phone, "contact detail")
        _shot(phone, "contacts-detail-375")
