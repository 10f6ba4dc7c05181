"""The flow builder's pages on the NiceGUI User fixture (the canvas itself — drag, connect,
undo — runs in the browser: tests/e2e/test_flow_builder.py). The canvas's own events
(`change` with the document, `select` with a node id) are sent as canvas.js sends them."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.domain import Role
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.inbox_helpers import click, eventually, shop
from ui.pages.flows.listing import BLANK, create_flow


def _doc(with_edge: bool) -> dict[str, Any]:
    nodes = [
        {"id": "trigger", "type": "trigger", "position": {"x": 0, "y": 0}, "data": {}},
        {"id": "message-1", "type": "message", "position": {"x": 260, "y": 0}, "data": {}},
    ]
    edge = {"id": "e1", "source": "trigger", "target": "message-1", "sourceHandle": "default"}
    return {"nodes": nodes, "edges": [edge] if with_edge else []}


async def test_new_flow_from_a_starter_then_the_list_switch(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/flows")
    await user.should_see(marker="no-flows")
    await click(user, "new-flow")
    await user.should_see(marker="new-flow-choice")
    with user:
        (choice,) = user.find(marker="new-flow-choice").elements
        # blank, and the three starters the API offers
        assert list(choice.options) == [BLANK, "welcome-menu", "lead-capture", "order-status"]
        choice.value = "welcome-menu"
    user.find(marker="new-flow-create").click()
    await user.should_see(marker="flow-canvas")
    (flow,) = (await s.services.flows.list(s.actor)).items
    assert flow.name == "Welcome menu" and flow.node_count == 7 and not flow.is_active

    await user.open("/dashboard/flows")
    await user.should_see(marker=f"flow-{flow.id}")
    await user.should_see("entered")
    with user:
        (switch,) = user.find(marker="flow-active").elements
        switch.value = True

    async def active() -> bool:
        return bool((await s.services.flows.get(s.actor, flow.id)).is_active)

    await eventually(active)


async def test_the_panel_edits_problems_show_then_save_and_activate(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    flow = await create_flow(s.actor, BLANK)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/flows/{flow.id}")
    await user.should_see(marker="flow-canvas")
    await user.should_see("Select a step to edit it.")
    canvas = user.find(marker="flow-canvas")

    canvas.trigger("select", {"id": "trigger"})  # the trigger node edits the flow's trigger
    await user.should_see(marker="field-keywords")
    user.find(marker="field-keywords").type("hello, hi")
    canvas.trigger("change", _doc(with_edge=False))  # a message dropped, not connected yet
    await user.should_see("problems")  # the live check: unreachable, nothing to send, …
    canvas.trigger("select", {"id": "message-1"})
    await user.should_see(marker="field-text")
    user.find(marker="field-text").type("Hi {{contact.name}}!")
    with user:
        (element,) = canvas.elements
        nodes = element.doc["nodes"]  # the edit went to the canvas (and to its copy here)
    assert nodes[1]["data"] == {"text": "Hi {{contact.name}}!"}
    canvas.trigger("change", {"nodes": nodes, "edges": _doc(with_edge=True)["edges"]})
    await user.should_not_see("problem")
    await user.should_see("Unsaved changes")

    await click(user, "save")
    await user.should_see("Saved · version 2")
    saved = await s.services.flows.get(s.actor, flow.id)
    assert saved.trigger_config == {"keywords": ["hello", "hi"], "match": "exact"}
    assert [(e.source, e.target) for e in saved.edges] == [("trigger", "message-1")]
    assert saved.nodes[1].data == {"text": "Hi {{contact.name}}!"}
    with user:
        (switch,) = user.find(marker="active").elements
        switch.value = True
    await user.should_see("Active: the flow now starts runs")
    assert (await s.services.flows.get(s.actor, flow.id)).is_active

    # an active flow stays valid: a save that breaks it is refused, problems on the nodes
    canvas.trigger("change", _doc(with_edge=False))
    await click(user, "save")
    await user.should_see("Not saved")
    assert (await s.services.flows.get(s.actor, flow.id)).version == 2


async def test_an_agent_sees_flows_read_only(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    flow = await create_flow(s.actor, "order-status")
    await dashboard.member(s.owner, "agnes@example.com", Role.AGENT)
    user = await dashboard.signed_in("agnes@example.com")
    await user.open("/dashboard")
    with user:
        from ui import session

        session.choose_workspace(s.actor.workspace_id or "")
    await user.open("/dashboard/flows")
    await user.should_see(marker=f"flow-{flow.id}")
    await user.should_not_see(marker="new-flow")
    await user.open(f"/dashboard/flows/{flow.id}")
    await user.should_see(marker="flow-canvas")
    await user.should_not_see(marker="save")
    with user:
        (canvas,) = user.find(marker="flow-canvas").elements
        assert canvas.props["readonly"] is True
        assert not [b for b in user.find(ui.button).elements if b.text == "Save"]


async def test_every_node_type_has_its_form(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    flow = await create_flow(s.actor, BLANK)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/flows/{flow.id}")
    await user.should_see(marker="flow-canvas")
    canvas = user.find(marker="flow-canvas")
    forms = {  # a node of each type → a field its form must show
        "message": "field-buttons",
        "question": "field-validation",
        "ai": "field-knowledgeBaseId",
        "condition": "condition-0",
        "delay": "field-unit",
        "tag": "field-labelId",
        "webhook": "field-headers",
        "assign": "field-userId",
        "end": None,
    }
    nodes = [{"id": "trigger", "type": "trigger", "position": {"x": 0, "y": 0}, "data": {}}]
    nodes += [
        {"id": kind, "type": kind, "position": {"x": 0, "y": 0}, "data": {}} for kind in forms
    ]
    nodes[4]["data"] = {"conditions": [{"id": "c1", "field": "businessHours", "operator": "open"}]}
    canvas.trigger("change", {"nodes": nodes, "edges": []})
    for kind, marker in forms.items():
        canvas.trigger("select", {"id": kind})
        await user.should_see(f"{kind.capitalize()} · {kind}")
        if marker:
            await user.should_see(marker=marker)
    canvas.trigger("select", {"id": "trigger"})  # each trigger type draws its settings
    await user.should_see(marker="field-triggerType")
    for kind, marker in (
        ("LABEL_ADDED", "field-labelId"),
        ("INBOUND_MEDIA", "field-mediaTypes"),
        ("SCHEDULED", "field-cron"),
        ("API", "field-variables"),
        ("KEYWORD", "field-match"),
    ):
        with user:
            (box,) = user.find(marker="field-triggerType").elements
            box.value = kind
        await user.should_see(marker=marker)
