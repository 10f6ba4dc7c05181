"""Dashboard live-update latency and memory per open tab, on the real process in a real browser.

1. Latency: an inbox thread is open in chromium; the page itself POSTs a simulated inbound
   message to the API and a MutationObserver notes when its bubble text appears, so both ends
   use the browser's clock. n messages one after another; p50/p99 printed. The contact is
   taken over first so the bot stays silent and only the inbound path is timed.
2. Memory: the server's RSS before and after opening k inbox tabs (same signed-in browser),
   after a settle pause; (after - before) / k is the cost of one live client (NiceGUI client,
   its element tree, the bus subscription and its pump task).

Run: `/work/venv/bin/python -m tests.bench.bench_dashboard [n_messages] [k_tabs]`.
Not collected by pytest.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.conftest import TEST_MASTER_KEY
from tests.e2e import accounts
from tests.e2e.browser import browser
from tests.e2e.conftest import start
from tests.e2e.test_inbox import EMAIL, ENV, _sign_in

TIMED_POST = """async ([url, token, text]) => {
  const t0 = performance.now();
  const seen = new Promise(resolve => {
    const check = () => document.body.innerText.includes(text);
    const obs = new MutationObserver(() => {
      if (check()) { obs.disconnect(); resolve(performance.now() - t0); }
    });
    obs.observe(document.body, {childList: true, subtree: true, characterData: true});
  });
  const r = await fetch(url, {method: 'POST', headers: {'Authorization': 'Bearer ' + token,
    'content-type': 'application/json'}, body: JSON.stringify({from: '+4917600000001', text})});
  if (!r.ok) throw new Error('simulate failed: ' + r.status);
  return await seen;
}"""


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def main(n: int, k: int) -> None:
    env = {**os.environ, "AIMY_MASTER_KEY": TEST_MASTER_KEY, "AIMY_SECRETS_BACKEND": "file"}
    with tempfile.TemporaryDirectory() as tmp:
        server = start(Path(tmp) / "data", env={**env, **ENV})
        try:
            run(server.url, server.proc.pid, n, k)
        finally:
            server.stop()


def run(url: str, pid: int, n: int, k: int) -> None:
    accounts.register(url, EMAIL, "Bench")
    token = accounts.login(url, EMAIL)
    auth = {"Authorization": f"Bearer {token}"}
    sim = httpx.post(
        f"{url}/api/v1/whatsapp/sessions",
        json={"accountId": "bench", "channel": "simulator"},
        headers=auth,
    ).json()["id"]
    simulate = f"{url}/api/v1/whatsapp/sessions/{sim}/simulate"
    httpx.post(simulate, json={"from": "+4917600000001", "text": "hello"}, headers=auth)
    time.sleep(1)
    conv = httpx.get(f"{url}/api/v1/conversations", headers=auth).json()["items"][0]
    httpx.post(f"{url}/api/v1/contacts/{conv['contactId']}/takeover", headers=auth)
    with browser() as b:
        context = b.new_context(viewport={"width": 1280, "height": 860})  # type: ignore[attr-defined]
        page = _sign_in(context, url)
        page.goto(f"{url}/dashboard/inbox/{conv['id']}")
        page.get_by_placeholder("Type a reply…").wait_for()
        page.wait_for_timeout(500)
        times = [page.evaluate(TIMED_POST, [simulate, token, f"ping {i} {time.time_ns()}"])
                 for i in range(n)]  # fmt: skip
        times.sort()
        p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
        print(f"inbound -> bubble over {n}: p50 {statistics.median(times):.0f} ms, "
              f"p99 {p99:.0f} ms, max {times[-1]:.0f} ms")  # fmt: skip
        page.close()

        page = context.new_page()
        page.goto(f"{url}/dashboard")
        page.wait_for_timeout(3000)
        before = rss_kib(pid)
        tabs = []
        for _ in range(k):
            tab = context.new_page()
            tab.goto(f"{url}/dashboard/inbox/{conv['id']}")
            tab.get_by_placeholder("Type a reply…").wait_for()
            tabs.append(tab)
        time.sleep(5)
        after = rss_kib(pid)
        print(f"server RSS {before / 1024:.0f} MiB -> {after / 1024:.0f} MiB with {k} inbox tabs:"
              f" {(after - before) / k / 1024:.2f} MiB per tab")  # fmt: skip
        context.close()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(args[0] if args else 50, args[1] if len(args) > 1 else 20)
