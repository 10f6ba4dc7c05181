"""Knowledge pages through NiceGUI's User simulation, against the real service and worker:
uploads that index (and ones that are refused), URL refusal, FAQs, test panel, evaluation,
and a viewer who reads but cannot change."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pymupdf
import pytest
from nicegui import ui
from nicegui.testing.user import User

from app.domain import Actor, Role
from app.domain import records as dm
from app.embeddings.fake import FakeEmbeddings
from app.events import catalog
from tests.integration.ui.conftest import Dashboard

SHIPPING = (
    "Shipping policy. We ship worldwide from Lisbon. "
    "Parcels to Iceland take twelve days by sea. Returns are free within thirty days."
)


def _pdf(text: str) -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_textbox(pymupdf.Rect(50, 50, 550, 800), text, fontsize=11)
    data = doc.tobytes()
    doc.close()
    return data


async def _eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.05)


async def _owner(dashboard: Dashboard) -> tuple[dm.Session, Actor, str, User]:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    kb_id = await dashboard.container.services.knowledge.default_kb_id(owner.workspace.id)
    return owner, actor, kb_id, await dashboard.signed_in("owner@example.com")


def _upload(user: User, name: str, data: bytes) -> None:
    with user:
        element = next(iter(user.find(marker="upload").elements))
        assert isinstance(element, ui.upload)
        file = ui.upload.SmallFileUpload(name=name, content_type="application/pdf", _data=data)
        asyncio.get_running_loop().create_task(element.handle_uploads([file]))


def _texts(user: User, marker: str) -> list[str]:
    with user:
        return [getattr(e, "text", "") for e in user.find(marker=marker).elements]


async def test_kb_list_create_rename_delete(dashboard: Dashboard) -> None:
    _, actor, _, user = await _owner(dashboard)
    await user.open("/dashboard/knowledge")
    await user.should_see(marker="kb-default")
    user.find(marker="new-kb").click()
    await user.should_see(marker="kb-dialog")
    user.find(marker="kb-save").click()  # no name
    await user.should_see("The name is required.")
    user.find(marker="kb-name").type("Returns")
    user.find(marker="kb-save").click()
    await user.should_see(marker="kb-link", content="Returns")
    kbs = await dashboard.container.services.knowledge.list(actor)
    assert [k.name for k in kbs] == ["Default", "Returns"]
    default = next(k for k in kbs if k.is_default)
    user.find(marker=f"kb-rename-{default.id}").click()
    await user.should_see(marker="kb-dialog")
    user.find(marker="kb-name").clear().type("Shop answers")
    user.find(marker="kb-save").click()
    await user.should_see(marker="kb-link", content="Shop answers")
    assert (await dashboard.container.services.knowledge.get(actor, default.id)).is_default
    user.find(marker="kb-delete").click()  # only the non-default KB has one
    await user.should_see(marker="confirm-ok")
    user.find(marker="confirm-ok").click()
    await user.should_not_see(marker="kb-link", content="Returns")
    assert len(await dashboard.container.services.knowledge.list(actor)) == 1


async def test_upload_indexes_and_bad_upload_and_private_url_are_refused(
    dashboard: Dashboard,
) -> None:
    _, actor, kb_id, user = await _owner(dashboard)
    await user.open(f"/dashboard/knowledge/{kb_id}")
    await user.should_see("No documents yet")
    _upload(user, "shipping.pdf", _pdf(SHIPPING))
    await user.should_see("shipping.pdf")
    await user.should_see(content="Indexed", marker="doc-status", retries=300)
    assert any("1 chunk" in t for t in _texts(user, "doc-meta"))
    docs = await dashboard.container.services.documents.list(actor, kb_id)
    assert [(d.name, d.status) for d in docs] == [("shipping.pdf", "INDEXED")]

    _upload(user, "photo.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    await user.should_see(content="unsupported file type", marker="upload-error")
    assert len(await dashboard.container.services.documents.list(actor, kb_id)) == 1

    user.find(marker="url-input").type("http://169.254.169.254/latest/meta-data")
    user.find(marker="add-url").click()
    await user.should_see(content="non-public address 169.254.169.254", marker="upload-error")
    assert len(await dashboard.container.services.documents.list(actor, kb_id)) == 1

    user.find(marker="manual-text").type("   ")
    user.find(marker="add-text").click()
    await user.should_see(content="content is required", marker="upload-error")


async def test_faq_add_edit_delete_persist(dashboard: Dashboard) -> None:
    _, actor, kb_id, user = await _owner(dashboard)
    services = dashboard.container.services
    await user.open(f"/dashboard/knowledge/{kb_id}?tab=faqs")
    await user.should_see(marker="no-faqs")
    user.find(marker="add-faq").click()
    await user.should_see(marker="faq-dialog")
    user.find(marker="faq-question-input").type("When are you open?")
    user.find(marker="faq-save").click()  # no answer yet
    await user.should_see("The answer is required.")
    user.find(marker="faq-answer-input").type("Monday to Friday, 9 to 17.")
    user.find(marker="faq-save").click()
    await user.should_see(content="Monday to Friday, 9 to 17.", marker="faq-answer")
    assert [(f.question, f.answer) for f in await services.faqs.list(actor, kb_id)] == [
        ("When are you open?", "Monday to Friday, 9 to 17.")
    ]
    user.find(marker="faq-edit").click()
    await user.should_see(marker="faq-dialog")
    user.find(marker="faq-answer-input").clear().type("Every day, 8 to 20.")
    user.find(marker="faq-save").click()
    await user.should_see(content="Every day, 8 to 20.", marker="faq-answer")
    assert (await services.faqs.list(actor, kb_id))[0].answer == "Every day, 8 to 20."
    result = await services.retrieval_checks.test(actor, kb_id, "when are you open")
    assert result.answer == "Every day, 8 to 20."  # re-indexed with the new answer
    user.find(marker="faq-delete").click()
    await user.should_see(marker="confirm-ok")
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="no-faqs")
    assert await services.faqs.list(actor, kb_id) == []


async def _seed(dashboard: Dashboard, actor: Actor, kb_id: str) -> tuple[str, str]:
    """A manual document (indexed) and an FAQ; returns their ids."""
    from app.schemas import knowledge as ks

    services = dashboard.container.services
    doc = await services.documents.add(
        actor, kb_id, ks.DocumentBody(type="MANUAL", name="Shipping", content=SHIPPING)
    )
    faq = await services.faqs.create(
        actor, kb_id, ks.FaqCreateBody(question="Do you sell gift cards?", answer="Yes, in store.")
    )

    async def indexed() -> bool:
        return (await services.documents.get(actor, kb_id, doc.id)).status == "INDEXED"

    await _eventually(indexed)
    return doc.id, faq.id


async def test_test_panel_shows_answer_and_highlighted_sources(dashboard: Dashboard) -> None:
    _, actor, kb_id, user = await _owner(dashboard)
    await _seed(dashboard, actor, kb_id)
    await user.open(f"/dashboard/knowledge/{kb_id}?tab=test")
    user.find(marker="test-ask").click()
    await user.should_see(content="The query is required.", marker="test-error")
    user.find(marker="test-query").type("How long do parcels to Iceland take?")
    user.find(marker="test-ask").click()
    await user.should_see(marker="test-answer")
    assert "twelve days" in _texts(user, "test-answer")[0]
    await user.should_see(content="Shipping", marker="source-name")
    with user:
        shown = [e.content for e in user.find(marker="source-content").elements]
        scores = [e.text for e in user.find(marker="source-score").elements]
    assert any('<mark class="kb-span">Parcels to Iceland take twelve days' in h for h in shown)
    assert all(s.startswith("score ") for s in scores)


async def test_evaluation_reports_hit_rate_mrr_and_misses(dashboard: Dashboard) -> None:
    _, actor, kb_id, user = await _owner(dashboard)
    doc_id, faq_id = await _seed(dashboard, actor, kb_id)
    refs = dashboard.container.services.reference_questions
    await user.open(f"/dashboard/knowledge/{kb_id}?tab=evaluation")
    await user.should_see(marker="no-refs")
    user.find(marker="ref-question").type("How long to Iceland?")
    user.find(marker="ref-add").click()  # no source, no answer text
    await user.should_see(content="expected answer text", marker="eval-error")
    with user:
        next(iter(user.find(marker="ref-source").elements)).value = doc_id
    user.find(marker="ref-add").click()
    await user.should_see("expects from Shipping")
    with user:
        next(iter(user.find(marker="ref-source").elements)).value = faq_id
    user.find(marker="ref-question").clear().type("Gift cards?")
    user.find(marker="ref-add").click()
    await user.should_see("expects from FAQ: Do you sell gift cards?")
    # a planted miss: the expected source is deleted after the question was written
    from app.schemas import knowledge as ks

    services = dashboard.container.services
    old = await services.documents.add(
        actor, kb_id, ks.DocumentBody(type="MANUAL", name="Old prices", content="Tea costs 2 euro.")
    )
    await refs.add(actor, kb_id, ks.ReferenceBody(question="Price of tea?", expected_source=old.id))
    await services.documents.delete(actor, kb_id, old.id)
    await asyncio.wait_for(dashboard.container.indexer.idle(), 30)  # a run in flight cleans up
    assert len(await refs.list(actor, kb_id)) == 3
    user.find(marker="tab-documents").click()
    user.find(marker="tab-evaluation").click()  # coming back reloads the list
    await user.should_see("expects from a deleted source")
    user.find(marker="run-eval").click()
    await user.should_see(marker="eval-hit-rate")
    assert _texts(user, "eval-hit-rate") == ["67%"]
    assert _texts(user, "eval-total") == ["3"]
    assert _texts(user, "eval-mrr") == ["0.67"]  # ranks 1, 1 and never
    await user.should_see(marker="eval-precision")  # what the customer gets, beside retrieval
    await user.should_see(marker="eval-threshold")
    await user.should_see(marker="eval-miss")
    await user.should_see("Price of tea?")
    await user.should_see("expected a deleted source — not found")
    for ref in await refs.list(actor, kb_id):
        await user.should_see(marker=f"ref-delete-{ref.id}")
        user.find(marker=f"ref-delete-{ref.id}").click()
    await user.should_see(marker="no-refs")
    assert await refs.list(actor, kb_id) == []


async def test_viewer_reads_but_cannot_change(dashboard: Dashboard) -> None:
    from ui import session

    owner, actor, kb_id, _ = await _owner(dashboard)
    await _seed(dashboard, actor, kb_id)
    await dashboard.member(owner, "viewer@example.com", Role.VIEWER)
    user = await dashboard.signed_in("viewer@example.com")
    await user.open("/dashboard")
    with user:
        session.choose_workspace(owner.workspace.id)  # type: ignore[union-attr]
    await user.open("/dashboard/knowledge")
    await user.should_see(marker="read-only")
    await user.should_see(marker="kb-link")
    await user.should_not_see(marker="new-kb")
    await user.should_not_see(marker="kb-rename")
    await user.open(f"/dashboard/knowledge/{kb_id}")
    await user.should_see(content="Shipping", marker="doc-name")
    for marker in ("upload", "url-input", "doc-delete", "doc-reindex", "add-faq", "faq-edit"):
        await user.should_not_see(marker=marker)
    await user.should_see(content="Do you sell gift cards?", marker="faq-question")
    await user.should_not_see(marker="ref-add")
    user.find(marker="test-query").type("gift cards")  # testing reads only: allowed
    user.find(marker="test-ask").click()
    await user.should_see(content="Yes, in store.", marker="test-answer")
    viewer = Actor(actor.user_id).in_workspace(owner.workspace.id, Role.VIEWER)  # type: ignore[union-attr]
    from app.domain import Forbidden
    from app.schemas import knowledge as ks

    refs = dashboard.container.services.reference_questions
    try:
        await refs.add(viewer, kb_id, ks.ReferenceBody(question="x", expected_source=kb_id))
    except Forbidden:
        pass
    else:
        raise AssertionError("a viewer added a reference question")


async def test_progress_events_move_the_bar_live(dashboard: Dashboard) -> None:
    """`kb:progress` from the bus moves the bar in place; a new status redraws the row."""
    from app.db.tables import KBDocument

    _, actor, kb_id, user = await _owner(dashboard)
    doc_id, _ = await _seed(dashboard, actor, kb_id)
    await KBDocument.update({KBDocument.status: "PROCESSING"}).where(KBDocument.id == doc_id)
    await user.open(f"/dashboard/knowledge/{kb_id}")
    await user.should_see(marker="doc-progress")
    bus, ws = dashboard.container.events, actor.workspace_id or ""

    def publish(percent: int, status: str, **counts: int) -> None:
        done, total = counts.get("chunksDone"), counts.get("chunksTotal")
        event = catalog.kb_progress(
            ws, doc_id, kb_id, percent, status, chunks_done=done, chunks_total=total
        )
        bus.publish(event)

    def bar() -> float | None:
        with user:
            bars = list(user.find(marker="doc-progress").elements)
        return bars[0].value if bars else None  # type: ignore[attr-defined]

    await user.should_see("Reading the document…")
    for percent, done in ((40, 12), (70, 21)):
        publish(percent, "PROCESSING", chunksDone=done, chunksTotal=30)

        async def moved(p: int = percent) -> bool:
            return bar() == p / 100

        await _eventually(moved, timeout=2.5)  # well before the 3 s safety reload
        await user.should_see(f"{done} of 30 passages embedded")
    await KBDocument.update({KBDocument.status: "INDEXED"}).where(KBDocument.id == doc_id)
    publish(100, "INDEXED")
    await user.should_see(content="Indexed", marker="doc-status")
    await user.should_not_see(marker="doc-progress")


async def test_failed_document_shows_its_error_and_can_be_reindexed_and_deleted(
    dashboard: Dashboard,
) -> None:
    _, actor, kb_id, user = await _owner(dashboard)
    services = dashboard.container.services
    await user.open(f"/dashboard/knowledge/{kb_id}")
    await user.should_see(content="No documents yet")
    _upload(user, "broken.pdf", b"%PDF-1.4\nthis is not really a PDF")
    await user.should_see(content="Failed", marker="doc-status", retries=300)
    await user.should_see(marker="doc-error-msg")
    (doc,) = await services.documents.list(actor, kb_id)
    assert doc.status == "FAILED" and doc.error_message
    assert _texts(user, "doc-error-msg") == [doc.error_message]
    audit_before = await _audit_actions(dashboard, actor)
    user.find(marker="doc-reindex").click()

    async def reindexed() -> bool:
        return "document.reindex" in await _audit_actions(dashboard, actor)

    await _eventually(reindexed)
    assert "document.reindex" not in audit_before

    async def failed_again() -> bool:
        return (await services.documents.get(actor, kb_id, doc.id)).status == "FAILED"

    await _eventually(failed_again)
    await user.should_see(content="Failed", marker="doc-status", retries=300)
    await asyncio.sleep(1)  # the table redraws on the FAILED event: click the new row's button
    user.find(marker="doc-delete").click()
    await user.should_see(marker="confirm-ok")
    user.find(marker="confirm-ok").click()
    await user.should_see(content="No documents yet")
    assert await services.documents.list(actor, kb_id) == []


async def _audit_actions(dashboard: Dashboard, actor: Actor) -> list[str]:
    from app.db.tables import AuditLog

    rows = await AuditLog.select(AuditLog.action).where(AuditLog.workspace_id == actor.workspace_id)
    return [r["action"] for r in rows]


def _fresh(runtime: Any) -> None:
    """The knowledge runtime as a new process has it: no model loaded, no retriever built."""
    runtime._embeddings.unload()
    runtime._query.unload()
    runtime._retriever = None


async def test_the_first_faq_shows_it_is_working_while_the_model_loads(
    dashboard: Dashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first FAQ (or question) loads the embedding model — seconds on a real install. The
    load runs off the event loop, and the button spins and takes no second click meanwhile."""
    gate = threading.Event()

    def loading_model(settings: object) -> FakeEmbeddings:
        gate.wait(10)  # the model file being read
        return FakeEmbeddings()

    monkeypatch.setattr("app.rag.runtime.build_embeddings", loading_model)
    runtime = dashboard.container.kb
    _fresh(runtime)  # not loaded yet: a fresh process
    _, _, kb_id, user = await _owner(dashboard)
    await user.open(f"/dashboard/knowledge/{kb_id}?tab=faqs")
    user.find(marker="add-faq").click()
    await user.should_see(marker="faq-dialog")
    user.find(marker="faq-question-input").type("When are you open?")
    user.find(marker="faq-answer-input").type("Monday to Friday, 9 to 17.")
    user.find(marker="faq-save").click()
    await _eventually(lambda: _spinning(user, "faq-save"))  # the page answers while it loads
    gate.set()
    await user.should_see(content="Monday to Friday, 9 to 17.", marker="faq-answer")
    await user.should_not_see(marker="faq-dialog")

    gate.clear()  # the test panel's first question, in a fresh process
    _fresh(runtime)
    await user.open(f"/dashboard/knowledge/{kb_id}?tab=test")
    user.find(marker="test-query").type("when are you open")
    user.find(marker="test-ask").click()
    await _eventually(lambda: _spinning(user, "test-ask"))
    gate.set()
    await user.should_see(marker="test-answer")
    assert not await _spinning(user, "test-ask")


async def _spinning(user: User, marker: str) -> bool:
    with user:
        (button,) = user.find(marker=marker).elements
    return bool(button.props.get("loading")) and not button.enabled
