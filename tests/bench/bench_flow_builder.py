"""The flow builder in a real browser on the real process: how long a flow of n steps takes
to be drawn, and how long the live check takes to put a problem on a freshly dropped step.

1. Open: `/dashboard/flows/{id}` for flows of n message steps in a chain (trigger → m1 → …);
   from `goto` until every node and edge is in the DOM (Vue Flow draws them all). Median of 3.
2. Live check: a Message step is dragged from the palette onto the canvas (unconnected); from
   the drop until its "no path from the trigger" problem is drawn on it — the change event,
   the server's validation (every `VALIDATE_EVERY_S` = 0.6 s at most) and the problems sent
   back. Median of 3 drops.

Run: `/work/main/.venv/bin/python -m tests.bench.bench_flow_builder [sizes=7,100,300]`.
Not collected by pytest.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import TEST_MASTER_KEY
from tests.e2e import accounts
from tests.e2e.browser import browser
from tests.e2e.conftest import start
from tests.e2e.test_flow_builder import ENV

EMAIL = "bench@example.com"


def chain(n: int) -> dict[str, Any]:
    nodes = [{"id": "trigger", "type": "trigger", "position": {"x": 0, "y": 0}, "data": {}}]
    edges = []
    for i in range(1, n):
        nodes.append(
            {
                "id": f"m{i}",
                "type": "message",
                "position": {"x": 260 * (i % 10), "y": 160 * (i // 10)},
                "data": {"text": f"Step {i}, {{{{contact.name}}}}"},
            }
        )
        source = "trigger" if i == 1 else f"m{i - 1}"
        edges.append({"id": f"e{i}", "source": source, "target": f"m{i}"})
    return {
        "name": f"Chain of {n}",
        "triggerType": "KEYWORD",
        "triggerConfig": {"keywords": ["go"], "match": "exact"},
        "nodes": nodes,
        "edges": edges,
    }


def main(sizes: list[int]) -> None:
    env = {**os.environ, "AIMY_MASTER_KEY": TEST_MASTER_KEY, "AIMY_SECRETS_BACKEND": "file"}
    with tempfile.TemporaryDirectory() as tmp:
        server = start(Path(tmp) / "data", env={**env, **ENV})
        try:
            run(server.url, sizes)
        finally:
            server.stop()


def run(url: str, sizes: list[int]) -> None:
    accounts.register(url, EMAIL, "Bench")
    auth = {"Authorization": f"Bearer {accounts.login(url, EMAIL)}"}
    flows = {}
    for n in sizes:
        r = httpx.post(f"{url}/api/v1/flows", json=chain(n), headers=auth, timeout=30)
        assert r.status_code == 201, r.text
        flows[n] = r.json()["id"]
    with browser() as b:
        context = b.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # leave the unsaved drop behind
        page.goto(f"{url}/login")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(accounts.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/dashboard")
        print("| steps | open p50 | open max | live check p50 | live check max |")
        print("| --: | --: | --: | --: | --: |")
        for n, flow_id in flows.items():
            opens, checks = [], []
            for _ in range(3):
                t0 = time.perf_counter()
                page.goto(f"{url}/dashboard/flows/{flow_id}")
                page.wait_for_function(
                    f"document.querySelectorAll('.vue-flow__node').length === {n} && "
                    f"document.querySelectorAll('.vue-flow__edge').length === {n - 1}",
                    timeout=60_000,
                )
                opens.append(time.perf_counter() - t0)
                page.wait_for_timeout(800)  # the first check of the loaded flow is done
                pane = page.locator(".vue-flow__pane")
                box = pane.bounding_box()
                assert box is not None
                t0 = time.perf_counter()
                page.locator("[data-palette='message']").drag_to(
                    pane, target_position={"x": box["width"] / 2, "y": 30}, force=True
                )
                dropped = page.locator(".vue-flow__node[data-id^='message-']").last
                dropped.locator(".aimy-node__problems").get_by_text(
                    "no path from the trigger"
                ).wait_for(timeout=30_000)
                checks.append(time.perf_counter() - t0)
            print(
                f"| {n} | {statistics.median(opens) * 1000:.0f} ms | {max(opens) * 1000:.0f} ms"
                f" | {statistics.median(checks) * 1000:.0f} ms | {max(checks) * 1000:.0f} ms |"
            )
        context.close()


if __name__ == "__main__":
    main([int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "7,100,300").split(",")])
