"""`/dashboard/analytics` on the generated rows of the API test (known numbers): the KPI cards,
the charts' data, the topics with "Add an FAQ" (the FAQ dialog, prefilled), and a chart's CSV."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from nicegui import ui

from app.domain import Actor, Role
from app.domain.analytics import Chart, Point
from tests.integration.api.test_analytics import T0, _seed
from tests.integration.ui.conftest import Dashboard
from ui.pages.analytics import chart_csv


async def test_page_shows_the_numbers_and_turns_a_topic_into_an_faq(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    await _seed(owner.workspace.id)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/analytics")
    await user.should_see(marker="analytics-kpis")
    shown = {"messagesIn": "4", "newContacts": "3", "conversations": "4", "resolutionRate": "33%"}
    for key, value in shown.items():
        with user:
            (label,) = user.find(marker=f"akpi-{key}-value").elements
            assert label.text == value, (key, label.text)
    await user.should_see("Resolved by the bot alone (no human message, no escalation): 33%")
    with user:
        (volume,) = user.find(marker="echart-messages").elements
        stacks = {s["name"]: sum(v or 0 for v in s["data"]) for s in volume.options["series"]}
        assert stacks == {"Contact": 4, "Bot": 3, "Human": 2, "Automated": 0}
        (funnel,) = user.find(marker="echart-funnel").elements
        assert [d["value"] for d in funnel.options["series"][0]["data"]] == [4, 3, 1]
    await user.should_see(marker="add-faq")  # topics come after the charts
    with user:
        found = user.find(marker="topic-label").elements
        labels = [e.text for e in sorted(found, key=lambda e: e.id)]
    assert labels[0].startswith(("Are you open", "Is the shop open"))  # unanswered first
    user.find(marker="add-faq").click()  # the lowest id: the first topic's button
    await user.should_see(marker="faq-dialog")
    with user:
        (question,) = user.find(marker="faq-question-input").elements
        assert question.value == labels[0]
    user.find(marker="faq-answer-input").type("Sundays 10 to 14.")
    user.find(marker="faq-save").click()
    await user.should_not_see(marker="faq-dialog")
    # a range of the second day only, by week: the cards follow the picker
    day2 = (T0 + timedelta(days=1)).date().isoformat()
    with user:
        (picker,) = user.find(marker="analytics-date").elements
        picker.value = {"from": day2.replace("-", "/"), "to": day2.replace("-", "/")}
    await user.should_see(f"{day2} – {day2}")
    user.find(marker="analytics-interval").elements.pop().value = "week"

    async def received() -> str:
        with user:
            found = user.find(marker="akpi-messagesIn-value").elements
            return next(iter(found)).text if found else ""

    for _ in range(100):
        if await received() == "2":
            break
        await asyncio.sleep(0.05)
    assert await received() == "2"  # day 2 alone: two questions
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    services = dashboard.container.services
    (kb,) = await services.knowledge.list(actor)
    faqs = await services.faqs.list(actor, kb.id)
    assert [f.question for f in faqs] == [labels[0]]


def test_csv_has_a_row_per_bucket_and_a_column_per_series() -> None:
    chart = Chart(
        from_=T0, to=T0, interval="day", timezone="UTC", series=["in", "rate"],
        points=[Point(bucket=T0, values={"in": 2, "rate": None})],
    )  # fmt: skip
    assert chart_csv(chart).splitlines() == ["bucket,in,rate", f"{T0.isoformat()},2,"]
    assert ui  # the page module imports NiceGUI's echart (bundled, served locally)
