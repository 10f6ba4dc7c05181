"""The flow builder in Chromium on the real process (issue 14.6's done-when): drag a message
step from the palette onto the canvas, connect the trigger's branch to it, write its text in
the side panel, save, activate, and see the flow answer in the simulator ("Try in simulator").
Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import TEST_MASTER_KEY
from tests.e2e import accounts
from tests.e2e.browser import browser, shot
from tests.e2e.conftest import Process, start

pytestmark = pytest.mark.e2e
EMAIL = "flows@example.com"
REPLY = "Welcome to the builder flow!"
ENV = {
    "AIMY_EMBEDDING_MODE": "fake",
    "AIMY_VECTOR_STORE": "memory",
    "AIMY_TYPING_MS_PER_CHAR": "0",
    "AIMY_CHAT_SPACING_S": "0",
    "AIMY_SEND_JITTER_S": "0",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    env = {**os.environ, "AIMY_MASTER_KEY": TEST_MASTER_KEY, "AIMY_SECRETS_BACKEND": "file"}
    p = start(tmp_path_factory.mktemp("e2e-flows") / "data", env={**env, **ENV})
    yield p
    p.stop()


def test_drag_connect_save_activate_and_try_in_the_simulator(server: Process) -> None:
    from playwright.sync_api import expect

    accounts.register(server.url, EMAIL, "Builder Shop")
    auth = {"Authorization": f"Bearer {accounts.login(server.url, EMAIL)}"}
    with browser() as b:
        context = b.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        hosts: set[str] = set()  # every request the pages make: the builder works offline
        page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
        page.goto(f"{server.url}/login")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(accounts.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/dashboard")

        # the nav leads to the list; "New flow" → blank → the builder with its trigger node
        page.get_by_text("Flows", exact=True).first.click()
        page.wait_for_url("**/dashboard/flows")
        page.get_by_text("No flows yet.").wait_for()
        page.get_by_role("button", name="New flow").click()
        page.get_by_role("button", name="Create").click()
        page.wait_for_url("**/dashboard/flows/*")
        flow_id = page.url.rsplit("/", 1)[1]
        trigger = page.locator(".vue-flow__node[data-id='trigger']")
        trigger.wait_for()

        # the trigger: keyword "hello" (side panel of the selected trigger node)
        trigger.click()
        page.get_by_label("Keywords (comma-separated)").fill("hello")

        # drag a Message step from the palette onto the canvas
        pane = page.locator(".vue-flow__pane")
        box = pane.bounding_box()
        assert box is not None
        page.locator("[data-palette='message']").drag_to(
            pane, target_position={"x": box["width"] * 0.6, "y": box["height"] * 0.5}
        )
        message = page.locator(".vue-flow__node[data-id='message-1']")
        message.wait_for()
        # typed key by key: each keystroke reaches the node, none is lost or moves the cursor
        page.get_by_label("Text").press_sequentially(REPLY, delay=15)
        message.get_by_text(REPLY).wait_for()  # the node shows what it sends
        expect(page.get_by_label("Text")).to_have_value(REPLY)
        # not connected yet: the live check puts the problem on the node
        message.locator(".aimy-node__problems").get_by_text("no path from the trigger").wait_for()
        page.locator(".vue-flow__minimap").wait_for()

        # connect: the trigger's branch handle → the message's input handle
        source = trigger.locator(".vue-flow__handle.source")
        target = message.locator(".vue-flow__handle.target")
        source.hover()
        page.mouse.down()
        tb = target.bounding_box()
        assert tb is not None
        page.mouse.move(tb["x"] + tb["width"] / 2, tb["y"] + tb["height"] / 2, steps=12)
        page.mouse.up()
        expect(page.locator(".vue-flow__edge")).to_have_count(1)
        page.get_by_role("button", name="Undo").click()  # the connection is undone …
        expect(page.locator(".vue-flow__edge")).to_have_count(0)
        page.get_by_role("button", name="Redo").click()  # … and redone
        expect(page.locator(".vue-flow__edge")).to_have_count(1)
        # the live check agrees: no problem left on any node
        expect(page.locator(".aimy-node__problems")).to_have_count(0, timeout=10_000)
        shot(page, "flow-builder")

        page.get_by_role("button", name="Save").click()
        page.get_by_text("Saved (version 2)").wait_for()
        page.get_by_role("switch", name="Active").click()
        page.get_by_text("Active: the flow now starts runs").wait_for()

        saved = httpx.get(f"{server.url}/api/v1/flows/{flow_id}", headers=auth).json()
        assert saved["isActive"] and saved["triggerConfig"]["keywords"] == ["hello"]
        assert [(e["source"], e["target"]) for e in saved["edges"]] == [("trigger", "message-1")]
        assert saved["nodes"][1]["data"]["text"] == REPLY

        page.get_by_role("button", name="Try in simulator").click()
        page.wait_for_url("**/dashboard/simulator?flow=*")
        page.get_by_text("Send “hello” to start it.").wait_for()
        page.get_by_placeholder("Message").fill("Hello")
        page.get_by_placeholder("Message").press("Enter")
        page.get_by_text(REPLY).wait_for(timeout=15_000)
        shot(page, "flow-in-simulator")
        assert hosts == {urlsplit(server.url).netloc}, hosts  # no CDN, no outside font
        context.close()
