"""Knowledge base API (issue 4): CRUD, uploads of real documents, background indexing,
test/evaluate, SSRF refusal and crash recovery. Fake embeddings (test profile) unless noted."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from app.rag.extract.pdf_process import CONFIG as PDF_READER
from app.rag.extract.pdf_process import configure as configure_pdf_reader
from tests.integration.api.conftest import Account, Api

DOCS = next(
    (
        p / "shared" / "eval" / "documents"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "eval" / "documents").is_dir()
    ),
    Path("/work/shared/eval/documents"),
)


async def kb_of(api: Api, acct: Account) -> str:
    r = await api.client.get("/api/v1/knowledge-bases", headers=acct.headers())
    assert r.status_code == 200, r.text
    kbs = r.json()
    assert sum(k["isDefault"] for k in kbs) == 1
    return next(k["id"] for k in kbs if k["isDefault"])


async def wait_done(
    api: Api, acct: Account, kb: str, doc: str, limit: float = 120
) -> dict[str, Any]:
    """Poll until the worker (on the app's loop) leaves PENDING/PROCESSING."""
    url = f"/api/v1/knowledge-bases/{kb}/documents/{doc}"
    for _ in range(int(limit / 0.05)):
        d = (await api.client.get(url, headers=acct.headers())).json()
        if d["status"] in ("INDEXED", "FAILED"):
            return d
        await asyncio.sleep(0.05)
    raise AssertionError(f"document still {d['status']}")


async def upload(api: Api, acct: Account, kb: str, path: Path) -> Any:
    return await api.client.post(
        f"/api/v1/knowledge-bases/{kb}/documents",
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        headers=acct.headers(),
    )


async def test_kb_crud_and_default(api: Api) -> None:
    a = await api.register()
    h = a.headers()
    default = await kb_of(api, a)
    r = await api.client.post("/api/v1/knowledge-bases", json={"name": "Second"}, headers=h)
    assert r.status_code == 201 and not r.json()["isDefault"]
    kb2 = r.json()["id"]
    r = await api.client.patch(f"/api/v1/knowledge-bases/{kb2}", json={"name": "2"}, headers=h)
    assert r.json()["name"] == "2"
    assert (await api.client.delete(f"/api/v1/knowledge-bases/{kb2}", headers=h)).status_code == 204
    r = await api.client.get(f"/api/v1/knowledge-bases/{kb2}", headers=h)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem")
    assert await kb_of(api, a) == default
    r = await api.client.post("/api/v1/knowledge-bases", json={}, headers=h)
    assert r.status_code == 400
    # strict like every other body: a typo is refused, not silently dropped
    r = await api.client.post(
        "/api/v1/knowledge-bases", json={"name": "x", "descr": "y"}, headers=h
    )
    assert r.status_code == 400 and "descr" in r.json()["detail"]
    r = await api.client.post(
        f"/api/v1/knowledge-bases/{default}/faqs",
        json={"question": "q", "answer": "a", "tags": []},
        headers=h,
    )
    assert r.status_code == 400


async def test_faq_indexed_updated_and_removed(api: Api) -> None:
    a = await api.register()
    h = a.headers()
    kb = await kb_of(api, a)
    base = f"/api/v1/knowledge-bases/{kb}"
    r = await api.client.post(
        f"{base}/faqs",
        json={"question": "When are you open?", "answer": "Monday to Friday 9-17."},
        headers=h,
    )
    assert r.status_code == 201
    faq = r.json()["id"]
    t = (
        await api.client.post(f"{base}/test", json={"query": "when are you open"}, headers=h)
    ).json()
    assert t["sources"][0]["faqId"] == faq and t["answer"] == "Monday to Friday 9-17."
    r = await api.client.patch(f"{base}/faqs/{faq}", json={"answer": "Daily 8-20."}, headers=h)
    assert r.json()["answer"] == "Daily 8-20."
    t = (
        await api.client.post(f"{base}/test", json={"query": "when are you open"}, headers=h)
    ).json()
    assert t["answer"] == "Daily 8-20."
    assert (await api.client.delete(f"{base}/faqs/{faq}", headers=h)).status_code == 204
    t = (
        await api.client.post(f"{base}/test", json={"query": "when are you open"}, headers=h)
    ).json()
    assert all(s["faqId"] != faq for s in t["sources"])
    assert (await api.client.get(f"{base}/faqs", headers=h)).json() == []


async def test_kb_test_is_limited_to_20_a_minute_per_workspace(api: Api) -> None:
    """Seed §14: 20 KB test queries a minute per workspace, however they arrive at once."""
    a, b = await api.register("Ann", "A"), await api.register("Bob", "B")
    url = f"/api/v1/knowledge-bases/{await kb_of(api, a)}/test"
    burst = [
        api.client.post(url, json={"query": "opening hours"}, headers=a.headers())
        for _ in range(30)
    ]
    answers = await asyncio.gather(*burst)
    codes = [r.status_code for r in answers]
    assert (codes.count(200), codes.count(429)) == (20, 10), codes
    limited = next(r for r in answers if r.status_code == 429)
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["status"] == 429 and limited.json()["title"] == "Too Many Requests"
    # the rest of the API is not spent, and another workspace has its own budget
    assert (await api.client.get("/api/v1/knowledge-bases", headers=a.headers())).is_success
    other = f"/api/v1/knowledge-bases/{await kb_of(api, b)}/test"
    r = await api.client.post(other, json={"query": "opening hours"}, headers=b.headers())
    assert r.status_code == 200


async def test_indexing_progress_moves_with_the_batches(api: Api) -> None:
    """The bar moves with the work (issue 13 #17): a document of tens of passages reports
    progress per small batch embedded, not 0 until done."""
    a = await api.register()
    kb = await kb_of(api, a)
    text = " ".join(f"word{i}" for i in range(15_000))  # ~30 passages
    with api.container.events.subscribe(a.workspace_id) as sub:
        r = await api.client.post(
            f"/api/v1/knowledge-bases/{kb}/documents",
            json={"type": "MANUAL", "name": "Long", "content": text},
            headers=a.headers(),
        )
        assert r.status_code == 202, r.text
        d = await wait_done(api, a, kb, r.json()["id"])
        seen = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
    assert d["status"] == "INDEXED" and d["chunkCount"] >= 25
    working = [e.data for e in seen if e.name == "kb:progress"]
    working = [p for p in working if p["status"] == "PROCESSING"]
    percents = [p["percent"] for p in working]
    assert percents == sorted(percents) and len(set(percents)) >= 10, percents
    assert max(b - a for a, b in itertools.pairwise(percents)) <= 10, percents
    counted = [p for p in working if "chunksTotal" in p]
    assert counted[0]["chunksDone"] == 0 and counted[0]["chunksTotal"] == d["chunkCount"]
    assert counted[-1]["chunksDone"] == d["chunkCount"]


async def test_manual_document_indexed_tested_evaluated_deleted(api: Api) -> None:
    a = await api.register()
    h = a.headers()
    kb = await kb_of(api, a)
    base = f"/api/v1/knowledge-bases/{kb}"
    with api.container.events.subscribe(a.workspace_id) as sub:
        r = await api.client.post(
            f"{base}/documents",
            json={
                "type": "MANUAL",
                "name": "Shipping",
                "content": "We ship worldwide. Parcels to Iceland take twelve days by sea.",
            },
            headers=h,
        )
        assert r.status_code == 202 and r.json()["status"] in ("PENDING", "PROCESSING", "INDEXED")
        doc = r.json()["id"]
        d = await wait_done(api, a, kb, doc)
        assert d["status"] == "INDEXED" and d["chunkCount"] >= 1 and d["errorMessage"] is None
        seen = []
        while not sub.queue.empty():
            seen.append(sub.queue.get_nowait())
    progress = [e.data for e in seen if e.name == "kb:progress"]
    assert progress and progress[-1] == {
        "documentId": doc,
        "knowledgeBaseId": kb,
        "percent": 100,
        "status": "INDEXED",
    }
    notes = (await api.client.get("/api/v1/notifications", headers=h)).json()["items"]
    assert any(n["type"] == "kb_indexed" and n["payload"]["documentId"] == doc for n in notes)
    t = (await api.client.post(f"{base}/test", json={"query": "Iceland parcels"}, headers=h)).json()
    top = t["sources"][0]
    assert top["documentId"] == doc and "Iceland" in top["span"]["text"]
    assert "Iceland" in t["answer"]
    r = await api.client.post(
        f"{base}/evaluate",
        json={
            "cases": [
                {"question": "how long to Iceland", "expectedSource": doc},
                {"question": "how long to Iceland", "expectedSource": "nope"},
            ]
        },
        headers=h,
    )
    ev = r.json()
    assert r.status_code == 200 and ev["total"] == 2 and ev["hitRate"] == 0.5
    assert ev["mrr"] == 0.5 and ev["misses"][0]["expectedSource"] == "nope"
    r = await api.client.post(f"{base}/documents/{doc}/reindex", headers=h)
    assert r.status_code == 202
    assert (await wait_done(api, a, kb, doc))["status"] == "INDEXED"
    assert (await api.client.delete(f"{base}/documents/{doc}", headers=h)).status_code == 204
    t = (await api.client.post(f"{base}/test", json={"query": "Iceland parcels"}, headers=h)).json()
    assert t["sources"] == [] and t["answer"] is None


async def test_bad_document_bodies_are_4xx(api: Api) -> None:
    a = await api.register()
    h = a.headers()
    base = f"/api/v1/knowledge-bases/{await kb_of(api, a)}/documents"
    for body in ({"type": "URL"}, {"type": "MANUAL", "content": " "}, {"type": "PDF"}, {}):
        r = await api.client.post(base, json=body, headers=h)
        assert r.status_code == 422, (body, r.status_code)
        assert r.headers["content-type"].startswith("application/problem")
    r = await api.client.post(base, files={"other": ("x.txt", b"hi")}, headers=h)
    assert r.status_code == 422
    r = await api.client.post(base, files={"file": ("x.bin", b"\x00\x01\x02" * 100)}, headers=h)
    assert r.status_code == 422 and "unsupported" in r.json()["detail"]
    r = await api.client.post(base, files={"file": ("e.txt", b"")}, headers=h)
    assert r.status_code == 422


async def test_upload_over_25_mb_is_413(api: Api) -> None:
    a = await api.register()
    base = f"/api/v1/knowledge-bases/{await kb_of(api, a)}/documents"
    big = b"a" * (25 * 1024 * 1024 + 10)
    r = await api.client.post(base, files={"file": ("big.txt", big)}, headers=a.headers())
    assert r.status_code in (413, 422)
    assert r.headers["content-type"].startswith("application/problem")


async def test_url_to_localhost_refused_unless_allowed(make_api: Any) -> None:
    # One app at a time: piccolo tables are process-global (a second live engine is refused).
    async for api in make_api():
        a = await api.register()
        base = f"/api/v1/knowledge-bases/{await kb_of(api, a)}/documents"
        r = await api.client.post(
            base, json={"type": "URL", "url": "http://127.0.0.1:9/x"}, headers=a.headers()
        )
        assert r.status_code == 422 and "127.0.0.1" in r.json()["detail"]
    async with _served(b"Opening hours: the lighthouse opens at dawn.") as url:
        async for api2 in make_api(ssrf_allow=("127.0.0.1",)):
            b = await api2.register()
            kb = await kb_of(api2, b)
            r = await api2.client.post(
                f"/api/v1/knowledge-bases/{kb}/documents",
                json={"type": "URL", "url": url},
                headers=b.headers(),
            )
            assert r.status_code == 202, r.text
            d = await wait_done(api2, b, kb, r.json()["id"])
            assert d["status"] == "INDEXED", d


class _served:
    """A one-file HTTP server on 127.0.0.1 (a real socket; the fetch goes through it)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __aenter__(self) -> str:
        import http.server
        import threading

        body = self.body

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}/page.txt"

    async def __aexit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


EXPECT_FAIL = {
    "scanned_c02-22.pdf",
    "scanned_linn.pdf",
    "malformed_invalid.pdf",
    "encrypted_libreoffice-writer-password.pdf",
}


async def test_every_eval_document_ingests_or_fails_clearly(api: Api) -> None:
    a = await api.register()
    kb = await kb_of(api, a)
    files = sorted(p for p in DOCS.rglob("*") if p.is_file() and p.name != "README.md")
    assert len(files) >= 15
    results = {}
    for path in files:
        r = await upload(api, a, kb, path)
        if r.status_code == 422:  # refused at upload (sniffing): a clear reason
            results[path.name] = ("REFUSED", r.json()["detail"])
            continue
        assert r.status_code == 202, (path.name, r.status_code, r.text)
        results[path.name] = r.json()["id"]
    for name, doc in list(results.items()):
        if isinstance(doc, str):
            d = await wait_done(api, a, kb, doc, limit=300)
            results[name] = (d["status"], d["errorMessage"] or d["chunkCount"])
    for name, (status, info) in results.items():
        if status == "INDEXED":
            assert info >= 1, name
        else:
            assert isinstance(info, str) and len(info) > 5, (name, info)
    for name in EXPECT_FAIL:
        assert results[name][0] in ("FAILED", "REFUSED"), (name, results[name])
    for name in ("federal-register-2020-17221.pdf", "word_sample.docx", "faq_covidbert.csv"):
        assert results[name][0] == "INDEXED", (name, results[name])


async def test_pdfs_read_in_a_child_process_index_or_fail_with_the_readers_reason(
    make_api: Any,
) -> None:
    """The default (`pdf_in_process` false; the test profile sets it true): one PDF indexed,
    one damaged PDF failed with the reader's own message (issue 19)."""
    try:
        async for api in make_api(pdf_in_process=False):
            assert not PDF_READER.in_process  # the container applied the setting
            a = await api.register()
            kb = await kb_of(api, a)
            done = {}
            for name in ("encrypted_owner-only_copy-protected.pdf", "malformed_invalid.pdf"):
                r = await upload(api, a, kb, DOCS / "pdf" / name)
                assert r.status_code == 202, r.text
                done[name] = await wait_done(api, a, kb, r.json()["id"])
            assert done["encrypted_owner-only_copy-protected.pdf"]["status"] == "INDEXED"
            failed = done["malformed_invalid.pdf"]
            assert failed["status"] == "FAILED"
            assert failed["errorMessage"].startswith("not a readable PDF"), failed
    finally:
        configure_pdf_reader(in_process=True, timeout_s=120.0)  # the test profile's, again


async def test_processing_rows_are_rerun_after_a_crash(tmp_path: Path) -> None:
    """A PROCESSING row (the process died mid-index) is re-queued and indexed on start."""
    from app.container import build_container, lifespan
    from app.db.tables import KBDocument
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "data")
    c1 = build_container(settings)
    async with lifespan(c1):
        await _processing_doc("The crash test fact is forty-two.")
        await c1.indexer.stop()  # "crash": nothing picks the row up in this process
    c2 = build_container(settings)
    async with lifespan(c2):
        await asyncio.wait_for(c2.indexer.idle(), 30)
        row = await KBDocument.select().where(KBDocument.id == "d1").first()
        assert row["status"] == "INDEXED" and row["chunk_count"] == 1


async def _processing_doc(content: str) -> str:
    """Workspace → default KB "kb1" → MANUAL document "d1" left PROCESSING; the workspace id."""
    from app.db.tables import KBDocument, KnowledgeBase, Workspace
    from app.domain import new_id

    ws = new_id()
    await Workspace.insert(Workspace(id=ws, name="W", slug=f"w-{ws[:8]}"))
    await KnowledgeBase.insert(KnowledgeBase(id="kb1", workspace_id=ws, name="D", is_default=True))
    await KBDocument.insert(
        KBDocument(
            id="d1",
            knowledge_base_id="kb1",
            name="m",
            type="MANUAL",
            content=content,
            status="PROCESSING",
        )
    )
    return ws


async def test_a_document_deleted_while_indexing_leaves_no_vectors(tmp_path: Path) -> None:
    """The delete removes the vectors it can see; an indexing run that finishes after it must
    remove the ones it wrote, or evaluation and answers keep quoting a deleted document."""
    from app.container import build_container, lifespan
    from app.db.tables import KBDocument
    from app.services.knowledge import DocumentIndexer
    from app.vectors.base import VectorFilter
    from tests.conftest import make_settings

    c = build_container(make_settings(tmp_path / "data"))
    async with lifespan(c):
        await c.indexer.stop()  # drive one run's steps by hand
        indexer = DocumentIndexer(c.kb, c.events, c.notifier, c.webhooks, retries=0, base_s=0)
        ws = await _processing_doc("Tea costs two euro.")
        row = {
            "id": "d1",
            "ws": ws,
            "knowledge_base_id": "kb1",
            "type": "MANUAL",
            "content": "Tea costs two euro.",
            "name": "m",
        }
        store = c.kb.store
        await indexer._index(row)  # the run wrote its vectors …
        only_d1 = VectorFilter(workspace_id=ws, kb_id="kb1", document_id="d1")
        assert await asyncio.to_thread(store.count, only_d1) == 1
        await KBDocument.delete().where(KBDocument.id == "d1")  # … the user deleted it …
        assert await indexer._deleted_meanwhile(row)  # … and the run cleans up after itself
        assert await asyncio.to_thread(store.count, only_d1) == 0


async def test_queued_uploads_are_indexed_before_the_first_ones_sentences_are_embedded(
    tmp_path: Path,
) -> None:
    """Pre-embedding a document's sentences costs about as much CPU as indexing it, so the
    worker indexes every waiting upload first and embeds their sentences when none waits."""
    from app.answers.answerer import Answerer
    from app.container import build_container, lifespan
    from app.db.tables import KBDocument
    from app.services.knowledge import DocumentIndexer, IndexWorker
    from app.vectors.base import VectorFilter
    from tests.conftest import make_settings

    c = build_container(make_settings(tmp_path / "data"))
    seen: list[tuple[str, int]] = []  # (first passage, vectors of d2 in the store by then)

    class Recording(Answerer):
        def warm(self, passages: Any, embed: Any) -> int:
            d2 = VectorFilter(workspace_id=ws, kb_id="kb1", document_id="d2")
            seen.append((passages[0], c.kb.store.count(d2)))
            return super().warm(passages, embed)

    async with lifespan(c):
        await c.indexer.stop()
        ws = await _processing_doc("Tea costs two euro.")
        await KBDocument.insert(
            KBDocument(
                id="d2", knowledge_base_id="kb1", name="n", type="MANUAL",
                content="Coffee costs three euro.", status="PENDING",
            )
        )  # fmt: skip
        indexer = DocumentIndexer(
            c.kb, c.events, c.notifier, c.webhooks, retries=0, base_s=0, answerer=Recording()
        )
        worker = IndexWorker(indexer)
        assert await worker.start() == 2  # d1 (back from PROCESSING) and d2 wait
        try:
            await asyncio.wait_for(worker.idle(), 30)
        finally:
            await worker.stop()
    assert [(text.split("\n")[-1], n) for text, n in seen] == [
        ("Tea costs two euro.", 1),  # d2 was indexed before d1's sentences were embedded
        ("Coffee costs three euro.", 1),
    ]


async def test_sentence_vectors_survive_a_restart_in_the_database(tmp_path: Path) -> None:
    """What indexing embedded for the reader is kept with the chunks: a process with an empty
    cache (a restart, another node) reads it back instead of embedding while a customer
    waits — and never pairs vectors with sentences, or an embedder, they were not made from."""
    from app.ai.knowledge_search import restore_units
    from app.answers.answerer import Answerer
    from app.answers.text import units
    from app.container import build_container, lifespan
    from app.db.tables import KBChunk
    from app.services.knowledge import DocumentIndexer, IndexWorker
    from tests.conftest import make_settings

    text = "Parcels to Iceland take twelve days by sea. Express post takes three days."
    c = build_container(make_settings(tmp_path / "data"))
    async with lifespan(c):
        await c.indexer.stop()
        ws = await _processing_doc(text)
        indexer = DocumentIndexer(
            c.kb, c.events, c.notifier, c.webhooks, retries=0, base_s=0, answerer=Answerer()
        )
        worker = IndexWorker(indexer)
        await worker.start()
        try:
            await asyncio.wait_for(worker.idle(), 30)
        finally:
            await worker.stop()
        rows = await KBChunk.select().where(KBChunk.document_id == "d1")
        assert rows and all(r["unit_vectors"] and r["unit_digest"] for r in rows)

        retriever = await c.kb.aretriever()
        found = await asyncio.to_thread(
            retriever.candidates, "Iceland parcels", workspace_id=ws, kb_id="kb1"
        )
        fresh = Answerer()  # what a restarted process has
        name = retriever.embeddings.name
        assert await restore_units(fresh, "another-workspace", found, name) == 0
        assert await restore_units(Answerer(), ws, found, "another-embedder") == 0
        assert await restore_units(fresh, ws, found, name) == len(units(text)) == 2
        assert not fresh.vectors.missing(units(text))
        stored = np.stack([v for v in fresh.vectors.peek(units(text)) if v is not None])
        made = np.asarray(retriever.embeddings.embed_documents(units(text)), dtype=np.float32)
        assert np.allclose(stored, made, atol=2e-3)  # float16: ~1e-4 of a cosine
        assert await restore_units(fresh, ws, found, name) == 0  # cached: no read at all
        other = found.hits[0]
        edited = type(found)(found.query_vector, [replace(other, content="Other words here.")])
        assert await restore_units(Answerer(), ws, edited, name) == 0  # digest: not these units


async def test_reference_questions_are_stored_per_kb_and_checked(api: Api) -> None:
    a = await api.register()
    h = a.headers()
    kb = await kb_of(api, a)
    refs = f"/api/v1/knowledge-bases/{kb}/reference-questions"
    faq = (
        await api.client.post(
            f"/api/v1/knowledge-bases/{kb}/faqs",
            json={"question": "Do you ship abroad?", "answer": "Yes, across the EU."},
            headers=h,
        )
    ).json()["id"]
    assert (await api.client.get(refs, headers=h)).json() == []
    r = await api.client.post(
        refs, json={"question": "Can you send to Spain?", "expectedSource": faq}, headers=h
    )
    assert r.status_code == 201 and r.json()["expectedSource"] == faq
    ref = r.json()["id"]
    r = await api.client.post(refs, json={"question": "x?", "expectedSource": "nope"}, headers=h)
    assert r.status_code == 422 and "not a document or FAQ" in r.json()["detail"]
    r = await api.client.post(refs, json={"question": "x?"}, headers=h)
    assert r.status_code == 400 or r.status_code == 422
    listed = (await api.client.get(refs, headers=h)).json()
    assert [x["question"] for x in listed] == ["Can you send to Spain?"]
    assert (await api.client.delete(f"{refs}/{ref}", headers=h)).status_code == 204
    assert (await api.client.delete(f"{refs}/{ref}", headers=h)).status_code == 404
    assert (await api.client.get(refs, headers=h)).json() == []
