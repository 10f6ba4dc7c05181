"""No creep: a long run of knowledge-base answers with dashboard tabs open, RSS over messages.

A real server (`python -m app serve --headless`, default engine: e5 on ONNX Runtime, the
extractive provider answering from the knowledge base) gets StackFAQ's 125 FAQs, then `n`
simulated WhatsApp questions (StackFAQ paraphrases, from `contacts` customers) over HTTP, a
few in flight, never more than `backlog` unanswered. `tabs` dashboard tabs are open in
Debian's chromium for the whole run (half on the inbox — its conversation list re-renders
live —, a quarter on the overview, a quarter on a customer's live thread). Conversations the
bot escalated are resolved every 250 messages, as an agent would, so the bot keeps answering.

The server's RSS (its process tree) is sampled every `every` messages; growth is measured
from the end of the warm-up (the first 10%) to the end. Writes an SVG plot and a CSV.

Run: python -m tests.bench.bench_soak --kb [-n 50000] [--contacts 1000] [--tabs 20]
     [--out tests/bench/soak-kb]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import re
import sqlite3
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.bench.bench_lean import tree_rss
from tests.bench.datasets import stackfaq
from tests.conftest import TEST_MASTER_KEY
from tests.e2e import accounts
from tests.e2e.conftest import start

EMAIL = "soak@example.com"
ENV = {
    "AIMY_TYPING_MS_PER_CHAR": "0",
    "AIMY_CHAT_SPACING_S": "0",
    "AIMY_SEND_JITTER_S": "0",  # pacing is for ban risk; the soak is about memory
    "AIMY_SEND_BUDGET": "false",  # no send budget (a benchmark measures without it)
    "AIMY_RATE_LIMIT_API_PER_MIN": "1000000",
    # the driver signs in once: a 15-minute access token expired mid-run (every call then 401)
    "AIMY_ACCESS_TOKEN_TTL_S": "86400",
}


def kb_soak(args: argparse.Namespace) -> None:
    """`args`: n, contacts, tabs, every, backlog, out (see tests/bench/bench_soak.py)."""
    env = {**os.environ, "AIMY_MASTER_KEY": TEST_MASTER_KEY, "AIMY_SECRETS_BACKEND": "file", **ENV}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        server = start(data, env=env)
        try:
            run(server.url, server.proc.pid, data, args)
        finally:
            server.stop()
            Path(args.out).with_suffix(".log").write_text(server.log())  # the stall stacks
        log = server.log()
        print("server log warnings:", sum("WARNING" in ln for ln in log.splitlines()))
        print(stall_summary(log))


def stall_summary(log: str) -> str:
    """How often and how long the event loop was blocked (app/loop_watch.py's warnings)."""
    stalls = [float(s) for s in re.findall(r"event loop ran again after ([0-9.]+) s", log)]
    return (
        f"loop stalls: {len(stalls)}, {sum(stalls):.1f} s in all, longest "
        f"{max(stalls, default=0):.1f} s"
    )


def setup(url: str) -> tuple[httpx.Client, str]:
    accounts.register(url, EMAIL, "Soak shop")
    c = httpx.Client(
        base_url=f"{url}/api/v1",
        headers={"Authorization": f"Bearer {accounts.login(url, EMAIL)}"},
        timeout=120,
    )
    kb = next(k["id"] for k in c.get("/knowledge-bases").json() if k["isDefault"])
    for q, a in (stackfaq().faqs or {}).values():
        r = c.post(f"/knowledge-bases/{kb}/faqs", json={"question": q, "answer": a[:2000]})
        assert r.status_code == 201, r.text
    sid = c.post("/whatsapp/sessions", json={"accountId": "soak", "channel": "simulator"})
    return c, str(sid.json()["id"])


def open_tabs(url: str, conversations: list[str], k: int):  # type: ignore[no-untyped-def]
    """k signed-in tabs; returns (playwright context manager, context) to close at the end."""
    from tests.e2e.browser import browser

    cm = browser()
    b = cm.__enter__()
    context = b.new_context(viewport={"width": 1100, "height": 700})  # type: ignore[attr-defined]
    context.set_default_timeout(300_000)  # a page's first load on two shared, busy cores
    page = context.new_page()  # signing in once: the session cookie is shared by every tab
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(accounts.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda u: "/login" not in u, timeout=120_000)
    page.close()
    # each tab counts its own page loads: a tab whose socket dropped for longer than NiceGUI's
    # reconnect window (a starved server or browser) loads its page again, which costs the
    # server a full page build — `tab_loads` reads the count at the end
    context.add_init_script(RELOADS_JS)
    for i in range(k):
        page = context.new_page()
        if i % 4 in (0, 1):
            page.goto(f"{url}/dashboard/inbox")
        elif i % 4 == 2:
            page.goto(f"{url}/dashboard")
        else:
            page.goto(f"{url}/dashboard/inbox/{conversations[i % len(conversations)]}")
        page.wait_for_timeout(300)
    return cm, context


# counts a tab's page loads in its sessionStorage, and why NiceGUI's script reloaded it (it logs
# "reloading because …": the handshake failed — the server had dropped the tab —, the connection
# timed out, …)
RELOADS_JS = """
sessionStorage.aimyLoads = String(+(sessionStorage.aimyLoads || 0) + 1);
const aimyLog = console.log;
console.log = (...args) => {
  const text = String(args[0]);
  if (text.startsWith("reloading because")) {
    sessionStorage.aimyWhy = (sessionStorage.aimyWhy || "") + text.slice(18, 48) + ";";
  }
  aimyLog(...args);
};
"""


def tab_loads(context) -> str:  # type: ignore[no-untyped-def]
    """Page loads of the open tabs since they opened (the first load of each included), and
    NiceGUI's reasons for the reloads."""
    loads, why = 0, collections.Counter[str]()
    for page in context.pages:
        try:
            n, reasons = page.evaluate("[+(sessionStorage.aimyLoads || 0), sessionStorage.aimyWhy]")
        except Exception:  # a tab that crashed or is mid-reload counts as nothing
            continue
        loads += int(n)
        why.update(r for r in (reasons or "").split(";") if r)
    return f"{loads}; reloads: {dict(why) or 'none logged'}"


def unanswered(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as con:
        return int(
            con.execute(
                "SELECT count(*) FROM messages WHERE direction='INBOUND' AND routed_at IS NULL"
            ).fetchone()[0]
            + con.execute("SELECT count(*) FROM outbox WHERE status != 'SENT'").fetchone()[0]
        )


def kb_replies(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db, timeout=30) as con:
        bot = "direction='OUTBOUND' AND sender_type='BOT'"
        total = con.execute(f"SELECT count(*) FROM messages WHERE {bot}").fetchone()[0]
        kb = con.execute(
            f"SELECT count(*) FROM messages WHERE {bot} AND kb_chunks_used NOT IN ('[]', '')"
        ).fetchone()[0]
    return int(total), int(kb)


def resolve_waiting(c: httpx.Client) -> int:
    done = 0
    while True:
        items = c.get("/conversations", params={"status": "WAITING_HUMAN", "pageSize": 200})
        batch = items.json()["items"]
        if not batch:
            return done
        for conv in batch:
            c.post(f"/conversations/{conv['id']}/resolve")
            done += 1


def run(url: str, pid: int, data: Path, args: argparse.Namespace) -> None:
    db = data / "aimywhatsapp.db"
    c, sid = setup(url)
    questions = [q for q, _ in stackfaq().queries]
    simulate = f"/whatsapp/sessions/{sid}/simulate"

    def send(i: int) -> None:
        body = {
            "from": f"+49170{i % args.contacts:07d}",
            "text": questions[i % len(questions)],
            "waMessageId": f"SOAK{i}",
        }
        deadline, last = time.monotonic() + 600, "no answer"
        while time.monotonic() < deadline:  # a starved server (niced, busy host) catches up
            try:
                r = c.post(simulate, json=body)
                if r.status_code == 202:
                    return
                last = f"{r.status_code} {r.text[:200]}"
            except httpx.TransportError as exc:
                last = repr(exc)
            time.sleep(1.0)
        raise RuntimeError(f"message {i} was not accepted: {last}")

    for i in range(min(args.contacts, 20)):  # a few conversations exist before tabs open
        send(i)
    while unanswered(db):
        time.sleep(0.2)
    convs = [x["id"] for x in c.get("/conversations", params={"pageSize": 20}).json()["items"]]
    cm, context = open_tabs(url, convs, args.tabs) if args.tabs else (None, None)
    samples: list[tuple[int, float, float]] = []
    t0 = time.perf_counter()
    resolved = 0
    lock = threading.Lock()
    try:
        with ThreadPoolExecutor(args.senders) as pool:
            i = 20
            while i < args.n:
                if args.stop_after_s and time.perf_counter() - t0 > args.stop_after_s:
                    print(f"time limit: stopping at {i} of {args.n} messages", flush=True)
                    args.n = i  # the report covers what ran, its first 10% the warm-up
                    args.warm = min(args.warm, i // 10)
                    break
                while unanswered(db) > args.backlog:
                    time.sleep(0.05)
                end = min(args.n, (i // 50 + 1) * 50)  # batches end on multiples of 50
                list(pool.map(send, range(i, end)))
                i = end
                if i % 250 == 0 or i == args.n:  # agents resolve escalations
                    resolved += resolve_waiting(c)
                if i % args.every == 0 or i == args.n:
                    with lock:
                        samples.append((i, tree_rss(pid) / 2**20, time.perf_counter() - t0))
                    n, rss, el = samples[-1]
                    print(f"{n:6d} msgs  {rss:6.0f} MB  {n / el:5.1f} msg/s", flush=True)
                    write(samples, args)  # a run cut short still leaves its curve
        while unanswered(db):
            time.sleep(0.2)
        samples.append((args.n, tree_rss(pid) / 2**20, time.perf_counter() - t0))
    finally:
        if context is not None:
            print(f"tab page loads: {tab_loads(context)} ({args.tabs} tabs)", flush=True)
            # a tab's socket may still be sending as the browser closes (Playwright then raises
            # "Cannot find object to frameSent"): the run's figures must still be reported
            with contextlib.suppress(Exception):
                context.close()
            with contextlib.suppress(Exception):
                cm.__exit__(None, None, None)
    report(samples, db, resolved, args)


def report(
    samples: list[tuple[int, float, float]], db: Path, resolved: int, args: argparse.Namespace
) -> None:
    after = [s for s in samples if s[0] >= args.warm]
    base = statistics.median(r for _, r, _ in after[:3]) if after else samples[0][1]
    end = statistics.median(r for _, r, _ in samples[-3:])
    peak = max(r for _, r, _ in after) if after else end
    total, kb = kb_replies(db)
    elapsed = samples[-1][2]
    print(
        f"soak: {args.n} msgs from {args.contacts} contacts, {args.tabs} tabs, {elapsed:.0f} s "
        f"({args.n / elapsed:.1f} msg/s); bot replies {total}, from the KB {kb}; escalations "
        f"resolved {resolved}"
    )
    print(
        f"RSS: start {samples[0][1]:.0f} MB, after warm-up ({args.warm} msgs) {base:.0f} MB, "
        f"end {end:.0f} MB, peak after warm-up {peak:.0f} MB: growth {100 * (end / base - 1):+.1f}%"
        f" (peak {100 * (peak / base - 1):+.1f}%)"
    )
    write(samples, args, base)
    print(f"wrote {Path(args.out).with_suffix('.svg')} and {Path(args.out).with_suffix('.csv')}")


def write(samples: list[tuple[int, float, float]], args, base: float | None = None) -> None:  # type: ignore[no-untyped-def]
    """The CSV and the plot of the samples so far (`base`: RSS after warm-up, if known)."""
    if base is None:
        after = [r for n, r, _ in samples if n >= args.warm][:3]
        base = statistics.median(after) if after else samples[-1][1]
    out = Path(args.out)
    out.with_suffix(".csv").write_text(
        "messages,rss_mb,seconds\n" + "".join(f"{n},{r:.1f},{t:.1f}\n" for n, r, t in samples)
    )
    out.with_suffix(".svg").write_text(svg(samples, base, args))


def svg(samples: list[tuple[int, float, float]], base: float, args) -> str:  # type: ignore[no-untyped-def]
    """RSS over messages as a line chart; the warm-up is shaded, ±10% of its end marked."""
    w, h, left, bottom, top, right = 760, 360, 60, 40, 30, 20
    xmax = max(n for n, _, _ in samples)
    ymax = max(max(r for _, r, _ in samples), base * 1.1) * 1.1

    def x(n: float) -> float:
        return left + (w - left - right) * n / xmax

    def y(r: float) -> float:
        return h - bottom - (h - bottom - top) * r / ymax

    pts = " ".join(f"{x(n):.1f},{y(r):.1f}" for n, r, _ in samples)
    ticks_y = [round(ymax * k / 5, -1) for k in range(6)]
    ticks_x = [round(xmax * k / 5, -3 if xmax >= 10_000 else -1) for k in range(6)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif"'
        ' font-size="11">',
        f'<rect x="{x(0)}" y="{top}" width="{x(min(args.warm, xmax)) - x(0):.1f}" '
        f'height="{h - bottom - top}" fill="#eee"/>',
        f'<rect x="{left}" y="{y(base * 1.1):.1f}" width="{w - left - right}" '
        f'height="{y(base * 0.9) - y(base * 1.1):.1f}" fill="#e6f4ea"/>',
        f'<polyline points="{pts}" fill="none" stroke="#1a73e8" stroke-width="2"/>',
        f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="#333"/>',
        f'<text x="{w / 2}" y="{h - 6}" text-anchor="middle">messages</text>',
        f'<text x="14" y="{h / 2}" transform="rotate(-90 14 {h / 2})" text-anchor="middle">'
        "server RSS (MB)</text>",
        f'<text x="{left + 4}" y="{top - 10}">RSS over {xmax:,} KB answers, {args.tabs} '
        f"dashboard tabs open; grey: warm-up, green: ±10% of RSS after warm-up</text>",
    ]
    parts += [
        f'<text x="{left - 4}" y="{y(t) + 4:.1f}" text-anchor="end">{t:.0f}</text>' for t in ticks_y
    ]
    parts += [
        f'<text x="{x(t):.1f}" y="{h - bottom + 14}" text-anchor="middle">{t:,.0f}</text>'
        for t in ticks_x
    ]
    return "\n".join([*parts, "</svg>", ""])


def replot(stem: str, tabs: int) -> None:
    """The figures and plot again from a run's CSV (a run cut short by a signal, say): the
    first 10% of the messages that ran are the warm-up.

    Run: python -m tests.bench.soak_kb tests/bench/soak-kb [tabs]"""
    rows = Path(stem).with_suffix(".csv").read_text().splitlines()[1:]
    samples = [(int(n), float(r), float(t)) for n, r, t in (ln.split(",") for ln in rows)]
    n = samples[-1][0]
    args = argparse.Namespace(n=n, warm=n // 10, tabs=tabs, out=stem)
    after = [r for m, r, _ in samples if m >= args.warm]
    base, end = statistics.median(after[:3]), statistics.median(after[-3:])
    print(
        f"{n} msgs in {samples[-1][2]:.0f} s ({n / samples[-1][2]:.2f} msg/s), {tabs} tabs: RSS "
        f"start {samples[0][1]:.0f} MB, after warm-up ({args.warm} msgs) {base:.0f} MB, end "
        f"{end:.0f} MB, peak {max(after):.0f} MB: growth {100 * (end / base - 1):+.1f}% "
        f"(peak {100 * (max(after) / base - 1):+.1f}%)"
    )
    write(samples, args, base)


if __name__ == "__main__":
    import sys

    replot(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20)
