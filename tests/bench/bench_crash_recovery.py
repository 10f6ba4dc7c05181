"""Crash with many unanswered messages (issue 13 "Done when"): a real server takes N messages
(202 each) while its bot is stalled (`AIMY_ROUTE_STALL_S`, fault injection: every routing
waits), is SIGKILLed with all of them unanswered, and restarts as installed (no stall). From
the moment its port opens, health is polled every 50 ms; then a third start must send
nothing.

Prints: 202s, unanswered at the kill, first health answer after the port opened, slowest and
p99 health answers, `recovering` seen, time until every message was answered, replies and
sends per outbox row (exactly once), and what the third start sent.

Run: `/work/main/.venv/bin/python -m tests.bench.bench_crash_recovery [-n 1200] [--contacts 100]
[--bot extractive|echo]` (extractive: the default bot answering from an FAQ with e5 embeddings).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import signal
import socket
import sqlite3
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import httpx

from tests.conftest import TEST_MASTER_KEY
from tests.e2e.conftest import Process, launch, start

BASE = {
    "AIMY_MASTER_KEY": TEST_MASTER_KEY,
    "AIMY_SECRETS_BACKEND": "file",
    "AIMY_TYPING_MS_PER_CHAR": "0",
    "AIMY_CHAT_SPACING_S": "0",
    "AIMY_SEND_BUDGET": "false",  # no send budget: the bench counts answers, not pacing
    "AIMY_RATE_LIMIT_API_PER_MIN": "1000000",
}
QUESTION = "When are you open? ({i})"


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, **BASE, **extra}


def db(data: Path, sql: str) -> int:
    with sqlite3.connect(data / "aimywhatsapp.db") as conn:
        return int(conn.execute(sql).fetchone()[0])


def settled(data: Path) -> bool:
    unrouted = db(data, "SELECT count(*) FROM messages WHERE routed_at IS NULL")
    unsent = db(data, "SELECT count(*) FROM outbox WHERE status != 'SENT'")
    return unrouted == 0 and unsent == 0


def port_open(url: str, timeout: float = 120) -> float:
    parsed = urlparse(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((parsed.hostname, parsed.port), timeout=0.05):
                return time.monotonic()
        except OSError:
            time.sleep(0.005)
    raise RuntimeError("the port never opened")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def setup(first: Process, bot: str) -> tuple[dict[str, str], str]:
    auth = httpx.post(
        f"{first.url}/api/v1/auth/register",
        json={"email": "crash@example.com", "password": "Crash-Bench-Secret-7",
              "name": "C", "workspaceName": "W"},
    ).json()  # fmt: skip
    headers = {"Authorization": f"Bearer {auth['accessToken']}"}
    sid = httpx.post(
        f"{first.url}/api/v1/whatsapp/sessions",
        json={"accountId": "crash", "channel": "simulator"},
        headers=headers,
    ).json()["id"]
    if bot == "extractive":
        kbs = httpx.get(f"{first.url}/api/v1/knowledge-bases", headers=headers).json()
        kb = (kbs["items"] if isinstance(kbs, dict) else kbs)[0]["id"]
        r = httpx.post(
            f"{first.url}/api/v1/knowledge-bases/{kb}/faqs",
            json={"question": "When are you open?", "answer": "Every day from 9 to 5."},
            headers=headers,
            timeout=300,
        )
        r.raise_for_status()
    return headers, sid


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("-n", type=int, default=1200)
    p.add_argument("--contacts", type=int, default=100)
    p.add_argument("--bot", choices=("extractive", "echo"), default="extractive")
    args = p.parse_args()
    bot_env = {"AIMY_AUTO_REPLY": "echo"} if args.bot == "echo" else {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        first = start(data, env=env(AIMY_ROUTE_STALL_S="3600", **bot_env))
        headers, sid = setup(first, args.bot)
        url = f"{first.url}/api/v1/whatsapp/sessions/{sid}/simulate"

        def send(i: int) -> int:
            body = {"from": f"+49176{i % args.contacts:08d}", "text": QUESTION.format(i=i)}
            return httpx.post(url, json=body, headers=headers, timeout=30).status_code

        t0 = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            codes = collections.Counter(pool.map(send, range(args.n)))
        sent_s = time.monotonic() - t0
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(10)
        unanswered = db(data, "SELECT count(*) FROM messages WHERE routed_at IS NULL")
        print(f"{args.n} messages sent in {sent_s:.1f} s: {dict(codes)}")
        print(f"SIGKILL: {unanswered} inbound messages unanswered, "
              f"{db(data, 'SELECT count(*) FROM outbox')} replies written")  # fmt: skip

        second = launch(data, env=env(**bot_env))
        opened = port_open(second.url)
        probes: list[tuple[float, float, int]] = []
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < opened + 900:
                asked = time.monotonic()
                body = client.get(f"{second.url}/api/v1/health").json()
                answered = time.monotonic()
                probes.append((answered - opened, answered - asked, body.get("recovering", -1)))
                if body.get("recovering") == 0 and settled(data):
                    break
                time.sleep(0.05)
        done_s = time.monotonic() - opened
        assert second.stop() == 0
        latencies = [lat for _, lat, _ in probes]
        print(
            f"restart: first health answer {probes[0][0]:.2f} s after the port opened; "
            f"{len(probes)} probes, slowest {max(latencies):.3f} s, "
            f"p99 {pct(latencies, 99):.3f} s, p50 {pct(latencies, 50):.3f} s; "
            f"max recovering seen {max(r for _, _, r in probes)}"
        )
        sends = re.findall(r"sent outbox (\w+)", second.log())
        per_row = collections.Counter(collections.Counter(sends).values())
        inbound = db(data, "SELECT count(*) FROM messages WHERE direction = 'INBOUND'")
        unrouted = db(data, "SELECT count(*) FROM messages WHERE routed_at IS NULL")
        replies = db(data, "SELECT count(*) FROM outbox")
        print(
            f"all answered after {done_s:.1f} s: inbound {inbound}, unrouted {unrouted}, "
            f"replies {replies}, sent {len(sends)} (sends per outbox row: {dict(per_row)})"
        )

        third = start(data, env=env(**bot_env))
        time.sleep(3)
        assert third.stop() == 0
        again = len(re.findall(r"sent outbox", third.log()))
        print(f"third start: {again} sends (must be 0)")


if __name__ == "__main__":
    main()
