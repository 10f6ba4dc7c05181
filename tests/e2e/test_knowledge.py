"""The knowledge base in a real browser against the real process: a PDF chosen with the file
chooser is indexed live, the test panel finds it and highlights the sentence; phone width."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest

from tests.conftest import TEST_MASTER_KEY
from tests.e2e.browser import browser
from tests.e2e.browser import shot as _shot
from tests.e2e.conftest import Process, start

pytestmark = pytest.mark.e2e
PASSWORD = "Knowledge-2026-ok"
SHIPPING = (
    "Shipping policy. We ship worldwide from Lisbon. Parcels to Iceland take twelve days by "
    "sea. Returns are free within thirty days of delivery."
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    """The real process with fake embeddings: the e5 model cannot be downloaded here."""
    env = {
        **os.environ,
        "AIMY_MASTER_KEY": TEST_MASTER_KEY,
        "AIMY_SECRETS_BACKEND": "file",
        "AIMY_EMBEDDING_MODE": "fake",
    }
    p = start(tmp_path_factory.mktemp("e2e") / "data", env=env)
    yield p
    p.stop()


def _pdf(path: Path) -> Path:
    doc = pymupdf.open()
    for n in range(1, 4):  # a few pages, so indexing has some progress to show
        page = doc.new_page()
        text = SHIPPING if n == 2 else f"Page {n}. Our shop sells tea, coffee and cakes. " * 20
        page.insert_textbox(pymupdf.Rect(50, 50, 550, 800), text, fontsize=11)
    doc.save(path)
    doc.close()
    return path


def _no_sideways_scroll(page, width: int) -> None:  # type: ignore[no-untyped-def]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"horizontal scroll at {width}px: {scroll}px"


def test_upload_index_and_ask(server: Process, tmp_path: Path) -> None:
    url = server.url
    pdf = _pdf(tmp_path / "shipping.pdf")
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 860})  # type: ignore[attr-defined]
        page.goto(f"{url}/register")
        page.get_by_label("Your name").fill("Kim Keeper")
        page.get_by_label("Email").fill("kim@example.com")
        page.get_by_label("Password (10+ characters)").fill(PASSWORD)
        page.get_by_label("Business or workspace name").fill("Kim's Tea")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/onboarding")  # a new owner lands in the setup wizard
        page.get_by_role("button", name="Skip setup").click()
        page.wait_for_url("**/dashboard")
        page.get_by_role("link", name="Knowledge").click()
        page.wait_for_url("**/dashboard/knowledge")
        page.get_by_role("link", name="Default").wait_for()
        _shot(page, "knowledge-list")
        page.get_by_role("link", name="Default").click()
        page.wait_for_url("**/dashboard/knowledge/*")
        page.get_by_text("No documents yet").wait_for()

        chooser = page.locator(".q-uploader input[type=file]")
        chooser.set_input_files(str(bad))  # the browser refuses it before uploading
        page.get_by_text("Refused: files must be PDF, DOCX, TXT, MD or CSV").wait_for()
        chooser.set_input_files(str(pdf))
        row = page.locator("[data-doc='shipping.pdf']")
        row.wait_for()
        _shot(page, "knowledge-documents-indexing")
        row.get_by_text("Indexed", exact=True).wait_for(timeout=60_000)  # not "…indexed…"
        assert " chunk" in row.inner_text()
        assert row.locator(".q-linear-progress").count() == 0  # the bar goes when it is done
        _shot(page, "knowledge-documents")

        page.get_by_role("tab", name="Test").click()
        page.get_by_label("A customer's question").fill("How long do parcels to Iceland take?")
        page.get_by_role("button", name="Ask").click()
        mark = page.locator("mark.kb-span").first
        mark.wait_for()
        _shot(page, "knowledge-test")
        assert "Parcels to Iceland take twelve days" in mark.inner_text()
        assert "twelve days" in page.locator(".bg-green-1").inner_text()
        assert page.get_by_text("shipping.pdf · page").count() >= 1
        kb_url = page.url.split("?")[0]

        page.get_by_role("tab", name="Evaluation").click()
        page.get_by_label("Question", exact=True).fill("How long to Iceland?")
        page.get_by_label("Expected source").click()
        page.get_by_role("option", name="shipping.pdf").click()
        page.get_by_role("button", name="Add", exact=True).click()
        page.get_by_text("expects from shipping.pdf").wait_for()
        page.get_by_role("button", name="Run evaluation").click()
        figure = page.get_by_text("hit-rate@5", exact=True)  # the report's, not the help text
        figure.wait_for()
        # the expected source is found; whether the no-model reader would *send* its quote is
        # the precision/coverage part of the report (its send floor is strict)
        assert "100%" in page.locator(".q-card").filter(has=figure).inner_text()
        assert page.get_by_text("expected source not in the top five").count() == 0
        _shot(page, "knowledge-evaluation")

        phone = b.new_page(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
        phone.goto(f"{url}/login")
        phone.get_by_label("Email").fill("kim@example.com")
        phone.get_by_label("Password").fill(PASSWORD)
        phone.get_by_role("button", name="Sign in").click()
        phone.wait_for_url("**/dashboard")
        for tab in ("documents", "faqs", "test", "evaluation"):
            phone.goto(f"{kb_url}?tab={tab}")
            phone.get_by_role("tab", name="Documents").wait_for()
            if tab == "documents":
                phone.locator("[data-doc='shipping.pdf']").get_by_text("Indexed").wait_for()
            if tab == "test":
                phone.get_by_label("A customer's question").fill("parcels to Iceland")
                phone.get_by_role("button", name="Ask").click()
                phone.locator("mark.kb-span").first.wait_for()
            _no_sideways_scroll(phone, 375)
            _shot(phone, f"knowledge-{tab}-375")
        phone.goto(f"{url}/dashboard/knowledge")
        phone.get_by_role("link", name="Default").wait_for()
        _no_sideways_scroll(phone, 375)
        _shot(phone, "knowledge-list-375")
