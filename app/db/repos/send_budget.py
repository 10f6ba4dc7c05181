"""The send budget's rows (DESIGN §8 "Sending"): claim due outbox rows against a session's
budget, give unused slots back, count failures, pause and resume.

A claim reads the session's `send_budgets` row, reads the due rows the budget may allow (the
head of each chat, highest priority first), grants slots (`app.domain.sending.Budget`),
marks the granted rows SENDING with their slot, and writes the ledger back. On SQLite all of
it runs in one `BEGIN IMMEDIATE` transaction (one writer). On Postgres it runs without one:
the ledger's write and the takes are one statement that writes only if the budget row is
still the version the claim read (optimistic: `_claim_unlocked`); after repeated conflicts
the claim locks the row instead (`FOR UPDATE`, `_claim_locked`). None of it lives in memory:
concurrent claimers, a restart or another node see exactly what was granted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.db import fast
from app.db.repos import leases, mapping, workspace_settings
from app.db.repos.leases import Fence
from app.db.repos.outbox_jobs import Job, job_of
from app.db.tables import Outbox, SendBudget
from app.domain import NotFound, new_id
from app.domain.sending import (
    LOWEST_PRIORITY,
    Budget,
    BudgetConfig,
    BudgetDefaults,
    Ledger,
    QuietHours,
    SendBudgetView,
    SendKind,
    WarmupView,
    parse_hhmm,
)
from app.domain.workspace_settings import DEFAULTS, WorkspaceSettings

FAILURE_WINDOW = timedelta(minutes=10)  # a failure spike is counted over this long

_ENSURE = (
    "INSERT INTO send_budgets (id, workspace_id, session_id, slots, failures, updated_at) "
    "SELECT {}, workspace_id, id, '[]', '[]', {} FROM whatsapp_sessions WHERE id = {} "
    "ON CONFLICT (session_id) DO NOTHING"
)
_LOCK = (
    "SELECT b.*, s.workspace_id AS ws, s.channel AS channel FROM send_budgets b "
    "JOIN whatsapp_sessions s ON s.id = b.session_id WHERE b.session_id = {}"
)
# A claim's first statement: the fence (the session's lease still ours under the token; on
# Postgres share-locked until the claim commits, so a takeover waits for it), the budget row
# (locked FOR UPDATE on Postgres) and the workspace's settings (the quiet hours and time zone
# the budget needs) — one round trip instead of three. The two rows share only `id`,
# `workspace_id` and `updated_at`, which neither the budget nor the settings read from here
# (which one a name gives differs: SQLite's rows give the first, asyncpg's dicts the last).
_FENCE = (
    "fence AS (SELECT 1 AS ok FROM session_leases WHERE session_id = {} AND node_id = {} "
    "AND token = {} AND expires_at > {}%s)"
)
_CLAIM_READ = (
    "SELECT w.*, b.*, s.workspace_id AS ws, s.channel AS channel, "
    "w.workspace_id AS settings_row, %s AS fenced FROM send_budgets b "
    "JOIN whatsapp_sessions s ON s.id = b.session_id "
    "LEFT JOIN workspace_settings w ON w.workspace_id = s.workspace_id "
    "WHERE b.session_id = {}%s"
)
# The session's due rows of one priority, oldest first, that head their chat: no other row of
# the chat is in flight (SENDING), waiting for a retry (PENDING, not yet due), or before it in
# the chat's order (priority, created_at, id). Both indexes keep this proportional to the rows
# it returns: candidates come in order from (session_id, status, priority, created_at); each
# chat is checked through (session_id, jid, status). SQLite, without statistics, would rather
# scan every due row by (status, next_attempt_at): it is told which index to use. On Postgres
# the chat index holds the rows in flight only (`WHERE status IN ('SENDING', 'PENDING')`,
# m0035) and the chat check stays a per-candidate subplan (`OFFSET 0` stops its pull-up into
# an anti join): as an anti join, a planner with stale statistics (a young table before
# autovacuum's next ANALYZE) read the chat index by `session_id` alone — every row the number
# ever sent, per candidate (session 10: 700–1,900 buffers per claim). As a subplan, the chat
# is looked up by (session_id, jid) among the open rows, whatever the statistics say.
# A claim asks for every priority it may send in one statement (`_heads`: one such SELECT per
# priority, each with its own LIMIT, glued by UNION ALL) — a round trip per priority was most
# of a claim's cost on Postgres.
_HEADS = """
SELECT * FROM (SELECT o.* FROM outbox o%s
WHERE o.session_id = {} AND o.status = 'PENDING' AND o.priority = {}
  AND o.next_attempt_at <= {}%s%s
  AND NOT EXISTS (
    SELECT 1 FROM outbox e
    WHERE e.session_id = o.session_id AND e.jid = o.jid AND e.id <> o.id
      AND e.status IN ('SENDING', 'PENDING')
      AND (e.status = 'SENDING' OR (e.status = 'PENDING' AND (
        e.next_attempt_at > {} OR e.priority < o.priority
        OR (e.priority = o.priority AND (e.created_at < o.created_at
          OR (e.created_at = o.created_at AND e.id < o.id))))))%s)
ORDER BY o.created_at, o.id
LIMIT {}) AS heads_%d
"""
# Postgres: the chats with a row in flight, read once per claim through the claim index
# (session_id, status = 'SENDING': as many rows as are being sent). A candidate in one of
# them is no head whatever else its chat holds, so `_HEADS` drops it by this hashed set
# (`NOT IN`, which Postgres neither pulls up into a join nor evaluates after the costlier
# chat check) before its per-candidate chat check. With a backlog — most chats waiting for
# their row in flight — the claim otherwise ran that check on every waiting row: 4.7 ms and
# ~8,400 buffers per claim at 3,000 rows waiting (session 12, four senders at once).
_SENDING = (
    "sending AS MATERIALIZED (SELECT jid FROM outbox WHERE session_id = {} "
    "AND status = 'SENDING' AND jid IS NOT NULL)"
)
# A take finds its row by primary key; its status check is written `(…) IS TRUE`, which no
# index matches. As a plain equality, a generic plan made on an empty outbox (a new install,
# a new connection's first claims) or from statistics taken while nothing was PENDING read
# the row through an index on status: every PENDING row scanned per take once a backlog
# builds up, for as long as the connection keeps the plan (`test_generic_plans.py`).
_STILL_PENDING = "(status = 'PENDING') IS TRUE"
_TAKE = (
    "UPDATE outbox SET status = 'SENDING', slot_at = {} "  # noqa: S608
    "WHERE id = {} AND " + _STILL_PENDING + "%s RETURNING id"
)
_SAVE = (
    "UPDATE send_budgets SET slots = {}, day = {}, day_sent = {}, day_cold = {}, "
    "updated_at = {} WHERE session_id = {}"
)


@dataclass(frozen=True, slots=True)
class Claim:
    """What one claim got: rows to send (each with its slot), and when to look again."""

    jobs: list[Job]
    next_at: datetime | None = None  # when something held back by the budget may go
    paused: bool = False
    # the minute's window held rows back: they go before a reply decided after this claim
    # (`Dispatcher.offer` leaves such a reply to the next claim, which ranks them all)
    crowded: bool = False


def _claimed(granted: list[Job], budget: Budget) -> Claim:
    """A claim's result as `budget` left it: when to look again, and whether the minute's
    window held rows back."""
    return Claim(granted, budget.next_opening(), crowded=budget.full_until is not None)


Lead = Callable[[Job], float]  # seconds before a row's send: typing time and jitter


def _postgres() -> bool:
    return SendBudget._meta.db.engine_type != "sqlite"


async def ensure(session_id: str, now: datetime) -> None:
    """The session's budget row exists (rows are made lazily; the migration backfilled)."""
    await fast.execute(SendBudget, _ENSURE, new_id(), now, session_id)


async def _locked(session_id: str, now: datetime) -> dict[str, Any] | None:
    """The budget row, locked for this transaction (created first if missing)."""
    sql = _LOCK + (" FOR UPDATE OF b" if _postgres() else "")
    rows = await fast.execute(SendBudget, sql, session_id)
    if not rows:
        await ensure(session_id, now)
        rows = await fast.execute(SendBudget, sql, session_id)
    return rows[0] if rows else None


async def _claim_read(
    session_id: str, fence: Fence | None, now: datetime, *, lock: bool = True
) -> dict[str, Any] | None:
    """The claim's first statement (`_CLAIM_READ`): the budget row (created first if
    missing) — locked, unless `lock` is false: then with its version (`budget_xmin`,
    Postgres) — with the workspace's settings and whether the fence holds (`fenced`)."""
    pg = _postgres()
    prefix, args, fenced = "", [], "1"
    if fence is not None:
        prefix = "WITH " + _FENCE % (" FOR SHARE" if pg and lock else "") + " "
        args = [session_id, fence.node_id, fence.token, now]
        fenced = "EXISTS (SELECT 1 FROM fence)"
    if not pg:
        tail = ""
    elif lock:
        tail = " FOR UPDATE OF b"
    else:
        fenced = f"b.xmin::text AS budget_xmin, {fenced}"
        tail = ""
    sql = prefix + _CLAIM_READ % (fenced, tail)
    rows = await fast.execute(SendBudget, sql, *args, session_id)
    if not rows:
        await ensure(session_id, now)
        rows = await fast.execute(SendBudget, sql, *args, session_id)
    return rows[0] if rows else None


def fence_cte(session_id: str, fence: Fence, now: datetime) -> fast.Write:
    """The CTE `fence` (Postgres): one row while `fence` still holds the session's lease,
    the lease row share-locked by the statement (a takeover waits for it); its arguments."""
    return _FENCE % " FOR SHARE", (session_id, fence.node_id, fence.token, now)


def _settings_of(row: dict[str, Any]) -> WorkspaceSettings:
    return DEFAULTS if row["settings_row"] is None else workspace_settings.from_row(row)


async def _take(
    granted: list[tuple[datetime, str]],
    save: fast.Write | None = None,
    fence: tuple[str, Fence, datetime] | None = None,
) -> set[str]:
    """Mark granted rows SENDING with their slots (`_TAKE`, each only if still PENDING); the
    ids taken. `save`: the ledger's write (`_saving`), run with them. On Postgres one
    statement — each UPDATE a data-modifying CTE — instead of a round trip per row.
    `fence` (Postgres; session, fence, now): none is taken unless the session's lease is
    still ours, the lease row share-locked by the statement (a takeover waits for it)."""
    if not granted:
        return set()
    if not _postgres():
        if fence is not None:
            raise ValueError("SQLite checks the fence in the claim's transaction")
        taken = {
            row_id
            for slot, row_id in granted
            if await fast.execute(Outbox, _TAKE % "", slot, row_id)
        }
        if save is not None:
            await fast.execute(SendBudget, save[0], *save[1])
        return taken
    prefix, args, only_if = "WITH ", [], ""
    if fence is not None:
        session_id, f, now = fence
        prefix = "WITH " + _FENCE % " FOR SHARE" + ", "
        args, only_if = [session_id, f.node_id, f.token, now], " AND EXISTS (SELECT 1 FROM fence)"
    ctes, ids = fast.each(_TAKE % only_if, len(granted), "id")
    args += [v for g in granted for v in g]
    if save is not None:
        ctes.append(f"ledger AS ({save[0]})")
        args += save[1]
    rows = await fast.execute(Outbox, f"{prefix}{', '.join(ctes)} {ids}", *args)
    return {r["id"] for r in rows}


async def _take_if_unchanged(
    granted: list[tuple[datetime, str]],
    save: fast.Write,
    version: str,
    session_id: str,
    fence: Fence | None,
    now: datetime,
) -> set[str] | None:
    """`_take` without the budget row's lock (Postgres): one statement writes the ledger
    (`save`) only if the row is still `version` (its `xmin`: any committed write since gives
    it another) and the fence holds, and marks the granted rows SENDING only if the ledger
    was written. The ids taken; None when the ledger was not written (nothing was)."""
    ctes, args = [], []
    if fence is not None:
        ctes.append(_FENCE % " FOR SHARE")
        args += [session_id, fence.node_id, fence.token, now]
    fenced = " AND EXISTS (SELECT 1 FROM fence)" if fence is not None else ""
    ctes.append(f"ledger AS ({save[0]} AND xmin::text = {{}}{fenced} RETURNING 1 AS ok)")
    args += [*save[1], version]
    takes, ids = fast.each(_TAKE % " AND EXISTS (SELECT 1 FROM ledger)", len(granted), "id")
    ctes += takes
    args += [v for g in granted for v in g]
    sql = f"WITH {', '.join(ctes)} SELECT '' AS id FROM ledger UNION ALL {ids}"  # noqa: S608
    rows = await fast.execute(Outbox, sql, *args)
    if not rows:
        return None
    return {r["id"] for r in rows} - {""}


def config_of(row: dict[str, Any]) -> BudgetConfig:
    warmup = row["warmup_enabled"]
    return BudgetConfig(
        per_minute=row["per_minute"],
        per_day=row["per_day"],
        cold_per_day=row["cold_per_day"],
        warmup_enabled=None if warmup is None else bool(warmup),
        warmup_start_per_day=row["warmup_start_per_day"],
        warmup_days=row["warmup_days"],
    )


def quiet_hours(settings: WorkspaceSettings) -> QuietHours | None:
    if not settings.quiet_hours_enabled:
        return None
    try:
        start = parse_hhmm(settings.quiet_hours_start, "quietHoursStart")
        end = parse_hhmm(settings.quiet_hours_end, "quietHoursEnd")
    except ValueError:
        return None  # checked when saved
    return QuietHours(start, end) if start != end else None


def _budget(
    row: dict[str, Any], settings: WorkspaceSettings, defaults: BudgetDefaults, now: datetime
) -> Budget:
    ledger = Ledger(
        slots=[float(s) for s in mapping.json_value(row["slots"], [])],
        day=row["day"],
        day_sent=row["day_sent"],
        day_cold=row["day_cold"],
    )
    return Budget(
        config_of(row).resolve(defaults, simulator=row["channel"] == "simulator"),
        ledger,
        now,
        timezone=settings.timezone,
        linked_at=row["linked_at"],
        quiet=quiet_hours(settings),
        paused=row["paused_at"] is not None,
    )


async def _save(session_id: str, ledger: Ledger, now: datetime) -> None:
    sql, values = _saving(session_id, ledger, now)
    await fast.execute(SendBudget, sql, *values)


def _saving(session_id: str, ledger: Ledger, now: datetime) -> fast.Write:
    """The ledger's write, as it is now (its slots serialized when it runs: run it at once)."""
    values = (ledger.slots, ledger.day, ledger.day_sent, ledger.day_cold, now, session_id)
    return _SAVE, values


async def _heads(
    session_id: str,
    now: datetime,
    top: int,
    cold_ok: bool,
    limit: int,
    fence: Fence | None = None,
) -> list[dict[str, Any]]:
    """Rows of priorities 0..`top` that head their chat (cold ones only while the cold cap
    has room), at most `limit` of each priority: by priority, then oldest first. Under a
    `fence`, none unless the lease is still ours (checked, and share-locked on Postgres, in
    the same statement)."""
    sql, args = heads_statement(session_id, now, top, cold_ok, limit, fence)
    return await fast.execute(Outbox, sql, *args)


def heads_statement(
    session_id: str,
    now: datetime,
    top: int,
    cold_ok: bool,
    limit: int,
    fence: Fence | None = None,
) -> tuple[str, list[Any]]:
    """`_heads`' statement and its arguments (a test reads its plan)."""
    ctes, sql, args = _heads_parts(session_id, now, top, cold_ok, limit, fence)
    if ctes:
        sql = "WITH " + ", ".join(ctes) + " " + sql
    return sql, args


def _heads_parts(
    session_id: str,
    now: datetime,
    top: int,
    cold_ok: bool,
    limit: int,
    fence: Fence | None,
) -> tuple[list[str], str, list[Any]]:
    """The heads' CTEs (the fence, the chats in flight), their SELECT, and the arguments of
    both in the order they appear."""
    pg = _postgres()
    index = " INDEXED BY ix_outbox_claim" if not pg else ""
    busy = " AND o.jid NOT IN (SELECT jid FROM sending)" if pg else ""
    parts, args = [], []
    for priority in range(top + 1):
        cold = "" if cold_ok else " AND o.cold = {}"
        parts.append(_HEADS % (index, cold, busy, " OFFSET 0" if pg else "", priority))
        args += [session_id, priority, now, *([] if cold_ok else [False]), now, limit]
    sql = " UNION ALL ".join(parts)
    ctes, first = [], []
    if fence is not None:
        ctes.append(_FENCE % (" FOR SHARE" if pg else ""))
        first = [session_id, fence.node_id, fence.token, now]
        fenced = "WHERE EXISTS (SELECT 1 FROM fence) "
        sql = f"SELECT * FROM ({sql}) AS heads {fenced}ORDER BY priority, created_at, id"  # noqa: S608
    elif top > 0:
        sql = f"SELECT * FROM ({sql}) AS heads ORDER BY priority, created_at, id"  # noqa: S608
    if pg:
        ctes.append(_SENDING)
        first.append(session_id)
    return ctes, sql, [*first, *args]


def take_heads_statement(
    session_id: str, now: datetime, limit: int, fence: Fence | None
) -> tuple[str, list[Any]]:
    """`claim_unbudgeted`'s one statement on Postgres: the heads of every priority (under the
    fence, share-locked) and the takes of the first `_TAKEN_AT_ONCE` of them, each only if its
    row is still PENDING when the UPDATE reaches it — a row another claimer took since the
    statement's snapshot is re-checked by Postgres and skipped. Its rows: those taken
    (`taken` true), then the heads after the first `_TAKEN_AT_ONCE` (`taken` false: the
    caller takes them with `_take`).

    Each take is an UPDATE by `id = (one head's id)`: an equality on the primary key, which
    every plan answers by that index. A single UPDATE of all heads (`id = ANY(…)`, or a join)
    is planned for an unknown number of heads: its generic plan — made once per connection,
    while the outbox may still be small — read the table (a sequential scan of 3,300 rows,
    1 ms per claim, in the benchmark). The status check is `_TAKE`'s (`(…) IS TRUE`)."""
    ctes, heads, args = _heads_parts(session_id, now, LOWEST_PRIORITY, True, limit, fence)
    ctes.append(f"heads AS MATERIALIZED ({heads})")
    ctes += [_TAKE_HEAD % (i, i) for i in range(_TAKEN_AT_ONCE)]
    taken = " UNION ALL ".join(_TAKEN % i for i in range(_TAKEN_AT_ONCE))
    sql = f"WITH {', '.join(ctes)} {taken} UNION ALL {_REST % _TAKEN_AT_ONCE}"
    return sql, [*args, *[now] * _TAKEN_AT_ONCE]


_TAKEN_AT_ONCE = 4  # heads a claim takes in its own statement; more (a backlog) take one more
_TAKE_HEAD = (  # `_TAKE` of one head (the i-th of `heads`)
    "t%d AS (UPDATE outbox SET status = 'SENDING', slot_at = {} WHERE id = (SELECT id FROM "  # noqa: S608
    "heads ORDER BY priority, created_at, id LIMIT 1 OFFSET %d) "
    "AND " + _STILL_PENDING + " RETURNING *)"
)
_TAKEN = "SELECT true AS taken, * FROM t%d"
_REST = (
    "SELECT false AS taken, * FROM (SELECT * FROM heads ORDER BY priority, created_at, id "
    "OFFSET %d) AS rest"
)


async def claim(
    session_id: str,
    now: datetime,
    defaults: BudgetDefaults,
    lead: Lead,
    *,
    max_lead_s: float = 0.0,
    not_before: Mapping[str, datetime] | None = None,
    limit: int = 100,
    fence: Fence | None = None,
) -> Claim:
    """Claim the session's next rows: each gets a slot at `now + lead(job)` (or later: a
    chat's `not_before`, the latest slot), or up to `max_lead_s` later when the minute window
    frees a slot by then. Rows the budget holds back stay PENDING. Under a `fence` nothing
    is claimed unless this node still holds the session's lease with that token.

    On Postgres the claim first runs without a transaction (`_claim_unlocked`: three round
    trips instead of five — no BEGIN, no COMMIT) and writes only if nobody wrote the budget
    row since it was read; when somebody did, it reads again, and after `_TRIES` such
    conflicts it takes the row's lock (`_claim_locked`, as SQLite always does)."""
    wish = _Wish(now, defaults, lead, max_lead_s, not_before or {}, limit, fence)
    if _postgres():
        for _ in range(_TRIES):
            got = await _claim_unlocked(session_id, wish)
            if got is not None:
                return got
    return await _claim_locked(session_id, wish)


_TRIES = 3  # optimistic claims before taking the lock: conflicts need two claimers at once


@dataclass(frozen=True, slots=True)
class _Wish:
    """What a claim was asked for (`claim`'s arguments)."""

    now: datetime
    defaults: BudgetDefaults
    lead: Lead
    max_lead_s: float
    not_before: Mapping[str, datetime]
    limit: int
    fence: Fence | None


async def _claim_locked(session_id: str, wish: _Wish) -> Claim:
    """The claim in one transaction holding the budget row's lock (`FOR UPDATE` on Postgres,
    `BEGIN IMMEDIATE` on SQLite) from its read to the ledger's write."""
    now = wish.now
    async with SendBudget._meta.db.transaction():
        row = await _claim_read(session_id, wish.fence, now)
        plan = await _choose(session_id, row, wish)
        if isinstance(plan, Claim):
            return plan
        budget, chosen = plan
        # the ledger is written with the rows (one round trip); rewritten in the rare case
        # that a row was taken meanwhile (a cancel, say) and its slot goes back
        slots = [(j.slot_at, j.id) for j in chosen if j.slot_at is not None]
        taken = await _take(slots, _saving(session_id, budget.ledger, now))
        granted = [j for j in chosen if j.id in taken]
        missed = [j for j in chosen if j.id not in taken]  # every chosen row has its slot
        for job in missed:
            if job.slot_at is not None:
                budget.refund(job.slot_at, job.cold)
        if missed:
            await _save(session_id, budget.ledger, now)
    return _claimed(granted, budget)


async def _claim_unlocked(session_id: str, wish: _Wish) -> Claim | None:
    """The claim without a transaction (Postgres): read the budget row (with its version,
    `xmin`), read the heads, then one statement writes the ledger — only if the row is still
    that version and the fence still holds — and takes the granted rows only if the ledger
    was written. None: the row changed since it was read (another claim, a refund, a pause,
    a setting): nothing was written; claim again. Every claim that takes a row writes the
    ledger in the same statement, so a write that succeeds read its heads after every take
    that could have changed them; each take is still conditional on its row being PENDING."""
    now = wish.now
    row = await _claim_read(session_id, wish.fence, now, lock=False)
    plan = await _choose(session_id, row, wish)
    if isinstance(plan, Claim):
        return plan
    budget, chosen = plan
    if not chosen:
        return _claimed([], budget)
    assert row is not None  # no row: `_choose` returned a Claim
    slots = [(j.slot_at, j.id) for j in chosen if j.slot_at is not None]
    save = _saving(session_id, budget.ledger, now)
    taken = await _take_if_unchanged(slots, save, row["budget_xmin"], session_id, wish.fence, now)
    if taken is None:
        return None
    granted = [j for j in chosen if j.id in taken]
    for job in chosen:
        if job.id not in taken:  # taken meanwhile (a cancel): its slot goes back, locked
            await refund(job, wish.defaults, now)
    return _claimed(granted, budget)


async def _choose(
    session_id: str, row: dict[str, Any] | None, wish: _Wish
) -> Claim | tuple[Budget, list[Job]]:
    """The budget as `row` has it and the rows it grants now, each with its slot (the
    ledger counts them); or the empty claim when the fence is lost, the number paused, or
    the minute full. No row: the session is gone (NotFound), unless the fence is lost."""
    if row is None:
        if not await _fenced_in(session_id, wish.fence, wish.now):
            return Claim([], None)
        raise NotFound("WhatsApp session not found")
    if not row["fenced"]:
        return Claim([], None)
    now = wish.now
    budget = _budget(row, _settings_of(row), wish.defaults, now)
    horizon = now + timedelta(seconds=wish.max_lead_s)
    top = budget.max_priority()
    if top is None:
        return Claim([], None, paused=True)
    if not budget.minute_free(horizon):
        return _claimed([], budget)
    room = max(1, min(wish.limit, budget.limits.per_minute - budget.sent_last_minute()))
    chosen: list[Job] = []
    held: set[str] = set()  # chats whose head had to wait: nothing of theirs goes after it
    priority = -1
    for head in await _heads(session_id, now, top, budget.cold_ok(), room):
        job = job_of(head)
        if head["priority"] != priority:  # the next priority's heads
            priority = head["priority"]
            if len(chosen) >= room or budget.full_until is not None:
                break
        if job.jid in held:
            continue
        earliest = now + timedelta(seconds=wish.lead(job))
        if job.jid in wish.not_before:
            earliest = max(earliest, wish.not_before[job.jid])
        slot = budget.grant(job.kind, job.cold, earliest, horizon)
        if slot is None:
            held.add(job.jid)
            if budget.full_until is not None:
                break  # the minute is full: no later row fits either
            continue  # held by a daily cap: a reply elsewhere may still go
        chosen.append(dataclasses.replace(job, slot_at=slot))
        held.add(job.jid)  # one row per chat and claim: its next waits for this one
    return budget, chosen


async def claim_unbudgeted(
    session_id: str, now: datetime, lead: Lead, fence: Fence | None = None
) -> Claim:
    """`send_budget = false` (benchmarks): the same heads, each sent after its lead, no limits.
    On Postgres one statement reads the heads and takes the first few, the fence checked in
    it (`take_heads_statement`); a longer list (a backlog) takes the rest in a second, the
    fence checked again. Its rows store the claim's moment as their slot — with no budget
    nobody reads it back — and each waits its lead (typing, jitter) from there in memory.
    SQLite: the heads and the takes in one transaction."""
    if not _postgres():
        async with SendBudget._meta.db.transaction():
            chosen = [
                job_of(head, now + timedelta(seconds=lead(job_of(head))))
                for head in await _heads(session_id, now, LOWEST_PRIORITY, True, 200, fence)
            ]
            taken = await _take([(j.slot_at, j.id) for j in chosen if j.slot_at is not None])
        return Claim([j for j in chosen if j.id in taken])
    sql, args = take_heads_statement(session_id, now, 200, fence)
    rows = await fast.execute(Outbox, sql, *args)
    rest = [(now, row["id"]) for row in rows if not row["taken"]]
    more = await _take(rest, fence=(session_id, fence, now) if fence else None)
    rows = [r for r in rows if r["taken"] or r["id"] in more]
    rows.sort(key=lambda r: (r["priority"], r["created_at"], r["id"]))
    jobs = [job_of(row) for row in rows]
    return Claim([dataclasses.replace(j, slot_at=now + timedelta(seconds=lead(j))) for j in jobs])


@dataclass(frozen=True, slots=True)
class ReplySlot:
    """A reply's slot granted ahead of its decision (`reply_slot`), and the ledger's write
    that books it — valid only while the budget row is still `version`."""

    slot_at: datetime
    ledger: fast.Write
    version: str


async def reply_slot(
    session_id: str,
    now: datetime,
    defaults: BudgetDefaults,
    earliest: datetime,
    *,
    max_lead_s: float = 0.0,
    fence: Fence | None = None,
) -> ReplySlot | None:
    """The slot a reply would get now (Postgres: the decision books it in its own statement,
    `outbox.Take`): the budget row read as a claim reads it (with its version and the
    fence), the slot granted at `earliest` or up to `max_lead_s` later, as `_choose` grants a
    reply. None when the fence is lost, the number paused, or the minute has no slot by then
    — the reply then waits for the dispatcher's claim like any other row."""
    row = await _claim_read(session_id, fence, now, lock=False)
    if row is None or not row["fenced"]:
        return None
    budget = _budget(row, _settings_of(row), defaults, now)
    horizon = now + timedelta(seconds=max_lead_s)
    if budget.max_priority() is None or not budget.minute_free(horizon):
        return None
    slot = budget.grant(SendKind.REPLY, False, earliest, horizon)
    if slot is None:
        return None
    return ReplySlot(slot, _saving(session_id, budget.ledger, now), row["budget_xmin"])


async def _fenced_in(session_id: str, fence: Fence | None, now: datetime) -> bool:
    """No fence (tests, tools), or the lease is still this node's under the fence's token."""
    if fence is None:
        return True
    return await leases.holds(session_id, fence.node_id, fence.token, now)


async def refund(job: Job, defaults: BudgetDefaults, now: datetime) -> None:
    """The row's slot was not used (the number was offline, or we are stopping)."""
    if job.slot_at is None:
        return
    async with SendBudget._meta.db.transaction():
        row = await _locked(job.session_id, now)
        if row is None:
            return
        settings = await workspace_settings.load(row["ws"])
        budget = _budget(row, settings, defaults, now)
        budget.refund(job.slot_at, job.cold)
        await _save(job.session_id, budget.ledger, now)


async def record_failure(job: Job, now: datetime, spike: int) -> bool:
    """Count a failed send; True when `spike` different rows failed within the window."""
    async with SendBudget._meta.db.transaction():
        row = await _locked(job.session_id, now)
        if row is None:
            return False
        horizon = (now - FAILURE_WINDOW).timestamp()
        failures = [f for f in mapping.json_value(row["failures"], []) if f[0] > horizon]
        failures.append([round(now.timestamp(), 3), job.id])
        await SendBudget.update({SendBudget.failures: failures[-100:]}).where(
            SendBudget.session_id == job.session_id
        )
    return len({f[1] for f in failures}) >= spike


async def pause(session_id: str, reason: str, now: datetime) -> bool:
    """Stop the session's outbound traffic; True when it was not paused before."""
    await ensure(session_id, now)
    rows = (
        await SendBudget.update({SendBudget.paused_at: now, SendBudget.pause_reason: reason[:500]})
        .where((SendBudget.session_id == session_id) & SendBudget.paused_at.is_null())
        .returning(SendBudget.id)
    )
    return bool(rows)


async def resume(session_id: str) -> bool:
    """Let the session send again (and forget the failures that paused it)."""
    rows = (
        await SendBudget.update(
            {SendBudget.paused_at: None, SendBudget.pause_reason: None, SendBudget.failures: []}
        )
        .where((SendBudget.session_id == session_id) & SendBudget.paused_at.is_not_null())
        .returning(SendBudget.id)
    )
    return bool(rows)


async def mark_linked(session_id: str, now: datetime) -> None:
    """The number is connected: the warm-up ramp counts from its first connection."""
    await ensure(session_id, now)
    await SendBudget.update({SendBudget.linked_at: now}).where(
        (SendBudget.session_id == session_id) & SendBudget.linked_at.is_null()
    )


async def configure(session_id: str, now: datetime, values: dict[str, Any]) -> None:
    """Set the session's own limits (`BudgetConfig` field names; None = the default)."""
    await ensure(session_id, now)
    known = set(BudgetConfig.__dataclass_fields__)
    changes = {getattr(SendBudget, k): v for k, v in values.items() if k in known}
    if changes:
        await SendBudget.update(changes).where(SendBudget.session_id == session_id)


async def config(session_id: str, now: datetime) -> BudgetConfig:
    await ensure(session_id, now)
    rows = await fast.execute(SendBudget, _LOCK, session_id)
    return config_of(rows[0])


async def view(session_id: str, now: datetime, defaults: BudgetDefaults) -> SendBudgetView:
    """Settings in force and today's use, without changing anything."""
    await ensure(session_id, now)
    rows = await fast.execute(SendBudget, _LOCK, session_id)
    if not rows:
        raise NotFound("WhatsApp session not found")
    row = rows[0]
    settings = await workspace_settings.load(row["ws"])
    budget = _budget(row, settings, defaults, now)
    limits, own = budget.limits, config_of(row)
    ramp = own.ramp(defaults)
    ramping = limits.warmup is not None and (budget.warmup_day or 0) < ramp.days
    return SendBudgetView(
        session_id=session_id,
        per_minute=limits.per_minute,
        per_day=limits.per_day,
        cold_per_day=limits.cold_per_day,
        warmup_enabled=limits.warmup is not None,
        warmup_start_per_day=ramp.start_per_day,
        warmup_days=ramp.days,
        sent_today=budget.ledger.day_sent,
        limit_today=budget.day_limit,
        cold_today=budget.ledger.day_cold,
        sent_last_minute=budget.sent_last_minute(),
        warmup=WarmupView(
            day=budget.warmup_day or 0, days=ramp.days, start_per_day=ramp.start_per_day
        )
        if ramping
        else None,
        quiet_hours_now=budget.quiet,
        paused=row["paused_at"] is not None,
        paused_at=row["paused_at"],
        pause_reason=row["pause_reason"],
        linked_at=row["linked_at"],
    )
