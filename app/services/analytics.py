"""The seven analytics endpoints (seed §6, issue 17): charts and KPIs of one workspace.

Every number comes from `repos.analytics` (one definition per metric, see
`app/domain/analytics.py`): stored hourly rows before the aggregation watermark, the raw rows
after it. Top topics are the exception — they cluster the window's inbound questions with the
knowledge base's embedding model at request time (a bounded sample, the most recent first).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from app.auth import Resource, guarded
from app.db.repos import analytics as repo
from app.db.repos import csat, workspace_settings
from app.domain import Actor, Clock
from app.domain.analytics import (
    DECLINED,
    BotPerformance,
    Chart,
    Count,
    Kpi,
    Metric,
    Overview,
    Percentiles,
    Point,
    ResponseTime,
    Topic,
    Topics,
    Window,
    percentile,
    total,
)
from app.embeddings import Embeddings

# the average cosine above which questions are one topic: e5 puts unrelated questions near
# 0.75-0.83 and paraphrases near 0.87-0.96; the hashing embedder (tests, demos) only sees
# shared words, so two paraphrases that share a third of their words are one topic there
TOPIC_THRESHOLD = {"e5": 0.85, "other": 0.3}


OVERVIEW_METRICS = (
    Metric.MESSAGES,
    Metric.NEW_CONTACTS,
    Metric.CONVERSATIONS,
    Metric.RESOLVED,
    Metric.ESCALATIONS,
    Metric.FIRST_RESPONSE,
)
BOT_METRICS = (
    Metric.MESSAGES,
    Metric.RESOLVED,
    Metric.ESCALATIONS,
    Metric.CONFIDENCE,
    Metric.APPROVALS,
    Metric.CONVERSATIONS,
)


@dataclass(frozen=True, slots=True)
class Query:
    """The analytics query as the caller gave it (validated into a `Window`)."""

    start: datetime | None = None
    end: datetime | None = None
    interval: str = "day"
    tz: str | None = None  # None: the workspace's time zone
    session_id: str | None = None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _by_bucket(window: Window, counts: list[Count]) -> dict[datetime, list[Count]]:
    out: dict[datetime, list[Count]] = {b: [] for b in window.buckets()}
    for c in counts:
        out.setdefault(window.bucket(c.hour), []).append(c)
    return out


def _histogram(counts: list[Count], metric: Metric, who: str) -> dict[str, int]:
    hist: dict[str, int] = defaultdict(int)
    for c in counts:
        if c.metric == metric and c.dim.startswith(f"{who}:"):
            hist[c.dim.split(":", 1)[1]] += c.value
    return dict(hist)


def _percentiles(counts: list[Count], metric: Metric, who: str) -> Percentiles:
    hist = _histogram(counts, metric, who)
    return Percentiles(
        count=sum(hist.values()), p50_s=percentile(hist, 0.5), p90_s=percentile(hist, 0.9)
    )


Series = Callable[[list[Count]], float | None]


def _sentiment_count(label: str) -> Series:
    return lambda cells: total(cells, Metric.SENTIMENT, label)


def _p50_series(who: str) -> Series:
    return lambda cells: percentile(_histogram(cells, Metric.FIRST_RESPONSE, who), 0.5)


def _chart(window: Window, counts: list[Count], series: Mapping[str, Series]) -> Chart:
    points = [
        Point(bucket=bucket, values={name: f(cells) for name, f in series.items()})
        for bucket, cells in _by_bucket(window, counts).items()
    ]
    return Chart(
        from_=window.start,
        to=window.end,
        interval=window.interval.value,
        timezone=str(window.tz),
        series=list(series),
        points=points,
    )


def _messages(dim: str) -> Callable[[list[Count]], float]:
    return lambda cells: total(cells, Metric.MESSAGES, dim)


def _outbound(cells: list[Count]) -> float:
    return sum(total(cells, Metric.MESSAGES, dim) for dim in ("BOT", "HUMAN", "AUTOMATED"))


def _resolution(counts: list[Count]) -> tuple[int, int]:
    by_bot = total(counts, Metric.RESOLVED, "bot")
    return by_bot, by_bot + total(counts, Metric.RESOLVED, "human")


class AnalyticsService:
    def __init__(self, clock: Clock, embeddings: Callable[[], Embeddings]) -> None:
        self._clock = clock
        self._embeddings = embeddings  # the knowledge base's model, loaded on first use

    async def _window(self, actor: Actor, query: Query) -> Window:
        tz = query.tz or (await workspace_settings.load(actor.workspace_id or "")).timezone
        return Window.parse(
            query.start, query.end, query.interval, tz, self._clock.now(), query.session_id
        )

    async def _counts(
        self, actor: Actor, window: Window, metrics: tuple[Metric, ...] = (), by_hour: bool = True
    ) -> list[Count]:
        """Stored hours before the watermark, raw rows after it (only `metrics`, or all)."""
        ws = actor.workspace_id or ""
        first, end = window.first_hour, window.end
        mark = await repo.watermark()
        counts: list[Count] = []
        names = tuple(m.value for m in metrics)
        if mark is not None and mark > first:
            counts += await repo.stored_counts(
                ws, first, min(mark, end), window.session_id, names, by_hour
            )
        tail = first if mark is None else max(first, mark)
        if tail < end:
            raw = (await repo.raw_counts(tail, end, ws)).get(ws, [])
            if window.session_id is not None:
                raw = [c for c in raw if c.session_id == window.session_id]
            if names:
                raw = [c for c in raw if c.metric in names]
            counts += raw
        return counts

    @guarded(Resource.ANALYTICS, write=False)
    async def overview(self, actor: Actor, query: Query) -> Overview:
        """The KPI cards: each figure, the same over the period before, and the change."""
        window = await self._window(actor, query)
        now = await self._counts(actor, window, OVERVIEW_METRICS, by_hour=False)
        before = await self._counts(actor, window.previous(), OVERVIEW_METRICS, by_hour=False)
        return Overview(
            from_=window.start,
            to=window.end,
            timezone=str(window.tz),
            kpis=[_kpi(key, label, f, now, before) for key, label, f in _KPIS],
        )

    @guarded(Resource.ANALYTICS, write=False)
    async def messages(self, actor: Actor, query: Query) -> Chart:
        """Volume in (contacts) and out (bot + humans), and by sender."""
        window = await self._window(actor, query)
        series = {
            "in": _messages("CONTACT"),
            "out": _outbound,
            "contact": _messages("CONTACT"),
            "bot": _messages("BOT"),
            "human": _messages("HUMAN"),
            "automated": _messages("AUTOMATED"),  # broadcasts, CSAT asks and thanks
        }
        return _chart(window, await self._counts(actor, window, (Metric.MESSAGES,)), series)

    @guarded(Resource.ANALYTICS, write=False)
    async def contacts(self, actor: Actor, query: Query) -> Chart:
        """New contacts, and conversations opened by new vs returning contacts."""
        window = await self._window(actor, query)
        series: dict[str, Callable[[list[Count]], float | None]] = {
            "newContacts": lambda cells: total(cells, Metric.NEW_CONTACTS),
            "newConversations": lambda cells: total(cells, Metric.CONVERSATIONS, "new"),
            "returningConversations": lambda cells: total(cells, Metric.CONVERSATIONS, "returning"),
        }
        metrics = (Metric.NEW_CONTACTS, Metric.CONVERSATIONS)
        return _chart(window, await self._counts(actor, window, metrics), series)

    @guarded(Resource.ANALYTICS, write=False)
    async def bot_performance(self, actor: Actor, query: Query) -> BotPerformance:
        window = await self._window(actor, query)
        counts = await self._counts(actor, window, BOT_METRICS)
        by_bot, resolved = _resolution(counts)
        replies = total(counts, Metric.MESSAGES, "BOT")
        escalations = total(counts, Metric.ESCALATIONS)
        reasons: dict[str, int] = defaultdict(int)
        for c in counts:
            if c.metric == Metric.ESCALATIONS:
                reasons[c.dim] += c.value
        declined = sum(v for r, v in reasons.items() if r.split(":")[0] in DECLINED)
        confidence = {
            f"{d / 10:.1f}-{(d + 1) / 10:.1f}": total(counts, Metric.CONFIDENCE, str(d))
            for d in range(10)
        }
        approvals = {
            k: total(counts, Metric.APPROVALS, k) for k in ("approved", "edited", "rejected")
        }
        conversations = total(counts, Metric.CONVERSATIONS)
        ratings = await csat.histogram(
            actor.workspace_id or "", window.start, window.end, window.session_id
        )
        rated = sum(ratings.values())
        chart = _chart(
            window,
            counts,
            {
                "resolvedByBot": lambda cells: total(cells, Metric.RESOLVED, "bot"),
                "resolvedWithHuman": lambda cells: total(cells, Metric.RESOLVED, "human"),
                "escalations": lambda cells: total(cells, Metric.ESCALATIONS),
                "resolutionRate": lambda cells: _rate(*_resolution(cells)),
            },
        )
        return BotPerformance(
            resolved=resolved,
            resolved_by_bot=by_bot,
            resolution_rate=_rate(by_bot, resolved),
            bot_replies=replies,
            escalations=escalations,
            escalation_rate=_rate(escalations, replies),
            escalation_reasons=dict(reasons),
            declined=declined,
            confidence=confidence,
            approvals=approvals,
            funnel=[
                ("conversations", conversations),
                ("resolved", resolved),
                ("resolved by the bot", by_bot),
            ],
            csat={str(k): v for k, v in ratings.items()},
            csat_count=rated,
            csat_average=round(sum(k * v for k, v in ratings.items()) / rated, 2)
            if rated
            else None,
            chart=chart,
        )

    @guarded(Resource.ANALYTICS, write=False)
    async def sentiment(self, actor: Actor, query: Query) -> Chart:
        """Inbound messages by detected sentiment, and the negative share."""
        window = await self._window(actor, query)

        def negative_share(cells: list[Count]) -> float | None:
            return _rate(total(cells, Metric.SENTIMENT, "NEGATIVE"), total(cells, Metric.SENTIMENT))

        series: dict[str, Series] = {
            s.lower(): _sentiment_count(s) for s in ("POSITIVE", "NEUTRAL", "NEGATIVE")
        }
        series["negativeShare"] = negative_share
        return _chart(window, await self._counts(actor, window, (Metric.SENTIMENT,)), series)

    @guarded(Resource.ANALYTICS, write=False)
    async def response_time(self, actor: Actor, query: Query) -> ResponseTime:
        window = await self._window(actor, query)
        metrics = (Metric.FIRST_RESPONSE, Metric.RESOLUTION_TIME)
        counts = await self._counts(actor, window, metrics)
        chart = _chart(
            window,
            counts,
            {f"{who}P50S": _p50_series(who) for who in ("bot", "human")},
        )
        return ResponseTime(
            first_response={
                w: _percentiles(counts, Metric.FIRST_RESPONSE, w) for w in ("bot", "human")
            },
            resolution={
                w: _percentiles(counts, Metric.RESOLUTION_TIME, w) for w in ("bot", "human")
            },
            chart=chart,
        )

    @guarded(Resource.ANALYTICS, write=False)
    async def top_topics(self, actor: Actor, query: Query, limit: int = 10) -> Topics:
        """Clusters of the window's inbound questions, unanswered topics first."""
        window = await self._window(actor, query)
        questions = await repo.recent_questions(actor.workspace_id or "", window)
        if not questions:
            return Topics(sampled=0, topics=[])
        model = await asyncio.to_thread(self._embeddings)
        vectors = await asyncio.to_thread(_embed, model, [q for q, _ in questions])
        threshold = TOPIC_THRESHOLD["e5" if "e5" in model.name.lower() else "other"]
        topics = _cluster(questions, vectors, threshold)
        topics.sort(key=lambda t: (t.unanswered == 0, -t.unanswered, -t.count, t.label))
        return Topics(sampled=len(questions), topics=topics[:limit])


def _embed(model: Embeddings, texts: Sequence[str]) -> np.ndarray:
    return np.asarray([model.embed_query(t) for t in texts], dtype=np.float32)


def _cluster(
    questions: list[tuple[str, bool]], vectors: np.ndarray, threshold: float
) -> list[Topic]:
    """Average-linkage clustering: merge the two topics whose questions are most similar on
    average while that average is at least `threshold` (a chain of near neighbours never
    drags two topics together). Labels are the questions nearest each topic's centroid."""
    sims = vectors @ vectors.T
    groups: list[list[int]] = [[i] for i in range(len(questions))]
    totals = sims.copy()  # totals[a, b]: the summed similarity between groups a and b
    alive = np.ones(len(groups), dtype=bool)
    while True:
        sizes = np.array([max(1, len(g)) for g in groups], dtype=np.float32)
        mean = totals / np.outer(sizes, sizes)
        mean[~alive, :] = -np.inf
        mean[:, ~alive] = -np.inf
        np.fill_diagonal(mean, -np.inf)
        a, b = np.unravel_index(int(np.argmax(mean)), mean.shape)
        if mean[a, b] < threshold:
            break
        groups[a] += groups[b]
        groups[b] = []
        alive[b] = False
        totals[a, :] += totals[b, :]
        totals[:, a] += totals[:, b]
    topics = []
    for idx in (g for g in groups if g):
        centroid = vectors[idx].mean(axis=0)
        order = sorted(idx, key=lambda i: -float(vectors[i] @ centroid))
        examples = list(dict.fromkeys(questions[i][0] for i in order))[:3]
        topics.append(
            Topic(
                label=examples[0][:120],
                count=len(idx),
                unanswered=sum(1 for i in idx if not questions[i][1]),
                examples=examples,
            )
        )
    return topics


def _first_response_p50(counts: list[Count]) -> float | None:
    hist = _histogram(counts, Metric.FIRST_RESPONSE, "bot")
    for edge, n in _histogram(counts, Metric.FIRST_RESPONSE, "human").items():
        hist[edge] = hist.get(edge, 0) + n
    return percentile(hist, 0.5)


_KPIS: list[tuple[str, str, Callable[[list[Count]], float | None]]] = [
    ("messagesIn", "Messages received", _messages("CONTACT")),
    ("messagesOut", "Messages sent", _outbound),
    ("newContacts", "New contacts", lambda c: total(c, Metric.NEW_CONTACTS)),
    ("conversations", "Conversations", lambda c: total(c, Metric.CONVERSATIONS)),
    ("resolutionRate", "Bot resolution rate", lambda c: _rate(*_resolution(c))),
    (
        "escalationRate",
        "Escalation rate",
        lambda c: _rate(total(c, Metric.ESCALATIONS), total(c, Metric.MESSAGES, "BOT")),
    ),
    ("firstResponseP50S", "First response (p50, s)", _first_response_p50),
]


def _kpi(
    key: str,
    label: str,
    f: Callable[[list[Count]], float | None],
    now: list[Count],
    before: list[Count],
) -> Kpi:
    value, previous = f(now), f(before)
    delta = None if value is None or previous is None else value - previous
    return Kpi(key=key, label=label, value=value, previous=previous, delta=delta)
