"""`/api/v1/analytics/*` (seed §6; issue 17): every member may read them (analytics: R).

Each takes `from`, `to` (ISO 8601; without an offset: in the time zone), `interval`
(hour, day, week), `tz` (IANA; default: the workspace's) and `sessionId`; bad values are a 400
problem saying which. Definitions: `app/domain/analytics.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import QueryParameter

from app.api.controllers.deps import ActorDep, ServicesDep, provide_actor, provide_services
from app.auth import Resource
from app.domain.analytics import BotPerformance, Chart, Overview, ResponseTime, Topics
from app.services.analytics import Query

ANALYTICS = {"resource": Resource.ANALYTICS}
From = Annotated[datetime | None, QueryParameter(name="from")]
To = Annotated[datetime | None, QueryParameter(name="to")]
Step = Annotated[str, QueryParameter(name="interval", max_length=8)]
Zone = Annotated[str | None, QueryParameter(name="tz", max_length=64)]
Session = Annotated[str | None, QueryParameter(name="sessionId", max_length=36)]


def provide_query(
    start: From = None,
    end: To = None,
    interval: Step = "day",
    tz: Zone = None,
    session_id: Session = None,
) -> Query:
    """The five query parameters every analytics route shares, declared once (Litestar reads
    them from this dependency into each route's parameters and its OpenAPI entry)."""
    return Query(start=start, end=end, interval=interval, tz=tz, session_id=session_id)


class AnalyticsController(Controller):
    path = "/v1/analytics"
    tags = ["analytics"]
    dependencies = {
        "services": Provide(provide_services),
        "actor": Provide(provide_actor),
        "filters": Provide(provide_query, sync_to_thread=False),
    }

    @get("/overview", opt=ANALYTICS)
    async def overview(
        self,
        services: ServicesDep,
        actor: ActorDep,
        filters: Query,
    ) -> Overview:
        """The KPI cards with their change from the period just before."""
        return await services.analytics.overview(actor, filters)

    @get("/messages", opt=ANALYTICS)
    async def messages(
        self,
        services: ServicesDep,
        actor: ActorDep,
        filters: Query,
    ) -> Chart:
        """Message volume in and out, by sender (contact, bot, human)."""
        return await services.analytics.messages(actor, filters)

    @get("/contacts", opt=ANALYTICS)
    async def contacts(
        self,
        services: ServicesDep,
        actor: ActorDep,
        filters: Query,
    ) -> Chart:
        """New contacts; conversations opened by new vs returning contacts."""
        return await services.analytics.contacts(actor, filters)

    @get("/bot-performance", opt=ANALYTICS)
    async def bot_performance(
        self,
        services: ServicesDep,
        actor: ActorDep,
        filters: Query,
    ) -> BotPerformance:
        """Resolved by the bot (no human message, no escalation), escalations and reasons,
        confidence, declined answers, approvals."""
        return await services.analytics.bot_performance(actor, filters)

    @get("/sentiment", opt=ANALYTICS)
    async def sentiment(
        self,
        services: ServicesDep,
        actor: ActorDep,
        filters: Query,
    ) -> Chart:
        return await services.analytics.sentiment(actor, filters)

    @get("/top-topics", opt=ANALYTICS)
    async def top_topics(
        self,
        services: ServicesDep,
        actor: ActorDep,
        filters: Query,
        limit: Annotated[int, QueryParameter(ge=1, le=50)] = 10,
    ) -> Topics:
        """Clusters of inbound questions, unanswered first (what to add to the knowledge base)."""
        return await services.analytics.top_topics(actor, filters, limit)

    @get("/response-time", opt=ANALYTICS)
    async def response_time(
        self,
        services: ServicesDep,
        actor: ActorDep,
        filters: Query,
    ) -> ResponseTime:
        """First response and resolution time, bot vs human, p50/p90 (histogram edges)."""
        return await services.analytics.response_time(actor, filters)
