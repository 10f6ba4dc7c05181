"""Issue 18's done-when test, part A: three app nodes (`python -m app serve` each, own data dir)
on one real Postgres.

- Simulator sessions created through node A spread over the three nodes (leases, fair share).
- A live-channel request (simulate, status, QR) sent to node A for a session node B runs is
  forwarded to B (each node publishes its `AIMY_NODE_URL`), at most once; a request for a
  session whose node was just killed is a 503 until the lease moves.
- A WebSocket client on node A sees a message that node B handled (LISTEN/NOTIFY bridge).
- Node C runs with fault injection: it claims outbox rows and waits before sending them, and
  its AI slot waits before answering. Node A queues a message for each of C's sessions (C is
  woken across nodes and claims it); customers write to C (stored, not yet answered); we
  SIGKILL C. Its sessions come back on A and B within the lease timeout, and every message —
  the ones C had claimed, the ones it had not answered, and new ones after the kill — goes out
  exactly once (counted in the database and in the nodes' send logs).
- A graceful stop of node B hands its sessions to A at once (no waiting for the timeout).

The nodes share one secret store file (`AIMY_SECRETS_FILE`: the token signing key, API keys),
as nodes behind one proxy must: a token from node A is good on node B.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.cluster.signing import PURPOSE, NodeSignature
from app.secrets import Cipher, decode_master_key
from tests.conftest import TEST_MASTER_KEY
from tests.e2e.accounts import register
from tests.e2e.conftest import Process, launch

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

TTL_S = 3.0
SESSIONS = 6


def _pg(url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    import asyncpg

    async def run() -> list[dict[str, Any]]:
        connection = await asyncpg.connect(url)
        try:
            return [dict(r) for r in await connection.fetch(sql, *args)]
        finally:
            await connection.close()

    return asyncio.run(run())


def _wait(check: Callable[[], Any], timeout: float = 30.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}")


def _healthy(process: Process, timeout: float = 90.0) -> None:
    def up() -> bool:
        if process.proc.poll() is not None:
            raise RuntimeError(f"node exited early:\n{process.log()}")
        try:
            return httpx.get(f"{process.url}/api/v1/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    _wait(up, timeout, "a node's health")


@pytest.fixture
def database() -> Iterator[str]:
    base = os.environ.get("AIMY_TEST_POSTGRES_URL")
    if not base:
        pytest.skip(
            "AIMY_TEST_POSTGRES_URL not set (export it from: bash .ci/postgres.sh | tail -1)"
        )
    schema = f"t_{secrets.token_hex(6)}"
    _pg(base, f"CREATE SCHEMA {schema}")
    try:
        yield f"{base}{'&' if '?' in base else '?'}search_path={schema}"
    finally:
        _pg(base, f"DROP SCHEMA {schema} CASCADE")


def _leases(db: str) -> dict[str, str]:
    rows = _pg(db, "SELECT session_id, node_id FROM session_leases")
    return {r["session_id"]: r["node_id"] for r in rows}


def _connected_on(db: str, nodes: set[str]) -> dict[str, str] | None:
    """{session: node} when every session is CONNECTED on one of `nodes`, else None."""
    rows = _pg(
        db,
        "SELECT l.session_id, l.node_id, s.status FROM session_leases l "
        "JOIN whatsapp_sessions s ON s.id = l.session_id",
    )
    if len(rows) == SESSIONS and all(r["node_id"] in nodes and r["status"] == "CONNECTED"
                                     for r in rows):  # fmt: skip
        return {r["session_id"]: r["node_id"] for r in rows}
    return None


def _simulate(url: str, auth: dict[str, str], session: str, phone: str, text: str) -> None:
    r = httpx.post(
        f"{url}/api/v1/whatsapp/sessions/{session}/simulate",
        json={"from": phone, "text": text},
        headers=auth,
    )
    assert r.status_code == 202, r.text


def _replies(db: str) -> dict[str, list[str]]:
    rows = _pg(
        db,
        "SELECT m.content, o.status FROM outbox o JOIN messages m ON m.id = o.message_id",
    )
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["content"], []).append(r["status"])
    return out


def test_three_nodes_share_sessions_events_and_survive_a_sigkill(
    tmp_path: Path, database: str
) -> None:
    from websockets.sync.client import connect

    base_env = {
        **os.environ,
        "AIMY_MASTER_KEY": TEST_MASTER_KEY,
        "AIMY_SECRETS_BACKEND": "file",
        # one secret store for all nodes (signing key, API keys): they start together and
        # agree on one signing key through the file's lock
        "AIMY_SECRETS_FILE": str(tmp_path / "shared" / "secrets.enc"),
        "AIMY_DATABASE_URL": database,
        "AIMY_AUTO_REPLY": "echo",
        "AIMY_TYPING_MS_PER_CHAR": "0",
        "AIMY_CHAT_SPACING_S": "0",
        "AIMY_SEND_JITTER_S": "0",
        "AIMY_LEASE_TTL_S": str(TTL_S),
        "AIMY_LEASE_HEARTBEAT_S": "0.5",
    }
    # node C claims its sends, then hangs before each; its AI slot hangs before answering
    stall = {"AIMY_DISPATCH_STALL_S": "3600", "AIMY_ROUTE_STALL_S": "3600"}
    nodes: dict[str, Process] = {}
    for name, extra in (("a", {}), ("b", {}), ("c", stall)):
        data = tmp_path / name / "data"
        data.mkdir(parents=True)
        env = {**base_env, "AIMY_NODE_ID": f"node-{name}", **extra}
        nodes[f"node-{name}"] = launch(data, env=env)
    try:
        for process in nodes.values():
            _healthy(process)
        a, b, c = nodes["node-a"], nodes["node-b"], nodes["node-c"]
        assert httpx.get(f"{b.url}/api/v1/health").json()["node"] == "node-b"

        auth = {"Authorization": f"Bearer {register(a.url, 'scale@example.com')['accessToken']}"}
        for i in range(SESSIONS):
            r = httpx.post(
                f"{a.url}/api/v1/whatsapp/sessions",
                json={"accountId": f"sim{i}", "channel": "simulator"},
                headers=auth,
            )
            assert r.status_code == 201, r.text

        # spread: two sessions per node, each CONNECTED where its lease is
        placed = _wait(
            lambda: (
                (p := _connected_on(database, set(nodes)))
                and sorted(p.values()) == sorted(list(nodes) * 2)
                and p
            ),
            timeout=30,
            what="sessions spread over the three nodes",
        )
        on = {n: [s for s, node in placed.items() if node == n] for n in nodes}

        # any node answers a live-channel request: A forwards it to B, which runs the session
        urls = {r["id"]: r["url"] for r in _pg(database, "SELECT id, url FROM nodes")}
        assert urls == {name: process.url for name, process in nodes.items()}
        at_b = f"{a.url}/api/v1/whatsapp/sessions/{on['node-b'][0]}"
        r = httpx.post(
            f"{at_b}/simulate", json={"from": "+4917600000099", "text": "via A"}, headers=auth
        )
        assert r.status_code == 202 and r.headers["x-aimy-node"] == "node-b", r.text
        r = httpx.get(f"{at_b}/status", headers=auth)
        assert r.status_code == 200 and r.json()["running"] is True, r.text
        r = httpx.get(f"{at_b}/qr", headers=auth)
        assert r.status_code == 200 and r.json()["status"] == "CONNECTED", r.text
        assert httpx.get(f"{at_b}/qr").status_code == 401  # not forwarded unauthenticated
        # forwarded at most once: a request another node signed is answered where it lands —
        # the QR from what B published (the dashboard's way), the simulator's phone not at all
        node_x = NodeSignature(Cipher(decode_master_key(TEST_MASTER_KEY)).derive(PURPOSE), "x")
        path_b = at_b.removeprefix(a.url)
        once = {**auth, **node_x.headers("GET", f"{path_b}/qr")}
        r = httpx.get(f"{at_b}/qr", headers=once)
        assert r.status_code == 200 and "x-aimy-node" not in r.headers, r.text
        assert r.json()["status"] == "CONNECTED"
        said = json.dumps({"from": "+49176", "text": "x"}).encode()
        once = {**auth, **node_x.headers("POST", f"{path_b}/simulate", body=said)}
        once["Content-Type"] = "application/json"
        r = httpx.post(f"{at_b}/simulate", content=said, headers=once)
        assert r.status_code == 409 and "runs on node node-b" in r.text, r.text
        # the header alone proves nothing: an ordinary request, forwarded as any other
        spoofed = {**auth, "X-Aimy-Forwarded": "node-x"}
        r = httpx.get(f"{at_b}/status", headers=spoofed)
        assert r.status_code == 200 and r.headers["x-aimy-node"] == "node-b", r.text

        # counted once: A counts what it forwards, B (the signature checked) does not
        def remaining() -> int:
            r = httpx.get(f"{at_b}/status", headers=auth)
            assert r.headers["x-aimy-node"] == "node-b", r.text
            return int(r.headers["ratelimit-remaining"])

        counted = [remaining() - remaining() for _ in range(3)]
        assert 1 in counted and 2 not in counted, counted  # < 0: a new minute began between
        # what forwarding costs: the same read through A (forwarded) and at B (direct)
        timings: dict[str, list[float]] = {"forwarded": [], "direct": []}
        for _ in range(20):
            for kind, base in (("forwarded", a.url), ("direct", b.url)):
                started = time.perf_counter()
                r = httpx.get(
                    f"{base}/api/v1/whatsapp/sessions/{on['node-b'][0]}/status", headers=auth
                )
                timings[kind].append(time.perf_counter() - started)
                assert r.status_code == 200
        medians = {k: sorted(v)[len(v) // 2] * 1000 for k, v in timings.items()}
        print(f"\nstatus via A (forwarded to B): {medians['forwarded']:.1f} ms median, "
              f"at B directly: {medians['direct']:.1f} ms")  # fmt: skip

        # a WebSocket client on node A sees what node B handled
        token = auth["Authorization"].split()[1]
        with connect(f"ws://{a.url.removeprefix('http://')}/api/v1/ws?token={token}") as ws:
            assert json.loads(ws.recv(timeout=10))["event"] == "joined"
            sent_at = time.monotonic()
            _simulate(b.url, auth, on["node-b"][0], "+4917600000100", "handled by B")
            seen: list[tuple[str, str]] = []
            while ("OUTBOUND", "handled by B") not in seen:
                frame = json.loads(ws.recv(timeout=15))
                if frame["event"] == "message:new":
                    message = frame["data"]["message"]
                    seen.append((message["direction"], message["content"]))
                    if len(seen) == 1:
                        first_s = time.monotonic() - sent_at
            print(f"\ncross-node event: inbound on B seen on A after {first_s * 1000:.0f} ms")
        assert seen[0] == ("INBOUND", "handled by B")

        # node A queues a message for each of C's sessions: C is woken, claims it and hangs
        # before sending; inbound messages on C stay unrouted (C's AI slot hangs); SIGKILL
        doomed = on["node-c"]
        for i, session in enumerate(doomed):
            r = httpx.post(
                f"{a.url}/api/v1/whatsapp/sessions/{session}/send",
                json={"to": f"+49176000002{i:02d}", "text": f"across the kill {i}"},
                headers=auth,
            )
            assert r.status_code == 202, r.text
        for i, session in enumerate(doomed):
            _simulate(c.url, auth, session, f"+49176000005{i:02d}", f"unrouted on C {i}")
        for i, session in enumerate(on["node-a"] + on["node-b"]):
            node = a if session in on["node-a"] else b
            _simulate(node.url, auth, session, f"+49176000003{i:02d}", f"elsewhere {i}")
        _wait(lambda: c.log().count("dispatch stall: holding outbox") >= len(doomed), 20)
        pending = _replies(database)
        assert all(pending[f"across the kill {i}"] == ["SENDING"] for i in range(len(doomed)))
        assert not any(f"unrouted on C {i}" in pending for i in range(len(doomed)))
        c.proc.send_signal(signal.SIGKILL)
        c.proc.wait(10)
        killed_at = time.monotonic()
        # until its lease runs out, C's sessions are C's: a request for one says C is away
        r = httpx.get(f"{a.url}/api/v1/whatsapp/sessions/{doomed[0]}/qr", headers=auth)
        assert r.status_code == 503 and "node-c, which did not answer" in r.text, r.text

        moved = _wait(
            lambda: _connected_on(database, {"node-a", "node-b"}),
            timeout=TTL_S + 10,
            what="node C's sessions running on A and B",
        )
        takeover_s = time.monotonic() - killed_at
        print(f"takeover after SIGKILL: {takeover_s:.2f} s (lease timeout {TTL_S} s)")
        assert takeover_s < TTL_S + 2.5  # the timeout, a heartbeat, opening the channel
        for session in doomed:  # messages after the kill reach the new holder
            node = nodes[moved[session]]
            _simulate(node.url, auth, session, "+4917600000400", f"after the kill {session}")

        expected = [f"across the kill {i}" for i in range(len(doomed))]
        expected += [f"unrouted on C {i}" for i in range(len(doomed))]
        expected += [f"elsewhere {i}" for i in range(len(on["node-a"]) + len(on["node-b"]))]
        expected += [f"after the kill {s}" for s in doomed]
        _wait(
            lambda: all(_replies(database).get(t) == ["SENT"] for t in expected),
            timeout=20,
            what="every reply SENT",
        )
        time.sleep(1.0)  # more dispatcher passes: nothing goes out a second time
        replies = _replies(database)
        assert {t: replies[t] for t in expected} == {t: ["SENT"] for t in expected}
        sends = a.log().count("sent outbox") + b.log().count("sent outbox")
        assert c.log().count("sent outbox") == 0
        assert sends == len(expected) + 2  # + "via A" and "handled by B"

        # a graceful stop hands B's sessions over at once (not after the timeout)
        assert b.stop() == 0
        exited_at = time.monotonic()
        assert "node-b" not in _leases(database).values()  # freed on the way down
        _wait(
            lambda: _connected_on(database, {"node-a"}),
            timeout=TTL_S,
            what="B's sessions on A",
        )
        handover_s = time.monotonic() - exited_at
        print(f"handover after a graceful stop: {handover_s:.2f} s after B exited")
    finally:
        for process in nodes.values():
            if process.proc.poll() is None:
                process.proc.send_signal(signal.SIGKILL)
                process.proc.wait(10)
