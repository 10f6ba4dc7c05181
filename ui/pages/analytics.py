"""`/dashboard/analytics` (seed §7, issue 17 item 3): KPI cards with their change from the
period before, five charts (NiceGUI's bundled ECharts, served by the app itself), the top
topics with "Add an FAQ", and a CSV of every chart's data.

Every number comes from `AnalyticsService` — the same definitions as the API and the
overview's cards (`app/domain/analytics.py`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from nicegui import ui

from app.domain import Actor, DomainError, Resource
from app.domain.analytics import LONGEST_S, BotPerformance, Chart, Kpi, ResponseTime, Topics
from app.services.analytics import Query
from ui import features
from ui.page import Viewer, dashboard_page
from ui.pages.knowledge.faqs import new_faq_dialog
from ui.state import container

INTERVALS = {"hour": "By hour", "day": "By day", "week": "By week"}
RATES = {"resolutionRate", "escalationRate"}
SENDER_COLOURS = {
    "contact": "#26a69a",
    "bot": "#5c6bc0",
    "human": "#ffa726",
    "automated": "#9e9e9e",  # broadcasts and CSAT: sent by the bot, not replies
}


def create() -> None:
    if not features.available("analytics"):  # no page until it works (ui/features.py)
        return

    @dashboard_page("/dashboard/analytics", "Analytics", Resource.ANALYTICS)
    async def analytics(viewer: Viewer) -> None:
        await AnalyticsPage(viewer.actor).start()


def _kpi_text(kpi: Kpi) -> tuple[str, str]:
    """The value and its change, as shown on a card."""

    def fmt(v: float | None) -> str:
        if v is None:
            return "—"
        if kpi.key in RATES:
            return f"{v:.0%}"
        if kpi.key.endswith("S"):
            return "≥ 7 d" if v >= LONGEST_S else f"≤ {_duration(v)}"
        return f"{v:,.0f}"

    if kpi.delta is None:
        return fmt(kpi.value), "no earlier data to compare"
    sign = "+" if kpi.delta > 0 else ""
    change = f"{sign}{kpi.delta:.0%} pts" if kpi.key in RATES else f"{sign}{kpi.delta:,.0f}"
    if kpi.key.endswith("S"):
        change = f"was {fmt(kpi.previous)}"
    return fmt(kpi.value), f"{change} vs the period before"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"


def _labels(chart: Chart) -> list[str]:
    fmt = "%d %b %H:00" if chart.interval == "hour" else "%d %b %Y"
    return [p.bucket.strftime(fmt) for p in chart.points]


def chart_csv(chart: Chart) -> str:
    """A chart's data as CSV: one row per bucket (its local start), one column per series."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["bucket", *chart.series])
    for p in chart.points:
        writer.writerow(
            [
                p.bucket.isoformat(),
                *("" if p.values[s] is None else p.values[s] for s in chart.series),
            ]
        )
    return out.getvalue()


def _rows_csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


class AnalyticsPage:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.services = container().services
        today = datetime.now(UTC).date()
        self.range = {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}
        self.interval = "day"
        self.body: ui.column | None = None

    async def start(self) -> None:
        with ui.row().classes("w-full items-center gap-3").mark("analytics-controls"):
            ui.label("Charts of your bot and your team, in your workspace's time zone.").classes(
                "text-grey-7 text-sm grow"
            )
            with ui.input("Dates").props("outlined dense readonly").classes("w-64") as picker:
                picker.mark("analytics-range")
                picker.value = self._range_text()
                with ui.menu().props("no-parent-event") as menu:
                    date = ui.date(value=dict(self.range)).props("range")
                    date.mark("analytics-date")

                    def picked(e: Any) -> None:
                        value = e.value
                        if isinstance(value, dict) and value.get("from") and value.get("to"):
                            self.range = {
                                "from": value["from"].replace("/", "-"),
                                "to": value["to"].replace("/", "-"),
                            }
                            picker.value = self._range_text()
                            menu.close()
                            ui.timer(0, self.refresh, once=True)

                    date.on_value_change(picked)
                with picker.add_slot("append"):
                    ui.icon("event").on("click", menu.open).classes("cursor-pointer")
            ui.select(
                INTERVALS, value=self.interval, on_change=lambda e: self._set_interval(e.value)
            ).props("outlined dense").classes("w-36").mark("analytics-interval")
        self.body = ui.column().classes("w-full gap-4").mark("analytics-body")
        await self.refresh()

    def _range_text(self) -> str:
        return f"{self.range['from']} – {self.range['to']}"

    async def _set_interval(self, value: str) -> None:
        self.interval = value
        await self.refresh()

    def _query(self) -> Query:
        start = datetime.combine(date.fromisoformat(self.range["from"]), time())
        end = datetime.combine(date.fromisoformat(self.range["to"]), time()) + timedelta(days=1)
        return Query(start=start, end=end, interval=self.interval)  # naive: the workspace's tz

    async def refresh(self) -> None:
        assert self.body is not None
        self.body.clear()
        query, a, s = self._query(), self.actor, self.services.analytics
        try:
            overview = await s.overview(a, query)
            messages = await s.messages(a, query)
            contacts = await s.contacts(a, query)
            bot = await s.bot_performance(a, query)
            sentiment = await s.sentiment(a, query)
            response = await s.response_time(a, query)
        except DomainError as exc:
            with self.body:
                ui.label(exc.detail).classes("text-negative").mark("analytics-error")
            return
        with self.body:
            self._kpis(overview.kpis)
            with ui.element("div").classes("w-full grid grid-cols-1 lg:grid-cols-2 gap-4"):
                self._volume(messages)
                self._contacts(contacts)
                self._funnel(bot)
                self._sentiment(sentiment)
                self._response(response)
                self._escalations(bot)
            # topics embed the questions (the model loads on first use): after the charts
            box = ui.column().classes("w-full").mark("topics-box")
            with box:
                ui.spinner().mark("topics-loading")
            ui.timer(0.05, lambda: self._fill_topics(query, box), once=True)

    async def _fill_topics(self, query: Query, box: ui.column) -> None:
        try:
            topics = await self.services.analytics.top_topics(self.actor, query)
        except DomainError as exc:
            topics, error = None, exc.detail
        box.clear()
        with box:
            if topics is None:
                ui.label(error).classes("text-negative")
            else:
                await self._topics(topics)

    def _kpis(self, kpis: list[Kpi]) -> None:
        grid = ui.element("div").classes("w-full grid grid-cols-2 md:grid-cols-4 gap-3")
        with grid.mark("analytics-kpis"):
            for kpi in kpis:
                value, change = _kpi_text(kpi)
                with ui.card().classes("gap-1 p-3").props("flat bordered").mark(f"akpi-{kpi.key}"):
                    ui.label(kpi.label).classes("text-sm text-grey-7")
                    ui.label(value).classes("text-2xl font-semibold").mark(f"akpi-{kpi.key}-value")
                    ui.label(change).classes("text-xs text-grey-6")

    def _card(self, title: str, key: str, csv_text: Callable[[], str]) -> ui.card:
        card = ui.card().classes("w-full gap-2").props("flat bordered").mark(f"chart-{key}")
        with card, ui.row().classes("w-full items-center"):
            ui.label(title).classes("text-base font-semibold grow")
            ui.button(
                "CSV",
                icon="download",
                on_click=lambda: ui.download.content(csv_text(), f"{key}.csv", "text/csv"),
            ).props("flat dense").mark(f"csv-{key}")
        return card

    def _volume(self, chart: Chart) -> None:
        with self._card("Messages by sender", "messages", lambda: chart_csv(chart)):
            series = [
                {
                    "name": name.title(),
                    "type": "bar",
                    "stack": "volume",
                    "color": SENDER_COLOURS[name],
                    "data": [p.values[name] for p in chart.points],
                }
                for name in ("contact", "bot", "human", "automated")
            ]
            _echart(_axes(chart, series)).mark("echart-messages")

    def _contacts(self, chart: Chart) -> None:
        with self._card("Contacts", "contacts", lambda: chart_csv(chart)):
            names = {
                "newContacts": "New contacts",
                "returningConversations": "Returning contacts' conversations",
            }
            series = [
                {"name": label, "type": "line", "smooth": True,
                 "data": [p.values[key] for p in chart.points]}
                for key, label in names.items()
            ]  # fmt: skip
            _echart(_axes(chart, series)).mark("echart-contacts")

    def _funnel(self, bot: BotPerformance) -> None:
        rate = "—" if bot.resolution_rate is None else f"{bot.resolution_rate:.0%}"
        rows = [[stage, count] for stage, count in bot.funnel]
        with self._card(
            "Bot performance", "bot-performance", lambda: _rows_csv(["stage", "count"], rows)
        ):
            ui.label(
                f"Resolved by the bot alone (no human message, no escalation): {rate}"
            ).classes("text-sm text-grey-8").mark("bot-resolution")
            if bot.csat_count:
                ui.label(
                    f"Customer rating (CSAT): {bot.csat_average:.1f} / 5 from "
                    f"{bot.csat_count} rating{'s' if bot.csat_count != 1 else ''}"
                ).classes("text-sm text-grey-8").mark("csat-summary")
            else:
                ui.label("Customer rating (CSAT): no ratings in this range").classes(
                    "text-sm text-grey-7"
                ).mark("csat-summary")
            _echart(
                {
                    "tooltip": {"trigger": "item"},
                    "series": [
                        {
                            "type": "funnel",
                            "sort": "none",
                            "label": {"formatter": "{b}: {c}"},
                            "data": [{"name": s, "value": c} for s, c in bot.funnel],
                        }
                    ],
                }
            ).mark("echart-funnel")

    def _sentiment(self, chart: Chart) -> None:
        with self._card("Sentiment of incoming messages", "sentiment", lambda: chart_csv(chart)):
            colours = {"positive": "#66bb6a", "neutral": "#bdbdbd", "negative": "#ef5350"}
            series = [
                {"name": name.title(), "type": "line", "stack": "s", "areaStyle": {},
                 "color": colour, "data": [p.values[name] for p in chart.points]}
                for name, colour in colours.items()
            ]  # fmt: skip
            _echart(_axes(chart, series)).mark("echart-sentiment")

    def _response(self, rt: ResponseTime) -> None:
        chart = rt.chart
        with self._card(
            "First response, bot vs human (p50)", "response-time", lambda: chart_csv(chart)
        ):
            parts = []
            for who in ("bot", "human"):
                p = rt.first_response[who]
                if p.count:
                    p50, p90 = _duration(p.p50_s or 0), _duration(p.p90_s or 0)
                    parts.append(f"{who}: p50 ≤ {p50}, p90 ≤ {p90} ({p.count})")
            ui.label(" · ".join(parts) or "No replies in this period.").classes(
                "text-sm text-grey-8"
            ).mark("response-summary")
            series = [
                {"name": f"{who.title()} (s)", "type": "bar",
                 "data": [p.values[f"{who}P50S"] for p in chart.points]}
                for who in ("bot", "human")
            ]  # fmt: skip
            _echart(_axes(chart, series)).mark("echart-response")

    def _escalations(self, bot: BotPerformance) -> None:
        rows = [
            [reason, n] for reason, n in sorted(bot.escalation_reasons.items(), key=lambda r: -r[1])
        ]
        with self._card(
            "Escalations by reason", "escalations", lambda: _rows_csv(["reason", "count"], rows)
        ):
            ui.label(
                f"{bot.escalations} of {bot.bot_replies} bot replies handed over "
                f"({bot.declined} declined to answer)"
            ).classes("text-sm text-grey-8")
            _echart(
                {
                    "tooltip": {"trigger": "item"},
                    "series": [
                        {"type": "pie", "radius": ["40%", "70%"],
                         "data": [{"name": r, "value": n} for r, n in rows]}
                    ],
                }
            ).mark("echart-escalations")  # fmt: skip

    async def _topics(self, topics: Topics) -> None:
        rows = [[t.label, t.count, t.unanswered] for t in topics.topics]
        kbs = []
        if self.actor.may(Resource.KNOWLEDGE, write=True):
            kbs = await self.services.knowledge.list(self.actor)
        header = ["topic", "questions", "not answered by the bot"]
        with self._card("Top topics", "top-topics", lambda: _rows_csv(header, rows)):
            ui.label(
                f"Questions of this period grouped by meaning ({topics.sampled} most recent); "
                "topics the bot did not answer come first — add them to your knowledge base."
            ).classes("text-sm text-grey-7")
            if not topics.topics:
                ui.label("No questions in this period.").classes("text-grey-7").mark("no-topics")
            for topic in topics.topics:
                with ui.row().classes("w-full items-center gap-3 no-wrap").mark("topic-row"):
                    with ui.column().classes("gap-0 grow min-w-0"):
                        ui.label(topic.label).classes("font-medium truncate").mark("topic-label")
                        others = [e for e in topic.examples if e != topic.label]
                        if others:
                            ui.label("also: " + " · ".join(others)).classes(
                                "text-xs text-grey-6 truncate"
                            )
                    ui.label(f"{topic.count} asked").classes("text-sm text-grey-8")
                    ui.badge(f"{topic.unanswered} unanswered").props(
                        f"color={'negative' if topic.unanswered else 'grey-5'}"
                    )
                    if kbs:
                        ui.button(
                            "Add an FAQ",
                            icon="add",
                            on_click=lambda t=topic: new_faq_dialog(self.actor, kbs[0], t.label),
                        ).props("flat dense").mark("add-faq")


def _axes(chart: Chart, series: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 48},
        "xAxis": {"type": "category", "data": _labels(chart)},
        "yAxis": {"type": "value"},
        "series": series,
    }


def _echart(options: dict[str, Any]) -> ui.echart:
    return ui.echart(options).classes("w-full h-64")
