"""The AI engine answers from an uploaded document through the vector retriever (issue 4):
the real default embedding model (e5-small), a real PDF uploaded via the API, the extractive
provider (no LLM), and a simulated WhatsApp question."""

from __future__ import annotations

from pathlib import Path

from tests.integration.ai.conftest import make_ai_bot, wait_sent
from tests.integration.api.test_knowledge_api import DOCS, kb_of, upload, wait_done

ANN = "+15550000007"
QUESTION = "How many data breaches has the Identity Theft Resource Center reported since 2005?"


async def test_pdf_fact_retrieved_and_answered_on_whatsapp(tmp_path: Path) -> None:
    async for bot in make_ai_bot(tmp_path)(embedding_mode="e5", llm_provider_override=None):
        api, owner = bot.api, bot.owner
        kb = await kb_of(api, owner)
        r = await upload(api, owner, kb, DOCS / "pdf" / "redp5110_sampled.pdf")
        assert r.status_code == 202, r.text
        doc = await wait_done(api, owner, kb, r.json()["id"], limit=600)
        assert doc["status"] == "INDEXED", doc

        # the test panel: the right chunk and page, the fact in the span
        t = (
            await api.client.post(
                f"/api/v1/knowledge-bases/{kb}/test",
                json={"query": QUESTION},
                headers=owner.headers(),
            )
        ).json()
        top = t["sources"][0]
        assert top["documentId"] == doc["id"] and top["page"] == 5, top
        assert "5000 data breaches" in " ".join(top["content"].split())
        assert "5000" in t["answer"], t["answer"]

        # WhatsApp: the engine retrieves the same chunk and answers extractively, citing it
        await bot.simulate(ANN, QUESTION)
        (reply,) = await bot.bot_messages(ANN, timeout=60)
        assert "5000" in reply["content"], reply
        assert reply["aiProvider"] == "extractive"
        assert top["chunkId"] in reply["kbChunksUsed"]
        assert (await wait_sent(bot, ANN, 1))[0] == reply["content"]
