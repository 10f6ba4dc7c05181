"""The per-number send budget (issue 15, DESIGN §8 "Sending"): which outbound message may go
out now — pure arithmetic over one WhatsApp session's budget state.

`app/db/repos/send_budget.py` applies it where the outbox rows are claimed, writing the
ledger atomically with the claimed rows and only over the budget row's version it read (or
with the row locked), so concurrent dispatchers, nodes and restarts cannot exceed it. The rules:

- **per minute**: at most `per_minute` sends in any 60 s. The recent slot times are kept and
  slots never go back in time, so "the per_minute-th latest slot is at least 60 s (+ a small
  slack for the event loop's lag, `SLACK_S`) before this one" is the whole test of a sliding
  window.
- **per day** (the workspace's local day): replies to a customer who is writing now (`reply`,
  `human`) always go, and count; what we start ourselves (`flow`, `send_first`, `broadcast`)
  waits for the next day once the day's sends reach the day's limit — `per_day`, or less on
  the warm-up ramp of a newly linked number.
- **cold messages** (to a contact who never wrote to us) have their own daily cap.
- **quiet hours** (workspace time zone) hold everything that is not a reply.
- a **paused** number sends nothing until someone resumes it.

Priority (who gets a free slot first) is the kind's: a reply before a human's message before
flow traffic before send-first before broadcast traffic.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from app.domain.records import Model

WINDOW_S = 60.0  # the per-minute window
# A send starts a little after its slot (the event loop's lag). Spacing the (per_minute + 1)-th
# slot 60 s + SLACK_S after the first keeps any 60 s of *real* send starts within the budget as
# long as each starts within SLACK_S of its slot; one that would start later is given back and
# claimed again (the dispatcher). The price: per_minute per 60.25 s at full load (−0.4 %).
SLACK_S = 0.25
SPAN_S = WINDOW_S + SLACK_S


class SendKind(StrEnum):
    """Why a message goes out; decides its priority and which limits hold it."""

    REPLY = "reply"  # the bot (or an approved draft) answering a customer who wrote
    HUMAN = "human"  # an agent's message in a conversation
    FLOW = "flow"  # a flow's message that no inbound triggered (a delay waking up)
    SEND_FIRST = "send_first"  # POST /whatsapp/sessions/{id}/send, "New conversation"
    BROADCAST = "broadcast"
    CSAT = "csat"  # the satisfaction ask after resolve, and the thanks for a rating (issue 17)

    @property
    def priority(self) -> int:
        """0 goes first."""
        return _PRIORITY[self]

    @property
    def conversational(self) -> bool:
        """Part of a live conversation: exempt from quiet hours and the daily cap."""
        return self.priority <= CONVERSATIONAL_PRIORITY


_PRIORITY = {
    SendKind.REPLY: 0,
    SendKind.HUMAN: 1,
    SendKind.FLOW: 2,
    SendKind.CSAT: 2,  # like a flow's: it waits out quiet hours and the daily budget
    SendKind.SEND_FIRST: 3,
    SendKind.BROADCAST: 4,
}
CONVERSATIONAL_PRIORITY = 1  # kinds up to this priority are replies
LOWEST_PRIORITY = max(_PRIORITY.values())


@dataclass(frozen=True, slots=True)
class Warmup:
    """A newly linked number starts at `start_per_day` and reaches the full daily budget
    after `days` days, in equal steps."""

    start_per_day: int
    days: int

    def limit(self, day_index: int, per_day: int) -> int:
        if day_index >= self.days or self.start_per_day >= per_day:
            return per_day
        step = (per_day - self.start_per_day) * max(day_index, 0) / self.days
        return self.start_per_day + int(step)


@dataclass(frozen=True, slots=True)
class BudgetLimits:
    """A session's limits, resolved (its own settings over the server defaults)."""

    per_minute: int
    per_day: int
    cold_per_day: int
    warmup: Warmup | None = None


@dataclass(frozen=True, slots=True)
class BudgetDefaults:
    """The server's defaults (`Settings.send_*`), used where a session set nothing."""

    per_minute: int = 60  # seed §14: "WA send: 60 messages/min per session"
    per_day: int = 1000
    cold_per_day: int = 30
    warmup_start_per_day: int = 50
    warmup_days: int = 14


@dataclass(frozen=True, slots=True)
class BudgetConfig:
    """A session's own settings; None = the server default (warm-up: on for a real number,
    off for a simulator)."""

    per_minute: int | None = None
    per_day: int | None = None
    cold_per_day: int | None = None
    warmup_enabled: bool | None = None
    warmup_start_per_day: int | None = None
    warmup_days: int | None = None

    def warmup_on(self, *, simulator: bool) -> bool:
        return self.warmup_enabled if self.warmup_enabled is not None else not simulator

    def ramp(self, defaults: BudgetDefaults) -> Warmup:
        """The warm-up ramp these settings describe (whether or not it is on)."""
        return Warmup(
            _or(self.warmup_start_per_day, defaults.warmup_start_per_day),
            _or(self.warmup_days, defaults.warmup_days),
        )

    def resolve(self, defaults: BudgetDefaults, *, simulator: bool) -> BudgetLimits:
        return BudgetLimits(
            per_minute=_or(self.per_minute, defaults.per_minute),
            per_day=_or(self.per_day, defaults.per_day),
            cold_per_day=_or(self.cold_per_day, defaults.cold_per_day),
            warmup=self.ramp(defaults) if self.warmup_on(simulator=simulator) else None,
        )


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


@dataclass(frozen=True, slots=True)
class QuietHours:
    """From `start` to `end` local time (an end before the start runs past midnight)."""

    start: time
    end: time

    def active(self, local: datetime) -> bool:
        t = local.time()
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def ends_after(self, local: datetime) -> datetime:
        """The first moment after `local` when quiet hours are over."""
        end = datetime.combine(local.date(), self.end, tzinfo=local.tzinfo)
        return end if end > local else end + timedelta(days=1)


def parse_hhmm(value: str, where: str) -> time:
    """`"21:30"` → time; ValueError naming `where` otherwise."""
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        raise ValueError(f'{where}: expected "HH:MM", got {value!r}') from None
    if len(value) != 5 or parsed.second or parsed.microsecond:
        raise ValueError(f'{where}: expected "HH:MM", got {value!r}')
    return parsed


@dataclass(slots=True)
class Ledger:
    """What the budget row remembers: recent slots (epoch seconds, ascending) and the day's
    counts (`day` is the workspace-local date they belong to)."""

    slots: list[float] = field(default_factory=list)
    day: str = ""
    day_sent: int = 0
    day_cold: int = 0


class Budget:
    """One claim's view of a session's budget at `now`; `grant` and `refund` change `ledger`,
    which the caller writes back in the same transaction."""

    def __init__(
        self,
        limits: BudgetLimits,
        ledger: Ledger,
        now: datetime,
        *,
        timezone: str = "UTC",
        linked_at: datetime | None = None,
        quiet: QuietHours | None = None,
        paused: bool = False,
    ) -> None:
        self.limits = limits
        self.ledger = ledger
        self.now = now
        self.paused = paused
        zone = _zone(timezone)
        self.local = now.astimezone(zone)
        self.quiet = quiet is not None and quiet.active(self.local)
        self.quiet_until = quiet.ends_after(self.local) if quiet and self.quiet else None
        today = self.local.date()
        since = (linked_at or now).astimezone(zone).date()
        self.warmup_day = (today - since).days if limits.warmup is not None else None
        if ledger.day != today.isoformat():
            ledger.day, ledger.day_sent, ledger.day_cold = today.isoformat(), 0, 0
        # slots are ascending; only the per_minute latest within a span can ever decide
        slots = ledger.slots[-limits.per_minute :]
        ledger.slots = slots[bisect_right(slots, now.timestamp() - SPAN_S) :]
        self.full_until: datetime | None = None  # set when the minute window refused a slot

    @property
    def day_limit(self) -> int:
        warmup = self.limits.warmup
        if warmup is None or self.warmup_day is None:
            return self.limits.per_day
        return warmup.limit(self.warmup_day, self.limits.per_day)

    def max_priority(self) -> int | None:
        """The lowest priority that may get a slot now; None when nothing may (paused)."""
        if self.paused:
            return None
        if self.quiet or self.ledger.day_sent >= self.day_limit:
            return CONVERSATIONAL_PRIORITY
        return LOWEST_PRIORITY

    def cold_ok(self) -> bool:
        return self.ledger.day_cold < self.limits.cold_per_day

    def minute_free(self, by: datetime) -> bool:
        """The minute window has a slot by `by` (a cheap test before reading any row)."""
        blocker = self._window_blocker(by.timestamp())
        if blocker is not None:
            self.full_until = _utc(blocker + SPAN_S)
        return blocker is None

    def grant(
        self, kind: SendKind, cold: bool, earliest: datetime, horizon: datetime | None = None
    ) -> datetime | None:
        """A slot at `earliest`, or later: never before the latest slot, and — when the
        minute window is full then — when it frees one, if that is by `horizon`. None when
        the row must wait (`full_until` says till when, if the minute window is the reason)."""
        if self.paused:
            return None
        if not kind.conversational:
            if self.quiet or self.ledger.day_sent >= self.day_limit:
                return None
            if cold and not self.cold_ok():
                return None
        slots = self.ledger.slots
        at = max(earliest.timestamp(), slots[-1] if slots else 0.0)
        if not kind.conversational and slots:
            # what we start ourselves goes evenly, one per 60/per_minute s (seed §13: a
            # broadcast at 1/s at 60/min), never in a burst that fills the minute: a customer
            # who writes meanwhile waits for the next free slot, not for the next minute
            spaced = slots[-1] + WINDOW_S / self.limits.per_minute
            if spaced > at and (horizon is None or spaced > horizon.timestamp()):
                self.full_until = _utc(spaced)
                return None
            at = max(at, spaced)
        blocker = self._window_blocker(at)
        if blocker is not None:
            frees = blocker + SPAN_S
            if horizon is None or frees > horizon.timestamp():
                self.full_until = _utc(frees)
                return None
            at = frees
        slots.append(round(at, 6))
        self.ledger.day_sent += 1
        self.ledger.day_cold += 1 if cold else 0
        return _utc(at)

    def refund(self, slot: datetime, cold: bool) -> None:
        """Give back a slot that was granted but not used (nothing reached WhatsApp)."""
        value = round(slot.timestamp(), 6)
        if value in self.ledger.slots:
            self.ledger.slots.remove(value)
        if slot.astimezone(self.local.tzinfo).date().isoformat() == self.ledger.day:
            self.ledger.day_sent = max(0, self.ledger.day_sent - 1)
            if cold:
                self.ledger.day_cold = max(0, self.ledger.day_cold - 1)

    def _window_blocker(self, at: float) -> float | None:
        """The slot that keeps `at` out of the window (the per_minute-th latest), if any."""
        slots, limit = self.ledger.slots, self.limits.per_minute
        if len(slots) < limit:
            return None
        oldest = slots[-limit]
        return oldest if oldest > at - SPAN_S else None

    def next_opening(self) -> datetime | None:
        """When a row held back by this budget may go (the dispatcher's next look)."""
        times = [t for t in (self.full_until, self.quiet_until) if t is not None]
        if self.ledger.day_sent >= self.day_limit and not self.paused:
            tomorrow = datetime.combine(self.local.date() + timedelta(days=1), time(0))
            times.append(tomorrow.replace(tzinfo=self.local.tzinfo).astimezone(UTC))
        return min(times) if times else None

    def sent_last_minute(self) -> int:
        """Slots in (now − 60 s, now] (later ones are planned)."""
        now, slots = self.now.timestamp(), self.ledger.slots
        return bisect_right(slots, now) - bisect_right(slots, now - WINDOW_S)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")  # checked when saved; a stale name must not stop sending


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def local_day(now: datetime, timezone: str) -> date:
    return now.astimezone(_zone(timezone)).date()


class WarmupView(Model, kw_only=True):
    day: int  # days since the number was linked (0 = the day it was linked)
    days: int
    start_per_day: int


class SendBudgetView(Model, kw_only=True):
    """`GET /whatsapp/sessions/{id}/budget`: the settings in force and today's use."""

    session_id: str
    per_minute: int
    per_day: int
    cold_per_day: int
    warmup_enabled: bool
    warmup_start_per_day: int
    warmup_days: int
    sent_today: int
    limit_today: int  # per_day, or less while warming up
    cold_today: int
    sent_last_minute: int
    warmup: WarmupView | None = None  # set while the ramp is in force
    quiet_hours_now: bool = False
    paused: bool = False
    paused_at: datetime | None = None
    pause_reason: str | None = None
    linked_at: datetime | None = None
