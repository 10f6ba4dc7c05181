"""Pipeline figures: throughput and inbound→sent latency through the whole message path
(persist → contact → conversation → router with an instant echo responder → outbox →
dispatcher → simulator send → receipts), next to a bare Litestar echo request in the same run.

Run: `/work/venv/bin/python -m tests.bench.bench_pipeline [--db postgresql://…] [-n 10000]`
     `… --sync normal,inbound,full --rounds 3`: SQLite durability modes side by side (alternating
     rounds in one run, so machine noise hits both), with the ratios at the end.
     `… --db postgresql://… --calls -n 1000 --contacts 100`: round trips per message, by
     statement (tests/bench/pg_calls.py; the whole run, setup included). `--budget`: claims
     through the send budget (its limit here: 1,000/min per number).
     `… --db postgresql://… --trace 300 -n 100`: each round trip of 300 one-at-a-time
     messages timed; the median message's statements and the gaps between them.
     `… --db postgresql://… --nodes 1,2,3 -n 1000 --numbers 2`: 1, 2, then 3 node processes
     on one schema (session leases spread the numbers; replies counted where they are sent).
     Polls (dispatcher, webhook sender) run at production's 1 s (`--poll-s`).

1. Saturation: 10,000 messages from 1,000 contacts injected as fast as the channel callback
   returns (each inject waits until its message is persisted; `--concurrency K` senders at
   once); throughput = messages / time until the last reply was sent; latency percentiles
   under that load.
2. Pipeline overhead: 300 messages one at a time (the next is injected once the previous
   reply was sent): p50/p99 of inbound → sent without queueing. Pacing (typing, spacing) and
   the send budget (60/min) are off in both: they are deliberate delays (their own cost is
   measured by bench_sending.py).
3. Baseline: p50/p99 of a bare Litestar `POST /echo` through httpx's ASGI transport, same loop.

CPU per message (saturation phase): this process's CPU time (all threads), and on Postgres
the CPU of the pool's server backends (from /proc; WAL writer and checkpointer not counted) —
"msg per CPU-second" is what a node costs, whatever else loads the machine. `--db` with a
Postgres URL runs in a fresh schema (`search_path`) that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar, post

from app.channels import SimulatorChannel
from app.container import build_container, lifespan
from app.domain import Actor, OutboundMessage, Role
from tests.conftest import make_settings


@post("/echo", status_code=200)
async def echo(data: dict[str, str]) -> dict[str, str]:
    return data


def _backend_pids(engine: object) -> list[int]:
    """Server pids of the Postgres pool's connections (none on SQLite)."""
    pool = getattr(engine, "pool", None)
    if pool is None:
        return []
    return [h._con.get_server_pid() for h in pool._holders if h._con is not None]


def _cpu_s(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_cpu(engine: object) -> dict[int, float]:
    return {pid: _cpu_s(pid) for pid in _backend_pids(engine)}


def _profiler() -> Any:
    """`AIMY_BENCH_PROFILE=file`: cProfile of the one-at-a-time phase (the whole process), for
    `python -m pstats file` — where a message's Python time goes."""
    if not os.environ.get("AIMY_BENCH_PROFILE"):
        return None
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    return profile


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class Replies:
    """Every reply any simulator number of this process sent — (text, time) — counted where
    it is sent: with session leases a number runs on whichever node holds its lease, not
    necessarily the one that created it. (`SimulatorChannel.sent` forgets past its
    RECORD_LIMIT, so its length is no count.)"""

    def __init__(self) -> None:
        self.sent: list[tuple[str, float]] = []
        self.last_at = 0.0  # perf_counter of the last send
        original = SimulatorChannel.send

        async def send(channel: SimulatorChannel, message: OutboundMessage) -> str:
            wa_id = await original(channel, message)
            self.last_at = time.perf_counter()
            self.sent.append((message.text or "", time.time()))
            return wa_id

        SimulatorChannel.send = send  # type: ignore[method-assign]

    async def wait(self, n: int, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while len(self.sent) < n:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"only {len(self.sent)}/{n} replies after {timeout}s")
            await asyncio.sleep(0.005)

    def latencies(self, sent_at: dict[str, float], start: int = 0) -> list[float]:
        out = []
        for text, at in self.sent[start:]:
            t_in = sent_at.get(text)
            if t_in is not None:
                out.append((at - t_in) * 1000)
        return out


async def run(
    db_url: str | None,
    n: int,
    contacts: int,
    steady_n: int = 300,
    sync: str = "inbound",
    concurrency: int = 1,
) -> dict[str, float]:
    if db_url is None:
        return await _run(db_url, n, contacts, steady_n, sync, concurrency)
    import asyncpg

    schema = f"bench_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(db_url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        url = f"{db_url}{'&' if '?' in db_url else '?'}search_path={schema}"
        return await _run(url, n, contacts, steady_n, sync, concurrency)
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


BUDGET = False  # `--budget`: claims go through the send budget (1,000/min per number)
# `--poll-s`: the dispatcher's and the webhook sender's polls for due retries (production: 1 s;
# the test profile's 0.05 s made 20 statements a second of background load of its own)
POLL_S = 1.0
# `--trace`: the one-at-a-time phase's (inject started, reply sent) per message, perf_counter;
# TRACING[0] is set meanwhile (pg_calls times every round trip then)
SPANS: list[tuple[float, float]] = []
TRACING: list[bool] = [False]


def _settings(tmp: str, db_url: str | None, sync: str = "inbound") -> Any:
    return make_settings(
        Path(tmp) / "data",
        database_url=db_url,
        auto_reply="echo",
        dispatch_poll_s=POLL_S,
        webhook_poll_s=POLL_S,
        sqlite_durability=sync,
        send_budget=BUDGET,
    )


async def _number(container: Any, tag: str, numbers: int = 1) -> list[str]:
    """An account of its own with `numbers` simulator numbers; their session ids."""
    session = await container.services.auth.register(
        f"bench{tag}@example.com", "Bench-Secret-1", "Bench", f"Bench{tag}"
    )
    assert session.workspace is not None
    actor = Actor(session.user.id, session.workspace.id, Role.OWNER)
    made = []
    for i in range(numbers):
        wa = await container.services.sessions.create(actor, f"bench{tag}-{i}", "simulator")
        made.append(wa.id)
    return made


async def _wal_lsn(db_url: str | None) -> int:
    """Postgres' WAL insert position in bytes (0 on SQLite): the bytes every write of a run
    logged — index entries included — a figure the machine's speed does not move."""
    if not db_url:
        return 0
    import asyncpg

    con = await asyncpg.connect(db_url)
    try:
        return int(await con.fetchval("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn"))
    finally:
        await con.close()


async def _hot_updates(db_url: str) -> str:
    """Per hot table, the updates Postgres made in place (HOT: no index entry written) of all
    updates so far — an update that changes an indexed column, or finds no room on its page,
    writes an entry in every index of the table."""
    import asyncpg

    await asyncio.sleep(1.2)  # backends report their counters at most once a second
    con = await asyncpg.connect(db_url)
    try:
        rows = await con.fetch(
            "SELECT relname, n_tup_hot_upd, n_tup_upd FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND relname = ANY($1) ORDER BY relname",
            ["messages", "outbox", "conversations", "contacts"],
        )
    finally:
        await con.close()
    return ", ".join(f"{r['relname']} {r['n_tup_hot_upd']}/{r['n_tup_upd']}" for r in rows)


def _cpu_figures(
    n: int, elapsed: float, injected: float, app_cpu: float, pg_cpu: float
) -> dict[str, float]:
    return {
        "persist msg/s": n / injected,
        "msg/app-cpu-s": n / app_cpu,
        "msg/cpu-s": n / (app_cpu + pg_cpu),
        "sent msg/s": n / elapsed,
        "app cpu s": app_cpu,
        "pg cpu s": pg_cpu,
    }


async def _run(
    db_url: str | None,
    n: int,
    contacts: int,
    steady_n: int = 300,
    sync: str = "inbound",
    concurrency: int = 1,
) -> dict[str, float]:
    replies = Replies()
    with tempfile.TemporaryDirectory(dir=_tmp_dir()) as tmp:
        container = build_container(_settings(tmp, db_url, sync))
        async with lifespan(container):
            (number,) = await _number(container, "")
            phone = container.channels.get(number)
            assert isinstance(phone, SimulatorChannel)
            jids = [f"49170{i:07d}@s.whatsapp.net" for i in range(contacts)]
            sent_at: dict[str, float] = {}

            # 1. saturation
            wal_before = await _wal_lsn(db_url)
            pg_before = backend_cpu(container.engine)
            cpu0 = time.process_time()
            t0 = time.perf_counter()

            async def injector(first: int) -> None:
                for i in range(first, n, concurrency):
                    text = f"s{i}"
                    sent_at[text] = time.time()
                    await phone.inject(jids[i % contacts], text)

            await asyncio.gather(*(injector(k) for k in range(concurrency)))
            injected = time.perf_counter() - t0
            await replies.wait(n, timeout=max(120.0, n / 20))
            elapsed = time.perf_counter() - t0
            app_cpu = time.process_time() - cpu0
            pg_after = backend_cpu(container.engine)
            pg_cpu = sum(v - pg_before.get(pid, 0.0) for pid, v in pg_after.items())
            wal = (await _wal_lsn(db_url)) - wal_before
            sat = replies.latencies(sent_at)
            engine = "postgres" if db_url else f"sqlite durability={sync}"
            print(f"engine: {engine}; {n} messages, {contacts} contacts, {concurrency} senders")
            print(
                f"saturation: injected (persisted) in {injected:.1f} s = {n / injected:.0f} msg/s; "
                f"all replies sent after {elapsed:.1f} s = {n / elapsed:.0f} msg/s"
            )
            print(f"  latency under load: p50 {pct(sat, 50):.0f} ms, p99 {pct(sat, 99):.0f} ms")
            figures = _cpu_figures(n, elapsed, injected, app_cpu, pg_cpu)
            print(
                f"  CPU: app {app_cpu:.1f} s, Postgres backends {pg_cpu:.1f} s = "
                f"{figures['msg/app-cpu-s']:.0f} msg per app CPU-second, "
                f"{figures['msg/cpu-s']:.0f} per CPU-second in all; "
                f"load average {os.getloadavg()[0]:.1f}"
            )
            if db_url:
                print(f"  WAL: {wal / n:.0f} bytes per message (the whole cluster's)")
                print(f"  updates in place (HOT) / all: {await _hot_updates(db_url)}")
            figures |= {"load p50 ms": pct(sat, 50), "load p99 ms": pct(sat, 99)}
            figures |= {"wal bytes/msg": wal / n} if db_url else {}
            if not steady_n:
                return figures
            await phone.settle()
            await asyncio.sleep(1)

            # 2. one message at a time: the pipeline's own latency, no queueing
            start, m = len(replies.sent), steady_n
            profile = _profiler()
            for i in range(m):
                text = f"p{i}"
                sent_at[text] = time.time()
                TRACING[0] = True
                t_in = time.perf_counter()
                await phone.inject(jids[(i * 7) % contacts], text)
                await replies.wait(start + i + 1, timeout=30)
                TRACING[0] = False
                SPANS.append((t_in, replies.last_at))
                await phone.settle()  # receipts applied before the next message
            if profile is not None:
                profile.disable()
                profile.dump_stats(os.environ["AIMY_BENCH_PROFILE"])
            steady = replies.latencies(sent_at, start)
            print(
                f"pipeline overhead, one at a time ({m} msgs): p50 {pct(steady, 50):.1f} ms, "
                f"p99 {pct(steady, 99):.1f} ms, mean {statistics.mean(steady):.1f} ms"
            )
            return {**figures, "one p50 ms": pct(steady, 50), "one p99 ms": pct(steady, 99)}


async def _spread(container: Any, numbers: int, timeout: float = 90.0) -> list[str]:
    """Wait until this node runs exactly its share (`numbers`) of the cluster's numbers, each
    connected here; the session ids. The keepers even out by themselves (a node above its
    share hands one back per heartbeat): once every node holds its share, none moves."""
    deadline = time.perf_counter() + timeout
    while True:
        held = sorted(container.leases.held)
        running = [s for s in held if s in container.channels]
        if len(held) == numbers and len(running) == numbers:
            return held
        if time.perf_counter() > deadline:
            raise TimeoutError(f"node holds {len(held)} numbers, {numbers} expected")
        await asyncio.sleep(0.1)


async def _node_run(
    url: str, k: int, count: int, n: int, numbers: int, contacts: int, shared: Any
) -> dict[str, float]:
    """One node of `count` (`--nodes`): it creates `numbers` simulator numbers in its own
    account, waits until the session leases are spread (`numbers` running on each node —
    not necessarily its own), then injects `n` messages into the numbers it runs. Replies
    are counted on the node that sends them; each node stops its clock when the whole
    cluster has sent `n × count`."""
    replies = Replies()
    barrier, done = shared
    with tempfile.TemporaryDirectory(dir=_tmp_dir()) as tmp:
        container = build_container(_settings(tmp, url))
        async with lifespan(container):
            await asyncio.to_thread(barrier.wait)  # every node is up (and counted live)
            await _number(container, str(k), numbers)
            await asyncio.to_thread(barrier.wait)
            mine = await _spread(container, numbers)
            phones = [container.channels.get(s) for s in mine]
            jids = [f"49170{i:07d}@s.whatsapp.net" for i in range(contacts)]
            sent_at: dict[str, float] = {}
            await asyncio.to_thread(barrier.wait)

            wall0 = time.time()
            pg_before = backend_cpu(container.engine)
            cpu0 = time.process_time()
            t0 = time.perf_counter()

            async def inject() -> None:
                for i in range(n):
                    text = f"n{k}s{i}"
                    sent_at[text] = time.time()
                    phone = phones[i % len(phones)]
                    assert isinstance(phone, SimulatorChannel)
                    await phone.inject(jids[i % contacts], text)

            injecting = asyncio.create_task(inject())
            deadline = time.perf_counter() + max(180.0, n * count / 10)
            while injecting.done() is False or sum(done.values()) < n * count:
                done[k] = len(replies.sent)
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"cluster sent {sum(done.values())}/{n * count} replies")
                await asyncio.sleep(0.1)
            await injecting
            injected = time.perf_counter() - t0  # (upper bound: checked every 0.1 s)
            elapsed = time.perf_counter() - t0
            wall1 = time.time()
            app_cpu = time.process_time() - cpu0
            pg_after = backend_cpu(container.engine)
            pg_cpu = sum(v - pg_before.get(pid, 0.0) for pid, v in pg_after.items())
            sat = replies.latencies(sent_at)
            figures = _cpu_figures(n, elapsed, injected, app_cpu, pg_cpu)
            return figures | {
                "wall0": wall0,
                "wall1": wall1,
                "sent here": float(len(replies.sent)),
                "load p50 ms": pct(sat, 50) if sat else 0.0,
                "load p99 ms": pct(sat, 99) if sat else 0.0,
            }


def _node(url: str, k: int, count: int, n: int, numbers: int, contacts: int, shared: Any) -> dict:
    return asyncio.run(_node_run(url, k, count, n, numbers, contacts, shared))


async def _migrate(url: str) -> None:
    """The schema, once, before the nodes start (they would queue on the migration lock)."""
    with tempfile.TemporaryDirectory(dir=_tmp_dir()) as tmp:
        async with lifespan(build_container(_settings(tmp, url))):
            pass


def nodes(db_url: str, count: int, n: int, contacts: int, numbers: int) -> dict[str, float]:
    """`count` nodes on one Postgres schema at once: the cluster's throughput (all messages
    over the span from the first start to the last reply) and CPU per message."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    async def schema() -> str:
        import asyncpg

        name = f"bench_{secrets.token_hex(6)}"
        admin = await asyncpg.connect(db_url)
        await admin.execute(f"CREATE SCHEMA {name}")
        await admin.close()
        return name

    async def drop(name: str) -> None:
        import asyncpg

        admin = await asyncpg.connect(db_url)
        await admin.execute(f"DROP SCHEMA {name} CASCADE")
        await admin.close()

    name = asyncio.run(schema())
    url = f"{db_url}{'&' if '?' in db_url else '?'}search_path={name}"
    spawn = multiprocessing.get_context("spawn")
    load0 = os.getloadavg()[0]
    try:
        asyncio.run(_migrate(url))
        with spawn.Manager() as manager, ProcessPoolExecutor(count, mp_context=spawn) as pool:
            shared = (manager.Barrier(count), manager.dict())
            runs = [
                pool.submit(_node, url, k, count, n, numbers, contacts, shared)
                for k in range(count)
            ]
            figures = [r.result() for r in runs]
    finally:
        asyncio.run(drop(name))
    span = max(f["wall1"] for f in figures) - min(f["wall0"] for f in figures)
    app = sum(f["app cpu s"] for f in figures)
    cpu = app + sum(f["pg cpu s"] for f in figures)
    total = n * count
    sent = ", ".join(f"{f['sent here']:.0f}" for f in figures)
    print(
        f"{count} node(s), {numbers} numbers each: {total} messages in {span:.1f} s = "
        f"{total / span:.0f} msg/s ({total / span / count:.0f} per node; sent per node: {sent}); "
        f"{total / app:.0f} msg per app CPU-second, {total / cpu:.0f} per CPU-second with "
        f"Postgres' backends (app {app:.1f} s, PG {cpu - app:.1f} s); latency under load p50 "
        f"{statistics.median(f['load p50 ms'] for f in figures):.0f} ms; "
        f"load average {load0:.1f} → {os.getloadavg()[0]:.1f}"
    )
    return {"msg/s": total / span, "msg/app-cpu-s": total / app, "msg/cpu-s": total / cpu}


def _tmp_dir() -> str | None:
    """Where the temporary database lives: `AIMY_BENCH_TMP` (a real disk; /tmp may be tmpfs,
    where fsync costs nothing and `synchronous` makes no difference)."""
    import os

    return os.environ.get("AIMY_BENCH_TMP") or None


async def bare_echo() -> None:
    """3. bare Litestar echo, same process and loop"""
    bare = Litestar([echo], logging_config=None)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=bare), base_url="http://bare"
    ) as client:
        times = []
        for i in range(2000):
            t = time.perf_counter()
            r = await client.post("/echo", json={"text": f"e{i}"})
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
    print(
        f"bare Litestar POST /echo (ASGI, in-process): p50 {pct(times, 50):.2f} ms, "
        f"p99 {pct(times, 99):.2f} ms"
    )


async def compare(args: argparse.Namespace) -> None:
    modes = [m.strip().lower() for m in args.sync.split(",")]
    figures: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    for round_ in range(args.rounds):
        for mode in modes if round_ % 2 == 0 else reversed(modes):
            figures[mode].append(
                await run(args.db, args.n, args.contacts, args.steady, mode, args.concurrency)
            )
    if len(modes) < 2:
        return
    print(f"\nmedians of {args.rounds} alternating rounds (ratio to {modes[0]}):")
    base = {k: statistics.median(r[k] for r in figures[modes[0]]) for k in figures[modes[0]][0]}
    for mode in modes:
        cells = []
        for key, ref in base.items():
            value = statistics.median(r[key] for r in figures[mode])
            cells.append(f"{key} {value:.1f} (x{value / ref:.2f})")
        print(f"  {mode}: " + "; ".join(cells))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default=None, help="Postgres URL (default: SQLite temp file)")
    p.add_argument("-n", type=int, default=10_000)
    p.add_argument("--contacts", type=int, default=1_000)
    p.add_argument("--steady", type=int, default=300, help="messages sent one at a time")
    p.add_argument("--sync", default="inbound", help="SQLite durabilities: normal,inbound,full")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument(
        "--concurrency", type=int, default=1, help="saturation: messages injected at once"
    )
    p.add_argument("--no-bare", action="store_true", help="skip the bare Litestar baseline")
    p.add_argument(
        "--nodes", default="", help="Postgres only: node counts to run side by side, e.g. 1,2,3"
    )
    p.add_argument("--numbers", type=int, default=2, help="--nodes: simulator numbers per node")
    p.add_argument("--calls", action="store_true", help="Postgres: count round trips by statement")
    p.add_argument("--poll-s", type=float, default=1.0, help="dispatcher and webhook polls")
    p.add_argument(
        "--trace",
        type=int,
        default=0,
        help="Postgres: time each round trip of this many messages sent one at a time",
    )
    p.add_argument(
        "--budget", action="store_true", help="send budget on (its limit: 1,000/min per number)"
    )
    args = p.parse_args()
    global BUDGET, POLL_S
    BUDGET, POLL_S = args.budget, args.poll_s
    if args.calls or args.trace:  # loaded from beside this file: it also counts another tree's
        import importlib.util

        spec = importlib.util.spec_from_file_location(
            "pg_calls", Path(__file__).with_name("pg_calls.py")
        )
        assert spec is not None and spec.loader is not None
        pg_calls = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(pg_calls)
    if args.trace:
        pg_calls.TRACING = TRACING
        pg_calls.trace()
        asyncio.run(run(args.db, args.n, args.contacts, args.trace, "inbound", args.concurrency))
        pg_calls.timeline(SPANS)
        pg_calls.by_statement(SPANS)
        return
    if args.calls:
        pg_calls.count()
        asyncio.run(run(args.db, args.n, args.contacts, 0, "inbound", args.concurrency))
        pg_calls.report(args.n)
        return
    if args.nodes:
        for count in (int(c) for c in args.nodes.split(",")):
            nodes(args.db, count, args.n, args.contacts, args.numbers)
        return
    asyncio.run(compare(args))
    if not args.no_bare:
        asyncio.run(bare_echo())


if __name__ == "__main__":
    main()
