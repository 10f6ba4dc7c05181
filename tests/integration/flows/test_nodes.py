"""Each node type end to end through the simulator: a customer's messages in, the flow's
messages out, the run's state and counters in the API."""

from __future__ import annotations

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
    events = [(h["nodeId"], h["event"]) for h in run["history"]]
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
