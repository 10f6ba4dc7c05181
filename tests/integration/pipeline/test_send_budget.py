"""The send budget holds in the running app (issue 15.1): 200 concurrent chats get at most the
per-minute budget (counted from the outbox's slot times, with the app's injected clock moved
forward instead of waiting), in real time too at a small limit; a ban signal, a rate-limit
answer and a spike of failures pause the number until someone resumes it."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.db.repos.outbox import Draft, target_for
from app.db.repos.resolver import ensure_contact
from app.db.tables import Contact, Notification, Outbox
from app.domain import OutboxStatus, SessionStatus
from app.domain.phones import jid_of
from app.domain.sending import SendKind
from tests.integration.api.conftest import PASSWORD
from tests.integration.bots import Bot, eventually


async def _budget(bot: Bot, **limits: object) -> dict:  # type: ignore[type-arg]
    r = await bot.send("PATCH", f"/whatsapp/sessions/{bot.session_id}/budget", json=limits)
    assert r.status_code == 200, r.text
    return r.json()


async def _slots(bot: Bot) -> list[datetime]:
    rows = await bot.db(
        lambda: Outbox.select(Outbox.slot_at).where(Outbox.status == OutboxStatus.SENT)
    )
    return sorted(r["slot_at"] for r in rows)


def _most_in_a_minute(times: list[datetime]) -> int:
    """The most sends in any 60 s window [t, t + 60 s)."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - timedelta(seconds=60):
            start += 1
        best = max(best, end - start + 1)
    return best


async def _sent(bot: Bot, n: int) -> bool:
    return len(bot.phone.sent) >= n


@pytest.mark.slow
async def test_200_concurrent_chats_get_at_most_60_replies_a_minute(bot_any_db: Bot) -> None:
    bot = bot_any_db
    await _budget(bot, perMinute=60)
    senders = [f"+49176{n:08d}" for n in range(200)]
    await asyncio.gather(*(bot.simulate(s, f"hello {i}") for i, s in enumerate(senders)))
    for minute in range(1, 4):
        await eventually(lambda m=minute: _sent(bot, 60 * m), timeout=60)
        await asyncio.sleep(0.3)  # the dispatcher is free to send more now, if it would
        assert len(bot.phone.sent) == 60 * minute
        bot.api.clock.advance(timedelta(seconds=61))  # the window and its slack (SLACK_S)
    await eventually(lambda: _sent(bot, 200), timeout=60)
    await asyncio.sleep(0.2)
    slots = await _slots(bot)
    assert len(slots) == len(bot.phone.sent) == 200
    assert _most_in_a_minute(slots) == 60
    view = await bot.get(f"/whatsapp/sessions/{bot.session_id}/budget")
    assert view["sentToday"] == 200 and view["perMinute"] == 60


async def test_a_small_limit_holds_in_real_time(bot: Bot) -> None:
    await _budget(bot, perMinute=5)
    await asyncio.gather(*(bot.simulate(f"+49176{n:08d}", "hi") for n in range(12)))
    await eventually(lambda: _sent(bot, 5))
    await asyncio.sleep(2.0)  # real seconds: nothing more within the minute
    assert len(bot.phone.sent) == 5
    times = [s.timestamp for s in bot.phone.sent]
    assert max(times) - min(times) < timedelta(seconds=2)
    pending = await bot.db(lambda: Outbox.count().where(Outbox.status == OutboxStatus.PENDING))
    assert pending == 7
    view = await bot.get(f"/whatsapp/sessions/{bot.session_id}/budget")
    assert view["sentLastMinute"] == 5


async def _paused(bot: Bot) -> dict | None:  # type: ignore[type-arg]
    view = await bot.get(f"/whatsapp/sessions/{bot.session_id}/budget")
    return view if view["paused"] else None


async def _notices(bot: Bot) -> list[dict]:  # type: ignore[type-arg]
    rows = await bot.db(lambda: Notification.select().where(Notification.type == "sending_paused"))
    return rows


async def _resume(bot: Bot) -> None:
    r = await bot.send("POST", f"/whatsapp/sessions/{bot.session_id}/resume")
    assert r.status_code == 201, r.text
    assert r.json()["paused"] is False


async def test_a_ban_signal_pauses_the_number_until_resumed_by_hand(bot: Bot) -> None:
    await bot.db(lambda: bot.phone.report(SessionStatus.BANNED, "temporary_ban"))
    view = await eventually(lambda: _paused(bot))
    assert "banned" in view["pauseReason"]
    assert len(await _notices(bot)) == 1
    bot.phone.status = SessionStatus.CONNECTED  # the ban is over; the number is still paused
    await bot.simulate("+4917600000001", "anyone there?")
    await asyncio.sleep(0.5)
    assert bot.phone.sent == []
    await _resume(bot)
    await eventually(lambda: _sent(bot, 1))
    assert bot.sent_texts() == ["anyone there?"]


async def test_a_rate_limit_answer_pauses_at_once(bot: Bot) -> None:
    bot.phone.fail_with = RuntimeError("SendMessage: server returned error 429: rate-overlimit")
    await bot.simulate("+4917600000001", "one")
    view = await eventually(lambda: _paused(bot))
    assert "rate limit" in view["pauseReason"]
    bot.phone.fail_with = None
    await _resume(bot)
    await eventually(lambda: _sent(bot, 1), timeout=15)  # the retry, 2 s after the failure


async def test_a_spike_of_failures_pauses_and_notifies(bot: Bot) -> None:
    bot.phone.fail_with = RuntimeError("SendMessage: internal server error")
    for n in range(6):
        await bot.simulate(f"+49176{n:08d}", "hello")
    view = await eventually(lambda: _paused(bot))
    assert "5 messages failed within 10 minutes" in view["pauseReason"]
    notices = await _notices(bot)
    assert len(notices) == 1
    bot.phone.fail_with = None
    await _resume(bot)
    await eventually(lambda: _sent(bot, 6), timeout=20)


async def test_budget_settings_are_validated(bot: Bot) -> None:
    path = f"/whatsapp/sessions/{bot.session_id}/budget"
    for body in ({"perMinute": 0}, {"perMinute": 5000}, {"warmupDays": 0}, {"nope": 1}):
        r = await bot.send("PATCH", path, json=body)
        assert r.status_code in (400, 422), (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    view = await _budget(bot, perDay=200, coldPerDay=20, warmupEnabled=True, warmupStartPerDay=10)
    assert view["limitToday"] == 10 and view["warmup"] == {"day": 0, "days": 14, "startPerDay": 10}
    view = await _budget(bot, perDay=None, warmupEnabled=None)
    assert view["perDay"] == 100_000 and view["warmup"] is None  # test profile's default


async def _later(bot: Bot, delta: timedelta) -> None:
    """Move the app's clock on (days, hours) and sign in again: the access token expired."""
    bot.api.clock.advance(delta)
    r = await bot.api.client.post(
        "/api/v1/auth/login", json={"email": bot.owner.email, "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    bot.owner.access = r.json()["accessToken"]


async def _send_first(bot: Bot, to: str, text: str) -> None:
    r = await bot.send(
        "POST", f"/whatsapp/sessions/{bot.session_id}/send", json={"to": to, "text": text}
    )
    assert r.status_code == 202, r.text


async def test_the_daily_budget_and_the_warm_up_hold_what_we_start(bot: Bot) -> None:
    view = await _budget(bot, perDay=100, warmupEnabled=True, warmupStartPerDay=2, warmupDays=10)
    assert view["limitToday"] == 2 and view["warmup"]["day"] == 0
    for n in range(4):
        await _send_first(bot, f"+49176{n:08d}", f"offer {n}")
    await eventually(lambda: _sent(bot, 2))
    await bot.simulate("+4917699999999", "a question")  # replies always go
    await eventually(lambda: _sent(bot, 3))
    await asyncio.sleep(0.3)
    assert bot.sent_texts() == ["offer 0", "offer 1", "a question"]
    view = await bot.get(f"/whatsapp/sessions/{bot.session_id}/budget")
    assert view["sentToday"] == 3 and view["limitToday"] == 2 and view["coldToday"] == 2
    await _later(bot, timedelta(days=5))  # day 5 of the ramp: 2 + 98 * 5 / 10 = 51
    await eventually(lambda: _sent(bot, 5))
    view = await bot.get(f"/whatsapp/sessions/{bot.session_id}/budget")
    assert view["limitToday"] == 51 and view["sentToday"] == 2


async def test_the_cold_cap_holds_messages_to_people_who_never_wrote(bot: Bot) -> None:
    await _budget(bot, coldPerDay=1)
    await bot.simulate("+4917600000009", "hi")  # wrote before: not cold
    await eventually(lambda: _sent(bot, 1))
    for to in ("+4917600000001", "+4917600000002", "+4917600000009"):
        await _send_first(bot, to, f"news for {to}")
    await eventually(lambda: _sent(bot, 3))
    await asyncio.sleep(0.3)
    assert sorted(bot.sent_texts()[1:]) == ["news for +4917600000001", "news for +4917600000009"]


async def test_quiet_hours_defer_everything_but_replies(bot: Bot) -> None:
    berlin = bot.api.clock.now().astimezone(ZoneInfo("Europe/Berlin"))
    start, end = berlin - timedelta(hours=1), berlin + timedelta(hours=1)
    r = await bot.send("PATCH", "/settings", json={
        "timezone": "Europe/Berlin", "quietHoursEnabled": True,
        "quietHoursStart": start.strftime("%H:%M"), "quietHoursEnd": end.strftime("%H:%M"),
    })  # fmt: skip
    assert r.status_code == 200, r.text
    await _send_first(bot, "+4917600000001", "a late offer")
    await bot.simulate("+4917600000002", "are you open?")
    await eventually(lambda: _sent(bot, 1))
    await asyncio.sleep(0.3)
    assert bot.sent_texts() == ["are you open?"]
    view = await bot.get(f"/whatsapp/sessions/{bot.session_id}/budget")
    assert view["quietHoursNow"] is True
    await _later(bot, timedelta(hours=2))
    await eventually(lambda: _sent(bot, 2))
    assert bot.sent_texts()[-1] == "a late offer"
    r = await bot.send("PATCH", "/settings", json={"timezone": "Mars/Olympus"})
    assert r.status_code == 422 and "time zone" in r.json()["detail"]


async def _queue(bot: Bot, phone: str, text: str, kind: SendKind) -> None:
    """What a flow or a broadcast does: `Outbox.enqueue` to a contact (made here)."""
    container = bot.api.container

    async def enqueue() -> None:
        now = container.clock.now()
        ws, jid = bot.owner.workspace_id, jid_of(phone)
        contact, _ = await ensure_contact(ws, bot.session_id, jid, now)
        target = await target_for(ws, bot.session_id, contact["id"], jid, now)
        await container.outbox.enqueue(target, [Draft(text)], kind=kind)

    await bot.db(enqueue)


async def test_replies_go_before_human_flow_send_first_and_broadcast_traffic(bot: Bot) -> None:
    await bot.simulate("+4917600000005", "hello")  # E writes and gets the echo reply
    await eventually(lambda: _sent(bot, 1))
    conversation = (await bot.conversation_of("+4917600000005"))["id"]
    r = await bot.send("POST", f"/whatsapp/sessions/{bot.session_id}/pause")
    assert r.status_code == 201 and r.json()["paused"]
    await _queue(bot, "+4917600000001", "broadcast", SendKind.BROADCAST)
    await _send_first(bot, "+4917600000002", "send-first")
    await _queue(bot, "+4917600000003", "flow", SendKind.FLOW)
    r = await bot.send("POST", f"/conversations/{conversation}/messages", json={"text": "human"})
    assert r.status_code == 201, r.text
    await bot.simulate("+4917600000004", "reply")
    await asyncio.sleep(0.3)
    assert len(bot.phone.sent) == 1  # paused: all five wait
    await _budget(bot, perMinute=1)
    bot.api.clock.advance(timedelta(seconds=61))
    await _resume(bot)
    for n in range(2, 7):
        await eventually(lambda n=n: _sent(bot, n))
        await asyncio.sleep(0.2)
        assert len(bot.phone.sent) == n  # one a minute
        bot.api.clock.advance(timedelta(seconds=61))
    assert bot.sent_texts()[1:] == ["reply", "human", "flow", "send-first", "broadcast"]


async def test_enqueue_commits_or_rolls_back_with_the_callers_transaction(bot: Bot) -> None:
    container = bot.api.container

    async def in_transaction(fail: bool) -> None:
        now = container.clock.now()
        ws, jid = bot.owner.workspace_id, jid_of("+4917600000001")
        async with Outbox._meta.db.transaction():
            contact, _ = await ensure_contact(ws, bot.session_id, jid, now)
            target = await target_for(ws, bot.session_id, contact["id"], jid, now)
            written = await container.outbox.enqueue(
                target, [Draft("part 1"), Draft("part 2")], kind=SendKind.BROADCAST
            )
            if fail:
                raise RuntimeError("the recipient row could not be marked")
        container.outbox.announce(ws, written)

    with pytest.raises(RuntimeError):
        await bot.db(lambda: in_transaction(True))
    assert await bot.db(lambda: Outbox.count()) == 0
    assert await bot.db(lambda: Contact.count()) == 0
    await bot.db(lambda: in_transaction(False))
    await eventually(lambda: _sent(bot, 2))
    assert bot.sent_texts() == ["part 1", "part 2"]
    rows = await bot.db(lambda: Outbox.select(Outbox.kind, Outbox.cold, Outbox.priority))
    assert rows == [{"kind": "broadcast", "cold": True, "priority": 4}] * 2
