"""On Postgres a reply costs only the round trips it needs (issue 18). It opens a transaction
only where two writes must be one: with no webhook the stored message (a known contact's, in
their open conversation: contact, message and conversation), the decision (routing claim,
reply rows, conversation) and the "sent" mark are one statement each, atomic on their own —
no BEGIN/COMMIT round trips; with a webhook listening each runs inside the transaction that writes
its delivery rows, so a committed change still always has its deliveries. And the decision
takes its reply for sending in its own statement (with a send budget, the slot read just
before and booked in that statement): no dispatcher pass, no claim on a reply's way out. A
message routed at once (its chat's lane idle) takes what routing reads from the
store's statement; one that waits behind another in its lane reads it when its turn comes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.db.tables import Outbox
from tests.fakes.webhook_receiver import Receiver
from tests.integration.bots import eventually
from tests.integration.webhooks.conftest import Hooks, _hooks

STORE = "WITH k AS (SELECT * FROM contacts"
DECISION = "WITH w0 AS (UPDATE messages SET routed_at"
SENT = "WITH sent AS (UPDATE outbox SET status = 'SENT'"
CONTACT_READ = "SELECT * FROM contacts"
ROUTE_READ = 'SELECT ws."'  # the route read on its own (messages.route_read)
DUE = "SELECT s.id FROM whatsapp_sessions s WHERE EXISTS"
HEADS = "WITH fence AS ("  # the claim's read and its write (the fence checked in each)
CLAIM = "WITH sending AS"  # the heads
POLL = 'SELECT ALL COUNT(*) AS "count" FROM "outbox"'  # the test's own wait for the send
WEBHOOK_POLL = "UPDATE webhook_deliveries SET status = 'SENDING'"  # the sender's, every 0.05 s

# Postgres only (SQLite has no round trips to save): `db_url`'s own parameter, overridden
pytestmark = pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
async def hooks_pg(tmp_path: Path, db_url: str) -> AsyncIterator[Hooks]:
    """The webhook bot on Postgres, its dispatcher polling every 5 s (the test profile's
    0.05 s would make nearly every pass a poll): a reply's statements are counted between
    its decision and its send, and a timed poll landing there would add its own ask and
    claim (a finished send with nothing due wakes no pass, so the last pass — and the
    poll's clock — may be a whole reply earlier)."""
    async for h in _hooks(tmp_path / "data", db_url, dispatch_poll_s=5.0):
        yield h


@pytest.fixture
def statements() -> Iterator[list[tuple[str, bool]]]:
    """Every statement piccolo runs (its text, and whether its connection was inside a
    transaction), while the test runs: asyncpg's `fetch`, wrapped for the test only."""
    import asyncpg.connection

    seen: list[tuple[str, bool]] = []
    cls: Any = asyncpg.connection.Connection
    original = cls.fetch

    async def fetch(self: Any, query: str, *args: Any, **kw: Any) -> Any:
        seen.append((query, self.is_in_transaction()))
        return await original(self, query, *args, **kw)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cls, "fetch", fetch)
        yield seen


def _ran(seen: list[tuple[str, bool]], prefix: str) -> list[bool]:
    """Whether each run of the statement starting with `prefix` was inside a transaction."""
    return [inside for query, inside in seen if query.startswith(prefix)]


async def _reply_to(hooks: Hooks, text: str, replies: int) -> None:
    """Say `text`; return once the echo bot's `replies`-th reply is marked sent."""
    bot = hooks.bot
    await bot.simulate("+4915112345678", text)

    async def sent() -> bool:
        count = await bot.db(lambda: Outbox.count().where(Outbox.status == "SENT"))
        return count == replies

    await eventually(sent)


async def test_nobody_listening_a_reply_needs_no_transaction(
    hooks_pg: Hooks, statements: list[tuple[str, bool]]
) -> None:
    await _reply_to(hooks_pg, "first", 1)  # the new contact's transactions aside
    statements.clear()
    await _reply_to(hooks_pg, "second", 2)
    assert _ran(statements, STORE) == [False]
    assert _ran(statements, DECISION) == [False]
    assert _ran(statements, SENT) == [False]
    queries = [query for query, _ in statements]
    decided = next(i for i, q in enumerate(queries) if q.startswith(DECISION))
    assert not [q for q, inside in statements[:decided] if inside]  # stored, routed: no BEGIN
    assert not [q for q in queries[:decided] if q.startswith(ROUTE_READ)]  # read with the store
    assert not [q for q in queries[:decided] if q.startswith(CONTACT_READ)]  # and the contact
    # the reply's slot read from the send budget (fence + budget) just before the decision,
    # which books it on the ledger — only if nobody wrote the budget row since that read —
    # and takes the reply in its own statement: nothing between the decision and the send
    ours = [q for q in queries if not q.lstrip().startswith((POLL, WEBHOOK_POLL))]
    at = next(i for i, q in enumerate(ours) if q.startswith(DECISION))
    assert ours[at - 1].startswith(HEADS) and "budget_xmin" in ours[at - 1]
    assert "ledger AS (UPDATE send_budgets" in ours[at] and "took AS" in ours[at]
    assert ours[at + 1].startswith(SENT), ours[at:]
    sent = next(i for i, q in enumerate(queries) if q.startswith(SENT))
    assert not [q for q, inside in statements[decided:sent] if inside]


@pytest.fixture
async def hooks_unbudgeted(tmp_path: Path, db_url: str) -> AsyncIterator[Hooks]:
    """The webhook bot on Postgres without a send budget (the pipeline benchmark's setting)."""
    async for h in _hooks(tmp_path / "data", db_url, dispatch_poll_s=1.0, send_budget=False):
        yield h


async def test_without_a_budget_the_reply_is_taken_by_its_decision(
    hooks_unbudgeted: Hooks, statements: list[tuple[str, bool]]
) -> None:
    """No ledger to write: the decision takes its reply in its statement (the fence checked
    in it) without reading anything first — a reply is stored, decided and marked sent in
    three round trips."""
    await _reply_to(hooks_unbudgeted, "first", 1)
    statements.clear()
    await _reply_to(hooks_unbudgeted, "second", 2)
    queries = [q for q, _ in statements if not q.lstrip().startswith((POLL, WEBHOOK_POLL))]
    decided = next(i for i, q in enumerate(queries) if q.startswith(DECISION))
    sent = next(i for i, q in enumerate(queries) if q.startswith(SENT))
    assert queries[decided - 1].startswith(STORE), queries[: decided + 1]
    assert "fence AS (" in queries[decided] and "took AS" in queries[decided]
    assert "ledger AS" not in queries[decided]
    assert queries[decided + 1 : sent] == []
    assert not [q for q, inside in statements if inside]  # and no transaction anywhere


async def test_a_finished_send_with_nothing_due_asks_nothing(
    hooks_pg: Hooks, statements: list[tuple[str, bool]]
) -> None:
    """The "sent" statement reads whether the session still has rows due: with none, the
    dispatcher neither asks which sessions have rows due nor claims until its next poll
    (1 s here) — a round trip fewer per finished send. With a row due it claims there at
    once."""
    import asyncio

    await _reply_to(hooks_pg, "first", 1)
    statements.clear()
    await _reply_to(hooks_pg, "second", 2)
    await asyncio.sleep(0.3)  # a pass woken by the send would have run by now; no poll yet
    queries = [query for query, _ in statements]
    sent = next(i for i, q in enumerate(queries) if q.startswith(SENT))
    assert "more_due" in queries[sent]
    after = [q for q in queries[sent + 1 :] if not q.lstrip().startswith((POLL, WEBHOOK_POLL))]
    assert not [q for q in after if q.startswith((DUE, HEADS, CLAIM))], after


async def test_a_listening_webhook_gets_the_reply_in_its_transaction(
    hooks_pg: Hooks, receiver: Receiver, statements: list[tuple[str, bool]]
) -> None:
    await hooks_pg.subscribe(receiver.url)
    await _reply_to(hooks_pg, "first", 1)
    statements.clear()
    await _reply_to(hooks_pg, "second", 2)
    assert _ran(statements, STORE) == []  # the message commits with its deliveries
    assert _ran(statements, DECISION) == [True]
    assert _ran(statements, SENT) == [True]
    # the first exchange told 6 events (contact, conversation, in, out, two receipts); this 4
    events = [r.json for r in receiver.wait_for(10)]
    sent = [e["data"]["message"] for e in events if e["type"] == "message.outbound"]
    assert [m["status"] for m in sent] == ["SENT", "SENT"]


@pytest.fixture
async def hooks_stalled(tmp_path: Path, db_url: str) -> AsyncIterator[Hooks]:
    """The webhook bot on Postgres whose sends each take 2 s (a send stays in flight)."""
    overrides = {"dispatch_poll_s": 5.0, "dispatch_stall_s": 2.0}
    async for h in _hooks(tmp_path / "data", db_url, **overrides):
        yield h


async def test_a_reply_is_taken_at_once_while_another_send_is_in_flight(
    hooks_stalled: Hooks, statements: list[tuple[str, bool]]
) -> None:
    """A send in flight in another chat does not hold a reply back: its decision takes it
    (a send holds no pass open and writes no budget row while it is in flight)."""
    bot = hooks_stalled.bot

    async def sending(count: int) -> bool:
        rows = await bot.db(lambda: Outbox.count().where(Outbox.status == "SENDING"))
        return rows == count

    await bot.simulate("+4915112345678", "first")
    await eventually(lambda: sending(1))  # in flight for 2 s
    statements.clear()
    await bot.simulate("+4915187654321", "second")
    await eventually(lambda: sending(2))  # taken while the first was still being sent
    queries = [query for query, _ in statements]
    decided = next(i for i, q in enumerate(queries) if q.startswith(DECISION))
    assert not [q for q in queries[: decided + 1] if q.startswith((DUE, CLAIM))]
    assert "took AS" in queries[decided]


@pytest.fixture
async def hooks_slow(tmp_path: Path, db_url: str) -> AsyncIterator[Hooks]:
    """The webhook bot on Postgres whose answers each take 1.5 s (a chat's lane stays busy)."""
    async for h in _hooks(tmp_path / "data", db_url, route_stall_s=1.5):
        yield h


async def test_a_message_waiting_in_its_lane_reads_the_state_when_its_turn_comes(
    hooks_slow: Hooks, statements: list[tuple[str, bool]]
) -> None:
    """The state read with a message's store is only as fresh as its routing when the
    routing starts at once. Behind another message of the chat it is read again: an agent
    who takes the chat over meanwhile silences the bot for the waiting message."""
    bot = hooks_slow.bot
    phone = "+4915112345678"
    await _reply_to(hooks_slow, "first", 1)  # a known contact from here on
    statements.clear()
    await bot.simulate(phone, "second")  # routed at once, answering for 1.5 s
    await bot.simulate(phone, "third")  # waits in the lane
    contact = (await bot.conversation_of(phone))["contact"]
    r = await bot.send("POST", f"/contacts/{contact['id']}/takeover")
    assert r.status_code == 201, r.text

    async def second_sent() -> bool:
        return await bot.db(lambda: Outbox.count().where(Outbox.status == "SENT")) == 2

    await eventually(second_sent)
    await bot.db(bot.api.container.pipeline.settle)  # "third" decided
    replies = await bot.db(lambda: Outbox.count())
    assert replies == 2  # the echo: nothing for "third"
    assert _ran(statements, STORE) == [False, False]
    assert len([q for q, _ in statements if q.startswith(ROUTE_READ)]) == 1  # the third's


async def test_a_reply_waits_for_the_claim_while_the_minute_is_full(
    hooks_pg: Hooks, statements: list[tuple[str, bool]]
) -> None:
    """Once a claim found the number's minute full (rows held back), a new reply is left to
    the next claim — which ranks it with the held-back rows by priority and age — instead of
    booking a slot ahead of them: its decision neither reads the budget nor takes it."""
    bot = hooks_pg.bot
    await _reply_to(hooks_pg, "first", 1)  # taken by its decision: the minute's one slot
    r = await bot.send(
        "PATCH", f"/whatsapp/sessions/{bot.session_id}/budget", json={"perMinute": 1}
    )
    assert r.status_code == 200, r.text
    statements.clear()
    await bot.simulate("+4915187654321", "second")  # no slot: PENDING, the dispatcher claims

    async def claimed() -> bool:
        queries = [q for q, _ in statements]
        decided = [i for i, q in enumerate(queries) if q.startswith(DECISION)]
        return bool(decided) and any(q.startswith(HEADS) for q in queries[decided[0] + 1 :])

    await eventually(claimed)  # the claim read the budget: the minute is full
    await asyncio.sleep(0.2)
    statements.clear()
    await bot.simulate("+4915100000003", "third")

    async def decided() -> bool:
        return await bot.db(lambda: Outbox.count()) == 3

    await eventually(decided)
    queries = [q for q, _ in statements if not q.lstrip().startswith((POLL, WEBHOOK_POLL))]
    at = next(i for i, q in enumerate(queries) if q.startswith(DECISION))
    assert "took AS" not in queries[at]
    assert not [q for q in queries[:at] if q.startswith(HEADS)], queries[:at]
    assert await bot.db(lambda: Outbox.count().where(Outbox.status == "PENDING")) == 2
