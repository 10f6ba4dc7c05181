"""The engine's queries on both backends: knowledge rows stay inside their workspace."""

from __future__ import annotations

from piccolo.engine.base import Engine

from app.ai.knowledge_search import KeywordSearch
from app.db.repos import ai as repo
from app.db.tables import KBChunk, KBDocument, KBFaq, KnowledgeBase, Workspace


async def _workspace(slug: str, faq: tuple[str, str], chunk: str) -> str:
    ws = Workspace(name=slug, slug=slug)
    await Workspace.insert(ws)
    kb = KnowledgeBase(workspace_id=ws.id, name="Main")
    await KnowledgeBase.insert(kb)
    await KBFaq.insert(KBFaq(knowledge_base_id=kb.id, question=faq[0], answer=faq[1]))
    doc = KBDocument(knowledge_base_id=kb.id, name="doc", type="MANUAL")
    await KBDocument.insert(doc)
    await KBChunk.insert(
        KBChunk(document_id=doc.id, content=chunk, qdrant_id=f"q-{slug}", chunk_index=0)
    )
    return ws.id


async def test_keyword_search_is_scoped_to_the_workspace(db: Engine) -> None:
    a = await _workspace("a", ("Opening hours?", "Nine to five."), "Bikes ship in two days.")
    b = await _workspace("b", ("Opening hours?", "Always open."), "Cars ship in two weeks.")
    assert [f["answer"] for f in await repo.faqs(a)] == ["Nine to five."]
    assert [c["content"] for c in await repo.chunks(b, 10)] == ["Cars ship in two weeks."]
    hits = await KeywordSearch().search(a, "what are the opening hours", 5, 0.1)
    assert [h.answer for h in hits] == ["Nine to five."]
    hits = await KeywordSearch().search(b, "how fast do you ship", 5, 0.1)
    assert [h.text for h in hits] == ["Cars ship in two weeks."]
