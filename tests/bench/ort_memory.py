"""The ONNX e5 engine's memory options, in-process: peak and settled RSS while it embeds ~126
windows of xquad-en text in calls of 8 (as ingestion does), one option per process.

Run: python -m tests.bench.ort_memory {arena,noarena,shrink} [--cache DIR]
(`arena`: today's setting; `noarena`: `enable_cpu_mem_arena = False`; `shrink`: the arena
shrunk after every run). Use a cache dir that already holds the export, or the first run's
peak includes the one-time export. Figures: tests/bench/RESULTS-lean.md, session 8.
"""

from __future__ import annotations

import argparse
import ctypes
import threading
import time
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

import app.embeddings.e5_onnx as e5_onnx
from app.embeddings.e5_cache import load_e5_onnx
from tests.bench.datasets import xquad


def kinds() -> tuple[int, int]:
    """(RSS, anonymous) of this process in MB."""
    text = Path("/proc/self/smaps_rollup").read_text()
    kb = {k: int(v.split()[0]) for k, v in (ln.split(":", 1) for ln in text.splitlines()[1:])}
    return kb["Rss"] // 1024, kb.get("Anonymous", 0) // 1024


def configure(variant: str) -> None:
    import onnxruntime as ort

    original = e5_onnx.session_options

    def options(threads: int) -> Any:
        so = original(threads)
        so.enable_cpu_mem_arena = variant != "noarena"
        return so

    e5_onnx.session_options = options
    if variant == "shrink":
        run_options = ort.RunOptions()
        run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

        def run(self: Any, batch: Any) -> Any:
            ids, mask = self._tokens.batch(batch)
            feed = {"input_ids": ids, "attention_mask": mask}
            (hidden,) = self._session.run(None, feed, run_options)
            return hidden, mask

        e5_onnx.E5OnnxEmbeddings._run = run  # type: ignore[method-assign]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("variant", choices=["arena", "noarena", "shrink"])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/aimy-ort-memory"))
    args = ap.parse_args()
    configure(args.variant)
    me, peak, done = psutil.Process(), [0, (0, 0)], threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss = me.memory_info().rss
            if rss > peak[0]:
                peak[:] = [rss, kinds()]
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    model = load_e5_onnx(args.cache)
    model.embed_query("warm")
    loaded, peak[:] = kinds(), [0, (0, 0)]
    paragraphs = list(xquad("en").passages.values())
    texts = [
        " ".join(paragraphs[(3 * p + i) % len(paragraphs)] for i in range(6)) for p in range(126)
    ]
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), 8):
        model.embed_documents(texts[i : i + 8])
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    after = kinds()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    done.set()
    print(
        f"{args.variant}: after load {loaded} MB (RSS, anon); peak while embedding {peak[1]}; "
        f"after {after}; after malloc_trim {kinds()}; {wall:.1f} s wall, {cpu:.1f} CPU-s"
    )


if __name__ == "__main__":
    main()
