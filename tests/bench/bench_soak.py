"""Soak with a crash: a real server process takes simulated messages over HTTP, is killed
with SIGKILL midway, restarted on the same data dir, and the rest is sent (messages whose
202 never came back are sent again with the same waMessageId, as WhatsApp redelivers).
Counts lost replies (an inbound with no SENT reply) and duplicated sends (an outbox id sent
in more than one process, from the dispatcher's per-send log line).

Run: `/work/venv/bin/python -m tests.bench.bench_soak [-n 2000] [--contacts 200]`

`--kb`: the no-creep soak instead (tests/bench/soak_kb.py): `-n` (default 50,000) knowledge-
base answers with `--tabs` (20) dashboard tabs open, the server's RSS over messages.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import signal
import sqlite3
import tempfile
import time
from pathlib import Path

import httpx

from tests.e2e.conftest import start

ENV = {
    "AIMY_AUTO_REPLY": "echo",
    "AIMY_TYPING_MS_PER_CHAR": "0",
    "AIMY_CHAT_SPACING_S": "0",
    "AIMY_SEND_BUDGET": "false",  # no send budget: the soak measures the pipeline, not pacing
    "AIMY_RATE_LIMIT_API_PER_MIN": "1000000",
}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("-n", type=int, default=None)
    p.add_argument("--contacts", type=int, default=None)
    p.add_argument("--kb", action="store_true", help="the no-creep soak (tests/bench/soak_kb.py)")
    p.add_argument("--tabs", type=int, default=20)
    p.add_argument("--every", type=int, default=500, help="--kb: RSS sampled every N messages")
    p.add_argument("--backlog", type=int, default=50, help="--kb: most unanswered at once")
    p.add_argument("--out", default="tests/bench/soak-kb", help="--kb: SVG and CSV path stem")
    p.add_argument("--senders", type=int, default=8, help="--kb: concurrent simulated senders")
    p.add_argument(
        "--stop-after-s", type=float, default=0, help="--kb: stop sending after this long"
    )
    args = p.parse_args()
    if args.kb:
        from tests.bench.soak_kb import kb_soak

        args.n, args.contacts = args.n or 50_000, args.contacts or 1000
        args.warm = args.n // 10  # the warm-up: the first 10% of the planned run
        kb_soak(args)
        return
    args.n, args.contacts = args.n or 2000, args.contacts or 200
    os.environ.update(ENV)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        server = start(data)
        auth = httpx.post(
            f"{server.url}/api/v1/auth/register",
            json={
                "email": "soak@example.com",
                "password": "Soak-Secret-1",
                "name": "S",
                "workspaceName": "W",
            },
        ).json()
        h = {"Authorization": f"Bearer {auth['accessToken']}"}
        sid = httpx.post(
            f"{server.url}/api/v1/whatsapp/sessions",
            headers=h,
            json={"accountId": "soak", "channel": "simulator"},
        ).json()["id"]
        logs, acked, i, killed = [], set(), 0, False
        t0 = time.perf_counter()
        with httpx.Client(timeout=10) as client:
            while i < args.n:
                if not killed and i == args.n // 2:
                    server.proc.send_signal(signal.SIGKILL)
                    server.proc.wait()
                    logs.append(server.log())
                    killed = True
                    server = start(data)
                    # redeliver whatever may not have been persisted (WhatsApp would)
                    for j in range(max(0, i - 50), i):
                        send(client, server.url, sid, h, j, args.contacts)
                try:
                    if send(client, server.url, sid, h, i, args.contacts):
                        acked.add(f"SOAK{i}")
                    i += 1
                except httpx.TransportError:
                    time.sleep(0.2)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and pending(data) > 0:
            time.sleep(0.5)
        elapsed = time.perf_counter() - t0
        logs.append(server.log())
        server.stop()
        report(data, logs, args.n, elapsed)


def send(client: httpx.Client, url: str, sid: str, h: dict, i: int, contacts: int) -> bool:
    r = client.post(
        f"{url}/api/v1/whatsapp/sessions/{sid}/simulate",
        headers=h,
        json={"from": f"+49170{i % contacts:07d}", "text": f"soak {i}", "waMessageId": f"SOAK{i}"},
    )
    return r.status_code == 202


def pending(data: Path) -> int:
    with sqlite3.connect(data / "aimywhatsapp.db") as db:
        unrouted = db.execute(
            "SELECT count(*) FROM messages WHERE direction='INBOUND' AND routed_at IS NULL"
        ).fetchone()[0]
        unsent = db.execute("SELECT count(*) FROM outbox WHERE status != 'SENT'").fetchone()[0]
    return unrouted + unsent


def report(data: Path, logs: list[str], n: int, elapsed: float) -> None:
    with sqlite3.connect(data / "aimywhatsapp.db") as db:
        inbound = {
            r[0]: r[1]
            for r in db.execute(
                "SELECT wa_message_id, content FROM messages WHERE direction='INBOUND'"
            )
        }
        replies = collections.Counter(
            r[0]
            for r in db.execute(
                "SELECT content FROM messages WHERE direction='OUTBOUND' AND status IN "
                "('SENT','DELIVERED','READ')"
            )
        )
    sends = collections.Counter()
    for log in logs:
        for outbox_id in set(re.findall(r"sent outbox (\w+)", log)):
            sends[outbox_id] += 1
        # a row sent twice within one process would also show twice in that log
        for outbox_id, k in collections.Counter(re.findall(r"sent outbox (\w+)", log)).items():
            sends[outbox_id] += k - 1
    lost = [w for w, text in inbound.items() if replies[text] == 0]
    duplicated = [o for o, k in sends.items() if k > 1]
    print(f"soak: {n} messages, SIGKILL + restart at {n // 2}, {elapsed:.0f} s")
    print(f"  inbound stored: {len(inbound)} (of {n}); replies sent: {sum(replies.values())}")
    print(
        f"  lost replies: {len(lost)}; duplicated sends: {len(duplicated)}; "
        f"duplicate reply rows: {sum(k - 1 for k in replies.values() if k > 1)}"
    )


if __name__ == "__main__":
    main()
