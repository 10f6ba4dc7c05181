"""The send budget's arithmetic (app/domain/sending.py), without a database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from app.domain.sending import (
    SPAN_S,
    Budget,
    BudgetConfig,
    BudgetDefaults,
    BudgetLimits,
    Ledger,
    QuietHours,
    SendKind,
    Warmup,
)

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SPAN = timedelta(seconds=SPAN_S)  # 60 s and the slack for a send starting after its slot
LIMITS = BudgetLimits(per_minute=3, per_day=5, cold_per_day=2)
H = NOON + timedelta(minutes=2)  # a horizon far enough for spaced slots


def _budget(ledger: Ledger, now: datetime = NOON, **kw) -> Budget:  # type: ignore[no-untyped-def]
    return Budget(kw.pop("limits", LIMITS), ledger, now, **kw)


def test_at_most_per_minute_slots_in_any_sixty_seconds() -> None:
    ledger = Ledger()
    b = _budget(ledger)
    got = [b.grant(SendKind.REPLY, False, NOON + timedelta(seconds=i)) for i in range(5)]
    assert got[:3] == [NOON, NOON + timedelta(seconds=1), NOON + timedelta(seconds=2)]
    assert got[3:] == [None, None]
    assert b.full_until == NOON + SPAN  # when the first slot leaves the window
    assert _budget(ledger, NOON + timedelta(seconds=60)).grant(SendKind.REPLY, False, NOON) is None
    later = _budget(ledger, NOON + SPAN)
    assert later.grant(SendKind.REPLY, False, later.now) == later.now
    assert later.grant(SendKind.REPLY, False, later.now) is None  # slot 2 still in the window


def test_a_full_window_grants_the_freed_slot_within_the_horizon_only() -> None:
    ledger = Ledger(slots=[NOON.timestamp()] * 3)
    at = NOON + timedelta(seconds=58)
    b = _budget(ledger, at)
    assert b.grant(SendKind.REPLY, False, at) is None  # frees at +60, no horizon given
    horizon = at + timedelta(seconds=3)
    assert b.grant(SendKind.REPLY, False, at, horizon) == NOON + SPAN


def test_slots_never_go_back_in_time() -> None:
    b = _budget(Ledger())
    late = b.grant(SendKind.REPLY, False, NOON + timedelta(seconds=4))  # a long typing time
    early = b.grant(SendKind.REPLY, False, NOON)
    assert late == early == NOON + timedelta(seconds=4)


def test_the_daily_budget_holds_what_we_start_but_never_replies() -> None:
    limits = BudgetLimits(per_minute=100, per_day=2, cold_per_day=10)
    b = _budget(Ledger(), limits=limits)
    assert b.grant(SendKind.BROADCAST, False, NOON, H)
    assert b.grant(SendKind.SEND_FIRST, False, NOON, H)
    assert b.grant(SendKind.FLOW, False, NOON, H) is None
    assert b.max_priority() == SendKind.HUMAN.priority
    assert b.grant(SendKind.REPLY, False, NOON) and b.grant(SendKind.HUMAN, False, NOON)
    assert b.ledger.day_sent == 4  # replies count toward "sent today"
    tomorrow = _budget(b.ledger, NOON + timedelta(days=1), limits=limits)
    assert tomorrow.ledger.day_sent == 0 and tomorrow.grant(SendKind.BROADCAST, False, NOON)


def test_cold_messages_have_their_own_cap() -> None:
    limits = BudgetLimits(per_minute=100, per_day=100, cold_per_day=1)
    b = _budget(Ledger(), limits=limits)
    assert b.grant(SendKind.SEND_FIRST, True, NOON, H)
    assert not b.cold_ok() and b.grant(SendKind.SEND_FIRST, True, NOON, H) is None
    assert b.grant(SendKind.SEND_FIRST, False, NOON, H)  # someone who wrote before


def test_warm_up_ramps_from_start_to_the_daily_budget() -> None:
    ramp = Warmup(start_per_day=50, days=14)
    assert [ramp.limit(d, 1000) for d in (0, 1, 7, 13, 14, 30)] == [50, 117, 525, 932, 1000, 1000]
    limits = BudgetLimits(per_minute=60, per_day=1000, cold_per_day=30, warmup=ramp)
    linked = NOON - timedelta(days=7)
    assert _budget(Ledger(), limits=limits, linked_at=linked).day_limit == 525
    assert _budget(Ledger(), limits=limits).day_limit == 50  # linked today (or not yet)
    # a session's own settings over the defaults; warm-up is off for a simulator by default
    config = BudgetConfig(per_day=200, warmup_days=2)
    real = config.resolve(BudgetDefaults(), simulator=False)
    assert real.per_day == 200 and real.warmup == Warmup(50, 2) and real.per_minute == 60
    assert config.resolve(BudgetDefaults(), simulator=True).warmup is None


def test_quiet_hours_hold_non_replies_in_the_workspace_time_zone() -> None:
    quiet = QuietHours(time(21), time(8))
    evening = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # 22:30 in Berlin (CET)
    b = _budget(Ledger(), evening, timezone="Europe/Berlin", quiet=quiet)
    assert b.quiet and b.max_priority() == SendKind.HUMAN.priority
    assert b.grant(SendKind.BROADCAST, False, evening) is None
    assert b.grant(SendKind.REPLY, False, evening) == evening
    assert b.next_opening() == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # 08:00 Berlin
    day = _budget(Ledger(), NOON, timezone="Europe/Berlin", quiet=quiet)
    assert not day.quiet and day.grant(SendKind.BROADCAST, False, NOON)
    assert QuietHours(time(13), time(14)).active(NOON.replace(hour=13, minute=59))


def test_a_paused_number_sends_nothing_and_a_refund_frees_the_slot() -> None:
    assert _budget(Ledger(), paused=True).max_priority() is None
    assert _budget(Ledger(), paused=True).grant(SendKind.REPLY, False, NOON) is None
    b = _budget(Ledger(), limits=BudgetLimits(per_minute=3, per_day=5, cold_per_day=5))
    slots = [b.grant(SendKind.SEND_FIRST, True, NOON, H) for _ in range(3)]
    assert slots == [NOON + timedelta(seconds=s) for s in (0, 20, 40)]  # spaced: 60 s / 3
    assert b.grant(SendKind.REPLY, False, NOON) is None
    b.refund(slots[0], cold=True)  # type: ignore[arg-type]
    assert b.ledger.day_sent == 2 and b.ledger.day_cold == 2
    assert b.grant(SendKind.REPLY, False, NOON) == NOON + timedelta(seconds=40)  # not back


def test_what_we_start_goes_evenly_and_a_reply_takes_the_next_free_slot() -> None:
    limits = BudgetLimits(per_minute=60, per_day=1000, cold_per_day=1000)
    b = _budget(Ledger(), limits=limits)
    horizon = NOON + timedelta(seconds=3)
    got = [b.grant(SendKind.BROADCAST, False, NOON, horizon) for _ in range(5)]
    assert got == [NOON + timedelta(seconds=s) for s in (0, 1, 2, 3)] + [None]  # one a second
    assert b.full_until == NOON + timedelta(seconds=4)
    assert b.grant(SendKind.REPLY, False, NOON) == NOON + timedelta(seconds=3)  # no spacing
    assert b.grant(SendKind.BROADCAST, False, NOON) is None  # no horizon: not ahead of time


def test_priorities() -> None:
    order = sorted(SendKind, key=lambda k: k.priority)
    assert order == [
        SendKind.REPLY,
        SendKind.HUMAN,
        SendKind.FLOW,
        SendKind.CSAT,  # the rating ask after resolve: like a flow's message
        SendKind.SEND_FIRST,
        SendKind.BROADCAST,
    ]
    assert [k.conversational for k in order] == [True, True, False, False, False, False]
