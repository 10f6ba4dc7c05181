"""Inbox and phone simulator in a real browser on the real process: an FAQ made through the API
answers a question asked in the simulator; the reply shows live in an inbox open in a second
tab; the owner takes over and a human reply reaches the simulated phone. Then both pages at
375 px. Screenshots go to test-artifacts/."""

from __future__ import annotations

import base64
import os
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_MASTER_KEY
from tests.e2e import accounts
from tests.e2e.browser import browser
from tests.e2e.browser import shot as _shot
from tests.e2e.conftest import Process, start

pytestmark = pytest.mark.e2e
EMAIL = "maria@example.com"
QUESTION = "What are your opening hours?"
ANSWER = "We are open daily from 9 to 18."
# the offline profile: no model downloads, instant typing pace
ENV = {
    "AIMY_EMBEDDING_MODE": "fake",
    "AIMY_VECTOR_STORE": "memory",
    "AIMY_TYPING_MS_PER_CHAR": "0",
    "AIMY_CHAT_SPACING_S": "0",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    env = {**os.environ, "AIMY_MASTER_KEY": TEST_MASTER_KEY, "AIMY_SECRETS_BACKEND": "file"}
    p = start(tmp_path_factory.mktemp("e2e-inbox") / "data", env={**env, **ENV})
    yield p
    p.stop()


def _faq(url: str) -> dict[str, str]:
    accounts.register(url, EMAIL, "Maria's Bakery")
    auth = {"Authorization": f"Bearer {accounts.login(url, EMAIL)}"}
    kb = httpx.get(f"{url}/api/v1/knowledge-bases", headers=auth).json()[0]["id"]
    base = f"{url}/api/v1/knowledge-bases/{kb}"
    r = httpx.post(f"{base}/faqs", json={"question": QUESTION, "answer": ANSWER}, headers=auth)
    assert r.status_code == 201, r.text
    deadline = time.monotonic() + 30
    while ANSWER not in httpx.post(f"{base}/test", json={"query": QUESTION}, headers=auth).text:
        assert time.monotonic() < deadline, "the FAQ was never indexed"
        time.sleep(0.2)
    return auth


def _picture(width: int = 160, height: int = 100) -> bytes:
    """A real PNG of some size (a green-to-blue gradient), so a thumbnail has pixels to show."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes((40, 160 - x // 2, 60 + x)) for x in range(width))
        for _ in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def _sign_in(context, url: str):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(accounts.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")
    return page


def test_simulator_reply_live_in_inbox_then_takeover(server: Process, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    auth = _faq(server.url)
    with browser() as b:
        context = b.new_context(viewport={"width": 1280, "height": 860})  # type: ignore[attr-defined]
        phone = _sign_in(context, server.url)
        phone.goto(f"{server.url}/dashboard/simulator")
        inbox = context.new_page()
        inbox.goto(f"{server.url}/dashboard/inbox")
        inbox.get_by_text("No conversations yet.").wait_for()

        phone.get_by_placeholder("Message").fill(QUESTION)
        phone.get_by_placeholder("Message").press("Enter")
        phone.get_by_text(ANSWER).wait_for(timeout=15_000)
        phone.get_by_text("Bot", exact=True).first.wait_for()
        _shot(phone, "simulator")
        inbox.get_by_text("Owner (simulator)").wait_for(timeout=10_000)  # live, no reload
        inbox.get_by_text("Owner (simulator)").click()
        inbox.wait_for_url("**/dashboard/inbox/*")
        inbox.get_by_text(ANSWER).last.wait_for()
        inbox.get_by_text("1 source").first.hover()  # the tooltip names the FAQ, not an id
        inbox.get_by_text(f"Sources: FAQ: {QUESTION}").wait_for()

        # approval mode: the bot's next reply waits in a banner until approved
        conv = httpx.get(f"{server.url}/api/v1/conversations", headers=auth).json()["items"][0]
        r = httpx.patch(
            f"{server.url}/api/v1/contacts/{conv['contactId']}",
            json={"approvalMode": True},
            headers=auth,
        )
        assert r.status_code == 200, r.text
        phone.get_by_placeholder("Message").fill(QUESTION)
        phone.get_by_placeholder("Message").press("Enter")
        inbox.get_by_text("The bot wants to send this reply").wait_for(timeout=10_000)
        _shot(inbox, "inbox-approval")
        inbox.get_by_role("button", name="Approve").click()
        inbox.get_by_text("The bot wants to send this reply").wait_for(state="hidden")
        phone.get_by_text(ANSWER).nth(1).wait_for(timeout=10_000)  # approved, sent, on the phone

        phone.get_by_placeholder("Message").fill("Do you sell bread?")
        phone.get_by_placeholder("Message").press("Enter")
        inbox.get_by_text("Do you sell bread?").last.wait_for(timeout=10_000)  # live in the thread
        # approval mode is still on: wait for the new draft's banner, so the switch is not
        # clicked in the instant the live update redraws the banners
        inbox.get_by_text("The bot wants to send this reply").wait_for(timeout=10_000)
        _shot(inbox, "inbox-thread")

        inbox.get_by_text("Human", exact=True).click()
        inbox.get_by_text("A human has taken over").wait_for()
        inbox.get_by_placeholder("Type a reply…").fill("Yes! Fresh every morning.")
        inbox.get_by_placeholder("Type a reply…").press("Enter")
        phone.get_by_text("Yes! Fresh every morning.").wait_for(timeout=10_000)
        phone.get_by_text("Agent", exact=True).wait_for()
        # the list's preview follows the agent's own reply: the bubble and the list row
        expect(inbox.get_by_text("Yes! Fresh every morning.")).to_have_count(2, timeout=10_000)
        _shot(inbox, "inbox-takeover")
        _shot(phone, "simulator-human-reply")

        # the paperclip opens the browser's file chooser; the file goes out with the caption
        menu = tmp_path / "menu.pdf"
        menu.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        inbox.get_by_placeholder("Type a reply…").fill("Our menu")
        with inbox.expect_file_chooser() as chooser:
            inbox.get_by_role("button").filter(has_text="attach_file").click()
        chooser.value.set_files(str(menu))
        inbox.get_by_text("Our menu").last.wait_for(timeout=10_000)
        inbox.get_by_text("menu.pdf").last.wait_for()  # a download link with name and size
        _shot(inbox, "inbox-attachment")
        thread = httpx.get(f"{server.url}/api/v1/conversations/{conv['id']}", headers=auth).json()
        last = thread["messages"][-1]
        assert last["mediaType"] == "DOCUMENT" and last["mediaCaption"] == "Our menu", last

        # the contact sends a photo: it shows live as a thumbnail that really loads
        session = httpx.get(f"{server.url}/api/v1/whatsapp/sessions", headers=auth).json()[0]
        picture = {"base64": base64.b64encode(_picture()).decode(), "mimeType": "image/png"}
        r = httpx.post(
            f"{server.url}/api/v1/whatsapp/sessions/{session['id']}/simulate",
            json={"from": conv["contact"]["jid"], "text": "our shop window", "media": picture},
            headers=auth,
        )
        assert r.status_code == 202, r.text
        thumb = inbox.locator("img[src^='/dashboard/media/']").last
        thumb.wait_for(timeout=10_000)
        inbox.wait_for_function(
            "[...document.querySelectorAll(\"img[src^='/dashboard/media/']\")]"
            ".some(i => i.complete && i.naturalWidth === 160)",
            timeout=10_000,
        )
        thumb.scroll_into_view_if_needed()
        _shot(inbox, "inbox-image")

        # the phone's attach menu (Photo, Voice note, Document): each entry opens its picker
        prices = tmp_path / "price-list.pdf"
        prices.write_bytes(menu.read_bytes())
        phone.get_by_role("button").filter(has_text="attach_file").click()
        attach_menu = phone.locator(".q-menu")
        attach_menu.get_by_text("Voice note", exact=True).wait_for()
        _shot(phone, "simulator-attach-menu")
        with phone.expect_file_chooser() as chooser:
            attach_menu.get_by_text("Document", exact=True).click()
        assert ".pdf" in (chooser.value.element.get_attribute("accept") or "")
        chooser.value.set_files(str(prices))
        inbox.get_by_text("price-list.pdf").last.wait_for(timeout=10_000)  # the contact's file
        context.close()


def test_phone_width_inbox_and_simulator(server: Process) -> None:
    with browser() as b:
        context = b.new_context(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
        page = _sign_in(context, server.url)
        for path, name, ready in (
            ("/dashboard/simulator", "simulator-375", "Your bot"),
            ("/dashboard/inbox", "inbox-375", "Owner (simulator)"),
        ):
            page.goto(f"{server.url}{path}")
            page.get_by_text(ready).first.wait_for()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path}: horizontal scroll at phone width: {width}px"
            _shot(page, name)
        page.get_by_text("Owner (simulator)").click()
        page.wait_for_url("**/dashboard/inbox/*")
        page.get_by_placeholder("Type a reply…").wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"thread: horizontal scroll at phone width: {width}px"
        _shot(page, "inbox-thread-375")
        context.close()
