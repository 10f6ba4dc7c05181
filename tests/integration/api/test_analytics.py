"""The analytics API (issue 17 items 1-2) on generated rows whose numbers are known.

Two days of one workspace: four conversations — one the bot resolved alone, one where a person
replied after the bot escalated, one the bot escalated and nobody replied to before it was
resolved (NOT a bot success), one still open that a person answered. Every endpoint's figures
are checked, then the same again once the hourly aggregates hold them (and after an aggregation
run that died mid-transaction).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.db.repos import analytics as repo
from app.db.tables import (
    AnalyticsHourly,
    AuditLog,
    Contact,
    Conversation,
    Message,
    WhatsappSession,
)
from app.domain import ConversationStatus, Role, new_id
from app.jobs.analytics import aggregate_hours
from tests.integration.api.conftest import Account, Api

T0 = (datetime.now(UTC) - timedelta(days=10)).replace(hour=0, minute=0, second=0, microsecond=0)
H = timedelta(hours=1)
S = timedelta(seconds=1)


class At:
    """A clock stopped at one moment (the aggregation job's 'now')."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


async def _on_app(api: Api, call: Callable[[], Awaitable[Any]]) -> Any:
    """Database work on the app's loop (its SQLite connection / Postgres pool live there)."""
    portal = api.client.blocking_portal  # type: ignore[attr-defined]
    return await asyncio.to_thread(portal.call, call)


async def _seed(workspace_id: str) -> str:
    session = WhatsappSession(workspace_id=workspace_id, account_id="a1", channel="simulator")
    await WhatsappSession.insert(session)
    sid = session.id

    async def contact(created: datetime) -> str:
        cid = new_id()
        jid = f"{cid}@s.whatsapp.net"
        await Contact.insert(
            Contact(id=cid, workspace_id=workspace_id, session_id=sid, jid=jid,
                    phone_number="4915100000", created_at=created)
        )  # fmt: skip
        return cid

    async def conversation(contact_id: str, created: datetime, resolved: datetime | None) -> str:
        conv = new_id()
        status = ConversationStatus.OPEN if resolved is None else ConversationStatus.RESOLVED
        await Conversation.insert(
            Conversation(id=conv, workspace_id=workspace_id, session_id=sid,
                         contact_id=contact_id, status=status, resolved_at=resolved,
                         created_at=created)
        )  # fmt: skip
        return conv

    async def message(conv: str, at: datetime, sender: str, text: str, **extra: Any) -> None:
        direction = "INBOUND" if sender == "CONTACT" else "OUTBOUND"
        await Message.insert(
            Message(id=new_id(), workspace_id=workspace_id, conversation_id=conv,
                    session_id=sid, direction=direction, sender_type=sender, content=text,
                    created_at=at, **extra)
        )  # fmt: skip

    c1, c2 = await contact(T0 + H), await contact(T0 + H)
    c3 = await contact(T0 + 25 * H)
    # day 1: resolved by the bot alone (answered in 20 s, resolved after an hour)
    conv1 = await conversation(c1, T0 + H, T0 + 2 * H)
    await message(conv1, T0 + H, "CONTACT", "How much does delivery cost?", sentiment="POSITIVE")
    await message(conv1, T0 + H + 20 * S, "BOT", "Delivery is 4 EUR.", confidence=0.92)
    # day 1: the bot escalated (10 s), a person answered, resolved after two hours
    conv2 = await conversation(c2, T0 + H, T0 + 3 * H)
    await message(conv2, T0 + H, "CONTACT", "What does delivery cost to Spain?")
    await message(conv2, T0 + H + 10 * S, "BOT", "A colleague will reply.", confidence=0.3,
                  escalation_reason="low_confidence")  # fmt: skip
    await message(conv2, T0 + H + 600 * S, "HUMAN", "12 EUR to Spain.")
    # day 2: c1 returns; the bot escalates and nobody writes before it is resolved
    conv3 = await conversation(c1, T0 + 26 * H, T0 + 27 * H)
    await message(conv3, T0 + 26 * H, "CONTACT", "Are you open on Sunday?")
    await message(conv3, T0 + 26 * H + 5 * S, "BOT", "A colleague will reply.",
                  escalation_reason="sensitive:hours")  # fmt: skip
    # day 2: a new contact, answered by a person in two minutes, still open
    conv4 = await conversation(c3, T0 + 25 * H, None)
    await message(conv4, T0 + 25 * H, "CONTACT", "Is the shop open on Sunday?",
                  sentiment="NEGATIVE")  # fmt: skip
    await message(conv4, T0 + 25 * H + 120 * S, "HUMAN", "Yes, 10 to 14.")
    for action, edited in (("message.approve", True), ("message.reject", None)):
        await AuditLog.insert(
            AuditLog(workspace_id=workspace_id, action=action, created_at=T0 + 2 * H,
                     metadata={} if edited is None else {"edited": edited})
        )  # fmt: skip
    return sid


async def _get(api: Api, who: Account, path: str, **params: Any) -> Any:
    params = {"from": T0.isoformat(), "to": (T0 + 48 * H).isoformat(), **params}
    r = await api.client.get(f"/api/v1/analytics/{path}", params=params, headers=who.headers())
    assert r.status_code == 200, r.text
    return r.json()


def _column(chart: dict[str, Any], name: str) -> list[Any]:
    return [p["values"][name] for p in chart["points"]]


async def _everything(api: Api, who: Account) -> dict[str, Any]:
    paths = ["overview", "messages", "contacts", "bot-performance", "sentiment", "response-time"]
    return {p: await _get(api, who, p) for p in paths}


async def _check(api: Api, who: Account) -> dict[str, Any]:
    """Every endpoint's figures on the seeded rows (day buckets, UTC)."""
    got = await _everything(api, who)
    messages = got["messages"]
    assert [p["bucket"][:10] for p in messages["points"]] == [
        T0.date().isoformat(),
        (T0 + 24 * H).date().isoformat(),
    ]
    assert _column(messages, "in") == [2, 2]
    assert _column(messages, "bot") == [2, 1]
    assert _column(messages, "human") == [1, 1]
    assert _column(messages, "out") == [3, 2]
    contacts = got["contacts"]
    assert _column(contacts, "newContacts") == [2, 1]
    assert _column(contacts, "newConversations") == [2, 1]
    assert _column(contacts, "returningConversations") == [0, 1]
    bot = got["bot-performance"]
    assert (bot["resolved"], bot["resolvedByBot"]) == (3, 1)  # the escalated one is no success
    assert bot["resolutionRate"] == pytest.approx(1 / 3)
    assert (bot["botReplies"], bot["escalations"]) == (3, 2)
    assert bot["escalationRate"] == pytest.approx(2 / 3)
    assert bot["escalationReasons"] == {"low_confidence": 1, "sensitive:hours": 1}
    assert bot["declined"] == 2
    assert bot["confidence"]["0.9-1.0"] == 1 and bot["confidence"]["0.3-0.4"] == 1
    assert sum(bot["confidence"].values()) == 2
    assert bot["approvals"] == {"approved": 0, "edited": 1, "rejected": 1}
    assert bot["funnel"] == [["conversations", 4], ["resolved", 3], ["resolved by the bot", 1]]
    assert _column(bot["chart"], "resolutionRate") == [0.5, 0.0]
    sentiment = got["sentiment"]
    assert _column(sentiment, "positive") == [1, 0]
    assert _column(sentiment, "negative") == [0, 1]
    assert _column(sentiment, "negativeShare") == [0.0, 1.0]
    rt = got["response-time"]
    assert rt["firstResponse"]["bot"] == {"count": 3, "p50S": 10.0, "p90S": 30.0}
    assert rt["firstResponse"]["human"] == {"count": 1, "p50S": 120.0, "p90S": 120.0}
    assert rt["resolution"]["bot"] == {"count": 1, "p50S": 3600.0, "p90S": 3600.0}
    assert rt["resolution"]["human"] == {"count": 2, "p50S": 3600.0, "p90S": 7200.0}
    day2 = await _get(api, who, "overview", **{"from": (T0 + 24 * H).isoformat()})
    kpis = {k["key"]: k for k in day2["kpis"]}
    assert (kpis["newContacts"]["value"], kpis["newContacts"]["previous"]) == (1, 2)
    assert kpis["newContacts"]["delta"] == -1
    assert (kpis["resolutionRate"]["value"], kpis["resolutionRate"]["previous"]) == (0.0, 0.5)
    assert kpis["messagesIn"]["delta"] == 0
    return got


async def test_every_endpoint_counts_what_it_says_raw_and_aggregated(api_any_db: Api) -> None:
    api = api_any_db
    owner = await api.register()
    other = await api.register("Other", "Elsewhere")
    await _on_app(api, lambda: _seed(owner.workspace_id))
    await _on_app(api, lambda: _seed(other.workspace_id))  # must not leak into the owner's
    viewer = await api.member(owner, Role.VIEWER)
    raw = await _check(api, viewer)  # analytics: R for every role

    # an aggregation run that dies inside its transaction leaves nothing half-written
    real_insert = AnalyticsHourly.insert

    def crash(*rows: Any) -> Any:
        raise RuntimeError("killed mid-run")

    AnalyticsHourly.insert = crash  # type: ignore[method-assign,assignment]
    try:
        with pytest.raises(RuntimeError):
            await _on_app(api, lambda: aggregate_hours(At(T0 + 72 * H)))
    finally:
        AnalyticsHourly.insert = real_insert  # type: ignore[method-assign]
    assert await _on_app(api, repo.watermark) in (None, T0 + H)  # the first chunk rolled back
    assert await _check(api, owner) == raw

    stored = await _on_app(api, lambda: aggregate_hours(At(T0 + 72 * H)))
    assert stored > 48
    assert await _on_app(api, lambda: aggregate_hours(At(T0 + 72 * H))) == 0  # idempotent
    assert await _on_app(api, repo.watermark) == T0 + 72 * H - H
    assert await _check(api, owner) == raw  # now read from the hourly rows

    # stored rows equal the raw counts hour by hour (and a rerun of the hours changes nothing)
    start, end = T0, T0 + 71 * H
    fresh = await _on_app(api, lambda: repo.raw_counts(start, end, owner.workspace_id))
    kept = await _on_app(api, lambda: repo.stored_counts(owner.workspace_id, start, end))
    assert sorted(map(repr, fresh[owner.workspace_id])) == sorted(map(repr, kept))
    await _on_app(api, lambda: repo.replace_hours(start, end, fresh))
    assert await _check(api, owner) == raw


async def test_buckets_follow_the_time_zone_and_the_session(api: Api) -> None:
    owner = await api.register()
    sid = await _on_app(api, lambda: _seed(owner.workspace_id))
    # New York is UTC-5 in winter: T0 + 1 h is 20:00 the evening before
    ny = await _get(api, owner, "messages", tz="America/New_York")
    assert sum(_column(ny, "in")) == 4
    first = ny["points"][0]
    assert first["bucket"].endswith("-05:00") or first["bucket"].endswith("-04:00")
    assert first["values"]["in"] == 2
    hourly = await _get(api, owner, "messages", interval="hour")
    assert len(hourly["points"]) == 48 and sum(_column(hourly, "in")) == 4
    weekly = await _get(api, owner, "messages", interval="week")
    assert sum(_column(weekly, "in")) == 4
    assert sum(_column(await _get(api, owner, "messages", sessionId=sid), "in")) == 4
    assert sum(_column(await _get(api, owner, "messages", sessionId="nope"), "in")) == 0


async def test_top_topics_group_paraphrases_unanswered_first(api: Api) -> None:
    owner = await api.register()
    await _on_app(api, lambda: _seed(owner.workspace_id))
    body = await _get(api, owner, "top-topics")
    assert body["sampled"] == 4
    topics = body["topics"]
    # fake (hashing) embedder: the two delivery questions share words, as do the Sunday ones
    assert sorted(t["count"] for t in topics) == [2, 2]
    first, second = topics
    assert "Sunday" in first["label"] and first["unanswered"] == 2  # nobody-but-a-human topic
    assert "delivery" in second["label"] and second["unanswered"] == 1
    assert len(first["examples"]) == 2


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "before"),
        ({"interval": "month"}, "interval"),
        ({"tz": "Mars/Olympus"}, "time zone"),
        ({"interval": "hour", "from": "2026-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "14"),
        ({"from": "yesterday"}, ""),
    ],
)
async def test_bad_parameters_are_a_400_problem(
    api: Api, params: dict[str, str], says: str
) -> None:
    owner = await api.register()
    for path in ("overview", "messages", "top-topics"):
        r = await api.client.get(
            f"/api/v1/analytics/{path}", params=params, headers=owner.headers()
        )
        assert r.status_code == 400, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert says in r.json()["detail"]


async def test_late_changes_to_stored_hours_are_recounted(api: Api) -> None:
    """A stored hour is recomputed when something in it changes later: the hourly run looks
    back a day, the day's run (03:00 UTC) a week — never past the shortest retention."""
    owner = await api.register()
    await _on_app(api, lambda: _seed(owner.workspace_id))
    assert await _on_app(api, lambda: aggregate_hours(At(T0 + 72 * H))) > 48
    before = await _get(api, owner, "bot-performance")
    assert (before["resolved"], before["resolvedByBot"]) == (3, 1)

    async def late_changes() -> None:
        # day 1's bot success gets a person's message; day 2's resolution is reopened
        conv1, conv3 = (
            await Conversation.select(Conversation.id)
            .where(Conversation.workspace_id == owner.workspace_id)
            .where(Conversation.resolved_at.is_not_null())
            .order_by(Conversation.created_at)
            .output(as_list=True)
        )[0:3:2]
        first = await Message.objects().get(Message.conversation_id == conv1)
        await Message.insert(
            Message(id=new_id(), workspace_id=owner.workspace_id, conversation_id=conv1,
                    session_id=first.session_id, direction="OUTBOUND", sender_type="HUMAN",
                    content="Anything else?", created_at=T0 + H + 900 * S)
        )  # fmt: skip
        await Conversation.update(
            {Conversation.status: ConversationStatus.OPEN, Conversation.resolved_at: None}
        ).where(Conversation.id == conv3)

    await _on_app(api, late_changes)
    # the next hourly run (01:00) looks back 24 h: day 1 and day 2 are older, still as stored
    assert await _on_app(api, lambda: aggregate_hours(At(T0 + 73 * H + 10 * 60 * S))) == 2
    stale = await _get(api, owner, "bot-performance")
    assert (stale["resolved"], stale["resolvedByBot"]) == (3, 1)
    # the day's run (03:00) looks back 6 days: both changes counted, stored == raw again
    assert await _on_app(api, lambda: aggregate_hours(At(T0 + 75 * H + 10 * 60 * S))) == 2
    after = await _get(api, owner, "bot-performance")
    assert (after["resolved"], after["resolvedByBot"]) == (2, 0)
    assert await _on_app(api, repo.watermark) == T0 + 75 * H
    start, end = T0, T0 + 75 * H
    fresh = await _on_app(api, lambda: repo.raw_counts(start, end, owner.workspace_id))
    kept = await _on_app(api, lambda: repo.stored_counts(owner.workspace_id, start, end))
    assert sorted(map(repr, fresh[owner.workspace_id])) == sorted(map(repr, kept))
