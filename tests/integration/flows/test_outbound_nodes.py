"""Nodes that reach outside: `webhook` (templated JSON body, response saved, failure and
timeout branches, the SSRF guard at activation), `message` media fetched from a URL, and `ai`
(the AI engine with the node's prompt and knowledge base)."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from app.db.tables import KBFaq, KnowledgeBase
from app.domain import MediaType
from app.llm.fake import FakeLLM
from tests.fakes.web_server import web_server
from tests.integration.ai.conftest import make_ai_bot
from tests.integration.flows.conftest import FlowBot, e, make_flow_bot, n

ANN = "+4917622220001"


async def test_webhooks_media_and_the_ssrf_guard(tmp_path: Path) -> None:
    with web_server() as web:
        async for bot in make_flow_bot(tmp_path / "data", ssrf_allow=("127.0.0.1",)):
            await _webhooks(bot, web)


async def _webhooks(bot: FlowBot, web) -> None:  # type: ignore[no-untyped-def]
    body = '{"name": "{{vars.name}}", "phone": "{{contact.phone}}", "gone": "{{vars.gone}}"}'
    nodes = [
        n("start", "trigger"),
        n(
            "post",
            "webhook",
            url=web.url + "/ok",
            method="POST",
            headers={"X-Token": "t-{{vars.name}}"},
            body=body,
            saveResponseTo="crm",
        ),
        n(
            "ticket",
            "message",
            text="Ticket {{vars.crm.id}}",
            mediaUrl=web.url + "/image.png",
            caption="Your ticket, {{vars.name}}",
        ),
        n(
            "lookup",
            "webhook",
            url=web.url + "/orders/{{vars.order}}",
            method="GET",
            saveResponseTo="order",
        ),
        n("status", "message", text="Order: {{vars.order.status}}"),
        n("broken", "webhook", url=web.url + "/fail", method="PUT"),
        n("fallback", "message", text="The shop is down."),
        n("slow", "webhook", url=web.url + "/slow", method="GET", timeout=1),
        n("gave-up", "message", text="Too slow."),
    ]
    edges = [
        e("start", "post"),
        e("post", "ticket"),
        e("ticket", "lookup"),
        e("lookup", "status"),
        e("status", "broken"),
        e("broken", "fallback", "failure"),
        e("fallback", "slow"),
        e("slow", "gave-up", "failure"),
    ]
    flow = await bot.flow(nodes, edges, "API", {"variables": ["name", "order", "gone"]})
    name = 'Ann "the" B\\oss'
    run = await bot.trigger(flow["id"], phone=ANN, vars={"name": name, "order": "7/8"})
    texts = await bot.quiet(ANN, 5)
    assert texts == [
        "Ticket 42",
        "Your ticket, " + name,
        "Order: shipped (7%2F8)",
        "The shop is down.",
        "Too slow.",
    ]
    media = bot.phone.sent[1].message
    assert media.media_type is MediaType.IMAGE and media.caption == "Your ticket, " + name

    posted = next(r for r in web.requests if r.path == "/ok")
    assert json.loads(posted.body) == {"name": name, "phone": ANN, "gone": ""}
    assert posted.headers["X-Token"] == "t-" + name
    assert posted.headers["Content-Type"] == "application/json"
    done = await bot.get(f"/flows/runs/{run['id']}")
    assert done["status"] == "COMPLETED" and done["vars"]["crm"] == {"id": 42, "ok": True}
    notes = [(h["nodeId"], h["event"], h.get("detail")) for h in done["history"]]
    assert ("post", "missing", "empty: vars.gone") in notes
    assert ("broken", "webhook", "PUT → 500") in notes
    assert any(node == "slow" and "no answer within 1 s" in (d or "") for node, _, d in notes)

    # a URL to the server's own network is refused when the flow is activated
    lan = [n("start", "trigger"), n("hook", "webhook", url="http://10.9.8.7/hook", method="POST")]
    r = await bot.send(
        "POST",
        "/flows",
        json={
            "name": "LAN",
            "triggerType": "API",
            "nodes": lan,
            "edges": [e("start", "hook")],
            "isActive": True,
        },
    )
    assert r.status_code == 422, r.text
    problems = r.json()["problems"]
    assert [(p["code"], p["nodeId"]) for p in problems] == [("url_refused", "hook")]
    assert "10.9.8.7" in problems[0]["message"]


async def test_ai_node_answers_with_its_prompt_and_knowledge_base(tmp_path: Path) -> None:
    async for bot in make_ai_bot(tmp_path)():
        bot.script(fake_confidence=0.95)
        await bot.add_faqs(("What are your opening hours?", "Nine to five."))
        other = KnowledgeBase(workspace_id=bot.owner.workspace_id, name="Bikes")
        faq = KBFaq(knowledge_base_id=other.id, question="Which bikes?", answer="Only e-bikes.")

        # on the app's loop (its SQLite lock lives there): from the test's loop this hung once
        await bot.db(partial(KnowledgeBase.insert, other))
        await bot.db(partial(KBFaq.insert, faq))
        nodes = [
            n("start", "trigger"),
            n("ask", "question", text="What do you want to know?", variableName="q"),
            n(
                "answer",
                "ai",
                systemPromptOverride="You sell bikes to {{contact.name}}.",
                knowledgeBaseId=other.id,
                maxTokens=200,
            ),
            n("more", "message", text="Anything else?"),
        ]
        edges = [e("start", "ask"), e("ask", "answer"), e("answer", "more")]
        body = {
            "name": "Bikes",
            "triggerType": "KEYWORD",
            "isActive": True,
            "triggerConfig": {"keywords": ["bikes"], "match": "contains"},
            "nodes": nodes,
            "edges": edges,
        }
        r = await bot.send("POST", "/flows", json=body)
        assert r.status_code == 201, r.text
        await bot.simulate(ANN, "Tell me about bikes", name="Ann")
        await bot.simulate(ANN, "Which bikes do you have?")
        messages = await bot.bot_messages(ANN, 3)
        assert [m["content"] for m in messages] == [
            "What do you want to know?",
            "echo: Which bikes do you have?",
            "Anything else?",
        ]
        assert messages[1]["confidence"] == 0.95 and messages[1]["aiProvider"] == "fake"
        fake = bot.model()
        assert isinstance(fake, FakeLLM)
        call = next(c for c in fake.calls if "Which bikes" in c.messages[-1].content)
        assert "You sell bikes to Ann." in (call.system or "")
        assert [p.id for p in call.context] == [faq.id]
