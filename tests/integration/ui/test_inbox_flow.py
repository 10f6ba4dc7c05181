"""The inbox shows the flow a contact is in ("in flow X at node Y"), live from `flow:run`,
and an agent stops the run from the thread."""

from __future__ import annotations

from app.domain import Role
from app.schemas.flows import FlowCreateBody, NodeBody
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.inbox_helpers import click, eventually, shop
from tests.integration.ui.test_inbox import _replied


async def test_thread_shows_the_run_live_and_an_agent_stops_it(dashboard: Dashboard) -> None:
    s = await shop(dashboard)
    body = FlowCreateBody(
        name="Signup",
        trigger_type="KEYWORD",
        trigger_config={"keywords": ["join"], "match": "exact"},
        nodes=[
            NodeBody(id="start", type="trigger"),
            NodeBody(id="ask", type="question", data={"text": "Name?", "variableName": "n"}),
        ],
        edges=[{"id": "e", "source": "start", "target": "ask"}],  # type: ignore[list-item]
        is_active=True,
    )
    flow = await s.services.flows.create(s.actor, body)
    await s.simulate("hello")
    conv = await _replied(s)
    await dashboard.member(s.owner, "agnes@example.com", Role.AGENT)
    user = await dashboard.signed_in("agnes@example.com")
    with user:
        from ui import session

        session.choose_workspace(s.actor.workspace_id or "")
    await user.open(f"/dashboard/inbox/{conv.id}")
    await user.should_see(marker="bubble-bot")
    await user.should_not_see(marker="flow-banner")

    await s.simulate("JOIN")  # the run starts while the thread is open: the banner appears
    await user.should_see("In flow “Signup” at node ask (question)")
    await user.should_see("waiting for the contact's answer")
    await click(user, "flow-stop")
    await user.should_not_see(marker="flow-banner")

    async def stopped() -> bool:
        runs = await s.services.flow_runs.list(s.actor, flow.id)
        return runs.items[0].status == "STOPPED"

    await eventually(stopped)
