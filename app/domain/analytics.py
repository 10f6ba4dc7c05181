"""What the analytics numbers mean, and the query window every analytics endpoint takes.

Counts are kept per UTC hour (`analytics_hourly`, one row per workspace, session, hour,
metric and dimension: additive, so a day or a week is the sum of its hours). A `Window` turns
`from`/`to`/`interval`/`tz` into buckets: hours stay hours; days and weeks (Monday first) are
cut in the workspace's time zone, each UTC hour falling into the local bucket its start lies
in (exact for whole-hour offsets; a half-hour zone is off by those 30 minutes at the edges).

Definitions shared by the API, the dashboard page and the overview cards:
- *bot-resolved*: a RESOLVED conversation in which no human sent a message AND the bot never
  escalated (no reply carrying an escalation reason, and it never waited for a human);
- *escalation*: a bot reply that handed the conversation to a person (`messages.escalation_reason`);
- *declined*: an escalation where the bot chose not to answer (low confidence, sensitive topic);
- *first response*: from a conversation's first inbound message to its first outbound one, by
  who sent that one (bot or human); *resolution time*: from the conversation's start to its
  `resolved_at`, bot-resolved vs not. Both are kept as histograms (`DURATION_EDGES_S`), so a
  percentile is the upper edge of the bucket it falls in ("p50 ≤ 30 s"); 7 days or more reads
  as 604800 (`LONGEST_S`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from app.domain.errors import DomainError
from app.domain.records import Model

HOUR = timedelta(hours=1)
# first-response and resolution histograms: upper edges in seconds (the last bucket is open)
DURATION_EDGES_S: tuple[int, ...] = (
    5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800,
)  # fmt: skip
OPEN_EDGE = "inf"
LONGEST_S = DURATION_EDGES_S[-1]
DECLINED = ("low_confidence", "sensitive")  # escalation reasons where the bot chose not to answer


class Interval(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"


# the longest range each interval may cover (a chart of more points is unreadable and slow)
MAX_RANGE = {
    Interval.HOUR: timedelta(days=14),
    Interval.DAY: timedelta(days=400),
    Interval.WEEK: timedelta(days=366 * 3),
}


class Metric(StrEnum):
    """The metrics of `analytics_hourly`; `dim` says which part of it a row counts."""

    MESSAGES = "messages"  # dim: CONTACT | BOT | HUMAN | AUTOMATED (`sender_dim`; by created_at)
    ESCALATIONS = "escalations"  # dim: the reason
    CONFIDENCE = "confidence"  # dim: decile "0".."9" of a bot answer's confidence
    SENTIMENT = "sentiment"  # dim: POSITIVE | NEUTRAL | NEGATIVE of inbound messages
    NEW_CONTACTS = "new_contacts"  # dim: ""
    CONVERSATIONS = "conversations"  # dim: new (a contact's first) | returning
    RESOLVED = "resolved"  # dim: bot | human (by resolved_at)
    APPROVALS = "approvals"  # dim: approved | edited | rejected (from the audit log)
    FIRST_RESPONSE = "first_response"  # dim: "bot:<edge>" | "human:<edge>"
    RESOLUTION_TIME = "resolution_time"  # dim: "bot:<edge>" | "human:<edge>"


# the bot's sends that answer nobody: broadcasts and the CSAT ask/thanks are not bot replies
# (the escalation rate's denominator), though they are messages sent
AUTOMATED_KINDS = frozenset({"broadcast", "csat"})


def sender_dim(sender_type: str, send_kind: str | None) -> str:
    """The MESSAGES dim of a message: its sender, with the bot's automated sends apart."""
    if sender_type == "BOT" and send_kind in AUTOMATED_KINDS:
        return "AUTOMATED"
    return sender_type


def duration_edge(seconds: float) -> str:
    """The histogram bucket (its upper edge) a duration falls in."""
    i = bisect_left(DURATION_EDGES_S, seconds)
    return str(DURATION_EDGES_S[i]) if i < len(DURATION_EDGES_S) else OPEN_EDGE


def percentile(histogram: dict[str, int], q: float) -> float | None:
    """The upper edge (seconds) of the bucket holding the q-quantile; None without data. Beyond
    the last edge it is that edge (`LONGEST_S`: "7 days or more") — JSON has no infinity."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = q * total
    seen = 0
    for edge in [*map(str, DURATION_EDGES_S), OPEN_EDGE]:
        seen += histogram.get(edge, 0)
        if seen >= rank:
            return float(LONGEST_S if edge == OPEN_EDGE else edge)
    return float(LONGEST_S)


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Berlin)"
        ) from exc


@dataclass(frozen=True, slots=True)
class Window:
    """A validated query window: [start, end) in UTC, cut into buckets of `interval` in `tz`."""

    start: datetime
    end: datetime
    interval: Interval
    tz: ZoneInfo
    session_id: str | None = None

    @classmethod
    def parse(
        cls,
        start: datetime | None,
        end: datetime | None,
        interval: str,
        tz: str,
        now: datetime,
        session_id: str | None = None,
    ) -> Window:
        """Check the parameters (400 with a reason); default: the last 30 days by day."""
        try:
            step = Interval(interval)
        except ValueError:
            raise DomainError(f"unknown interval {interval!r}: use hour, day or week") from None
        zone_ = zone(tz)
        end = _aware(end, zone_) if end is not None else now
        start = _aware(start, zone_) if start is not None else end - timedelta(days=30)
        if start >= end:
            raise DomainError("`from` must be before `to`")
        if end - start > MAX_RANGE[step]:
            days = MAX_RANGE[step].days
            raise DomainError(f"a range by {step.value} may span at most {days} days")
        return cls(start.astimezone(UTC), end.astimezone(UTC), step, zone_, session_id)

    def previous(self) -> Window:
        """The period of the same length just before (for the KPI cards' deltas)."""
        span = self.end - self.start
        return Window(self.start - span, self.start, self.interval, self.tz, self.session_id)

    @property
    def first_hour(self) -> datetime:
        return floor_hour(self.start)

    def bucket(self, hour: datetime) -> datetime:
        """The start (in `tz`) of the bucket an hour belongs to."""
        local = hour.astimezone(self.tz)
        if self.interval is Interval.HOUR:
            return local.replace(minute=0, second=0, microsecond=0)
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if self.interval is Interval.DAY:
            return day
        return (day - timedelta(days=day.weekday())).replace(tzinfo=None).replace(tzinfo=self.tz)

    def buckets(self) -> list[datetime]:
        """Every bucket start of the window, in order (empty buckets included: charts need 0s)."""
        seen: dict[datetime, None] = {}
        for hour in hours(self.first_hour, self.end):
            seen.setdefault(self.bucket(hour), None)
        return list(seen)


def hours(start: datetime, end: datetime) -> Iterator[datetime]:
    """UTC hour starts from `start` (floored) up to `end` (exclusive)."""
    hour = floor_hour(start)
    while hour < end:
        yield hour
        hour += HOUR


def _aware(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


@dataclass(frozen=True, slots=True)
class Count:
    """One aggregate cell: `value` of `metric`/`dim` in the UTC hour `hour`."""

    hour: datetime
    session_id: str
    metric: str
    dim: str
    value: int


def total(counts: Iterable[Count], metric: Metric, dim: str | None = None) -> int:
    return sum(c.value for c in counts if c.metric == metric and (dim is None or c.dim == dim))


# --- what the analytics service returns (camelCase on the wire) ---------------------------


class Point(Model):
    """One bucket of a chart: its local start and a value per series (None: no data)."""

    bucket: datetime
    values: dict[str, float | None]


class Chart(Model):
    """A time series: `series` names the values of every point, in display order."""

    from_: datetime = msgspec.field(name="from")
    to: datetime
    interval: str
    timezone: str
    series: list[str]
    points: list[Point]


class Kpi(Model):
    key: str
    label: str
    value: float | None
    previous: float | None  # the same figure over the period just before
    delta: float | None  # value - previous (None when either is missing)


class Overview(Model):
    from_: datetime = msgspec.field(name="from")
    to: datetime
    timezone: str
    kpis: list[Kpi]


class BotPerformance(Model):
    resolved: int
    resolved_by_bot: int
    resolution_rate: float | None  # resolved_by_bot / resolved; None when nothing resolved
    bot_replies: int
    escalations: int
    escalation_rate: float | None  # escalations / bot replies
    escalation_reasons: dict[str, int]
    declined: int  # escalations where the bot chose not to answer (DECLINED reasons)
    confidence: dict[str, int]  # decile "0.0-0.1" … "0.9-1.0" → bot answers
    approvals: dict[str, int]  # approved, edited, rejected
    funnel: list[tuple[str, int]]  # conversations → resolved → resolved by the bot
    csat: dict[str, int] | None  # "1"-"5" → CSAT ratings answered in the range (issue 17.4)
    chart: Chart
    csat_count: int = 0
    csat_average: float | None = None  # mean rating; None when nobody rated


class Percentiles(Model):
    count: int
    p50_s: float | None = msgspec.field(name="p50S")
    p90_s: float | None = msgspec.field(name="p90S")


class ResponseTime(Model):
    first_response: dict[str, Percentiles]  # bot | human
    resolution: dict[str, Percentiles]  # bot | human
    chart: Chart  # per bucket: p50 first response of the bot and of humans (seconds)


class Topic(Model):
    label: str  # the most central question of the cluster
    count: int
    unanswered: int  # questions the bot did not answer itself (escalated, a human, or nothing)
    examples: list[str]


class Topics(Model):
    sampled: int  # inbound questions clustered (the most recent, at most `limit`)
    topics: list[Topic]
