"""Each node type end to end through the simulator: a customer's messages in, the flow's
messages out, the run's state and counters in the API."""

from __future__ import annotations

import asyncio

from app.db.tables import Outbox
from tests.integration.flows.conftest import FlowBot, e, n

ANN = "+4917611110001"
BEN = "+4917611110002"


async def test_question_validation_condition_tag_and_end(flow_bot: FlowBot) -> None:
    bot = flow_bot
    r = await bot.send("POST", "/contacts/labels", json={"name": "Lead"})
    label = r.json()["id"]
    nodes = [
        n("start", "trigger"),
        n(
            "ask",
            "question",
            text="Hi {{contact.name}}! Your email?",
            variableName="email",
            validation="email",
            retryText="That is no email address - again?",
        ),
        n(
            "vip",
            "condition",
            conditions=[
                {"id": "is-vip", "field": "vars.email", "operator": "contains", "value": "@vip."}
            ],
        ),
        n("hello-vip", "message", text="Welcome back, VIP {{vars.email}}"),
        n("thanks", "message", text="Thanks {{contact.name}}, we write to {{vars.email}}."),
        n("mark", "tag", action="add", labelId=label),
        n("done", "end"),
    ]
    edges = [
        e("start", "ask"),
        e("ask", "vip"),
        e("vip", "hello-vip", "is-vip"),
        e("vip", "thanks"),
        e("thanks", "mark"),
        e("mark", "done"),
        e("hello-vip", "done"),
    ]
    flow = await bot.flow(nodes, edges, "KEYWORD", {"keywords": ["newsletter"], "match": "exact"})

    await bot.simulate(ANN, "Hello", name="Ann")  # no keyword: the AI slot (echo) answers
    assert await bot.said(ANN, 1) == ["Hello"]
    await bot.simulate(ANN, "NEWSLETTER!")
    assert (await bot.said(ANN, 2))[1] == "Hi Ann! Your email?"
    await bot.simulate(ANN, "not an address")
    assert (await bot.said(ANN, 3))[2] == "That is no email address - again?"
    await bot.simulate(ANN, "Ann@Example.com")
    texts = await bot.quiet(ANN, 4)
    assert texts[3] == "Thanks Ann, we write to ann@example.com."

    run = await bot.run_settled(flow["id"], status="COMPLETED")
    assert run["vars"] == {"email": "ann@example.com"} and run["endReason"] == "end"
    history = (await bot.get(f"/flows/runs/{run['id']}"))["history"]
    events = [(h["nodeId"], h["event"]) for h in history]
    assert ("ask", "invalid") in events and ("vip", "condition") in events
    contact = await bot.get(f"/contacts/{run['contactId']}")
    assert [x["name"] for x in contact["labels"]] == ["Lead"]
    conv = await bot.conversation_of(ANN)
    flow_msgs = [m for m in conv["messages"] if m["direction"] == "OUTBOUND"][1:]
    assert all(m["flowId"] == flow["id"] for m in flow_msgs)

    stats = await bot.get(f"/flows/{flow['id']}/stats")
    assert (stats["entered"], stats["completed"], stats["dropped"], stats["active"]) == (1, 1, 0, 0)
    visits = {c["nodeId"]: c["visits"] for c in stats["nodes"]}
    assert visits == {"start": 1, "ask": 1, "vip": 1, "thanks": 1, "mark": 1, "done": 1}

    await bot.simulate(ANN, "after the flow")  # the run ended: the AI slot answers again
    assert (await bot.said(ANN, 5))[4] == "after the flow"


async def test_welcome_menu_options_pick_by_number_or_text_and_assign(flow_bot: FlowBot) -> None:
    bot = flow_bot
    r = await bot.send("POST", "/flows", json={"template": "welcome-menu", "isActive": True})
    assert r.status_code == 201, r.text
    flow = r.json()
    assert flow["triggerType"] == "FIRST_MESSAGE" and flow["isActive"]

    await bot.simulate(ANN, "hello", name="Ann")
    (menu,) = await bot.said(ANN, 1)
    assert menu.startswith("Hi Ann! Welcome to Acme.")
    assert menu.endswith("1. Opening hours\n2. Talk to a person\n3. Something else")
    await bot.simulate(ANN, "maybe")  # no option: asked again
    await bot.said(ANN, 2)
    await bot.simulate(ANN, "opening HOURS")
    texts = await bot.quiet(ANN, 3)
    assert texts[2] == "We are open Monday to Friday, 9:00-17:00."

    await bot.simulate(BEN, "hi there", name="Ben")
    await bot.said(BEN, 1)
    await bot.simulate(BEN, "2")
    await bot.quiet(BEN, 1)  # assign: nothing more is said, a human takes over
    conv = await bot.conversation_of(BEN)
    assert conv["status"] == "WAITING_HUMAN" and conv["contact"]["humanTakeover"] is True
    run = (await bot.get("/flows/runs", conversationId=conv["id"]))["items"][0]
    assert run["status"] == "COMPLETED" and run["vars"] == {"choice": "Talk to a person"}
    notes = (await bot.get("/notifications"))["items"]
    assert any(x["type"] == "escalation_needed" for x in notes)

    await bot.simulate(ANN, "hello again")  # not a first message any more: echo
    assert (await bot.said(ANN, 4))[3] == "hello again"


async def test_delay_and_question_timeout_wake_up_once(flow_bot: FlowBot) -> None:
    bot = flow_bot
    nodes = [
        n("start", "trigger"),
        n("first", "message", text="First, {{vars.coupon}}"),
        n("wait", "delay", amount=5, unit="minutes"),
        n("ask", "question", text="Still there?", variableName="there", timeout=10),
        n("late", "message", text="Too late."),
        n("yes", "message", text="Great: {{vars.there}}"),
    ]
    edges = [
        e("start", "first"),
        e("first", "wait"),
        e("wait", "ask"),
        e("ask", "late", "timeout"),
        e("ask", "yes"),
    ]
    config = {"variables": ["coupon"]}
    flow = await bot.flow(nodes, edges, "API", config)
    await bot.simulate(ANN, "hi")  # the contact exists (echo)
    await bot.said(ANN, 1)
    contact = await bot.contact_id(ANN)
    run = await bot.trigger(flow["id"], contactId=contact, vars={"coupon": "SAVE5"})
    assert run["status"] == "ACTIVE" and run["waitingFor"] == "WAKE"
    assert (await bot.said(ANN, 2))[1] == "First, SAVE5"

    await bot.simulate(ANN, "hello?")  # during the delay the flow keeps the contact: no echo
    assert await bot.later(minutes=4) == 0
    await bot.quiet(ANN, 2)
    assert await bot.later(minutes=2) == 1  # the delay is over: exactly one wake-up
    assert await bot.later(seconds=1) == 0
    assert (await bot.quiet(ANN, 3))[2] == "Still there?"
    assert await bot.later(minutes=11) == 1  # no answer within 10 minutes: the timeout branch
    texts = await bot.quiet(ANN, 4)
    assert texts[3] == "Too late."
    run = await bot.run_settled(flow["id"], status="COMPLETED")
    history = (await bot.get(f"/flows/runs/{run['id']}"))["history"]
    assert ("wait", "message") in [(h["nodeId"], h["event"]) for h in history]
    # answering nobody, the flow's messages are queued as flow traffic (the send budget and
    # quiet hours hold them); the bot's echo answered the contact
    rows = await bot.db(
        lambda: Outbox.select(Outbox.kind, Outbox.message_id.content.as_alias("text"))
    )
    kinds = {r["text"]: r["kind"] for r in rows}
    flow_texts = ("First, SAVE5", "Still there?", "Too late.")
    assert {kinds.pop(t) for t in flow_texts} == {"flow"}
    assert set(kinds.values()) == {"reply"}


async def test_concurrent_wakeups_move_a_run_once(flow_bot: FlowBot) -> None:
    bot = flow_bot
    nodes = [
        n("start", "trigger"),
        n("wait", "delay", amount=1, unit="hours"),
        n("ping", "message", text="ping"),
    ]
    flow = await bot.flow(nodes, [e("start", "wait"), e("wait", "ping")])
    run = await bot.trigger(flow["id"], phone=BEN)
    await bot.advance(hours=2)
    runner = bot.api.container.flow_runner

    async def many() -> list[int]:
        return await asyncio.gather(*(runner.wake_due() for _ in range(8)))

    moved = await bot.db(many)
    assert sum(moved) == 1
    assert await bot.quiet(BEN, 1) == ["ping"]
    assert (await bot.get(f"/flows/runs/{run['id']}"))["status"] == "COMPLETED"
