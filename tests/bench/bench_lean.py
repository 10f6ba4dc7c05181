"""Memory and first-use time of the real server with its knowledge base in use, before/after.

Each variant is a real `python -m app serve --headless` process (its whole process tree is
measured, sampled every 0.1 s so peaks count) on a fresh data dir:

1. idle RSS a few seconds after start (no model loaded);
2. the first FAQ — the first knowledge-base use: the model loads, then embeds (wall time of
   the API call), then the first `POST …/test` query;
3. 60 more FAQs (StackFAQ) and 100 test queries (API p50), then a generated 100-page PDF
   uploaded and indexed (pages/s end to end, through the worker);
4. peak and settled RSS "with the knowledge base in use", then RSS after the idle unload;
5. a restart on the same data dir: the first query again (the cached ONNX export).

Run: python -m tests.bench.bench_lean [--before DIR]
    [--variants after,before,inproc,torch,local,postgres]
`--before DIR` is a checkout of the code before the lean runtime (e.g. `git archive d7b51cd |
tar -x -C DIR`); `before` runs it with its defaults (e5 on torch); `torch` runs this code with
`AIMY_EMBEDDING_MODE=e5-torch`; `inproc` with `AIMY_PDF_IN_PROCESS=true` (PDFs read in the
server); `local` adds llama.cpp answers and a whisper voice note to "after".
Figures: tests/bench/RESULTS-lean.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from tests.bench.bench_ingest import make_pdf
from tests.bench.datasets import stackfaq
from tests.bench.private_pg import PssSampler, cluster_pss, private_postgres
from tests.conftest import TEST_MASTER_KEY
from tests.e2e import accounts
from tests.e2e.conftest import ROOT, start

MB = 1024 * 1024


def tree_rss(pid: int) -> int:
    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


@dataclass
class Sampler:
    """Peak RSS of a process tree between marks, sampled in a thread."""

    pid: int
    peak: int = 0
    own_peak: int = 0  # the server process alone (a PDF child's memory is its own, returned)
    _stop: threading.Event = field(default_factory=threading.Event)

    detail: str = ""  # what the server's RSS was made of at the peak (anonymous / file-backed)

    def __post_init__(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = tree_rss(self.pid)
            if rss > self.peak:
                self.peak, self.detail = rss, rss_kinds(self.pid)
            self.own_peak = max(self.own_peak, own_rss(self.pid))
            time.sleep(0.1)

    def mark(self) -> int:
        peak, self.peak = self.peak, tree_rss(self.pid)
        return max(peak, self.peak)

    def stop(self) -> None:
        self._stop.set()


def own_rss(pid: int) -> int:
    try:
        return int(psutil.Process(pid).memory_info().rss)
    except psutil.NoSuchProcess:
        return 0


def rss_kinds(pid: int) -> str:
    """The process's RSS split into anonymous memory (heap, arenas) and file-backed pages
    (shared libraries, mapped model files), from /proc/<pid>/smaps_rollup (Linux)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return ""
    kb = {k: int(v.split()[0]) for k, v in (ln.split(":", 1) for ln in text.splitlines()[1:])}
    anon = kb.get("Anonymous", 0)
    return f"anon {anon // 1024} MB, file {(kb.get('Rss', 0) - anon) // 1024} MB"


def mb(n: float) -> str:
    return f"{n / MB:.0f} MB"


def api(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {token}"},
                        timeout=600)  # fmt: skip


def local_models(c: httpx.Client, data: Path, sampler: Sampler) -> dict[str, str]:
    """The same node with local models: answers written by llama.cpp (the 270M Gemma 3 GGUF
    of the test extra, copied into models/) and a voice note transcribed by whisper tiny.en."""
    import base64

    from tests.fakes.gguf import gemma_gguf
    from tests.fakes.voice import voice_note

    gguf = gemma_gguf(data / "models")
    r = c.patch("/settings", json={"aiProvider": "llamacpp", "aiModel": gguf.name})
    assert r.is_success, r.text
    sid = c.post("/whatsapp/sessions", json={"accountId": "lean", "channel": "simulator"})
    simulate = f"/whatsapp/sessions/{sid.json()['id']}/simulate"
    audio = base64.b64encode(voice_note("What are your opening hours on Sunday?")).decode()
    questions = [q for q, _ in stackfaq().queries[200:205]]
    t0 = time.perf_counter()
    for i, q in enumerate(questions):
        assert c.post(simulate, json={"from": f"+4917000000{i}", "text": q}).status_code == 202
    media = {"type": "AUDIO", "mimeType": "audio/ogg; codecs=opus", "base64": audio}
    assert c.post(simulate, json={"from": "+49170000099", "media": media}).status_code == 202
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        bot = [m for conv in c.get("/conversations", params={"pageSize": 50}).json()["items"]
               for m in c.get(f"/conversations/{conv['id']}").json().get("messages", [])
               if m["direction"] == "OUTBOUND"]  # fmt: skip
        if len(bot) >= len(questions) + 1:
            break
        time.sleep(1)
    return {
        f"local models: {len(bot)} replies by llama.cpp ({gguf.stat().st_size / MB:.0f} MB GGUF)"
        " + a voice note": f"{time.perf_counter() - t0:.0f} s",
        "peak RSS with local models": mb(sampler.mark()),
    }


def run_variant(
    label: str,
    root: Path,
    env: dict[str, str],
    idle_s: float,
    *,
    local: bool = False,
    pg_pid: int | None = None,
) -> dict[str, str]:
    out: dict[str, str] = {}
    faqs = list((stackfaq().faqs or {}).values())
    queries = [q for q, _ in stackfaq().queries[:100]]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        server = start(data, env=env, cwd=root)
        sampler = Sampler(server.proc.pid)
        pid = server.proc.pid
        pg = None if pg_pid is None else PssSampler(pg_pid, lambda: tree_rss(pid))
        try:
            time.sleep(5)
            out["idle RSS"] = mb(sampler.mark())
            if pg is not None:
                pss, both = pg.mark()
                out["Postgres PSS idle / app + Postgres"] = f"{mb(pss)} / {mb(both)}"
            token = accounts.register(server.url, "lean@example.com")["accessToken"]
            c = api(server.url, token)
            kb = next(k["id"] for k in c.get("/knowledge-bases").json() if k["isDefault"])
            q, a = faqs[0]
            t0 = time.perf_counter()
            r = c.post(f"/knowledge-bases/{kb}/faqs", json={"question": q, "answer": a})
            assert r.status_code == 201, r.text
            took = time.perf_counter() - t0
            out["first KB use (first FAQ, model load + embed)"] = f"{took:.2f} s"
            t0 = time.perf_counter()
            r = c.post(f"/knowledge-bases/{kb}/test", json={"query": queries[0]})
            assert r.status_code == 200, r.text
            out["first query after it"] = f"{1000 * (time.perf_counter() - t0):.0f} ms"
            out["RSS after first KB use"] = mb(sampler.mark())
            times = []
            for q, a in faqs[1:61]:
                t0 = time.perf_counter()
                assert c.post(f"/knowledge-bases/{kb}/faqs", json={"question": q, "answer": a})
                times.append(time.perf_counter() - t0)
            out["FAQ create p50"] = f"{1000 * statistics.median(times):.0f} ms"
            times = []
            for q in queries:
                t0 = time.perf_counter()
                assert c.post(f"/knowledge-bases/{kb}/test", json={"query": q}).status_code == 200
                times.append(time.perf_counter() - t0)
            out["KB test query p50 (API)"] = f"{1000 * statistics.median(times):.0f} ms"
            detail, before_pdf = sampler.detail, sampler.mark()
            out["peak RSS before the PDF (FAQs, queries)"] = f"{mb(before_pdf)} ({detail})"
            pdf = make_pdf(100)
            sampler.own_peak = 0
            t0 = time.perf_counter()
            r = c.post(f"/knowledge-bases/{kb}/documents",
                       files={"file": ("manual.pdf", pdf, "application/pdf")})  # fmt: skip
            assert r.status_code == 202, r.text
            doc = r.json()["id"]
            while (d := c.get(f"/knowledge-bases/{kb}/documents/{doc}").json())["status"] in (
                "PENDING",
                "PROCESSING",
            ):
                time.sleep(0.1)
            took = time.perf_counter() - t0
            assert d["status"] == "INDEXED", d
            out["100-page PDF via the API"] = f"{took:.1f} s = {100 / took:.2f} pages/s"
            detail = sampler.detail
            peak = max(before_pdf, sampler.mark())
            out["peak RSS, KB in use (FAQs, queries, PDF)"] = f"{mb(peak)} (PDF: {detail})"
            out["peak RSS of the server process alone while the PDF is read"] = mb(sampler.own_peak)
            if pg is not None:
                pss, both = pg.mark()
                key = "Postgres PSS peak / app + Postgres peak, KB in use"
                out[key] = f"{mb(pss)} / {mb(both)}"
            time.sleep(3)
            out["settled RSS, KB in use"] = f"{mb(sampler.mark())} ({rss_kinds(server.proc.pid)})"
            if pg is not None:
                out["Postgres PSS settled"] = mb(cluster_pss(pg.pid))
            if local:
                out.update(local_models(c, data, sampler))
            t0 = time.perf_counter()
            awaited = ["embedding model unloaded"] + (["llama.cpp"] if local else [])
            while time.perf_counter() < t0 + idle_s + 60 and not all(
                any(w in ln and "unloaded" in ln for ln in server.log().splitlines())
                for w in awaited
            ):  # the embedder, and with local models the GGUF too (app/llm/llamacpp.py)
                time.sleep(1)
            time.sleep(3)
            waited = time.perf_counter() - t0
            out["RSS after the idle period (unload)"] = (
                f"{mb(tree_rss(server.proc.pid))} ({waited:.0f} s)"
            )
        finally:
            sampler.stop()
            if pg is not None:
                pg.stop()
            server.stop()
        again = start(data, env=env, cwd=root)
        try:
            c = api(again.url, accounts.login(again.url, "lean@example.com"))
            t0 = time.perf_counter()
            assert c.post(f"/knowledge-bases/{kb}/test", json={"query": queries[1]}).is_success
            out["first query after a restart"] = f"{time.perf_counter() - t0:.2f} s"
            out["RSS after it"] = mb(tree_rss(again.proc.pid))
        finally:
            again.stop()
        log = server.log().splitlines()
        loads = [ln for ln in log if "embedding model loaded in" in ln]
        out["model loads (idle unload, then reload)"] = str(len(loads))
        for line in log:
            if "app.embeddings" in line or "app.idle_model" in line or "WARNING" in line:
                print("   log:", line[:300])
    print(f"\n## {label}")
    for k, v in out.items():
        print(f"  {k}: {v}", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", type=Path, help="a checkout of the code before the lean runtime")
    ap.add_argument("--variants", default="after,before")
    ap.add_argument("--idle", type=float, default=20.0, help="AIMY_MODEL_IDLE_UNLOAD_S")
    args = ap.parse_args()
    base = {
        **os.environ,
        "AIMY_MASTER_KEY": TEST_MASTER_KEY,
        "AIMY_SECRETS_BACKEND": "file",
        "AIMY_RATE_LIMIT_API_PER_MIN": "1000000",
        "AIMY_RATE_LIMIT_KB_TEST_PER_MIN": "1000000",  # the test endpoint's own limit (20/min)
        "AIMY_MODEL_IDLE_UNLOAD_S": str(args.idle),
        "HF_HUB_OFFLINE": "1",
    }
    results: dict[str, dict[str, str]] = {}
    for variant in args.variants.split(","):
        if variant == "before":
            if args.before is None:
                raise SystemExit("--before DIR is needed for the 'before' variant")
            label = f"before ({args.before}, its defaults)"
            results[variant] = run_variant(label, args.before, base, args.idle)
        elif variant == "inproc":  # PDFs read in the server (issue 19: a child by default)
            env = {**base, "AIMY_PDF_IN_PROCESS": "true"}
            results[variant] = run_variant("this code, pdf_in_process", ROOT, env, args.idle)
        elif variant == "torch":
            env = {**base, "AIMY_EMBEDDING_MODE": "e5-torch"}
            results[variant] = run_variant("this code, e5-torch", ROOT, env, args.idle)
        elif variant == "postgres":
            with private_postgres() as (url, pg_pid):
                env = {**base, "AIMY_DATABASE_URL": url}
                label = "after, on Postgres (stock settings)"
                results[variant] = run_variant(label, ROOT, env, args.idle, pg_pid=pg_pid)
        elif variant == "local":
            label = "after, with local models (llama.cpp + whisper)"
            results[variant] = run_variant(label, ROOT, base, args.idle, local=True)
        else:
            results[variant] = run_variant("after (e5 on ONNX Runtime)", ROOT, base, args.idle)
    keys = list(next(iter(results.values())))
    print("\n| | " + " | ".join(results) + " |\n|---|" + "---|" * len(results))
    for k in keys:
        print(f"| {k} | " + " | ".join(r.get(k, "–") for r in results.values()) + " |")


if __name__ == "__main__":
    main()
